"""The HTTP Basic password a command gave the station, once the station took it.

OCPP 2.0.1 A01.FR.03: once a station answers Accepted to a SetVariablesRequest of
SecurityCtrlr.BasicAuthPassword, the CSMS SHALL assume the change was made and no longer
accept the old credentials; A01.FR.04: any other answer, and it keeps the old ones. The OCPP
1.6 security whitepaper (section 2.4, security profile 1) does the same with ChangeConfiguration
of AuthorizationKey. The routes that send such a command store the new password (hashed, the
store's ``set_password``) when :func:`accepted_password` finds one.
"""

from __future__ import annotations

from chargeyard.protocol import Payload
from chargeyard.store.repositories import StationRepository

PASSWORD_VARIABLE = ("SecurityCtrlr", "BasicAuthPassword")
PASSWORD_KEY_16 = "AuthorizationKey"


def accepted_password(action: str, payload: Payload, answer: Payload) -> str | None:
    """The password ``action`` with ``payload`` set, if the station's ``answer`` accepted it
    (None: no password was set, or the station did not take it)."""
    if action == "ChangeConfiguration":
        if payload.get("key") == PASSWORD_KEY_16 and answer.get("status") == "Accepted":
            value = payload.get("value")
            return value if isinstance(value, str) else None
        return None
    if action != "SetVariables":
        return None
    results = answer.get("setVariableResult", [])
    for item in payload.get("setVariableData", []):
        if _names(item) != PASSWORD_VARIABLE or item.get("attributeType", "Actual") != "Actual":
            continue
        taken = any(
            _names(result) == PASSWORD_VARIABLE
            and result.get("attributeType", "Actual") == "Actual"
            and result.get("attributeStatus") == "Accepted"
            for result in results
        )
        value = item.get("attributeValue")
        return value if taken and isinstance(value, str) else None
    return None


async def keep_accepted_password(
    stations: StationRepository, identity: str, action: str, payload: Payload, answer: Payload
) -> None:
    """Store the password ``action`` gave ``identity``, if the station took it: the one it
    connects with from now on."""
    password = accepted_password(action, payload, answer)
    if password is not None:
        await stations.set_password(identity, password)


def _names(item: Payload) -> tuple[object, object]:
    return item.get("component", {}).get("name"), item.get("variable", {}).get("name")
