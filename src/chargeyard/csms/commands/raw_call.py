"""Any action a central system sends, as the user writes it: ``POST .../call``.

The commands of ``operations.py`` speak the API's words and map them to each version; a raw
call speaks OCPP's own. The user names an action and its payload in the words of the station's
version; the call is checked before anything is sent (the action must be one a central system
sends in that version, ``protocol/initiators.py``, and the payload must satisfy the action's
official request schema), then sent, and the station's answer comes back as it came. A
CALLERROR, a silence or an answer that breaks the response schema is an error of the API, as
for every command (``api/app.py``).
"""

from __future__ import annotations

from chargeyard.csms.commands.base import Charger, InvalidCommand, Result, sender
from chargeyard.protocol import Payload
from chargeyard.protocol.initiators import CSMS_INITIATED


async def raw_call(charger: Charger, action: str, payload: Payload) -> Result:
    """Send ``action`` with ``payload`` to the station and return its answer.

    Raises:
        InvalidCommand: ``action`` is not one a central system sends in the station's version.
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
    answer = await sender(charger)(action, payload)
    return {
        "chargeBoxId": charger.identity,
        "ocppVersion": version.name,
        "action": action,
        "response": answer,
    }
