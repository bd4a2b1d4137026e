"""Any action a central system sends, as the user writes it: ``POST .../call``.

The commands of ``operations.py`` speak the API's words and map them to each version; a raw
call speaks OCPP's own. The user names an action and its payload in the words of the station's
version; the call is checked before anything is sent (the action must be one a central system
sends in that version, ``protocol/initiators.py``, and the payload must satisfy the action's
official request schema), then sent, and the station's answer comes back as it came. A
CALLERROR, a silence or an answer that breaks the response schema is an error of the API, as
for every command (``api/app.py``).

A raw call is one CALL as written: one with more items than the station said it takes in one
request (B06.FR.05, B05.FR.11, N06.FR.04: ``csms/message_limits.py``) is refused before
anything is sent, naming the limit and the command that sends the items in as many requests as
they need (``variables/get``, ``variables/set``, ``monitoring/clear``).
"""

from __future__ import annotations

from dataclasses import replace

from chargeyard.csms.commands.base import Charger, InvalidCommand, Result, sender
from chargeyard.csms.commands.device_model import OPERATIONS
from chargeyard.csms.message_limits import refusal, splittable
from chargeyard.protocol import Payload
from chargeyard.protocol.initiators import CSMS_INITIATED


async def raw_call(charger: Charger, action: str, payload: Payload) -> Result:
    """Send ``action`` with ``payload`` to the station and return its answer.

    Raises:
        InvalidCommand: ``action`` is not one a central system sends in the station's version,
            or ``payload`` carries more than the station takes in one request.
        OcppError: ``payload`` breaks the action's request schema (nothing is sent).
        And what every command raises: StationNotConnected, StationRejected,
        StationDidNotAnswer, StationRefused, StationAnsweredBadly.
    """
    version = await charger.link.version_of(charger.identity)
    actions = CSMS_INITIATED[version]
    if action not in actions:
        sent_by_station = version.schemas.is_action(action)
        raise InvalidCommand(
            f"{action} is "
            + ("sent by the charging station" if sent_by_station else "no action")
            + f" in OCPP {version.name}; a central system sends "
            + ", ".join(sorted(actions))
        )
    version.schemas.check_request(action, payload)
    if charger.limits is not None and splittable(action, payload):
        limits = await charger.limits.limits(charger.identity, action)
        problem = refusal(action, payload, limits)
        if problem is not None:
            raise InvalidCommand(_too_much(charger.identity, action, problem))
    # One CALL as written: checked just now, never cut.
    answer = await sender(replace(charger, limits=None))(action, payload)
    return {
        "chargeBoxId": charger.identity,
        "ocppVersion": version.name,
        "action": action,
        "response": answer,
    }


def _too_much(identity: str, action: str, problem: str) -> str:
    route = next(operation.path for operation in OPERATIONS if operation.action == action)
    return (
        f"{action} to charger {identity} carries {problem}; a raw call is one CALL as written:"
        f" POST /api/v1/chargers/{identity}/{route} sends it in as many as the station takes"
    )
