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
:func:`without_password` masks it in what the frame log and the command history keep.
"""

from __future__ import annotations

from collections.abc import Iterable

from chargeyard.csms.command_state import AwaitedReports, PendingStarts
from chargeyard.csms.station_link import StationLink
from chargeyard.protocol import Payload, VersionSpec
from chargeyard.store.repositories import StationRepository

PASSWORD_VARIABLE = ("SecurityCtrlr", "BasicAuthPassword")
PASSWORD_KEY_16 = "AuthorizationKey"
PASSWORD_ACTIONS = frozenset({"ChangeConfiguration", "SetVariables"})
"""The actions that may carry a password."""
MASK = "********"


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


def without_password(action: str, payload: Payload) -> Payload:
    """``payload`` of ``action`` with the password it sets masked (``payload`` itself when it
    sets none)."""
    if action == "ChangeConfiguration" and payload.get("key") == PASSWORD_KEY_16:
        return {**payload, "value": MASK} if "value" in payload else payload
    items = payload.get("setVariableData") if action == "SetVariables" else None
    if not isinstance(items, list) or not any(_is_password(item) for item in items):
        return payload
    masked = [{**item, "attributeValue": MASK} if _is_password(item) else item for item in items]
    return {**payload, "setVariableData": masked}


class PasswordKeepingLink:
    """``link``, each call that set a password and was accepted keeping it for the station
    in ``stations`` before it returns (the rest passes through unchanged)."""

    def __init__(self, link: StationLink, stations: StationRepository) -> None:
        self._link = link
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

    def versions(self) -> Iterable[VersionSpec]:
        return self._link.versions()

    async def is_connected(self, identity: str) -> bool:
        return await self._link.is_connected(identity)

    async def version_of(self, identity: str) -> VersionSpec:
        return await self._link.version_of(identity)

    async def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        return await self._link.disconnect(identity, code, reason)

    @property
    def command_timeout(self) -> float:
        return self._link.command_timeout

    @property
    def remote_starts(self) -> PendingStarts:
        return self._link.remote_starts

    @property
    def reports(self) -> AwaitedReports:
        return self._link.reports


def _names(item: Payload) -> tuple[object, object]:
    return item.get("component", {}).get("name"), item.get("variable", {}).get("name")


def _is_password(item: object) -> bool:
    return isinstance(item, dict) and _names(item) == PASSWORD_VARIABLE
