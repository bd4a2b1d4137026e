"""The HTTP Basic password a command gave the station, once the station took it.

OCPP 2.0.1 A01.FR.03: once a station answers Accepted to a SetVariablesRequest of
SecurityCtrlr.BasicAuthPassword, the CSMS SHALL assume the change was made and no longer
accept the old credentials; A01.FR.04: any other answer, and it keeps the old ones. The OCPP
1.6 security whitepaper (A01, security profile 1) does the same with ChangeConfiguration of
AuthorizationKey. :class:`PasswordKeepingLink` stores the new password (hashed, the store's
``set_password``) as the call that set it is answered, whichever command sent it (the raw
call, the device model's SetVariables, ``configuration/change``), before the command answers:
the station may reconnect with it at once.

A01.FR.09 of both: the central system should not write a password in clear in its logs.
:func:`~chargeyard.protocol.passwords.without_password` masks it in what the frame log and the
command history keep.
"""

from __future__ import annotations

from chargeyard.csms.station_link import ForwardingLink, StationLink
from chargeyard.protocol import Payload
from chargeyard.protocol.passwords import (
    PASSWORD_ACTIONS,
    PASSWORD_KEY_16,
    PASSWORD_VARIABLE,
    names,
    without_password,
)
from chargeyard.store.repositories import StationRepository


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
        if names(item) != PASSWORD_VARIABLE or item.get("attributeType", "Actual") != "Actual":
            continue
        taken = any(
            names(result) == PASSWORD_VARIABLE
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


class PasswordKeepingLink(ForwardingLink):
    """``link``, each call that set a password and was accepted keeping it for the station
    in ``stations`` before it returns (the rest passes through unchanged)."""

    __slots__ = ("_stations",)

    def __init__(self, link: StationLink, stations: StationRepository) -> None:
        super().__init__(link)
        self._stations = stations

    async def call(
        self,
        identity: str,
        action: str,
        payload: Payload,
        timeout: float | None = None,  # noqa: ASYNC109 - the command's own limit
    ) -> Payload:
        answer = await self._link.call(identity, action, payload, timeout)
        if action in PASSWORD_ACTIONS:
            await keep_accepted_password(self._stations, identity, action, payload, answer)
        return answer


__all__ = [
    "PASSWORD_ACTIONS",
    "PasswordKeepingLink",
    "accepted_password",
    "keep_accepted_password",
    "without_password",
]
