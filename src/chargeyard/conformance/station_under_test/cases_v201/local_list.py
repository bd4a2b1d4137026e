"""OCPP 2.0.1 charging-station cases of the Local Authorization List (block D: D01
SendLocalList full and differential, its versions, D02 GetLocalListVersion) and of
authorization by it (block C: C13 offline, C14 online, C09 tokens of a group listed).

The list is set up as Part 6's memory state IdTokenLocalAuthList does: a Full SendLocalList of
the case's tokens, under a version above the station's; the case empties the list when it
ends (a Full update without entries)."""

from __future__ import annotations

import asyncio
from typing import Any

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.exchanges import present
from chargeyard.conformance.station_under_test.answers import TagEntry
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case, table
from chargeyard.conformance.station_under_test.cases_v201.authorization import (
    LOCAL_AUTHORIZE_OFFLINE,
    LOCAL_PRE_AUTHORIZE,
    OFFLINE_UNKNOWN,
    STOP_ON_INVALID,
    cached,
    no_authorize,
    no_transaction,
    quiet,
    refused,
    with_cache,
)
from chargeyard.conformance.station_under_test.device_v201 import Var, id_token
from chargeyard.conformance.station_under_test.inbox import Received
from chargeyard.conformance.verdicts import Weight

LIST_ENABLED = Var("LocalAuthListCtrlr", "Enabled")
LIST_AVAILABLE = Var("LocalAuthListCtrlr", "Available")
GROUPED_INVALID = "CY-TAG-5"
"""A token of the cases' group listed Invalid (C09 with the list)."""


def entry(tag: str, status: str | None = "Accepted", group: str | None = None) -> dict[str, Any]:
    """An AuthorizationData of ``tag`` (``status`` None: without idTokenInfo, which removes
    the token in a Differential update)."""
    data: dict[str, Any] = {"idToken": id_token(tag)}
    if status is not None:
        info: dict[str, Any] = {"status": status}
        if group is not None:
            info["groupIdToken"] = id_token(group, "Central")
        data["idTokenInfo"] = info
    return data


async def list_version(run: StationCaseV201) -> int:
    answer = await run.call("GetLocalListVersion", {})
    version = answer.get("versionNumber")
    return version if isinstance(version, int) else 0


async def with_list(run: StationCaseV201) -> None:
    """The station has a Local Authorization List (LocalAuthListCtrlr.Available, where it
    tells), enabled (LocalAuthListCtrlr.Enabled true, if implemented)."""
    if await run.learnt(LIST_AVAILABLE) == "false":
        raise NotApplicable("the station has no Local Authorization List")
    await run.set_if_present(LIST_ENABLED, "true")


async def send_list(
    run: StationCaseV201,
    update_type: str,
    entries: list[dict[str, Any]],
    expected: str = "Accepted",
    *,
    version: int | None = None,
) -> int:
    """SendLocalList answered ``expected`` (D01); the list is emptied when the case ends.
    Returns the version sent (default: one above the station's)."""
    sent = version if version is not None else await list_version(run) + 1

    async def empty() -> None:
        now = await list_version(run)
        await run.ask("SendLocalList", {"versionNumber": now + 1, "updateType": "Full"})

    run.on_close("local list emptied", empty)
    payload: dict[str, Any] = {"versionNumber": sent, "updateType": update_type}
    if entries:
        payload["localAuthorizationList"] = entries
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    await StationCase.order(run, "SendLocalList", payload, expected)
    return sent


async def listed(run: StationCaseV201, *entries: dict[str, Any]) -> int:
    """Memory State IdTokenLocalAuthList: a Full list of ``entries``, Accepted; its
    version."""
    run.step(
        "The Local Authorization List holds " + ", ".join(e["idToken"]["idToken"] for e in entries)
    )
    return await send_list(run, "Full", list(entries))


async def version_is(run: StationCaseV201, version: int) -> None:
    run.step(f"GetLocalListVersion: {version}")
    await run.order("GetLocalListVersion", {}, version, field_name="versionNumber")


# -- D01 SendLocalList, D02 GetLocalListVersion ---------------------------------------------


@case("TC_D_01_CS")
async def full_list(run: StationCaseV201) -> None:
    """A Full list of one token: Accepted, and the list has its version (D01.FR.02,
    D01.FR.15)."""
    await run.ready()
    await with_list(run)
    run.step("SendLocalList Full of one token: Accepted")
    version = await send_list(run, "Full", [entry(run.tags.valid)])
    await version_is(run, version)


@case("TC_D_02_CS")
async def differential_update(run: StationCaseV201) -> None:
    """A Differential update adding a token, one version up: Accepted, the new version
    (D01.FR.16)."""
    await run.ready()
    await with_list(run)
    version = await listed(run, entry(run.tags.valid))
    run.step("SendLocalList Differential adding a token: Accepted")
    await send_list(run, "Differential", [entry(run.tags.second)], version=version + 1)
    await version_is(run, version + 1)


@case("TC_D_03_CS")
async def differential_remove(run: StationCaseV201) -> None:
    """A Differential update of a token without idTokenInfo (it goes): Accepted, the new
    version (D01.FR.17)."""
    await run.ready()
    await with_list(run)
    version = await listed(run, entry(run.tags.valid))
    run.step("SendLocalList Differential removing the token: Accepted")
    await send_list(run, "Differential", [entry(run.tags.valid, None)], version=version + 1)
    await version_is(run, version + 1)


@case("TC_D_04_CS")
async def full_empty(run: StationCaseV201) -> None:
    """A Full update without entries empties the list, which keeps the version sent
    (D01.FR.04)."""
    await run.ready()
    await with_list(run)
    version = await listed(run, entry(run.tags.valid))
    run.step("SendLocalList Full without entries: Accepted")
    await send_list(run, "Full", [], version=version)
    await version_is(run, version)


@case("TC_D_05_CS")
async def differential_empty(run: StationCaseV201) -> None:
    """A Differential update without entries changes nothing but the version (D01.FR.05)."""
    await run.ready()
    await with_list(run)
    version = await listed(run, entry(run.tags.valid))
    run.step("SendLocalList Differential without entries: Accepted")
    await send_list(run, "Differential", [], version=version + 1)
    await version_is(run, version + 1)


@case("TC_D_06_CS")
async def version_mismatch(run: StationCaseV201) -> None:
    """A Differential update under a version below the list's: VersionMismatch, the list
    keeps its version (D01.FR.19)."""
    await run.ready()
    await with_list(run)
    version = await listed(run, entry(run.tags.valid))
    if version < 2:  # Part 6: a configured version above 1
        version = await send_list(run, "Full", [entry(run.tags.valid)], version=2)
    run.step("SendLocalList Differential under an older version: VersionMismatch")
    await send_list(
        run, "Differential", [entry(run.tags.second)], "VersionMismatch", version=version - 1
    )
    await version_is(run, version)


@case("TC_D_07_CS")
async def list_kept_through_a_reboot(run: StationCaseV201) -> None:
    """The list survives a reboot (D01.FR.10): its version after the boot is the one
    sent."""
    await run.ready()
    await with_list(run)
    version = await listed(run, entry(run.tags.valid))
    await run.booted()
    await version_is(run, version)


@case("TC_D_08_CS")
async def installed_version(run: StationCaseV201) -> None:
    """GetLocalListVersion tells the version of the list installed (D02.FR.01)."""
    await run.ready()
    await with_list(run)
    version = await listed(run, entry(run.tags.valid))
    await version_is(run, version)


@case("TC_D_10_CS")
async def list_disabled(run: StationCaseV201) -> None:
    """LocalAuthListCtrlr.Enabled false: GetLocalListVersion 0, as if there were no list
    (D02.FR.03)."""
    await run.ready()
    await with_list(run)
    await listed(run, entry(run.tags.valid))
    run.step("LocalAuthListCtrlr.Enabled is false")
    await run.set_variable(LIST_ENABLED, "false", optional=True)

    async def enabled() -> None:  # before the list is emptied (the last registered first)
        await run.ask("SetVariables", {"setVariableData": [LIST_ENABLED.setting("true")]})

    run.on_close("the list enabled again", enabled)
    await version_is(run, 0)


# -- C13 offline authorization by the list ------------------------------------------------


async def _offline_list(run: StationCaseV201, status: str) -> str:
    """LocalAuthorizeOffline true, OfflineTxForUnknownIdEnabled false, LocalPreAuthorize
    true, the cache emptied, and a token listed with ``status``: the token."""
    await run.ready()
    await with_list(run)
    await run.set_if_present(LOCAL_PRE_AUTHORIZE, "true")
    await run.set_if_present(OFFLINE_UNKNOWN, "false")
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    await run.ask("ClearCache", {})
    tag = run.tags.valid if status == "Accepted" else run.tags.invalid
    await listed(run, entry(tag, status))
    return tag


@case("TC_C_21_CS")
async def offline_listed_accepted(run: StationCaseV201) -> None:
    """Offline, a token listed Accepted starts a transaction; the token stops it and the
    cable comes out, all offline; back online the station sends what it queued: offline true
    before the stop, and a StopAuthorized event (C13.FR.02)."""
    tag = await _offline_list(run, "Accepted")
    run.books.id_tags[tag] = TagEntry("Accepted", run.tags.group)
    run.step("Offline: the token, the cable, the token again, the cable out")
    since = run.mark()
    async with run.offline():
        await run.present(tag)
        await run.connect_ev()
        await asyncio.sleep(quiet(run))
        await run.present(tag)
        await asyncio.sleep(quiet(run))
        await run.disconnect_ev()
        await asyncio.sleep(quiet(run))
    run.step("Back online, the station sends the transaction's events")
    ended = await run.expect(
        "TransactionEvent",
        where=lambda r: r.payload.get("eventType") == "Ended",
        what="the transaction's Ended event",
        since=since,
    )
    transaction = present(ended.payload.get("transactionInfo")).get("transactionId")
    events = [
        item
        for item in run.peer.received("TransactionEvent", since=since)
        if present(item.payload.get("transactionInfo")).get("transactionId") == transaction
    ]
    _offline_until_stop(run, events)
    for item in events:
        run.take(item)


def _offline_until_stop(run: StationCaseV201, events: list[Received]) -> None:
    triggers = [item.payload.get("triggerReason") for item in events]
    run.log.check(
        "one of its events is StopAuthorized",
        "StopAuthorized" in triggers,
        weight=Weight.SPEC,
        expected="StopAuthorized",
        observed=triggers,
    )
    stop = triggers.index("StopAuthorized") if "StopAuthorized" in triggers else len(triggers)
    flags = [item.payload.get("offline") for item in events[:stop]]
    run.log.check(
        "the events before the stop say offline true (E04)",
        bool(flags) and all(flag is True for flag in flags),
        weight=Weight.SPEC,
        expected="offline true",
        observed=flags,
    )


async def _offline_listed_refused(run: StationCaseV201, status: str) -> None:
    """Offline, a token listed ``status`` is presented: no transaction, not then and not
    once back online (C13.FR.02)."""
    tag = await _offline_list(run, status)
    run.books.id_tags[tag] = TagEntry(status)
    run.step(f"Offline, the token listed {status} is presented; back online, no transaction")
    async with run.offline():
        await run.present(tag)
        await asyncio.sleep(quiet(run))
    await _no_start(run, tag, f"a token listed {status} starts nothing offline (C13.FR.02)")


async def _no_start(run: StationCaseV201, tag: str, rule: str) -> None:
    await run.absent(
        "TransactionEvent",
        quiet(run),
        rule,
        where=lambda r: (
            r.payload.get("triggerReason") == "Authorized"
            or present(r.payload.get("idToken")).get("idToken") == tag
        ),
        since=run.step_began,
    )


table(_offline_listed_refused)(
    {
        "TC_C_22_CS": ("Invalid",),
        "TC_C_23_CS": ("Blocked",),
        "TC_C_24_CS": ("Expired",),
    },
)


@case("TC_C_25_CS")
async def list_before_cache(run: StationCaseV201) -> None:
    """A token cached Accepted and listed Invalid: offline, even with
    OfflineTxForUnknownIdEnabled true, the list decides and no transaction starts (C13.FR.01,
    C14.FR.01)."""
    await run.ready()
    await with_list(run)
    await with_cache(run)
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    await run.set_variable(OFFLINE_UNKNOWN, "true", optional=True)
    await run.set_variable(STOP_ON_INVALID, "false")
    tag = run.tags.valid
    await cached(run, tag)
    await listed(run, entry(tag, "Invalid"))
    await run.ev_connected_pre_session()
    run.step("Offline, the token is presented; back online, no transaction of it")
    async with run.offline():
        await run.present(tag)
        await asyncio.sleep(quiet(run))
    await _no_start(run, tag, "the list's Invalid comes before the cache's Accepted (C13.FR.01)")


# -- C14 online authorization by the list -------------------------------------------------


async def _online_list(run: StationCaseV201, tag: str, status: str) -> None:
    await run.ready()
    await with_list(run)
    await run.set_variable(LOCAL_PRE_AUTHORIZE, "true", optional=True)
    await run.ask("ClearCache", {})
    await listed(run, entry(tag, status))


@case("TC_C_27_CS")
async def online_listed_accepted(run: StationCaseV201) -> None:
    """A token listed Accepted, LocalPreAuthorize true: it starts without Authorize
    (C14.FR.02)."""
    tag = run.tags.valid
    await _online_list(run, tag, "Accepted")
    await run.authorized(tag=tag, authorize=False)
    await no_authorize(run, tag, "a token listed Accepted starts without Authorize (C14.FR.02)")
    await run.ev_connected_pre_session()
    await run.energy_transfer_started()


@case("TC_C_28_CS")
async def online_listed_invalid(run: StationCaseV201) -> None:
    """A token listed Invalid is asked of the CSMS (C14.FR.03), which refuses it: no
    transaction."""
    tag = run.tags.invalid
    await _online_list(run, tag, "Invalid")
    run.books.id_tags[tag] = TagEntry("Invalid")
    run.step(f"The driver presents {tag}: Authorize, answered Invalid, no transaction")
    await run.present(tag)
    await run.expect_authorize(tag)
    await no_transaction(run, "no transaction starts for a token answered Invalid")


@case("TC_C_29_CS")
async def online_listed_blocked(run: StationCaseV201) -> None:
    """A token listed Blocked is asked of the CSMS (C14.FR.03), which refuses it."""
    await _online_list(run, run.tags.invalid, "Blocked")
    await refused(run, run.tags.invalid, "Blocked")


@case("TC_C_30_CS")
async def online_listed_expired(run: StationCaseV201) -> None:
    """A token listed Expired is asked of the CSMS (C14.FR.03), which refuses it."""
    await _online_list(run, run.tags.invalid, "Expired")
    await refused(run, run.tags.invalid, "Expired")


@case("TC_C_31_CS")
async def online_listed_invalid_now_accepted(run: StationCaseV201) -> None:
    """A token listed Invalid is asked of the CSMS (C14.FR.03), which accepts it: the
    transaction starts and charges."""
    tag = run.tags.invalid
    await _online_list(run, tag, "Invalid")
    run.books.id_tags[tag] = TagEntry("Accepted")
    await run.authorized(tag=tag)
    await run.ev_connected_pre_session()
    await run.energy_transfer_started()


# -- C09 groups, with the list -------------------------------------------------------------


@case("TC_C_40_CS")
async def listed_group_stops(run: StationCaseV201) -> None:
    """Two tokens of a group listed: the first starts without Authorize, the second stops the
    transaction without Authorize (C09.FR.02, C09.FR.03, C09.FR.07)."""
    await run.ready()
    await with_list(run)
    await run.set_variable(LOCAL_PRE_AUTHORIZE, "true", optional=True)
    await run.ask("ClearCache", {})
    valid, second, group = run.tags.valid, run.tags.second, run.tags.group
    await listed(run, entry(valid, "Accepted", group), entry(second, "Accepted", group))
    await run.ev_connected_pre_session()
    await run.authorized(tag=valid, authorize=False)
    await run.energy_transfer_started()
    await run.stop_authorized(tag=second)
    await no_authorize(run, second, "a listed token of the group stops without Authorize")
    await run.ev_connected_post_session()
    await run.ev_disconnected()


@case("TC_C_43_CS")
async def listed_group_invalid(run: StationCaseV201) -> None:
    """A token of the group listed Invalid is asked of the CSMS, which refuses it too: the
    transaction goes on (C09.FR.02, C09.FR.03)."""
    await run.ready()
    await with_list(run)
    await run.set_variable(LOCAL_PRE_AUTHORIZE, "true", optional=True)
    await run.ask("ClearCache", {})
    valid, group = run.tags.valid, run.tags.group
    await listed(run, entry(valid, "Accepted", group), entry(GROUPED_INVALID, "Invalid", group))
    run.books.id_tags[GROUPED_INVALID] = TagEntry("Invalid", group)
    await run.ev_connected_pre_session()
    await run.authorized(tag=valid, authorize=False)
    await run.energy_transfer_started()
    run.step(f"{GROUPED_INVALID}, of the group but listed Invalid: Authorize, no stop")
    await run.present(GROUPED_INVALID)
    await run.expect_authorize(GROUPED_INVALID)
    await run.absent(
        "TransactionEvent",
        quiet(run),
        "the transaction is not stopped by a refused token of its group (C09.FR.11)",
        where=lambda r: (
            r.payload.get("triggerReason") == "StopAuthorized"
            or r.payload.get("eventType") == "Ended"
        ),
        since=run.step_began,
    )
