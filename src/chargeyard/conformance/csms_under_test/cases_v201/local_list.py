"""OCPP 2.0.1 CSMS cases of block D, Local Authorization List Management: the list sent in full
or as a difference (D01) and its version asked for (D02)."""

from __future__ import annotations

from typing import Any

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201, id_token
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table

Payload = dict[str, Any]


async def _send_local_list(
    run: CsmsCaseV201, update_type: str, entries: list[Payload], version: int
) -> None:
    """SendLocalList (D01) of ``update_type`` with ``entries`` as version ``version``,
    Accepted; the version must be above 0 and what was asked."""
    await run.booted()
    what = f"{len(entries)} entries" if entries else "no entries"
    payload: Payload = {"versionNumber": version, "updateType": update_type}
    if entries:
        # An empty list is no list at all: SendLocalListRequest.json wants one entry or more.
        payload["localAuthorizationList"] = entries
    call = await run.ordered(
        "SendLocalList",
        payload,
        f"send the station a {update_type} local list, version {version}, with {what}",
        {"status": "Accepted"},
    )
    run.field_is(call, "updateType", update_type)
    sent = call.payload.get("versionNumber")
    run.log.check(
        "SendLocalList's versionNumber is above 0 (D01.FR.18)",
        isinstance(sent, int) and sent > 0,
        expected="> 0",
        observed=sent,
    )
    listed = call.payload.get("localAuthorizationList", [])
    run.log.check(
        f"SendLocalList carries {what}",
        [entry.get("idToken", {}).get("idToken") for entry in listed]
        == [entry["idToken"]["idToken"] for entry in entries],
        expected=[entry["idToken"]["idToken"] for entry in entries],
        observed=[entry.get("idToken", {}).get("idToken") for entry in listed],
    )


def _entry(tag: str, status: str | None = "Accepted") -> Payload:
    entry: Payload = {"idToken": id_token(tag)}
    if status is not None:
        entry["idTokenInfo"] = {"status": status}
    return entry


@case("TC_D_01_CSMS")
async def full_list(run: CsmsCaseV201) -> None:
    """D01.FR.01, D01.FR.06, D01.FR.18."""
    await _send_local_list(run, "Full", [_entry(run.tags.valid)], 1)


@case("TC_D_02_CSMS")
async def differential_update(run: CsmsCaseV201) -> None:
    """D01.FR.01, D01.FR.06, D01.FR.18: a newer version, with tags to add or change."""
    await _send_local_list(run, "Differential", [_entry(run.tags.valid2)], 2)


@case("TC_D_03_CSMS")
async def differential_remove(run: CsmsCaseV201) -> None:
    """D01.FR.17: entries without idTokenInfo are removed from the list."""
    await run.booted()
    call = await run.ordered(
        "SendLocalList",
        {
            "versionNumber": 3,
            "updateType": "Differential",
            "localAuthorizationList": [_entry(run.tags.valid2, None)],
        },
        f"remove {run.tags.valid2} from the station's local list (Differential, version 3)",
        {"status": "Accepted"},
    )
    run.field_is(call, "updateType", "Differential")
    listed = call.payload.get("localAuthorizationList", [])
    run.log.check(
        "the entries to remove carry no idTokenInfo",
        bool(listed) and all("idTokenInfo" not in entry for entry in listed),
        expected="entries without idTokenInfo",
        observed=listed,
    )


@case("TC_D_04_CSMS")
async def full_empty_list(run: CsmsCaseV201) -> None:
    """D01.FR.01: a Full list without entries empties the station's."""
    await _send_local_list(run, "Full", [], 4)


async def _list_version(run: CsmsCaseV201, version: int) -> None:
    """GetLocalListVersion (D02), answered ``version`` (0: no list)."""
    await run.booted()
    await run.ordered(
        "GetLocalListVersion",
        {},
        "ask the station for its local list's version",
        {"versionNumber": version},
    )


table(_list_version)(
    {
        "TC_D_08_CSMS": Doc("D02.", 4),
        "TC_D_09_CSMS": Doc("D02: no list on the station.", 0),
    },
)
