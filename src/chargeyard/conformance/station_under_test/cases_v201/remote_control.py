"""OCPP 2.0.1 charging-station cases of remote control (block F): remote starts with and without
AuthorizeRemoteStart and their time-out (F01, F02), remote stops (F03), UnlockConnector (F05)
and TriggerMessage of each message a station may be asked for (F06)."""

from __future__ import annotations

from chargeyard.conformance.exchanges import ReceivedView, Where
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import Doc, case, table
from chargeyard.conformance.station_under_test.cases_v201.boot import short
from chargeyard.conformance.station_under_test.cases_v201.transactions import (
    EV_CONNECTION_TIMEOUT,
    UPDATED_MEASURANDS,
    start_at,
)
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

AUTHORIZE_REMOTE_START = Var("AuthCtrlr", "AuthorizeRemoteStart")


# -- F01 / F02 remote starts ------------------------------------------------------------------


@case("TC_F_01_CS")
async def remote_start_cable_first(run: StationCaseV201) -> None:
    """The cable in, then RequestStartTransaction: the transaction starts (F01.FR.03,
    F01.FR.19: triggerReason RemoteStart)."""
    await run.ready()
    await run.ev_connected_pre_session()
    await run.authorized(remote=True)
    await run.energy_transfer_started()


async def _remote_start_first(run: StationCaseV201, authorize: bool) -> None:
    await run.ready()
    run.step(f"AuthCtrlr.AuthorizeRemoteStart is {str(authorize).lower()}")
    await run.set_variable(AUTHORIZE_REMOTE_START, str(authorize).lower())
    await run.ask("ClearCache", {})
    await run.authorized(remote=True, authorize=authorize)
    if not authorize:
        await run.absent(
            "Authorize",
            0,
            "a remote start is not authorized again when AuthorizeRemoteStart is false (F01.FR.02)",
            since=run.step_began,
            weight=Weight.SPEC,
        )
    await run.energy_transfer_started()


table(_remote_start_first)(
    {
        "TC_F_02_CS": Doc(
            "AuthorizeRemoteStart true: the remote start's token is authorized first (F01.FR.01).",
            True,
        ),
        "TC_F_03_CS": Doc("AuthorizeRemoteStart false: it is not (F01.FR.02).", False),
    },
)


@case("TC_F_04_CS")
async def remote_start_cable_times_out(run: StationCaseV201) -> None:
    """TxStartPoint Authorized, a remote start, no cable within EVConnectionTimeOut: the
    transaction ends (EVConnectTimeout, E03.FR.05); a remote start after that is taken."""
    await run.ready()
    timeout = short(run)
    await start_at(run, "Authorized")
    await run.set_variable(EV_CONNECTION_TIMEOUT, str(timeout))
    session = await run.authorized(remote=True)
    run.step(f"No cable within EVConnectionTimeOut ({timeout} s): Ended (EVConnectTimeout)")
    await run.transaction_event(
        session,
        "EVConnectTimeout",
        triggers=("EVConnectTimeout",),
        ended=True,
        stopped_reason=("Timeout",),
        within=timeout + run.step_s,
    )
    run.sessions.pop(session.evse, None)
    await run.authorized(remote=True)


# -- F03 remote stop ----------------------------------------------------------------------


@case("TC_F_08_CS")
async def remote_stop(run: StationCaseV201) -> None:
    """RequestStopTransaction of the transaction: Accepted, RemoteStop (F03.FR.02,
    F03.FR.09)."""
    await run.ready()
    await run.energy_transfer_started()
    await run.stop_authorized(remote=True)


@case("TC_F_09_CS")
async def remote_stop_unknown(run: StationCaseV201) -> None:
    """RequestStopTransaction of another transaction: Rejected (F03.FR.08)."""
    await run.ready()
    await run.energy_transfer_started()
    run.step("RequestStopTransaction of a transaction the station does not have: Rejected")
    await run.order("RequestStopTransaction", {"transactionId": "CY-NOT-THIS-ONE"}, "Rejected")


# -- F05 UnlockConnector --------------------------------------------------------------------


async def _unlock(run: StationCaseV201, connector: int, status: str) -> None:
    run.step(f"UnlockConnector of EVSE 1 connector {connector}: {status}")
    await run.order("UnlockConnector", {"evseId": 1, "connectorId": connector}, status)


@case("TC_F_05_CS")
async def unlock_during_transaction(run: StationCaseV201) -> None:
    """An authorized transaction runs: OngoingAuthorizedTransaction (F05.FR.02)."""
    await run.ready()
    await run.energy_transfer_started()
    await _unlock(run, 1, "OngoingAuthorizedTransaction")


@case("TC_F_06_CS")
async def unlock_accepted(run: StationCaseV201) -> None:
    """No transaction: Unlocked (F05.FR.04)."""
    await run.ready()
    await _unlock(run, 1, "Unlocked")


@case("TC_F_07_CS")
async def unlock_without_cable(run: StationCaseV201) -> None:
    """No cable: the station tries all the same, Unlocked (F05.FR.06)."""
    await run.ready()
    await _unlock(run, 1, "Unlocked")


@case("TC_F_10_CS")
async def unlock_unknown_connector(run: StationCaseV201) -> None:
    """A connector the EVSE does not have: UnknownConnector (F05.FR.03)."""
    await run.ready()
    await _unlock(run, 999, "UnknownConnector")


# -- F06 TriggerMessage -------------------------------------------------------------------


async def _trigger(run: StationCaseV201, message: str, evse: dict[str, int] | None = None) -> None:
    payload: dict[str, object] = {"requestedMessage": message}
    if evse is not None:
        payload["evse"] = evse
    where = f" of EVSE {evse['id']}" if evse else ""
    run.step(f"TriggerMessage {message}{where}: Accepted, then the message")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    await StationCase.order(run, "TriggerMessage", payload, "Accepted")


def _context_is_trigger(
    run: StationCaseV201,
    item: ReceivedView[v201.MeterValuesRequest] | ReceivedView[v201.TransactionEventRequest],
) -> None:
    contexts = [
        sampled.get("context")
        for value in item.payload.get("meterValue") or []
        for sampled in value.get("sampledValue") or []
    ]
    run.log.check(
        f"the {item.action}'s meter values are read for the trigger (context Trigger)",
        bool(contexts) and all(context == "Trigger" for context in contexts),
        weight=Weight.SPEC,
        expected="Trigger",
        observed=contexts or "no meter value",
    )


@case("TC_F_11_CS")
async def trigger_meter_values_of_an_evse(run: StationCaseV201) -> None:
    """MeterValues of EVSE 1 (F06.FR.06)."""
    await run.ready()
    await _trigger(run, "MeterValues", {"id": 1})
    item = await run.expect(
        "MeterValues", where=lambda r: r.payload.get("evseId") == 1, what="MeterValues of EVSE 1"
    )
    _context_is_trigger(run, item)


@case("TC_F_12_CS")
async def trigger_meter_values_of_every_evse(run: StationCaseV201) -> None:
    """MeterValues without an EVSE: one of each EVSE (F06.FR.11)."""
    await run.ready()
    await _trigger(run, "MeterValues")
    for evse in run.evses():
        item = await run.expect(
            "MeterValues", where=_of_evse(evse), what=f"MeterValues of EVSE {evse}"
        )
        _context_is_trigger(run, item)


def _of_evse(evse: int) -> Where[v201.MeterValuesRequest]:
    return lambda item: item.payload.get("evseId") == evse


async def _trigger_transaction_events(run: StationCaseV201, of_one: bool) -> None:
    """TransactionEvent during a transaction: Updated, triggerReason Trigger, its
    chargingState and meter values of TxUpdatedMeasurands (F06.FR.07)."""
    await run.ready()
    await run.set_variable(UPDATED_MEASURANDS, "Energy.Active.Import.Register")
    session = await run.energy_transfer_started()
    await _trigger(run, "TransactionEvent", {"id": session.evse} if of_one else None)
    item = await run.transaction_event(
        session, "Trigger", triggers=("Trigger",), charging_state=("Charging",)
    )
    _context_is_trigger(run, item)


table(_trigger_transaction_events)(
    {
        "TC_F_13_CS": (True,),
        "TC_F_14_CS": (False,),
    },
)


async def _status_notification(run: StationCaseV201, action: str, status: str) -> None:
    # StationCase's expect: the action is the row's, any with a status.
    item = await StationCase.expect(run, action, what=f"{action} {status}")
    run.log.check(
        f"{action}'s status is {status}",
        item.payload.get("status") == status,
        expected=status,
        observed=item.payload.get("status"),
    )


@case("TC_F_15_CS")
async def trigger_log_status_idle(run: StationCaseV201) -> None:
    """LogStatusNotification while no log is uploading: Idle (F06.FR.15)."""
    await run.ready()
    await _trigger(run, "LogStatusNotification")
    await _status_notification(run, "LogStatusNotification", "Idle")


@case("TC_F_17_CS")
async def trigger_firmware_status_of_an_evse(run: StationCaseV201) -> None:
    """FirmwareStatusNotification naming an EVSE: sent all the same (F06.FR.03), Idle."""
    await run.ready()
    await _trigger(run, "FirmwareStatusNotification", {"id": 1})
    await _status_notification(run, "FirmwareStatusNotification", "Idle")


@case("TC_F_18_CS")
async def trigger_firmware_status_idle(run: StationCaseV201) -> None:
    """FirmwareStatusNotification with no update under way: Idle (F06.FR.16)."""
    await run.ready()
    await _trigger(run, "FirmwareStatusNotification")
    await _status_notification(run, "FirmwareStatusNotification", "Idle")


@case("TC_F_20_CS")
async def trigger_heartbeat(run: StationCaseV201) -> None:
    await run.ready()
    await _trigger(run, "Heartbeat")
    await run.expect("Heartbeat")


async def _trigger_status(run: StationCaseV201, status: str) -> None:
    await _trigger(run, "StatusNotification", {"id": 1, "connectorId": 1})
    await run.connector_status(status, since=run.step_began)


@case("TC_F_23_CS")
async def trigger_status_available(run: StationCaseV201) -> None:
    await run.ready()
    await _trigger_status(run, "Available")


@case("TC_F_24_CS")
async def trigger_status_occupied(run: StationCaseV201) -> None:
    await run.ready()
    await run.ev_connected_pre_session()
    await _trigger_status(run, "Occupied")


@case("TC_F_26_CS")
async def trigger_boot_rejected(run: StationCaseV201) -> None:
    """BootNotification once Accepted: Rejected (F06.FR.17)."""
    await run.ready()
    run.step("TriggerMessage BootNotification: Rejected")
    await run.order("TriggerMessage", {"requestedMessage": "BootNotification"}, "Rejected")


@case("TC_F_27_CS")
async def trigger_not_implemented(run: StationCaseV201) -> None:
    """A message the station does not implement (SignCombinedCertificate): NotImplemented
    (F06.FR.08)."""
    await run.ready()
    run.step("TriggerMessage SignCombinedCertificate: NotImplemented")
    await run.order(
        "TriggerMessage", {"requestedMessage": "SignCombinedCertificate"}, "NotImplemented"
    )
