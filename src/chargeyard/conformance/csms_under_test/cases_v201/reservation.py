"""OCPP 2.0.1 CSMS cases of block H, Reservation: an EVSE, any EVSE or a connector type
reserved for an idToken (H01), cancelled (H02), used with a group (H03) or ended unused
(H04)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chargeyard import loop_clock
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201, id_token
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.protocol.frames import Call

Payload = dict[str, Any]
RESERVATION_ID = 5_001


def _in(minutes: int) -> str:
    moment = loop_clock.now() + timedelta(minutes=minutes)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


async def _reserve(
    run: CsmsCaseV201,
    *,
    evse: int | None = 1,
    connector_type: str | None = None,
    group: str | None = None,
    answer: str = "Accepted",
    reservation_id: int = RESERVATION_ID,
) -> Call:
    """ReserveNow (H01) for the valid tag: of ``evse``, of any EVSE (None) or of a
    ``connector_type``; answered ``answer``, then the connectors concerned Reserved."""
    tag = run.tags.valid
    payload: Payload = {"id": reservation_id, "expiryDateTime": _in(30), "idToken": id_token(tag)}
    where = "any EVSE"
    if evse is not None:
        payload["evseId"] = evse
        where = f"EVSE {evse}"
    if connector_type is not None:
        payload["connectorType"] = connector_type
        where = f"a {connector_type} connector"
    if group is not None:
        payload["groupIdToken"] = {"idToken": group, "type": "Central"}
    words = f"reserve {where} for {tag}" + (f" with group {group}" if group else "")
    call = await run.ordered("ReserveNow", payload, words, {"status": answer})
    run.field_is(call, "idToken.idToken", tag)
    run.field_is(call, "evseId", evse)
    run.field_is(call, "connectorType", connector_type)
    if group is not None:
        run.field_is(call, "groupIdToken.idToken", group)
    if answer == "Accepted":
        await run.statuses_of(evse if evse is not None else 1, None, "Reserved")
    return call


@case("TC_H_01_CSMS")
async def reserve_evse(run: CsmsCaseV201) -> None:
    """Reusable State Reserved (H01 scenario 2, H03)."""
    await run.tag("Accepted")
    await run.booted()
    await _reserve(run)


@case("TC_H_07_CSMS")
async def reservation_expired(run: CsmsCaseV201) -> None:
    """The reservation ends unused: Available, then ReservationStatusUpdate Expired with its
    id (H01 scenario 2, H04)."""
    await run.tag("Accepted")
    await run.booted()
    call = await _reserve(run)
    run.log.step("The reservation expires: Available, ReservationStatusUpdate (Expired)")
    await run.connector_status("Available")
    await run.call(
        "ReservationStatusUpdate",
        {
            "reservationId": call.payload.get("id", RESERVATION_ID),
            "reservationUpdateStatus": "Expired",
        },
    )


@case("TC_H_08_CSMS")
async def reserve_any_evse(run: CsmsCaseV201) -> None:
    """No evseId: any EVSE (H01 scenario 1, H03)."""
    await run.tag("Accepted")
    await run.booted()
    await _reserve(run, evse=None)


@case("TC_H_14_CSMS")
async def reserve_every_evse(run: CsmsCaseV201) -> None:
    """As many reservations of any EVSE as the station has EVSEs (H01 scenario 1)."""
    await run.tag("Accepted")
    run.evses = {1: 1, 2: 1}
    await run.booted()
    for n in range(len(run.evses)):
        payload: Payload = {
            "id": RESERVATION_ID + n,
            "expiryDateTime": _in(30),
            "idToken": id_token(run.tags.valid),
        }
        call = await run.ordered(
            "ReserveNow", payload, f"reserve any EVSE for {run.tags.valid}", {"status": "Accepted"}
        )
        run.field_is(call, "evseId", None)
    await run.statuses_of(None, None, "Reserved")


@case("TC_H_15_CSMS")
async def reserve_connector_type(run: CsmsCaseV201) -> None:
    """A connector of a type, no EVSE named (H01 scenario 3, H03)."""
    await run.tag("Accepted")
    await run.booted()
    await _reserve(run, evse=None, connector_type="cType2")


@case("TC_H_17_CSMS")
async def cancel_reservation(run: CsmsCaseV201) -> None:
    """CancelReservation names the reservation made (H02)."""
    await run.tag("Accepted")
    await run.booted()
    reserved = await _reserve(run)
    reservation_id = reserved.payload.get("id", RESERVATION_ID)
    call = await run.ordered(
        "CancelReservation",
        {"reservationId": reservation_id},
        f"cancel reservation {reservation_id}",
        {"status": "Accepted"},
    )
    run.field_is(call, "reservationId", reservation_id)
    await run.connector_status("Available")


@case("TC_H_19_CSMS")
async def reserve_with_group(run: CsmsCaseV201) -> None:
    """A reservation with a groupIdToken (H01, H03)."""
    await run.grouped_tag(run.tags.valid, run.tags.group)
    await run.booted()
    await _reserve(run, group=run.tags.group)


@case("TC_H_20_CSMS")
async def station_removes_reservation_when_faulted(run: CsmsCaseV201) -> None:
    """The EVSE faults: the station removes the reservation (ReservationStatusUpdate Removed,
    H01)."""
    await run.tag("Accepted")
    await run.booted()
    call = await _reserve(run)
    run.log.step("The EVSE faults: Faulted, ReservationStatusUpdate (Removed)")
    await run.connector_status("Faulted")
    await run.call(
        "ReservationStatusUpdate",
        {
            "reservationId": call.payload.get("id", RESERVATION_ID),
            "reservationUpdateStatus": "Removed",
        },
    )


@case("TC_H_22_CSMS")
async def reservation_rejected(run: CsmsCaseV201) -> None:
    """The station is configured not to reserve: Rejected (H01)."""
    await run.tag("Accepted")
    await run.booted()
    await _reserve(run, answer="Rejected")
