"""OCPP 2.0.1 charging-station cases of Reset (block B: B11 without a transaction, B12 with
one; of the whole station or of one EVSE, OnIdle or Immediate; what persists through it: an
Unavailable connector, a reservation)."""

from __future__ import annotations

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.transactions_v201 import Session
from chargeyard.conformance.verdicts import Weight


async def _booted_after(run: StationCaseV201, since: int, reasons: tuple[str, ...]) -> None:
    """The station boots with one of ``reasons``; the connectors of the EVSEs whose cable is
    still in report Occupied, the others Available (B01.FR.05); the cables are then pulled
    out."""
    plugged = {evse for evse, session in run.sessions.items() if session.ev_connected}
    boot = await run.expect(
        "BootNotification", since=since, within=run.target.connect_s, reconnects=True
    )
    run.log.check(
        f"BootNotification's reason is {' or '.join(reasons)}",
        boot.payload.get("reason") in reasons,
        weight=Weight.SPEC,
        expected=" or ".join(reasons),
        observed=boot.payload.get("reason"),
    )
    run.step("Accepted, it reports every connector")
    await run.every_connector(
        {key: "Occupied" if key[0] in plugged else "Available" for key in run.connectors()},
        since=since,
    )
    await run.maybe(
        "SecurityEventNotification",
        "the station tells of its reboot: SecurityEventNotification StartupOfTheDevice or"
        " ResetOrReboot (A04.FR.01)",
        where=lambda r: r.payload.get("type") in ("StartupOfTheDevice", "ResetOrReboot"),
        since=since,
    )
    for evse in sorted(plugged):
        session = run.session(evse)
        run.step(f"The cable is unplugged from EVSE {evse}: Available")
        await run.disconnect_ev(evse, session.connector)
        await run.connector_status("Available", evse, session.connector)
        session.ev_connected = False


async def _ends_on_its_own(run: StationCaseV201, session: Session) -> None:
    """The driver ends the session (StopAuthorized, EVConnectedPostSession, EVDisconnected,
    each as far as the transaction lasts: a station that stops at Authorized keeps the cable
    in)."""
    await run.stop_authorized(session.evse)
    await run.ev_connected_post_session(session.evse)
    if not session.ended:
        await run.ev_disconnected(session.evse)


@case("TC_B_20_CS")
async def reset_on_idle_without_transaction(run: StationCaseV201) -> None:
    """Reset OnIdle without a transaction: Accepted, the station reboots (B11.FR.01,
    B11.FR.03) and reports every connector Available."""
    await run.ready()
    await run.booted(reset="OnIdle")


@case("TC_B_21_CS")
async def reset_on_idle_with_transaction(run: StationCaseV201) -> None:
    """Reset OnIdle during a transaction: Scheduled (B12.FR.01); the station reboots once
    the transaction ended (B12.FR.03), with reason ScheduledReset."""
    await run.ready()
    session = await run.energy_transfer_started()
    run.step("The central system resets the station (OnIdle): Scheduled")
    await run.order("Reset", {"type": "OnIdle"}, "Scheduled")
    since = run.mark()
    await _ends_on_its_own(run, session)
    run.step("The transaction ended: the station reboots")
    await _booted_after(run, since, ("ScheduledReset",))


@case("TC_B_22_CS")
async def reset_immediate_with_transaction(run: StationCaseV201) -> None:
    """Reset Immediate during a transaction: Accepted; the transaction Ended (ResetCommand,
    ImmediateReset, no idToken: E07.FR.03), the station reboots (B12.FR.02, B12.FR.04)."""
    await run.ready()
    session = await run.energy_transfer_started()
    run.step("The central system resets the station (Immediate): Accepted, the transaction ends")
    since = run.mark()
    await run.order("Reset", {"type": "Immediate"}, "Accepted")
    ended = await run.transaction_event(
        session,
        "ResetCommand",
        triggers=("ResetCommand",),
        charging_state=("EVConnected",),
        ended=True,
        stopped_reason=("ImmediateReset",),
        since=since,
        reconnects=True,
    )
    run.log.check(
        "the Ended event carries no idToken",
        "idToken" not in ended.payload,
        weight=Weight.SPEC,
        expected="none",
        observed=ended.payload.get("idToken", "none"),
    )
    run.step("The station reboots")
    await _booted_after(run, since, ("RemoteReset",))


@case("TC_B_23_CS")
async def reset_keeps_unavailable(run: StationCaseV201) -> None:
    """An Unavailable connector stays Unavailable through a reset (B11.FR.04: availability
    persists across reboots)."""
    await run.ready()
    await run.unavailable(1, 1)
    since = run.mark()
    run.step("The central system resets the station (OnIdle): Accepted, it boots again")
    await run.order("Reset", {"type": "OnIdle"}, "Accepted")
    await run.expect("BootNotification", since=since, within=run.target.connect_s, reconnects=True)
    await run.every_connector(
        {key: "Unavailable" if key == (1, 1) else "Available" for key in run.connectors()},
        since=since,
    )


@case("TC_B_24_CS")
async def reset_keeps_reservation(run: StationCaseV201) -> None:
    """A reserved EVSE stays Reserved through a reset (B11.FR.05)."""
    await run.ready()
    await run.reserved(1)
    since = run.mark()
    run.step("The central system resets the station (OnIdle): Accepted, it boots again")
    await run.order("Reset", {"type": "OnIdle"}, "Accepted")
    await run.expect("BootNotification", since=since, within=run.target.connect_s, reconnects=True)
    await run.every_connector(
        {key: "Reserved" if key[0] == 1 else "Available" for key in run.connectors()},
        since=since,
    )


@case("TC_B_25_CS")
async def reset_evse_without_transaction(run: StationCaseV201) -> None:
    """Reset OnIdle of one EVSE without a transaction: Accepted (B11.FR.08)."""
    await run.ready()
    run.step("The central system resets EVSE 1 (OnIdle): Accepted")
    await run.order("Reset", {"type": "OnIdle", "evseId": 1}, "Accepted")


@case("TC_B_26_CS")
async def reset_evse_on_idle_with_transaction(run: StationCaseV201) -> None:
    """Reset OnIdle of the EVSE of a transaction: Scheduled (B12.FR.07), the session ends as
    usual."""
    await run.ready()
    session = await run.energy_transfer_started()
    run.step("The central system resets EVSE 1 (OnIdle): Scheduled")
    await run.order("Reset", {"type": "OnIdle", "evseId": session.evse}, "Scheduled")
    await run.stop_authorized(session.evse)
    await run.ev_connected_post_session(session.evse)
    await run.ev_disconnected(session.evse)


@case("TC_B_27_CS")
async def reset_evse_immediate_with_transaction(run: StationCaseV201) -> None:
    """Reset Immediate of the EVSE of a transaction: Accepted, the transaction Ended
    (ResetCommand, ImmediateReset: B12.FR.08)."""
    await run.ready()
    session = await run.energy_transfer_started()
    run.step("The central system resets EVSE 1 (Immediate): Accepted, the transaction ends")
    await run.order("Reset", {"type": "Immediate", "evseId": session.evse}, "Accepted")
    await run.transaction_event(
        session,
        "ResetCommand",
        triggers=("ResetCommand",),
        charging_state=("EVConnected",),
        ended=True,
        stopped_reason=("ImmediateReset",),
        reconnects=True,
    )


@case("TC_B_28_CS")
async def reset_evse_not_supported(run: StationCaseV201) -> None:
    """A station that cannot reset one EVSE answers Rejected (B11.FR.09)."""
    await run.ready()
    run.step("The central system resets EVSE 1 (OnIdle): Rejected")
    answer = await run.call("Reset", {"type": "OnIdle", "evseId": 1})
    if answer.get("status") == "Accepted":
        raise NotApplicable("the station resets one EVSE (TC_B_25_CS is its case)")
    run.log.check(
        "Reset of an EVSE is answered Rejected",
        answer.get("status") == "Rejected",
        expected="Rejected",
        observed=answer.get("status"),
    )


@case("TC_B_29_CS")
async def reset_evse_not_supported_with_transaction(run: StationCaseV201) -> None:
    """The same during a transaction (B12.FR.09)."""
    await run.ready()
    session = await run.energy_transfer_started()
    run.step("The central system resets EVSE 1 (OnIdle): Rejected")
    answer = await run.call("Reset", {"type": "OnIdle", "evseId": session.evse})
    if answer.get("status") in ("Accepted", "Scheduled"):
        raise NotApplicable("the station resets one EVSE (TC_B_26_CS is its case)")
    run.log.check(
        "Reset of an EVSE is answered Rejected",
        answer.get("status") == "Rejected",
        expected="Rejected",
        observed=answer.get("status"),
    )


@case("TC_B_41_CS")
async def reset_on_idle_with_two_transactions(run: StationCaseV201) -> None:
    """Reset OnIdle with transactions on two EVSEs: Scheduled; the station reboots once both
    ended (B12.FR.01, B12.FR.03)."""
    await run.ready()
    if len(run.evses()) < 2:
        raise NotApplicable("the station has one EVSE")
    first = await run.energy_transfer_started(1)
    second = await run.energy_transfer_started(2, run.tags.second)
    run.step("The central system resets the station (OnIdle): Scheduled")
    await run.order("Reset", {"type": "OnIdle"}, "Scheduled")
    await _ends_on_its_own(run, first)
    since = run.mark()
    await _ends_on_its_own(run, second)
    run.step("Both transactions ended: the station reboots")
    await _booted_after(run, since, ("ScheduledReset",))
