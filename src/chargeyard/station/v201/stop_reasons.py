"""Why an OCPP 2.0.1 transaction ended, in the words of its Ended TransactionEvent: the
stoppedReason (ReasonEnumType) a caller's word is read as, and the triggerReason that goes with
it when the station ends a transaction itself (``transactions.py``: a stop asked of it).
"""

from __future__ import annotations

import typing

from chargeyard.protocol.fields import word_of
from chargeyard.protocol.messages import v201

# The triggerReason of a transaction the station ends itself, by stoppedReason.
STOP_TRIGGERS: dict[v201.ReasonEnumType, v201.TriggerReasonEnumType] = {
    "Local": "StopAuthorized",
    "Remote": "RemoteStop",
    "EVDisconnected": "EVCommunicationLost",
    "DeAuthorized": "Deauthorized",
    "ImmediateReset": "ResetCommand",
    "Timeout": "EVConnectTimeout",
    "EnergyLimitReached": "EnergyLimitReached",
    "TimeLimitReached": "TimeLimitReached",
}

_REASONS: frozenset[v201.ReasonEnumType] = frozenset(typing.get_args(v201.ReasonEnumType))


def stop_reason(word: str) -> v201.ReasonEnumType:
    """``word`` as a ReasonEnumType, the stoppedReason of an Ended event.

    Raises:
        SchemaValueError: (a ValueError) it is none; the error names the ones there are.
    """
    return word_of(word, _REASONS, "reason")
