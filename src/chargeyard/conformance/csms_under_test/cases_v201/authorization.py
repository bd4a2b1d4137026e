"""OCPP 2.0.1 CSMS cases of block C, Authorization: what the CSMS answers for an idToken
(C01, C04, C06), through the station's cache (C12), by group (C09, with tags from the station's
local list too), the master pass (C16) and the cache cleared (C11)."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table

# An unknown idToken is Invalid or Unknown (AuthorizationStatusEnumType: Unknown is "not
# known by the CSMS"); a blocked or expired one may be told as Invalid too.
UNKNOWN = ("Invalid", "Unknown")


async def _authorize_refused(run: CsmsCaseV201, status: str, answers: tuple[str, ...]) -> None:
    tag = await run.tag(status)
    await run.booted()
    run.log.step(f"The driver presents a tag the CSMS must refuse ({status})")
    await run.authorize(tag, answers)


table(_authorize_refused)(
    {
        "TC_C_02_CSMS": Doc("C01.FR.07, C04.FR.01, C06.FR.04.", "Invalid", UNKNOWN),
        "TC_C_06_CSMS": Doc("C01.FR.07: Blocked (or Invalid).", "Blocked", ("Blocked", "Invalid")),
        "TC_C_07_CSMS": Doc("C01.FR.07: Expired (or Invalid).", "Expired", ("Expired", "Invalid")),
    },
)


async def _from_cache(run: CsmsCaseV201, status: str, answers: tuple[str, ...]) -> None:
    """The station authorized a tag from its cache, without Authorize: the CSMS checks the
    tag in the TransactionEvent that names it (C12.FR.03)."""
    tag = await run.tag(status)
    await run.booted()
    await run.ev_connected_pre_session()
    run.log.step("The station authorizes the tag from its cache: TransactionEvent (Authorized)")
    await run.transaction_event("Updated", "Authorized", tag=tag, expected=answers)


table(_from_cache)(
    {
        "TC_C_08_CSMS": Doc("C12.FR.03.", "Accepted", ("Accepted",)),
        "TC_C_20_CSMS": Doc("C12.FR.03.", "Invalid", UNKNOWN),
    },
)


async def _clear_cache(run: CsmsCaseV201, answer: str) -> None:
    """ClearCache (C11), answered ``answer``."""
    await run.booted()
    await run.ordered(
        "ClearCache", {}, "clear the station's authorization cache", {"status": answer}
    )


table(_clear_cache)(
    {
        "TC_C_37_CSMS": Doc("C11.", "Accepted"),
        "TC_C_38_CSMS": Doc("C11.", "Rejected"),
    },
)


@case("TC_C_39_CSMS")
async def group_id(run: CsmsCaseV201) -> None:
    """Two tags of one group: the one that started may be stopped by the other, and every
    answer names the group (C09.FR.02, C09.FR.03)."""
    first, second = await _grouped_tags(run)
    await run.booted()
    await run.ev_connected_pre_session()
    run.log.step(f"{second} is presented, then {first} starts the session")
    await run.authorize(second, group=run.tags.group)
    await _stopped_by_group(run, first, second, authorize_second=True)


@case("TC_C_40_CSMS")
async def group_id_local_list(run: CsmsCaseV201) -> None:
    """C09.FR.02, C09.FR.03: both tags are in the station's local list, which authorizes them
    without Authorize; the CSMS names the group in each TransactionEvent's answer."""
    first, second = await _grouped_tags(run)
    await run.booted()
    await run.ev_connected_pre_session()
    await _stopped_by_group(run, first, second, authorize_second=False)


@case("TC_C_43_CSMS")
async def group_id_local_list_invalid(run: CsmsCaseV201) -> None:
    """C09.FR.02, C09.FR.03: the second tag is not valid in the station's local list, which
    asks the CSMS (Authorize) before it stops the first tag's transaction; the CSMS accepts
    it, naming the group."""
    first, second = await _grouped_tags(run)
    await run.booted()
    await run.ev_connected_pre_session()
    await _stopped_by_group(run, first, second, authorize_second=True)


async def _grouped_tags(run: CsmsCaseV201) -> tuple[str, str]:
    """The two valid tags of one group (C09), made so by the trigger."""
    group = run.tags.group
    return (
        await run.grouped_tag(run.tags.valid, group),
        await run.grouped_tag(run.tags.valid2, group),
    )


async def _stopped_by_group(
    run: CsmsCaseV201, first: str, second: str, *, authorize_second: bool
) -> None:
    """From EVConnectedPreSession: ``first`` starts the session, ``second`` of the same group
    stops it (after Authorize if ``authorize_second``), each answer naming the group."""
    group = run.tags.group
    run.log.step(f"{first} is authorized: TransactionEvent (Authorized)")
    await run.transaction_event("Updated", "Authorized", tag=first, group=group)
    run.transaction().authorized = True
    await run.energy_transfer_started(first)
    run.log.step(f"{second}, of the same group, stops it")
    if authorize_second:
        await run.authorize(second, group=group)
    await run.transaction_event("Updated", "StopAuthorized", tag=second, group=group)
    await run.ev_connected_post_session()
    await run.ev_disconnected()


async def _master_pass(run: CsmsCaseV201, evses: tuple[int, ...], own_tags: bool) -> None:
    """The master pass (an idToken whose group is MasterPassGroupId) ends the transactions
    of ``evses`` (C16); ``own_tags``: each Ended names the EVSE's own tag (a station without a
    user interface), else the master pass."""
    master = await run.grouped_tag(run.tags.master_pass, run.tags.master_pass_group)
    tags = {1: await run.tag("Accepted"), 2: await run.grouped_tag(run.tags.valid2, run.tags.group)}
    run.evses = {1: 1, 2: 1}
    await run.booted()
    for evse in (1, 2):
        await run.energy_transfer_started(tags[evse], evse)
    run.log.step("The master pass is presented: Authorize")
    await run.authorize(master, group=run.tags.master_pass_group)
    for evse in evses:
        run.log.step(f"The station stops EVSE {evse}'s transaction: Ended (MasterPass)")
        tag = tags[evse] if own_tags else master
        await run.transaction_event(
            "Ended",
            "StopAuthorized",
            evse=evse,
            tag=tag,
            stopped_reason="MasterPass",
            group=None if own_tags else run.tags.master_pass_group,
        )


table(_master_pass)(
    {
        "TC_C_47_CSMS": Doc(
            "With a user interface, all transactions stopped by the master pass (C16.FR.01).",
            (1, 2),
            False,
        ),
        "TC_C_48_CSMS": Doc(
            "With a user interface, one chosen transaction stopped by the master pass (C16.FR.01).",
            (1,),
            False,
        ),
        "TC_C_49_CSMS": Doc(
            "Without a user interface, the master pass stops every transaction, each Ended naming"
            " its own tag (C16.FR.02).",
            (1, 2),
            True,
        ),
    },
)
