"""OCPP 2.0.1 CSMS cases of block G, Availability: ChangeAvailability of an EVSE, a connector
or the whole station (G03, G04), with and without a transaction, and a connector's lock
failure reported (G05)."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case import now
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201, availability_of
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table


async def _change(
    run: CsmsCaseV201, evse: int | None, connector: int | None, operational: str, answer: str
) -> None:
    """ChangeAvailability to ``operational`` of the station, an EVSE or a connector, answered
    ``answer``; the call must name what was asked (no evse: the station)."""
    payload, where = availability_of(evse, connector, operational)
    call = await run.ordered(
        "ChangeAvailability", payload, f"make {where} {operational}", {"status": answer}
    )
    run.field_is(call, "operationalStatus", operational)
    run.field_is(call, "evse", payload.get("evse"))


async def _inoperative(run: CsmsCaseV201, evse: int | None, connector: int | None) -> None:
    await run.booted()
    await run.unavailable(evse, connector)


async def _operative_again(run: CsmsCaseV201, evse: int | None, connector: int | None) -> None:
    """Made Inoperative first, then Operative: the connectors report Available again."""
    await _inoperative(run, evse, connector)
    await _change(run, evse, connector, "Operative", "Accepted")
    await run.statuses_of(evse, connector, "Available")


table(_inoperative)(
    {
        "TC_G_03_CSMS": Doc("G03: Reusable State Unavailable of EVSE 1.", 1, None),
        "TC_G_05_CSMS": Doc("G04: no evse in the request, the whole station.", None, None),
        "TC_G_07_CSMS": Doc("G03: EVSE 1's connector 1.", 1, 1),
    },
)


table(_operative_again)(
    {
        "TC_G_04_CSMS": Doc("G03.", 1, None),
        "TC_G_06_CSMS": Doc("G04.", None, None),
        "TC_G_08_CSMS": Doc("G03.", 1, 1),
    },
)


async def _during_transaction(run: CsmsCaseV201, evse: int | None, connector: int | None) -> None:
    """Inoperative asked during a transaction: Scheduled; once the transaction ended the
    connector reports Unavailable (G03.FR.05, G04)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    await _change(run, evse, connector, "Inoperative", "Scheduled")
    await run.session_to_end(tag)
    await run.statuses_of(evse, connector, "Unavailable")


table(_during_transaction)(
    {
        "TC_G_11_CSMS": Doc("G03.", 1, None),
        "TC_G_14_CSMS": Doc("G04.", None, None),
        "TC_G_17_CSMS": Doc("G03.", 1, 1),
    },
)


@case("TC_G_20_CSMS")
async def lock_failure(run: CsmsCaseV201) -> None:
    """The connector's plug retention lock fails: NotifyEvent of its Problem, answered
    (G05.FR.03)."""
    await run.booted()
    run.log.step("The lock fails: NotifyEvent (ConnectorPlugRetentionLock Problem)")
    await run.notify_event(
        {
            "timestamp": now(),
            "trigger": "Delta",
            "actualValue": "true",
            "eventNotificationType": "HardWiredNotification",
            "component": {
                "name": "ConnectorPlugRetentionLock",
                "evse": {"id": 1, "connectorId": 1},
            },
            "variable": {"name": "Problem"},
        }
    )
