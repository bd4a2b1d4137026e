"""OCPP 2.0.1 CSMS cases of block F, Remote Control: remote starts (F01, F02), unlocking a
connector (F05) and the messages the CSMS asks for with TriggerMessage (F06)."""

from __future__ import annotations

from typing import Any

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201, energy, id_token
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table

REMOTE_START_ID = 2_001


async def _request_start(run: CsmsCaseV201, tag: str, transaction_id: str | None) -> int:
    """RequestStartTransaction for ``tag`` on EVSE 1 (F01, F02), Accepted (with the
    transactionId under way, if any); returns the remoteStartId the CSMS gave."""
    call = await run.ordered(
        "RequestStartTransaction",
        {"idToken": id_token(tag), "remoteStartId": REMOTE_START_ID, "evseId": 1},
        f"start a transaction remotely on EVSE 1 for {tag}",
    )
    run.field_is(call, "idToken.idToken", tag)
    answer: dict[str, Any] = {"status": "Accepted"}
    if transaction_id is not None:
        answer["transactionId"] = transaction_id
    await run.answered(call, answer)
    remote_start_id = call.payload.get("remoteStartId")
    return remote_start_id if isinstance(remote_start_id, int) else REMOTE_START_ID


@case("TC_F_01_CSMS")
async def remote_start_cable_first(run: CsmsCaseV201) -> None:
    """The cable is in; the CSMS starts the transaction remotely; its next event names the
    remoteStartId (F01)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.ev_connected_pre_session()
    remote_start_id = await _request_start(run, tag, run.transaction().id)
    run.log.step("The station authorizes the remote start: TransactionEvent (RemoteStart)")
    await run.transaction_event(
        "Updated", "RemoteStart", tag=tag, transaction_info={"remoteStartId": remote_start_id}
    )
    run.transaction().authorized = True
    await run.energy_transfer_started(tag)


async def _remote_start_first(run: CsmsCaseV201, authorize: bool) -> str:
    tag = await run.tag("Accepted")
    await run.booted()
    remote_start_id = await _request_start(run, tag, None)
    if authorize:
        run.log.step("AuthorizeRemoteStart is true: the station asks first")
        await run.authorize(tag)
    run.log.step("The transaction starts: TransactionEvent Started (RemoteStart)")
    await run.transaction_event(
        "Started", "RemoteStart", tag=tag, transaction_info={"remoteStartId": remote_start_id}
    )
    run.transaction().authorized = True
    return tag


@case("TC_F_02_CSMS")
async def remote_start_first_authorized(run: CsmsCaseV201) -> None:
    """Remote start before the cable, the station authorizing it (F02.FR.01, F01.FR.01)."""
    tag = await _remote_start_first(run, authorize=True)
    await run.energy_transfer_started(tag)


@case("TC_F_03_CSMS")
async def remote_start_first(run: CsmsCaseV201) -> None:
    """Remote start before the cable, AuthorizeRemoteStart false (F02.FR.01, F01.FR.02)."""
    tag = await _remote_start_first(run, authorize=False)
    await run.energy_transfer_started(tag)


@case("TC_F_04_CSMS")
async def remote_start_cable_timeout(run: CsmsCaseV201) -> None:
    """Remote start, then no cable in time (E03.FR.04, E03.FR.05)."""
    await _remote_start_first(run, authorize=False)
    run.log.step("No EV comes in time: TransactionEvent (EVConnectTimeout)")
    await run.transaction_event("Updated", "EVConnectTimeout")


@case("TC_F_06_CSMS")
async def unlock_connector(run: CsmsCaseV201) -> None:
    """UnlockConnector of EVSE 1's connector 1, Unlocked (F05)."""
    await run.booted()
    call = await run.ordered(
        "UnlockConnector",
        {"evseId": 1, "connectorId": 1},
        "unlock connector 1 of EVSE 1",
        {"status": "Unlocked"},
    )
    run.field_is(call, "evseId", 1)
    run.field_is(call, "connectorId", 1)


async def _trigger(
    run: CsmsCaseV201, message: str, evse: dict[str, int] | None, answer: str = "Accepted"
) -> None:
    """TriggerMessage of ``message`` (F06.FR.01), for ``evse`` if given (F06.FR.02)."""
    payload: dict[str, Any] = {"requestedMessage": message}
    where = "the station"
    if evse is not None:
        payload["evse"] = evse
        where = f"EVSE {evse['id']}"
    call = await run.ordered(
        "TriggerMessage", payload, f"ask {where} for a {message}", {"status": answer}
    )
    run.field_is(call, "requestedMessage", message)
    if evse is not None:
        run.field_is(call, "evse.id", evse["id"])


@case("TC_F_11_CSMS")
async def trigger_meter_values_evse(run: CsmsCaseV201) -> None:
    """F06.FR.01, F06.FR.02."""
    await run.booted()
    await _trigger(run, "MeterValues", {"id": 1})
    # CsmsCaseBase's call, untyped: energy() is a plain dict (its extras vary by case).
    await CsmsCaseBase.call(run, "MeterValues", {"evseId": 1, "meterValue": [energy(0, "Trigger")]})


@case("TC_F_12_CSMS")
async def trigger_meter_values_all(run: CsmsCaseV201) -> None:
    """F06.FR.01: one MeterValues per EVSE (each names its EVSE: evseId is required by
    MeterValuesRequest.json)."""
    await run.booted()
    await _trigger(run, "MeterValues", None)
    for evse in run.evses:
        # CsmsCaseBase's call, untyped: energy() is a plain dict (its extras vary by case).
        await CsmsCaseBase.call(
            run, "MeterValues", {"evseId": evse, "meterValue": [energy(0, "Trigger")]}
        )


async def _triggered_transaction_event(run: CsmsCaseV201, evse: dict[str, int] | None) -> None:
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    await _trigger(run, "TransactionEvent", evse)
    await run.transaction_event(
        "Updated",
        "Trigger",
        charging_state="Charging",
        meter_value=[energy(1_000, "Trigger")],
        with_evse=evse is not None,
    )


table(_triggered_transaction_event)(
    {
        "TC_F_13_CSMS": Doc("F06.FR.01, F06.FR.02.", {"id": 1}),
        "TC_F_14_CSMS": Doc("F06.FR.01.", None),
    },
)


@case("TC_F_15_CSMS")
async def trigger_log_status(run: CsmsCaseV201) -> None:
    """F06.FR.01: LogStatusNotification, Idle (no upload under way)."""
    await run.booted()
    await _trigger(run, "LogStatusNotification", None)
    await run.call("LogStatusNotification", {"status": "Idle"})


@case("TC_F_18_CSMS")
async def trigger_firmware_status(run: CsmsCaseV201) -> None:
    """F06.FR.01: FirmwareStatusNotification, Idle (no update under way)."""
    await run.booted()
    await _trigger(run, "FirmwareStatusNotification", None)
    await run.call("FirmwareStatusNotification", {"status": "Idle"})


@case("TC_F_20_CSMS")
async def trigger_heartbeat(run: CsmsCaseV201) -> None:
    """F06.FR.01."""
    await run.booted()
    await _trigger(run, "Heartbeat", None)
    await run.call("Heartbeat", {})


async def _triggered_status(run: CsmsCaseV201, status: str) -> None:
    await _trigger(run, "StatusNotification", {"id": 1, "connectorId": 1})
    await run.status(status)


@case("TC_F_23_CSMS")
async def trigger_status_available(run: CsmsCaseV201) -> None:
    """F06.FR.01, F06.FR.02, F06.FR.13."""
    await run.booted()
    await _triggered_status(run, "Available")


@case("TC_F_24_CSMS")
async def trigger_status_occupied(run: CsmsCaseV201) -> None:
    """F06.FR.01, F06.FR.02, F06.FR.13."""
    await run.booted()
    await run.connector_status("Occupied")
    await _triggered_status(run, "Occupied")


@case("TC_F_27_CSMS")
async def trigger_not_implemented(run: CsmsCaseV201) -> None:
    """A message the station does not implement is answered NotImplemented (F06.FR.08); the
    CSMS takes the answer. A plain station implements no firmware publishing (L03)."""
    await run.booted()
    await _trigger(run, "PublishFirmwareStatusNotification", None, answer="NotImplemented")
    run.log.step("The station goes on: Heartbeat")
    answer = await run.call("Heartbeat", {})
    run.log.check(
        "the Heartbeat's answer tells the current time",
        "currentTime" in answer,
        expected="currentTime",
        observed=answer,
    )
