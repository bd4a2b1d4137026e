"""OCPP 2.0.1 charging-station cases of availability (block G): a connector's status as the EV
comes and goes (G01), ChangeAvailability of a connector, an EVSE or the station, to the state
it has or the other, during a transaction, and through a reboot (G03, G04)."""

from __future__ import annotations

from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201, availability
from chargeyard.conformance.station_under_test.cases_v201._registry import case, table
from chargeyard.protocol.messages import v201

CONNECTOR = (1, 1)
EVSE = (1, None)
STATION = (None, None)


@case("TC_G_01_CS")
async def available_to_occupied(run: StationCaseV201) -> None:
    await run.ready()
    await run.ev_connected_pre_session()


@case("TC_G_02_CS")
async def occupied_to_available(run: StationCaseV201) -> None:
    await run.ready()
    await run.ev_connected_pre_session()
    await run.ev_disconnected()


async def _change(
    run: StationCaseV201,
    target: tuple[int | None, int | None],
    operational: v201.OperationalStatusEnumType,
    status: str = "Accepted",
) -> None:
    payload, where = availability(*target, operational)
    run.step(f"ChangeAvailability {operational} of {where}: {status}")
    await run.order("ChangeAvailability", payload, status)
    if operational == "Operative":
        run.forget(f"operative {where}")


async def _back_to_operative(run: StationCaseV201, target: tuple[int | None, int | None]) -> None:
    """Operative again: Accepted, the connectors concerned Available (G03.FR.07,
    G04.FR.08)."""
    await _change(run, target, "Operative")
    for evse, connector in run.concerned(*target):
        await run.connector_status("Available", evse, connector)


@case("TC_G_03_CS")
async def evse_inoperative(run: StationCaseV201) -> None:
    await run.ready()
    await run.unavailable(*EVSE)


@case("TC_G_04_CS")
async def evse_operative_again(run: StationCaseV201) -> None:
    await run.ready()
    await run.unavailable(*EVSE)
    await _back_to_operative(run, EVSE)


@case("TC_G_05_CS")
async def station_inoperative(run: StationCaseV201) -> None:
    await run.ready()
    await run.unavailable(*STATION)


@case("TC_G_06_CS")
async def station_operative_again(run: StationCaseV201) -> None:
    await run.ready()
    await run.unavailable(*STATION)
    await _back_to_operative(run, STATION)


@case("TC_G_07_CS")
async def connector_inoperative(run: StationCaseV201) -> None:
    await run.ready()
    await run.unavailable(*CONNECTOR)


@case("TC_G_08_CS")
async def connector_operative_again(run: StationCaseV201) -> None:
    await run.ready()
    await run.unavailable(*CONNECTOR)
    await _back_to_operative(run, CONNECTOR)


async def _as_it_is(
    run: StationCaseV201, target: tuple[int | None, int | None], inoperative: bool
) -> None:
    """ChangeAvailability to the state it is in: Accepted (G03.FR.03, G04.FR.04)."""
    await run.ready()
    if inoperative:
        await run.unavailable(*target)
    await _change(run, target, "Inoperative" if inoperative else "Operative")


table(_as_it_is)(
    {
        "TC_G_09_CS": (EVSE, False),
        "TC_G_10_CS": (EVSE, True),
        "TC_G_12_CS": (STATION, False),
        "TC_G_13_CS": (STATION, True),
        "TC_G_15_CS": (CONNECTOR, False),
        "TC_G_16_CS": (CONNECTOR, True),
    },
)


async def _during_transaction(run: StationCaseV201, target: tuple[int | None, int | None]) -> None:
    """Inoperative during a transaction: Scheduled (G03.FR.05, G04.FR.06); connectors of other
    EVSEs go Unavailable at once, the transaction's once it ended (with the cable still in,
    the stop points permitting)."""
    await run.ready()
    session = await run.energy_transfer_started()
    payload, where = availability(*target, "Inoperative")

    async def operative() -> None:
        back, _ = availability(*target, "Operative")
        await run.ask("ChangeAvailability", back)

    run.on_close(f"operative {where}", operative)
    run.step(f"ChangeAvailability Inoperative of {where} during the transaction: Scheduled")
    await run.order("ChangeAvailability", payload, "Scheduled")
    for evse, connector in run.concerned(*target):
        if evse != session.evse:
            await run.connector_status("Unavailable", evse, connector)
    since = run.mark()
    await run.stop_authorized()
    await run.ev_connected_post_session()
    if session.ended:
        run.step("The transaction ended: its connector is Unavailable")
        await run.connector_status("Unavailable", session.evse, session.connector, since=since)
        await run.ev_disconnected(status=None)
    else:
        await run.ev_disconnected(status="Unavailable")


table(_during_transaction)(
    {
        "TC_G_11_CS": (EVSE,),
        "TC_G_14_CS": (STATION,),
        "TC_G_17_CS": (CONNECTOR,),
    },
)


async def _kept_through_a_reboot(
    run: StationCaseV201,
    target: tuple[int | None, int | None],
    reset: v201.ResetEnumType | None,
) -> None:
    """What ChangeAvailability set persists across a reboot (G03.FR.08, G04.FR.09)."""
    await run.ready()
    await run.unavailable(*target)
    concerned = set(run.concerned(*target))
    await run.booted(
        reset=reset,
        status={
            key: "Unavailable" if key in concerned else "Available" for key in run.connectors()
        },
    )


table(_kept_through_a_reboot)(
    {
        "TC_G_18_CS": (EVSE, None),
        "TC_G_19_CS": (CONNECTOR, "Immediate"),
        "TC_G_21_CS": (STATION, "Immediate"),
    },
)
