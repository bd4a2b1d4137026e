"""The station's local authorization list, whatever OCPP version it speaks.

==================  ===================================  =======================================
command             1.6                                  2.0.1 / 2.1
==================  ===================================  =======================================
local-list          SendLocalList {listVersion,          SendLocalList {versionNumber,
                    updateType, localAuthorizationList   updateType, localAuthorizationList
                    [{idTag, idTagInfo}]} (5.15)         [{idToken, idTokenInfo}]} (D01)
local-list/version  GetLocalListVersion (5.10)           GetLocalListVersion (D02)
==================  ===================================  =======================================

An entry is an id tag with its status, expiry and parent, as the id tags of ``/id-tags`` are
written. A Full update replaces the list: each entry must carry its status. A Differential
update changes the entries it names: one with a status is added or updated, one without is
removed (1.6 section 5.15 and 2.0.1 D01: an entry without idTagInfo / idTokenInfo). A list
version is 1 or more: 0 and -1 are what a station reports for an empty list and for no list
(1.6 section 5.10), never a version to send. Whether the version is newer than the station's
is the station's to say (``version_mismatch``). The values each version allows (a 1.6 idTag is
at most 20 characters; NoCredit and the other 2.0.1 statuses do not exist in 1.6) are checked
against the official schema before anything is sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from chargeyard.csms.commands.base import (
    Charger,
    InvalidCommand,
    Result,
    Send,
    iso,
    outcome,
    sender,
    snake,
)
from chargeyard.csms.commands.transactions import CENTRAL_TOKEN
from chargeyard.protocol import V16, V21, V201, Payload, VersionTable

UpdateType = Literal["Full", "Differential"]


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One id tag of the list; ``status`` None removes it (Differential only)."""

    id_tag: str
    status: str | None = None
    expiry: datetime | None = None
    parent_id_tag: str | None = None


class LocalListDialect(Protocol):
    async def send_list(
        self, send: Send, version: int, update: UpdateType, entries: Sequence[ListEntry]
    ) -> str: ...
    async def version(self, send: Send) -> int: ...


class _Ocpp16:
    async def send_list(
        self, send: Send, version: int, update: UpdateType, entries: Sequence[ListEntry]
    ) -> str:
        listed: list[Payload] = []
        for entry in entries:
            data: Payload = {"idTag": entry.id_tag}
            if entry.status is not None:
                info: Payload = {"status": entry.status}
                if entry.expiry is not None:
                    info["expiryDate"] = iso(entry.expiry)
                if entry.parent_id_tag is not None:
                    info["parentIdTag"] = entry.parent_id_tag
                data["idTagInfo"] = info
            listed.append(data)
        payload = {"listVersion": version, "updateType": update, "localAuthorizationList": listed}
        return str((await send("SendLocalList", payload))["status"])

    async def version(self, send: Send) -> int:
        return int((await send("GetLocalListVersion", {}))["listVersion"])


class _Ocpp201:
    async def send_list(
        self, send: Send, version: int, update: UpdateType, entries: Sequence[ListEntry]
    ) -> str:
        listed: list[Payload] = []
        for entry in entries:
            data: Payload = {"idToken": {"idToken": entry.id_tag, "type": CENTRAL_TOKEN}}
            if entry.status is not None:
                info: Payload = {"status": entry.status}
                if entry.expiry is not None:
                    info["cacheExpiryDateTime"] = iso(entry.expiry)
                if entry.parent_id_tag is not None:
                    info["groupIdToken"] = {"idToken": entry.parent_id_tag, "type": CENTRAL_TOKEN}
                data["idTokenInfo"] = info
            listed.append(data)
        payload: Payload = {"versionNumber": version, "updateType": update}
        if listed:  # the 2.0.1 schema wants at least one item when the list is given
            payload["localAuthorizationList"] = listed
        return str((await send("SendLocalList", payload))["status"])

    async def version(self, send: Send) -> int:
        return int((await send("GetLocalListVersion", {}))["versionNumber"])


LOCAL_LIST_DIALECTS: VersionTable[LocalListDialect] = VersionTable(
    "how the local authorization list is said",
    {V16: _Ocpp16(), V201: _Ocpp201(), V21: _Ocpp201()},
)


async def send_local_list(
    charger: Charger, version: int, update: UpdateType, entries: Sequence[ListEntry]
) -> Result:
    """Send a Full list (it replaces the station's) or a Differential update.

    Raises:
        InvalidCommand: a version below 1, a Full entry without a status, an id tag named
        twice.
    """
    if version < 1:
        raise InvalidCommand(f"listVersion is 1 or more, not {version} (0 and -1 are reserved)")
    if update == "Full" and (missing := [e.id_tag for e in entries if e.status is None]):
        raise InvalidCommand(
            "a Full list gives every entry a status; without one: " + ", ".join(missing)
        )
    twice = sorted(tag for tag, count in Counter(e.id_tag for e in entries).items() if count > 1)
    if twice:
        raise InvalidCommand("an id tag appears once in a list; twice: " + ", ".join(twice))
    dialect = LOCAL_LIST_DIALECTS[await charger.link.version_of(charger.identity)]
    status = await dialect.send_list(sender(charger), version, update, entries)
    return {
        "message": f"{update} local list {outcome(status)}",
        "chargeBoxId": charger.identity,
        "listVersion": version,
        "updateType": update,
        "entries": len(entries),
        "status": snake(status),
    }


async def local_list_version(charger: Charger) -> Result:
    """The version of the station's list: 0 for an empty one, -1 (1.6) for none."""
    dialect = LOCAL_LIST_DIALECTS[await charger.link.version_of(charger.identity)]
    return {
        "chargeBoxId": charger.identity,
        "listVersion": await dialect.version(sender(charger)),
    }
