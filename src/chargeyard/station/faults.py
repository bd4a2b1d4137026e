"""A fault of a connector in no version's words, and the one table of what each version says.

A :class:`Fault` is what broke (a :class:`FaultKind`), with the free text and the vendor's
own code a station may report. Each version names it on the wire its own way, read from
:data:`FAULT_WORDS`:

* OCPP 1.6 reports the connector Faulted with a ChargePointErrorCode (section 7.6; every
  value but NoError is a fault) and ends its transaction with Reason Other;
* OCPP 2.0.1 has no error code on the wire: the fault ends the transaction with a
  ReasonEnumType (GroundFault, OvercurrentFault, PowerQuality, EmergencyStop, Other), the
  one that says the same or Other.

Which words a station *takes* for a fault is its version's (``StationTerms.fault_named``):
a 1.6 station takes its ChargePointErrorCodes; a 2.0.1 station takes its fault reasons and the
1.6 codes as well; both take the fault types of OCPPLab's simulator API that neither names
(:data:`SIMULATOR_FAULT_TYPES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache

from chargeyard.protocol import V16
from chargeyard.protocol.fields import request_field
from chargeyard.protocol.messages import v16


class FaultKind(Enum):
    """What broke."""

    CONNECTOR_LOCK = "connector lock"
    EV_COMMUNICATION = "EV communication"
    GROUND = "ground leakage"
    HIGH_TEMPERATURE = "high temperature"
    INTERNAL = "internal"
    LOCAL_LIST_CONFLICT = "local list conflict"
    OVER_CURRENT = "over-current"
    OVER_VOLTAGE = "over-voltage"
    UNDER_VOLTAGE = "under-voltage"
    POWER_QUALITY = "power quality"
    POWER_METER = "power meter"
    POWER_SWITCH = "power switch"
    READER = "reader"
    RESET = "reset"
    WEAK_SIGNAL = "weak signal"
    EMERGENCY_STOP = "emergency stop"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Fault:
    """A connector's fault.

    Attributes:
        kind: what broke.
        info: free text (1.6 StatusNotification.req info, up to 50 characters are sent).
        vendor_error_code: the vendor's own code (1.6 vendorErrorCode, up to 50 sent).
    """

    kind: FaultKind
    info: str | None = None
    vendor_error_code: str | None = None


@dataclass(frozen=True, slots=True)
class FaultWords:
    """How the versions say one kind of fault.

    Attributes:
        code_16: the 1.6 ChargePointErrorCode (None: no code says it; reported as OtherError).
        reason_201: the 2.0.1 ReasonEnumType its transaction ends with.
        named_by_reason: the kind a 2.0.1 station is given when told ``reason_201`` itself.
    """

    code_16: v16.ErrorCode | None
    reason_201: str
    named_by_reason: bool = False


_W = FaultWords

# kind                                1.6 (7.6)               2.0.1 ReasonEnumType   its own
FAULT_WORDS: dict[FaultKind, FaultWords] = {
    FaultKind.CONNECTOR_LOCK: _W("ConnectorLockFailure", "Other"),
    FaultKind.EV_COMMUNICATION: _W("EVCommunicationError", "Other"),
    FaultKind.GROUND: _W("GroundFailure", "GroundFault", True),
    FaultKind.HIGH_TEMPERATURE: _W("HighTemperature", "Other"),
    FaultKind.INTERNAL: _W("InternalError", "Other"),
    FaultKind.LOCAL_LIST_CONFLICT: _W("LocalListConflict", "Other"),
    FaultKind.OVER_CURRENT: _W("OverCurrentFailure", "OvercurrentFault", True),
    FaultKind.OVER_VOLTAGE: _W("OverVoltage", "PowerQuality"),
    FaultKind.UNDER_VOLTAGE: _W("UnderVoltage", "PowerQuality"),
    FaultKind.POWER_QUALITY: _W(None, "PowerQuality", True),
    FaultKind.POWER_METER: _W("PowerMeterFailure", "Other"),
    FaultKind.POWER_SWITCH: _W("PowerSwitchFailure", "Other"),
    FaultKind.READER: _W("ReaderFailure", "Other"),
    FaultKind.RESET: _W("ResetFailure", "Other"),
    FaultKind.WEAK_SIGNAL: _W("WeakSignal", "Other"),
    FaultKind.EMERGENCY_STOP: _W(None, "EmergencyStop", True),
    FaultKind.OTHER: _W("OtherError", "Other", True),
}
"""Every kind of fault and its words in each version (a test holds the 1.6 column to the
schema's ChargePointErrorCode and the 2.0.1 column to ReasonEnumType)."""

UNNAMED_16_CODE: v16.ErrorCode = "OtherError"
"""What a 1.6 station reports for a kind no ChargePointErrorCode says."""

KIND_OF_16_CODE: dict[str, FaultKind] = {
    words.code_16: kind for kind, words in FAULT_WORDS.items() if words.code_16 is not None
}
"""The kind each 1.6 ChargePointErrorCode says."""

KIND_OF_201_REASON: dict[str, FaultKind] = {
    words.reason_201: kind for kind, words in FAULT_WORDS.items() if words.named_by_reason
}
"""The kind each 2.0.1 fault reason says, when it is given itself."""


SIMULATOR_FAULT_TYPES: dict[str, FaultKind] = {
    "GroundFault": FaultKind.GROUND,
    "OverCurrent": FaultKind.OVER_CURRENT,
    "OverTemperature": FaultKind.HIGH_TEMPERATURE,
}
"""The fault types of OCPPLab's simulator API that 1.6 does not name (its others are
ChargePointErrorCodes): a station of either version takes them too, as the kind they say."""


def code_16(kind: FaultKind) -> v16.ErrorCode:
    """The 1.6 ChargePointErrorCode a station reports for ``kind``."""
    return FAULT_WORDS[kind].code_16 or UNNAMED_16_CODE


def reason_201(kind: FaultKind) -> str:
    """The 2.0.1 ReasonEnumType a transaction ends with when ``kind`` breaks."""
    return FAULT_WORDS[kind].reason_201


@cache
def fault_codes() -> frozenset[str]:
    """The 1.6 ChargePointErrorCode values that are faults (section 7.6): all but NoError.

    Read from the official StatusNotification.req schema, never typed by hand.
    """
    allowed = request_field(V16.schemas, "StatusNotification", "errorCode").allowed or ()
    return frozenset(allowed) - {"NoError"}
