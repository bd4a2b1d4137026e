"""OCPP 2.0.1 charging-station cases of where transactions start and stop (block E): each
TxStartPoint and TxStopPoint the station has (E01, E06), local starts cable first and token
first and their time-outs (E02, E03), stops by the driver, the CSMS, the EV or the cable
(E06-E10). What they share is ``transactions.py``."""

from __future__ import annotations

import asyncio

from chargeyard.conformance.exchanges import ReceivedView, present
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import Doc, case, table
from chargeyard.conformance.station_under_test.cases_v201.authorization import quiet
from chargeyard.conformance.station_under_test.cases_v201.boot import short
from chargeyard.conformance.station_under_test.cases_v201.transactions import (
    EV_CONNECTION_TIMEOUT,
    STOP_ON_EV_SIDE,
    start_at,
    stop_at,
)
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.transactions_v201 import Session
from chargeyard.conformance.station_under_test.triggers import StationAct, Verb
from chargeyard.protocol.messages import v201

# -- E01 where a transaction starts -----------------------------------------------------------


@case("TC_E_01_CS")
async def start_at_power_path_closed(run: StationCaseV201) -> None:
    """TxStartPoint PowerPathClosed: authorized, then the cable: the transaction starts with
    the EVSE and connector (E01.FR.05, E01.FR.16) and the idToken (E01.FR.10)."""
    await run.ready()
    await start_at(run, "PowerPathClosed")
    await run.authorized()
    await run.ev_connected_pre_session()


@case("TC_E_02_CS")
async def start_at_energy_transfer(run: StationCaseV201) -> None:
    """TxStartPoint EnergyTransfer: the transaction starts once energy flows, Charging
    (E01.FR.06)."""
    await run.ready()
    await start_at(run, "EnergyTransfer")
    await run.authorized()
    await run.energy_transfer_started()


@case("TC_E_09_CS")
async def start_at_ev_connected(run: StationCaseV201) -> None:
    """TxStartPoint EVConnected: the cable starts the transaction, EVConnected (E01.FR.02)."""
    await run.ready()
    await start_at(run, "EVConnected")
    await run.ev_connected_pre_session()


@case("TC_E_10_CS")
async def start_at_authorized_local(run: StationCaseV201) -> None:
    """TxStartPoint Authorized: the driver's token starts the transaction (E01.FR.03)."""
    await run.ready()
    await start_at(run, "Authorized")
    await run.authorized()


@case("TC_E_13_CS")
async def start_at_authorized_remote(run: StationCaseV201) -> None:
    """TxStartPoint Authorized: a remote start starts the transaction, RemoteStart with the
    remoteStartId (E01.FR.03, F01.FR.19, F01.FR.25)."""
    await run.ready()
    await start_at(run, "Authorized")
    await run.authorized(remote=True)


# -- E02 / E03 local starts -------------------------------------------------------------------


@case("TC_E_03_CS")
async def cable_first(run: StationCaseV201) -> None:
    await run.ready()
    await run.ev_connected_pre_session()
    await run.authorized()
    await run.energy_transfer_started()


@case("TC_E_04_CS")
async def token_first(run: StationCaseV201) -> None:
    await run.ready()
    await run.authorized()
    await run.energy_transfer_started()


async def _ev_connection_timed_out(run: StationCaseV201, session: Session, seconds: int) -> None:
    """No cable within EVConnectionTimeOut: a transaction the authorization started ends
    (EVConnectTimeout, Timeout: E03.FR.05), else the authorization lapses unseen."""
    run.step(f"No cable within EVConnectionTimeOut ({seconds} s)")
    if session.started:
        _, stop = await run.tx_points()
        ends = "Authorized" in stop
        await run.transaction_event(
            session,
            "EVConnectTimeout",
            triggers=("EVConnectTimeout",),
            ended=ends,
            stopped_reason=("Timeout",) if ends else None,
            within=seconds + run.step_s,
        )
        if not ends:
            return  # the transaction outlives its authorization here
    else:
        await asyncio.sleep(seconds + quiet(run))
    run.sessions.pop(session.evse, None)


@case("TC_E_05_CS")
async def token_first_cable_times_out(run: StationCaseV201) -> None:
    """Authorized, no cable within EVConnectionTimeOut: the authorization ends (E03.FR.05);
    the EVSE takes the next driver."""
    await run.ready()
    timeout = short(run)
    await run.set_variable(EV_CONNECTION_TIMEOUT, str(timeout))
    await run.set_variable(Var("AuthCacheCtrlr", "Enabled"), "false")
    await run.set_variable(Var("AuthCtrlr", "LocalPreAuthorize"), "false")
    session = await run.authorized()
    await _ev_connection_timed_out(run, session, timeout)
    await run.authorized()
    await run.energy_transfer_started()


@case("TC_E_39_CS")
async def deauthorized_by_timeout(run: StationCaseV201) -> None:
    """Authorized, no cable within EVConnectionTimeOut: the authorization ends; a cable after
    that charges nothing."""
    await run.ready()
    timeout = short(run)
    await run.set_variable(EV_CONNECTION_TIMEOUT, str(timeout))
    session = await run.authorized()
    await _ev_connection_timed_out(run, session, timeout)
    run.step("The cable comes now: no energy flows")
    await run.connect_ev()
    await run.connector_status("Occupied")
    await run.absent(
        "TransactionEvent",
        quiet(run),
        "no energy flows once the authorization lapsed",
        where=lambda r: (
            present(r.payload.get("transactionInfo")).get("chargingState") == "Charging"
        ),
        since=run.step_began,
    )


@case("TC_E_38_CS")
async def ev_not_ready(run: StationCaseV201) -> None:
    """Authorized, then an EV that takes no energy: SuspendedEV (ChargingStateChanged,
    E01.FR.19)."""
    await run.ready()
    session = await run.authorized()
    run.step("An EV that takes no energy is plugged in: Occupied, then SuspendedEV")
    await run.connect_ev()
    await run.act(StationAct(Verb.EV_SUSPEND))
    await run.connector_status("Occupied")
    start, _ = await run.tx_points()
    if not session.started and start & {"EVConnected", "PowerPathClosed", "Authorized"}:
        await run.transaction_event(
            session,
            "Started",
            triggers=("CablePluggedIn", "Authorized", "ChargingStateChanged"),
        )
    session.ev_connected = True
    await run.transaction_event(
        session,
        "SuspendedEV",
        triggers=("ChargingStateChanged",),
        charging_state=("SuspendedEV",),
        ended=None,
    )


# -- E06-E10 where a transaction stops ----------------------------------------------------


@case("TC_E_06_CS")
async def local_stop(run: StationCaseV201) -> None:
    """The driver's token stops the session (E07.FR.04)."""
    await run.ready()
    await run.energy_transfer_started()
    await run.session_ends()


@case("TC_E_07_CS")
async def stop_at_power_path_closed_local(run: StationCaseV201) -> None:
    """TxStopPoint PowerPathClosed: the driver's stop opens the power path and ends the
    transaction (E06.FR.06)."""
    await run.ready()
    await stop_at(run, "PowerPathClosed")
    await run.energy_transfer_started()
    item = await run.stop_authorized()
    _ended(run, item)


@case("TC_E_35_CS")
async def stop_at_power_path_closed_remote(run: StationCaseV201) -> None:
    """TxStopPoint PowerPathClosed: RequestStopTransaction ends it (RemoteStop, Remote)."""
    await run.ready()
    await stop_at(run, "PowerPathClosed")
    await run.energy_transfer_started()
    item = await run.stop_authorized(remote=True)
    _ended(run, item)


@case("TC_E_15_CS")
async def stop_at_authorized_local(run: StationCaseV201) -> None:
    """TxStopPoint Authorized: the driver's stop ends it (StopAuthorized, Local: E06.FR.03)."""
    await run.ready()
    await stop_at(run, "Authorized")
    await run.energy_transfer_started()
    item = await run.stop_authorized()
    _ended(run, item)


@case("TC_E_21_CS")
async def stop_at_authorized_remote(run: StationCaseV201) -> None:
    """TxStopPoint Authorized: RequestStopTransaction ends it (RemoteStop, Remote: F03.FR.09)."""
    await run.ready()
    await stop_at(run, "Authorized")
    await run.energy_transfer_started()
    item = await run.stop_authorized(remote=True)
    _ended(run, item)


def _ended(run: StationCaseV201, item: ReceivedView[v201.TransactionEventRequest]) -> None:
    run.log.check(
        "the stop ends the transaction (eventType Ended)",
        item.payload.get("eventType") == "Ended",
        expected="Ended",
        observed=item.payload.get("eventType"),
    )


@case("TC_E_08_CS")
async def stop_at_energy_transfer_authorized(run: StationCaseV201) -> None:
    """TxStopPoint EnergyTransfer: the driver's stop stops the energy and the transaction
    (E06.FR.07)."""
    await run.ready()
    await stop_at(run, "EnergyTransfer")
    await run.energy_transfer_started()
    await run.stop_authorized()
    await run.ev_connected_post_session()


@case("TC_E_22_CS")
async def stop_at_energy_transfer_suspended(run: StationCaseV201) -> None:
    """TxStopPoint EnergyTransfer: the EV stops drawing: the transaction ends, StoppedByEV
    (E06.FR.07)."""
    await run.ready()
    await stop_at(run, "EnergyTransfer")
    await run.energy_transfer_started()
    await run.energy_transfer_suspended()


@case("TC_E_14_CS")
async def stop_at_ev_connected(run: StationCaseV201) -> None:
    """TxStopPoint EVConnected: after the driver's stop the transaction lasts until the cable
    is out (E06.FR.02)."""
    await run.ready()
    await stop_at(run, "EVConnected")
    await run.energy_transfer_started()
    await run.stop_authorized()
    await run.ev_connected_post_session()
    await run.ev_disconnected()


async def _ev_side_disconnect(run: StationCaseV201, stop_point: str | None) -> None:
    """EnergyTransferSuspended, then the EV unplugged: the transaction ends, EVCommunicationLost,
    Idle, EVDisconnected (E10, E06)."""
    await run.ready()
    if stop_point is not None:
        await stop_at(run, stop_point)
        await run.set_variable(STOP_ON_EV_SIDE, "false")
    else:
        await run.set_variable(STOP_ON_EV_SIDE, "true")
    await run.energy_transfer_started()
    if stop_point is not None:
        await run.energy_transfer_suspended()
    await run.ev_disconnected()


table(_ev_side_disconnect)(
    {
        "TC_E_17_CS": Doc(
            "StopTxOnEVSideDisconnect true: the EV unplugged ends the transaction (E09).", None
        ),
        "TC_E_20_CS": Doc(
            "TxStopPoint EVConnected, StopTxOnEVSideDisconnect false: the EV unplugged ends it.",
            "EVConnected",
        ),
        "TC_E_37_CS": Doc(
            "TxStopPoint PowerPathClosed, StopTxOnEVSideDisconnect false: the EV unplugged opens "
            "the power path and ends it.",
            "PowerPathClosed",
        ),
    },
)
