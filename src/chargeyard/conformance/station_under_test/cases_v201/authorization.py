"""OCPP 2.0.1 charging-station cases of authorization (block C): a token refused (Invalid,
Blocked, Expired, Unknown) or different from the one that started (C01), the Authorization
Cache used, updated, cleared and kept through a reboot (C10, C11, C12), tokens of a group
(C09), offline authorization of a cached or unknown token (C12, C15).

A token is put in the cache as Part 6's memory state IdTokenCached does: a whole session of it
for an Accepted one (its Authorize answered Accepted), a refused Authorize for another."""

from __future__ import annotations

import asyncio

from chargeyard.conformance.exchanges import present
from chargeyard.conformance.station_under_test.answers import TagEntry
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case, table
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.verdicts import Weight

CACHE_ENABLED = Var("AuthCacheCtrlr", "Enabled")
LOCAL_PRE_AUTHORIZE = Var("AuthCtrlr", "LocalPreAuthorize")
LOCAL_AUTHORIZE_OFFLINE = Var("AuthCtrlr", "LocalAuthorizeOffline")
OFFLINE_UNKNOWN = Var("AuthCtrlr", "OfflineTxForUnknownIdEnabled")
STOP_ON_INVALID = Var("TxCtrlr", "StopTxOnInvalidId")
MAX_ENERGY_ON_INVALID = Var("TxCtrlr", "MaxEnergyOnInvalidId")
OTHER_TAG = "CY-TAG-3"
"""A token of no group, valid for the CSMS: "a different idToken" (C04)."""
GROUPED_INVALID = "CY-TAG-4"
"""A token of the cases' group the CSMS refuses (C09.FR.11)."""


def quiet(run: StationCaseV201) -> float:
    """How long a step watches the station not do something: a sixth of a step's wait, at
    least half a second."""
    return max(0.5, run.step_s / 6)


async def no_transaction(run: StationCaseV201, rule: str) -> None:
    """Check no TransactionEvent came since the step began (watching :func:`quiet`)."""
    await run.absent("TransactionEvent", quiet(run), rule, since=run.step_began)


async def refused(run: StationCaseV201, tag: str, status: str) -> None:
    """EVConnectedPreSession, then ``tag`` presented: Authorize, answered ``status``, and no
    transaction (C01.FR.02)."""
    run.books.id_tags[tag] = TagEntry(status)
    await run.ev_connected_pre_session()
    run.step(f"The driver presents {tag}: Authorize, answered {status}, no transaction")
    await run.present(tag)
    await run.expect_authorize(tag)
    await no_transaction(run, f"no transaction starts for a token answered {status}")


async def cached(run: StationCaseV201, tag: str, status: str = "Accepted") -> None:
    """Memory State IdTokenCached: ``tag`` is in the Authorization Cache with ``status`` (a
    whole session of it when Accepted; a refused Authorize else), the cache emptied first of
    what earlier cases left."""
    entry = run.books.id_tags.get(tag)
    if status != "Accepted":
        run.books.id_tags[tag] = TagEntry(status, entry.group if entry else None)
        await refused(run, tag, status)
        await run.ev_disconnected()
        return
    run.books.id_tags[tag] = TagEntry("Accepted", entry.group if entry else None)
    run.step(f"{tag} goes in the Authorization Cache: a session of it")
    await run.energy_transfer_started(tag=tag)
    await run.session_ends()


async def with_cache(run: StationCaseV201, *, pre_authorize: bool = True) -> None:
    """The Authorization Cache enabled and empty, AuthCtrlr.LocalPreAuthorize as given."""
    run.step("The Authorization Cache is enabled and emptied; LocalPreAuthorize set")
    await run.set_variable(CACHE_ENABLED, "true")
    await run.set_variable(LOCAL_PRE_AUTHORIZE, "true" if pre_authorize else "false")
    await run.order("ClearCache", {}, "Accepted")


async def no_authorize(run: StationCaseV201, tag: str, rule: str) -> None:
    await run.absent(
        "Authorize",
        0,
        rule,
        where=lambda r: present(r.payload.get("idToken")).get("idToken") == tag,
        since=run.step_began,
        weight=Weight.SPEC,
    )


# -- C01 a token refused, or a different one --------------------------------------------------


async def _local_start_refused(run: StationCaseV201, status: str) -> None:
    """The cache emptied, a token the CSMS answers ``status`` presented: :func:`refused`."""
    await run.ready()
    await run.ask("ClearCache", {})
    await refused(run, run.tags.invalid, status)


table(_local_start_refused)(
    {
        "TC_C_02_CS": ("Invalid",),
        "TC_C_06_CS": ("Blocked",),
        "TC_C_07_CS": ("Expired",),
        "TC_C_56_CS": ("Unknown",),
    },
)


@case("TC_C_04_CS")
async def local_stop_different_token(run: StationCaseV201) -> None:
    """A different token, of another group, presented during the transaction: Authorize
    (C01.FR.02), and the transaction goes on without it (C01.FR.03)."""
    await run.ready()
    await run.ask("ClearCache", {})
    run.books.id_tags[OTHER_TAG] = TagEntry("Accepted")
    await run.energy_transfer_started()
    run.step(f"A different token, {OTHER_TAG}, is presented: Authorize, nothing more")
    await run.present(OTHER_TAG)
    await run.expect_authorize(OTHER_TAG)
    await run.absent(
        "TransactionEvent",
        quiet(run),
        "no TransactionEvent carries the different token, none ends the transaction",
        where=lambda r: "idToken" in r.payload or r.payload.get("eventType") == "Ended",
        since=run.step_began,
    )


# -- C10, C12 the Authorization Cache -------------------------------------------------------


@case("TC_C_08_CS")
async def cached_accepted(run: StationCaseV201) -> None:
    """A token cached Accepted, LocalPreAuthorize true: the transaction starts without
    Authorize (C12.FR.02, C12.FR.04)."""
    await run.ready()
    await with_cache(run)
    tag = run.tags.valid
    await cached(run, tag)
    await run.ev_connected_pre_session()
    await run.authorized(tag=tag, authorize=False)
    await no_authorize(run, tag, "a token cached Accepted starts without Authorize (C12.FR.02)")
    await run.energy_transfer_started()


async def _cached_refused(run: StationCaseV201, status: str, now: str) -> None:
    """A token cached with ``status``: presented, it is asked of the CSMS (C10.FR.03,
    C12.FR.05), which answers ``now``."""
    await run.ready()
    await with_cache(run)
    tag = run.tags.invalid
    await cached(run, tag, status)
    run.books.id_tags[tag] = TagEntry(now)
    if now == "Accepted":
        await run.ev_connected_pre_session()
        await run.authorized(tag=tag)
        await run.energy_transfer_started()
        return
    await refused(run, tag, now)


table(_cached_refused)(
    {
        "TC_C_09_CS": ("Invalid", "Invalid"),
        "TC_C_10_CS": ("Blocked", "Blocked"),
        "TC_C_11_CS": ("Expired", "Expired"),
        "TC_C_12_CS": ("Invalid", "Accepted"),
    },
)


@case("TC_C_13_CS")
async def cached_accepted_before_the_cable(run: StationCaseV201) -> None:
    """A token cached Accepted presented before the cable: no Authorize; the transaction
    starts as TxStartPoint says, then charges once the EV is plugged in (C12.FR.02)."""
    await run.ready()
    await with_cache(run)
    tag = run.tags.valid
    await cached(run, tag)
    await run.authorized(tag=tag, authorize=False)
    await no_authorize(run, tag, "a token cached Accepted starts without Authorize (C12.FR.02)")
    await run.energy_transfer_started()


@case("TC_C_32_CS")
async def cache_kept_through_a_reboot(run: StationCaseV201) -> None:
    """The Authorization Cache survives a reboot (C10.FR.02): the cached token starts without
    Authorize after it."""
    await run.ready()
    await with_cache(run)
    tag = run.tags.valid
    await cached(run, tag)
    await run.booted()
    await run.authorized(tag=tag, authorize=False)
    await no_authorize(run, tag, "the cache kept the token through the reboot (C10.FR.02)")
    await run.energy_transfer_started()


@case("TC_C_33_CS")
async def cache_updated_by_authorize(run: StationCaseV201) -> None:
    """The cache takes Authorize's answer (C10.FR.04): a token accepted then refused by the
    CSMS is refused on its next start (the TransactionEvent carrying it is answered Invalid)."""
    await run.ready()
    await with_cache(run)
    tag = run.tags.valid
    await run.ev_connected_pre_session()
    await run.authorized(tag=tag)
    await run.energy_transfer_started()
    await run.session_ends()
    run.books.id_tags[tag] = TagEntry("Invalid")
    await run.ev_connected_pre_session()
    await run.authorized(tag=tag, authorize=False)
    await no_authorize(run, tag, "the token cached Accepted starts without Authorize")
    await _deauthorized(run)


async def _deauthorized(run: StationCaseV201) -> None:
    """The CSMS refused the token of a running transaction; StopTxOnInvalidId (true by
    default) deauthorizes it (E05.FR.09, E05.FR.10)."""
    run.step("The CSMS refused the token: TransactionEvent (Deauthorized)")
    await run.transaction_event(
        run.session(),
        "Deauthorized",
        triggers=("Deauthorized",),
        ended=None,
        stopped_reason=("DeAuthorized",),
    )
    run.session().authorized = False


@case("TC_C_34_CS")
async def cache_updated_by_transaction_event(run: StationCaseV201) -> None:
    """The cache takes a TransactionEvent's answer (C10.FR.05): a cached token answered
    Invalid there is asked with Authorize on its next start (C10.FR.03)."""
    await run.ready()
    await with_cache(run)
    tag = run.tags.valid
    await cached(run, tag)
    run.books.id_tags[tag] = TagEntry("Invalid")
    await run.ev_connected_pre_session()
    await run.authorized(tag=tag, authorize=False)
    await _deauthorized(run)
    await run.ev_connected_post_session()
    await run.ev_disconnected()
    await refused(run, tag, "Invalid")


@case("TC_C_36_CS")
async def cache_without_local_pre_authorize(run: StationCaseV201) -> None:
    """LocalPreAuthorize false: a cached token is asked of the CSMS all the same (C10,
    C12)."""
    await run.ready()
    await with_cache(run)
    tag = run.tags.valid
    await cached(run, tag)
    await run.set_variable(LOCAL_PRE_AUTHORIZE, "false")
    run.books.id_tags[tag] = TagEntry("Invalid")
    await refused(run, tag, "Invalid")


@case("TC_C_37_CS")
async def clear_cache_accepted(run: StationCaseV201) -> None:
    """ClearCache, Accepted (C11.FR.02): the token cached before is asked of the CSMS again,
    though LocalPreAuthorize would start it without."""
    await run.ready()
    await with_cache(run)
    tag = run.tags.valid
    await cached(run, tag)
    run.step("ClearCache: Accepted")
    await run.order("ClearCache", {}, "Accepted")
    await run.ev_connected_pre_session()
    await run.authorized(tag=tag)
    await run.energy_transfer_started()


@case("TC_C_38_CS")
async def clear_cache_rejected(run: StationCaseV201) -> None:
    """ClearCache while the cache is disabled: Rejected (C11.FR.04)."""
    await run.ready()
    run.step("AuthCacheCtrlr.Enabled is false")
    await run.set_variable(CACHE_ENABLED, "false")
    run.step("ClearCache: Rejected")
    await run.order("ClearCache", {}, "Rejected")


# -- C12 / C15 offline ------------------------------------------------------------------------


async def _offline_start(run: StationCaseV201, tag: str, then: str) -> None:
    """EVConnectedPreSession, the connection lost, ``tag`` presented, the connection back:
    the transaction authorized offline is reported (offline true, C15.FR.02) and its token
    answered ``then``."""
    await run.ev_connected_pre_session()
    run.books.id_tags[tag] = TagEntry(then)
    run.step(f"Offline, {tag} is presented; back online, the transaction is reported")
    since = run.mark()
    async with run.offline():
        await run.present(tag)
        await asyncio.sleep(quiet(run))
    session = run.session()
    started = await run.transaction_event(
        session, "Started", triggers=("Authorized", "CablePluggedIn"), token=tag, since=since
    )
    run.log.check(
        "the events of the offline period say offline true (E04)",
        started.payload.get("offline") is True,
        weight=Weight.SPEC,
        expected=True,
        observed=started.payload.get("offline"),
    )
    session.authorized, session.token, session.token_reported = True, tag, True


@case("TC_C_16_CS")
async def offline_cached_stopped_on_invalid(run: StationCaseV201) -> None:
    """Offline, a cached token starts a transaction (LocalAuthorizeOffline); back online the
    CSMS refuses it: StopTxOnInvalidId true deauthorizes it (E05.FR.09, E05.FR.10)."""
    await run.ready()
    await with_cache(run)
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    await run.set_variable(STOP_ON_INVALID, "true")
    await run.set_variable(MAX_ENERGY_ON_INVALID, "0", optional=True)
    tag = run.tags.valid
    await cached(run, tag)
    await _offline_start(run, tag, "Invalid")
    await _deauthorized(run)


@case("TC_C_17_CS")
async def offline_cached_suspended_on_invalid(run: StationCaseV201) -> None:
    """The same with StopTxOnInvalidId false: energy stops (SuspendedEVSE, ChargingStateChanged:
    E05.FR.02), the transaction goes on."""
    await run.ready()
    await with_cache(run)
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    await run.set_variable(STOP_ON_INVALID, "false")
    await run.set_variable(MAX_ENERGY_ON_INVALID, "0", optional=True)
    tag = run.tags.valid
    await cached(run, tag)
    await _offline_start(run, tag, "Invalid")
    run.step("Its token refused: TransactionEvent (SuspendedEVSE), not Deauthorized")
    await run.transaction_event(
        run.session(),
        "SuspendedEVSE",
        triggers=("ChargingStateChanged",),
        charging_state=("SuspendedEVSE",),
    )
    await run.absent(
        "TransactionEvent",
        0,
        "the transaction is not deauthorized (E05.FR.02)",
        where=lambda r: r.payload.get("triggerReason") == "Deauthorized",
        since=run.step_began,
        weight=Weight.SPEC,
    )


@case("TC_C_26_CS")
async def offline_unknown_token(run: StationCaseV201) -> None:
    """Offline, an unknown token starts a transaction (OfflineTxForUnknownIdEnabled,
    C15.FR.08); back online its events say offline, the CSMS refuses the token and energy
    stops (SuspendedEVSE, C15.FR.06); the token ends it (StopAuthorized)."""
    await run.ready()
    await run.ask("ClearCache", {})
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    await run.set_variable(OFFLINE_UNKNOWN, "true")
    await run.set_variable(STOP_ON_INVALID, "false")
    await run.set_variable(MAX_ENERGY_ON_INVALID, "0", optional=True)
    tag = run.tags.invalid
    await _offline_start(run, tag, "Invalid")
    session = run.session()
    run.step("Its token refused: energy stops (SuspendedEVSE)")
    await run.transaction_event(
        session,
        "SuspendedEVSE",
        triggers=("ChargingStateChanged",),
        charging_state=("SuspendedEVSE",),
    )
    await run.stop_authorized(tag=tag)
    await run.ev_connected_post_session()
    await run.ev_disconnected()


# -- C09 groups ---------------------------------------------------------------------------------


@case("TC_C_39_CS")
async def group_stops(run: StationCaseV201) -> None:
    """Another token of the starter's group, unknown to the station, is asked of the CSMS
    and stops the transaction (C09.FR.03, C09.FR.05)."""
    await run.ready()
    await run.ask("ClearCache", {})
    await run.ev_connected_pre_session()
    await run.authorized(tag=run.tags.valid)
    await run.energy_transfer_started()
    second = run.tags.second
    run.step(f"{second}, of the same group, is presented: Authorize, then StopAuthorized")
    since = run.mark()
    await run.present(second)
    await run.expect_authorize(second, since=since)
    await run.transaction_event(
        run.session(),
        "StopAuthorized",
        triggers=("StopAuthorized",),
        ended=None,
        stopped_reason=("Local", None),
        token=second,
        since=since,
    )
    run.session().authorized = False
    await run.ev_connected_post_session()
    await run.ev_disconnected()


@case("TC_C_41_CS")
async def group_stops_from_the_cache(run: StationCaseV201) -> None:
    """Both tokens cached: the second, of the starter's group, stops the transaction without
    Authorize (C09.FR.07)."""
    await run.ready()
    await with_cache(run)
    valid, second = run.tags.valid, run.tags.second
    await cached(run, valid)
    await cached(run, second)
    await run.ev_connected_pre_session()
    await run.authorized(tag=valid, authorize=False)
    await run.energy_transfer_started()
    await run.stop_authorized(tag=second)
    await no_authorize(run, second, "a cached token of the group stops without Authorize")
    await run.ev_connected_post_session()
    await run.ev_disconnected()


async def _group_refused(run: StationCaseV201, from_cache: bool) -> None:
    """A token of the starter's group the CSMS refuses is asked and stops nothing
    (C09.FR.11)."""
    await run.ready()
    group = run.tags.group
    if from_cache:
        await with_cache(run)
        await cached(run, run.tags.valid)
        run.books.id_tags[GROUPED_INVALID] = TagEntry("Invalid", group)
        await cached(run, GROUPED_INVALID, "Invalid")
    else:
        await run.ask("ClearCache", {})
        run.books.id_tags[GROUPED_INVALID] = TagEntry("Invalid", group)
    await run.ev_connected_pre_session()
    await run.authorized(tag=run.tags.valid, authorize=not from_cache)
    await run.energy_transfer_started()
    run.step(f"{GROUPED_INVALID}, of the group but Invalid, is presented: Authorize, no stop")
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


table(_group_refused)(
    {
        "TC_C_42_CS": (False,),
        "TC_C_44_CS": (True,),
    },
)
