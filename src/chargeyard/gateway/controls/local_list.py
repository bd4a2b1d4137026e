"""One entry of the local authorization list added, changed or removed: a Differential
SendLocalList under the next list version (1.6 section 5.15, 2.0.1 D01), applied through the
station's own handler, so that its rules (LocalAuthListEnabled, the list's length, the
version) decide. ``local-auth-list`` (``commands.py``) sends whole Full or Differential
updates.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from chargeyard.gateway.commands import CommandSpec
from chargeyard.gateway.controls.base import ID_TAG_MAX, Control, ControlPayload, Number, Result
from chargeyard.gateway.controls.memory import token_entry
from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.station.terms import ListEntry
from chargeyard.station.verbs import StationVerbs


class ListEntryPayload(ControlPayload):
    """One id tag: its authorization status until ``expiry_date``, in the group
    ``parent_id_tag``; under ``list_version`` (null: the installed version + 1)."""

    id_tag: str = Field(min_length=1, max_length=ID_TAG_MAX)
    status: str = Field("Accepted", min_length=1, max_length=32)
    expiry_date: AwareDatetime | None = None
    parent_id_tag: str | None = Field(None, min_length=1, max_length=ID_TAG_MAX)
    list_version: Number | None = None

    def entry(self) -> ListEntry:
        return ListEntry(self.id_tag, self.expiry_date, self.status, self.parent_id_tag)


class ListRemovalPayload(ControlPayload):
    """The id tag to take out of the list, under ``list_version`` (null: installed + 1)."""

    id_tag: str = Field(min_length=1, max_length=ID_TAG_MAX)
    list_version: Number | None = None

    def entry(self) -> ListEntry:
        return ListEntry(self.id_tag, status=None)


Change = ListEntryPayload | ListRemovalPayload


def _version(station: StationVerbs, p: Change) -> int:
    return station.model.local_list.version + 1 if p.list_version is None else p.list_version


def _check(station: StationVerbs, p: Change) -> str | None:
    installed = station.model.local_list.version
    version = _version(station, p)
    if version <= installed:
        # A Differential update needs a version above the installed one (1.6 section 7.47
        # VersionMismatch, 2.0.1 D01.FR.19).
        return f"list_version must be greater than the installed {installed}"
    try:
        station.TERMS.check_local_list(version, [p.entry()], differential=True)
    except OcppError as error:
        return f"OCPP {station.version.name}: {error.description or error.kind.value}"
    if isinstance(p, ListRemovalPayload) and _listed(station, p.id_tag) is None:
        return f"id tag {p.id_tag!r} is not in the local list"
    return None


def _listed(station: StationVerbs, id_tag: str) -> Result | None:
    for token, info in station.model.local_list.entries().items():
        if token.value.casefold() == id_tag.casefold():  # IdToken is a CiString
            return token_entry(token, info)
    return None


def _apply(station: StationVerbs, p: Change) -> Result:
    version = _version(station, p)
    status = station.set_local_list(version, [p.entry()], differential=True)
    if status != "Accepted":
        raise OcppError(ErrorKind.GENERIC_ERROR, f"the station answered {status}")
    return {
        "list_version": version,
        "id_tag": p.id_tag,
        "entry": _listed(station, p.id_tag),
        "entries": len(station.model.local_list),
    }


CONTROLS: tuple[Control[Any], ...] = (
    Control(
        CommandSpec(
            "add-local-list-entry",
            "add_local_list_entry",
            ListEntryPayload,
            "Add or change one local list entry",
        ),
        _check,
        _apply,
        "Add local list entry",
        "Add one id tag to the station's local authorization list, or change it: its "
        "`status` (1.6 AuthorizationStatus, 2.0.1 AuthorizationStatusEnumType), "
        "`expiry_date`, `parent_id_tag`, by a Differential SendLocalList under `list_version` "
        "(default: the installed version + 1), applied by the station's own rules.",
        {
            "id_tag": "04A1B2C3D4",
            "status": "Accepted",
            "expiry_date": "2030-01-01T00:00:00Z",
            "parent_id_tag": "FLEET-1",
        },
    ),
    Control(
        CommandSpec(
            "remove-local-list-entry",
            "remove_local_list_entry",
            ListRemovalPayload,
            "Remove one local list entry",
        ),
        _check,
        _apply,
        "Remove local list entry",
        "Take one id tag out of the station's local authorization list, by a Differential "
        "SendLocalList whose entry has no authorization data (1.6 section 5.15, 2.0.1 "
        "D01.FR.16), under `list_version` (default: the installed version + 1).",
        {"id_tag": "04A1B2C3D4"},
    ),
)
"""The local list entry controls, in the catalogue's order."""
