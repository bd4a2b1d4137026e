"""OCPP 2.0.1 CSMS cases of block E, Transactions: the start and stop points a station may be
configured with (E01, E06), local starts (E02, E03), a cable out on the EV's side (E10), the
transaction's status asked for (E14) and seqNo starting from 0 again (E01.FR.07).

Part 6 general precondition (section 3.1): the station starts a transaction at
EVConnected,Authorized and stops it at EVConnected, which the reusable states follow.
"""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201, SampleOptions, energy
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.csms_under_test.cases_v201.authorization import UNKNOWN

SIGNED: SampleOptions = {
    "signedMeterValue": {
        "signedMeterData": "Q1ktMjAxLVNJR05FRA==",
        "signingMethod": "ECDSA-secp256r1-SHA256",
        "encodingMethod": "OCMF",
        "publicKey": "Q1ktUFVCTElDLUtFWQ==",
    }
}
"""A signedMeterValue as a station with a fiscal meter adds to a reading (E01.FR.04, J02.FR.21);
the CSMS keeps it, it need not verify it."""


async def _started_by_charging(run: CsmsCaseV201, charging_state: str) -> None:
    """Authorize, the cable in, then the transaction Started by ChargingStateChanged."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.authorize(tag)
    await run.connector_status("Occupied")
    run.log.step(f"The transaction starts when the state is {charging_state}")
    await run.transaction_event(
        "Started", "ChargingStateChanged", tag=tag, charging_state=charging_state
    )


@case("TC_E_01_CSMS")
async def start_at_power_path_closed(run: CsmsCaseV201) -> None:
    """Start option PowerPathClosed (E01 scenario 5, E01.FR.05)."""
    await _started_by_charging(run, "SuspendedEVSE")
    await run.transaction_event("Updated", "ChargingStateChanged", charging_state="Charging")


@case("TC_E_02_CSMS")
async def start_at_energy_transfer(run: CsmsCaseV201) -> None:
    """Start option EnergyTransfer (E01 scenario 6, E01.FR.06)."""
    await _started_by_charging(run, "Charging")


@case("TC_E_03_CSMS")
async def cable_first(run: CsmsCaseV201) -> None:
    """Cable first, then the driver's tag, then charging (E02.FR.02)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.ev_connected_pre_session()
    await run.authorized(tag)
    await run.energy_transfer_started(tag)


@case("TC_E_04_CSMS")
async def authorization_first(run: CsmsCaseV201) -> None:
    """The driver's tag first, then the cable, then charging (E03.FR.02)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.authorized(tag)
    await run.energy_transfer_started(tag)


async def _charging(run: CsmsCaseV201) -> str:
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    return tag


@case("TC_E_07_CSMS")
async def stop_at_power_path_local(run: CsmsCaseV201) -> None:
    """Stop option PowerPathClosed: the driver's stop ends it (E06 scenario 5, E06.FR.06)."""
    await _charging(run)
    run.log.step("The driver stops: TransactionEvent Ended (StopAuthorized, Local)")
    await run.transaction_event("Ended", "StopAuthorized", stopped_reason="Local")


@case("TC_E_08_CSMS")
async def stop_at_energy_transfer_authorized(run: CsmsCaseV201) -> None:
    """Stop option EnergyTransfer after StopAuthorized (E06 scenario 6, E06.FR.07)."""
    tag = await _charging(run)
    await run.stop_authorized(tag)
    run.log.step("Energy stops: TransactionEvent Ended (EVConnected, Local)")
    await run.transaction_event(
        "Ended", "ChargingStateChanged", charging_state="EVConnected", stopped_reason="Local"
    )


@case("TC_E_09_CSMS")
async def start_at_ev_connected(run: CsmsCaseV201) -> None:
    """Start option EVConnected (E01 scenario 2, E01.FR.02)."""
    await run.booted()
    await run.ev_connected_pre_session()


@case("TC_E_10_CSMS")
async def start_at_authorized(run: CsmsCaseV201) -> None:
    """Start option Authorized (E01 scenario 3, E01.FR.03)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.authorized(tag)


@case("TC_E_11_CSMS")
async def start_at_data_signed(run: CsmsCaseV201) -> None:
    """Start option DataSigned: Started by SignedDataReceived with a signed reading
    (E01 scenario 4, E01.FR.04)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.authorize(tag)
    await run.connector_status("Occupied")
    run.log.step("The meter signs the start reading: TransactionEvent Started")
    await run.transaction_event(
        "Started",
        "SignedDataReceived",
        tag=tag,
        meter_value=[energy(0.0, "Transaction.Begin", **SIGNED)],
    )
    await run.transaction_event("Updated", "ChargingStateChanged", charging_state="Charging")


@case("TC_E_12_CSMS")
async def start_at_parking_bay_occupied(run: CsmsCaseV201) -> None:
    """Start option ParkingBayOccupancy: Started by EVDetected (E01 scenario 1,
    E01.FR.01)."""
    await run.booted()
    run.log.step("An EV is detected in the bay: TransactionEvent Started (EVDetected)")
    await run.transaction_event("Started", "EVDetected")


@case("TC_E_14_CSMS")
async def stop_at_ev_disconnected_station_side(run: CsmsCaseV201) -> None:
    """Stop option EVConnected: the cable out ends it (E06 scenario 2, E06.FR.02)."""
    tag = await _charging(run)
    await run.session_to_end(tag)


@case("TC_E_15_CSMS")
async def stop_at_stop_authorized_local(run: CsmsCaseV201) -> None:
    """Stop option Authorized: the driver's tag ends it (E06 scenario 3, E06.FR.03)."""
    await _charging(run)
    run.log.step("The driver stops: TransactionEvent Ended (StopAuthorized, Local)")
    await run.transaction_event("Ended", "StopAuthorized", stopped_reason="Local")


@case("TC_E_16_CSMS")
async def deauthorized_invalid_token(run: CsmsCaseV201) -> None:
    """A transaction started with a tag the CSMS answers Invalid is deauthorized
    (E06.FR.04, E01.FR.11, E01.FR.12)."""
    tag = await run.tag("Invalid")
    await run.booted()
    run.log.step("The transaction starts with an unknown tag: the CSMS refuses it")
    await run.transaction_event("Started", "Authorized", tag=tag, expected=UNKNOWN)
    run.log.step("The station ends it: TransactionEvent Ended (Deauthorized)")
    await run.transaction_event("Ended", "Deauthorized", stopped_reason="DeAuthorized")


@case("TC_E_17_CSMS")
async def deauthorized_ev_side_disconnect(run: CsmsCaseV201) -> None:
    """Suspended by the EV, then its cable out ends it (E06 scenario 3, E06.FR.04)."""
    await _charging(run)
    await run.energy_transfer_suspended()
    run.log.step("The EV side disconnects: TransactionEvent Ended (EVDisconnected)")
    await run.transaction_event(
        "Ended",
        "EVCommunicationLost",
        charging_state="Idle",
        stopped_reason="EVDisconnected",
    )


@case("TC_E_19_CSMS")
async def stop_at_parking_bay_unoccupied(run: CsmsCaseV201) -> None:
    """Stop option ParkingBayOccupancy: the cable out leaves the transaction open, the EV
    leaving the bay ends it (E06 scenario 1, E06.FR.01)."""
    tag = await _charging(run)
    await run.stop_authorized(tag)
    await run.ev_connected_post_session()
    run.log.step("The cable is out; the transaction stays until the bay is empty")
    await run.connector_status("Available")
    await run.transaction_event("Updated", "EVCommunicationLost", charging_state="Idle")
    run.log.step("The EV leaves: TransactionEvent Ended (EVDeparted, Local)")
    await run.transaction_event("Ended", "EVDeparted", stopped_reason="Local")


@case("TC_E_20_CSMS")
async def stop_at_ev_disconnected_ev_side(run: CsmsCaseV201) -> None:
    """The EV suspended, then unplugged on its side (E06 scenario 2, E06.FR.02, E10)."""
    await _charging(run)
    await run.energy_transfer_suspended()
    await run.ev_disconnected()


@case("TC_E_21_CSMS")
async def stop_remotely(run: CsmsCaseV201) -> None:
    """The CSMS stops the transaction: RequestStopTransaction names it; the station ends it
    with RemoteStop, Remote (E06.FR.03, F03.FR.01, F03.FR.09, F03.FR.10)."""
    await _charging(run)
    transaction_id = run.transaction().id
    call = await run.ordered(
        "RequestStopTransaction",
        {"transactionId": transaction_id},
        f"stop transaction {transaction_id} remotely",
        {"status": "Accepted"},
    )
    run.field_is(call, "transactionId", transaction_id)
    run.log.step("The station stops: TransactionEvent Ended (RemoteStop, Remote)")
    await run.transaction_event("Ended", "RemoteStop", stopped_reason="Remote")


@case("TC_E_22_CSMS")
async def stop_at_energy_transfer_suspended_ev(run: CsmsCaseV201) -> None:
    """Stop option EnergyTransfer, the EV stopping (E06 scenario 6, E06.FR.07)."""
    await _charging(run)
    run.log.step("The EV stops taking energy: TransactionEvent Ended (StoppedByEV)")
    await run.transaction_event(
        "Ended",
        "ChargingStateChanged",
        charging_state="SuspendedEV",
        stopped_reason="StoppedByEV",
    )


@case("TC_E_26_CSMS")
async def cable_out_on_ev_side_suspends(run: CsmsCaseV201) -> None:
    """The cable out on the EV's side suspends the transaction, plugged in again it resumes
    (E10.FR.01)."""
    await _charging(run)
    await run.energy_transfer_suspended()
    run.log.step("The EV side disconnects: Idle, Available")
    await run.transaction_event("Updated", "EVCommunicationLost", charging_state="Idle")
    await run.status("Available")
    run.log.step("The EV is plugged in again, and charges")
    await run.transaction_event("Updated", "CablePluggedIn", charging_state="EVConnected")
    await run.transaction_event("Updated", "ChargingStateChanged", charging_state="Charging")


async def _transaction_status(
    run: CsmsCaseV201, transaction_id: str | None, ongoing: bool | None, queued: bool
) -> None:
    """GetTransactionStatus (E14) of ``transaction_id`` (None: of none), answered."""
    payload = {} if transaction_id is None else {"transactionId": transaction_id}
    words = "ask whether the station has transaction messages queued"
    if transaction_id is not None:
        words = f"ask the status of transaction {transaction_id}"
    answer: dict[str, bool] = {"messagesInQueue": queued}
    if ongoing is not None:
        answer["ongoingIndicator"] = ongoing
    call = await run.ordered("GetTransactionStatus", payload, words, dict(answer))
    run.field_is(call, "transactionId", transaction_id)


async def _offline_update(run: CsmsCaseV201) -> None:
    run.log.step("The station sends what it queued offline: TransactionEvent (offline)")
    await run.transaction_event(
        "Updated", "MeterValuePeriodic", offline=True, meter_value=[energy(1_500)]
    )


@case("TC_E_29_CSMS")
async def status_ongoing_queued(run: CsmsCaseV201) -> None:
    """Back online during a transaction, asked its status: ongoing, messages queued
    (E14.FR.02, E14.FR.04)."""
    await _charging(run)
    await run.resumed()
    await _transaction_status(run, run.transaction().id, True, True)
    await _offline_update(run)


@case("TC_E_30_CSMS")
async def status_ongoing_nothing_queued(run: CsmsCaseV201) -> None:
    """E14.FR.02, E14.FR.05."""
    await _charging(run)
    await _transaction_status(run, run.transaction().id, True, False)


@case("TC_E_31_CSMS")
async def status_ended_queued(run: CsmsCaseV201) -> None:
    """Back online after a transaction ended offline, with two of its events still queued:
    its Ended comes first, the CSMS asks, then the two late events, seqNo in the gap
    (E14.FR.03, E14.FR.04)."""
    await _charging(run)
    run.log.step("The connection drops; the transaction ends offline")
    await run.reconnect()
    transaction = run.transaction()
    skipped = next(transaction.seq_no)
    next(transaction.seq_no)
    await run.status("Available")
    await run.transaction_event(
        "Ended",
        "EVCommunicationLost",
        charging_state="Idle",
        stopped_reason="EVDisconnected",
        offline=True,
    )
    run.transactions[1] = transaction  # its late events follow
    await _transaction_status(run, transaction.id, False, True)
    run.log.step("The queued events come, with the seqNo skipped")
    await run.transaction_event("Updated", "StopAuthorized", offline=True, seq_no=skipped)
    await run.transaction_event(
        "Updated",
        "ChargingStateChanged",
        charging_state="EVConnected",
        offline=True,
        seq_no=skipped + 1,
    )
    del run.transactions[1]


@case("TC_E_33_CSMS")
async def status_without_id_queued(run: CsmsCaseV201) -> None:
    """Asked without a transactionId whether messages are queued: yes (E14.FR.06,
    E14.FR.07)."""
    await _charging(run)
    await run.resumed()
    await _transaction_status(run, None, None, True)
    await _offline_update(run)


@case("TC_E_34_CSMS")
async def status_without_id_nothing_queued(run: CsmsCaseV201) -> None:
    """E14.FR.06, E14.FR.08."""
    await run.booted()
    await _transaction_status(run, None, None, False)


@case("TC_E_38_CSMS")
async def ev_not_ready(run: CsmsCaseV201) -> None:
    """Authorized, the cable in, the EV not ready to charge (E03)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.authorized(tag)
    await run.ev_connected_pre_session()
    run.log.step("The EV does not take energy yet: SuspendedEV")
    await run.transaction_event("Updated", "ChargingStateChanged", charging_state="SuspendedEV")


@case("TC_E_39_CSMS")
async def deauthorized_by_timeout(run: CsmsCaseV201) -> None:
    """Authorized, no cable within EVConnectionTimeOut: Ended with Timeout (E03.FR.04,
    E03.FR.05, E06.FR.04)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.authorized(tag)
    run.log.step("No EV comes in time: TransactionEvent Ended (EVConnectTimeout)")
    await run.transaction_event("Ended", "EVConnectTimeout", stopped_reason="Timeout")


@case("TC_E_53_CSMS")
async def seq_no_from_zero_again(run: CsmsCaseV201) -> None:
    """Two transactions, each starting at seqNo 0 (E01.FR.07)."""
    tag = await run.tag("Accepted")
    await run.booted()
    for _ in range(2):
        await run.energy_transfer_started(tag)
        await run.ev_disconnected()
