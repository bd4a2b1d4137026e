"""OCPP 2.0.1 charging-station cases of reservations (block H: H01 ReserveNow of an EVSE, of
any EVSE, of a connector type, with a group; H02 CancelReservation; H03 using a reservation;
H04 its end, by expiry or by the EVSE becoming unavailable).

A reservation of "any EVSE" is Part 5 feature R-2 (ReservationCtrlr.NonEvseSpecific true); a
station without it answers Rejected (TC_H_13_CS)."""

from __future__ import annotations

import itertools

from chargeyard.conformance.endings import NotActed, NotApplicable
from chargeyard.conformance.exchanges import present
from chargeyard.conformance.station_under_test.answers import TagEntry
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201, availability
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.authorization import OTHER_TAG, quiet
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.triggers import InProcessStationTrigger
from chargeyard.conformance.verdicts import Weight

ENABLED = Var("ReservationCtrlr", "Enabled")
AVAILABLE = Var("ReservationCtrlr", "Available")
_UNKNOWN_IDS = itertools.count(900_001)


async def with_reservations(run: StationCaseV201) -> None:
    """The station reserves (ReservationCtrlr.Available, where it tells), enabled
    (ReservationCtrlr.Enabled true, if implemented); Part 6's general preconditions."""
    await run.ready()
    if await run.learnt(AVAILABLE) == "false":
        raise NotApplicable("the station does not reserve (ReservationCtrlr.Available)")
    await run.set_if_present(ENABLED, "true")


def other_token(run: StationCaseV201) -> str:
    """A valid token the reservation is not for, of no group (Part 6's valid_idtoken2)."""
    run.books.id_tags[OTHER_TAG] = TagEntry("Accepted")
    return OTHER_TAG


async def _charges(
    run: StationCaseV201, tag: str, reservation: int | None = None, *, freed: bool = False
) -> None:
    """Reusable States Authorized (``tag``) and EnergyTransferStarted; with ``reservation``,
    the transaction says it used it (and, ``freed``, the connector is Available to the token
    once it is authorized, before the cable)."""
    since = run.mark()
    await run.authorized(tag=tag)
    if freed:
        await run.connector_status("Available", 1, 1, since=since)
    session = await run.energy_transfer_started()
    if reservation is not None:
        run.log.check(
            "the reservation's token starts a transaction on the reserved EVSE (H03.FR.01)",
            session.transaction_id is not None,
            expected="a transaction",
            observed=session.transaction_id,
        )
        carried = [
            item.payload.get("reservationId")
            for item in run.peer.received("TransactionEvent", since=since)
            if "reservationId" in item.payload
        ]
        run.log.check(
            f"a TransactionEvent carries reservationId {reservation} (H01.FR.15)",
            reservation in carried,
            weight=Weight.SPEC,
            expected=reservation,
            observed=carried or "none",
        )


# -- H01 an EVSE -----------------------------------------------------------------------------


@case("TC_H_01_CS")
async def reserved_then_used(run: StationCaseV201) -> None:
    """Reserved for a token, which is then presented: the connector is Available again for
    it, and the transaction starts and says which reservation it used (H03.FR.01, H01.FR.15,
    H03.FR.09, H03.FR.10)."""
    await with_reservations(run)
    reservation = await run.reserved(1, run.tags.valid)
    await _charges(run, run.tags.valid, reservation, freed=True)


@case("TC_H_02_CS")
async def reserved_other_token(run: StationCaseV201) -> None:
    """Reserved for a token, the EV plugged in: another token does not charge there (H03),
    and a remote start of it is Rejected (F01.FR.22)."""
    await with_reservations(run)
    await run.reserved(1, run.tags.valid)
    await run.ev_connected_pre_session()
    other = other_token(run)
    run.step(f"{other}, not the reservation's, is presented: no energy")
    try:
        await run.present(other)
    except NotActed as error:
        # chargeyard's own station, in this process, refuses the card at its reader.
        if not isinstance(run.target.trigger, InProcessStationTrigger):
            raise
        run.log.check(
            "the station refuses the token at its reader",
            True,
            expected="no energy",
            observed=str(error),
        )
    await run.absent(
        "TransactionEvent",
        quiet(run),
        "another token does not charge on a reserved EVSE (H03)",
        where=lambda r: (
            present(r.payload.get("transactionInfo")).get("chargingState") == "Charging"
        ),
        since=run.step_began,
    )
    run.step(f"RequestStartTransaction of {other} on the EVSE: Rejected (F01.FR.22)")
    await run.order(
        "RequestStartTransaction",
        {"idToken": {"idToken": other, "type": "ISO14443"}, "evseId": 1, "remoteStartId": 77},
        "Rejected",
    )


@case("TC_H_03_CS")
async def reserved_again(run: StationCaseV201) -> None:
    """ReserveNow of an EVSE already reserved: Occupied (H01.FR.11)."""
    await with_reservations(run)
    await run.reserved(1, run.tags.valid)
    await run.reserved(1, run.tags.second, expected="Occupied")


@case("TC_H_04_CS")
async def reserved_while_charging(run: StationCaseV201) -> None:
    """ReserveNow of an EVSE in use: Occupied (H01.FR.13)."""
    await with_reservations(run)
    await run.energy_transfer_started()
    await run.reserved(1, run.tags.second, expected="Occupied")


@case("TC_H_06_CS")
async def reserved_unavailable(run: StationCaseV201) -> None:
    """ReserveNow of an Unavailable EVSE: Unavailable (H01.FR.14)."""
    await with_reservations(run)
    await run.unavailable(1)
    await run.reserved(1, run.tags.second, expected="Unavailable")


@case("TC_H_07_CS")
async def reservation_expires(run: StationCaseV201) -> None:
    """A reservation reaches its expiryDateTime: the connector is Available again,
    ReservationStatusUpdate Expired (H04.FR.01-03); then anyone charges."""
    await with_reservations(run)
    expiry = max(2.0, run.step_s / 2)
    reservation = await run.reserved(1, run.tags.valid, expiry_s=expiry)
    run.step("The reservation expires: Available, ReservationStatusUpdate (Expired)")
    await run.connector_status("Available", 1, 1, within=expiry + run.step_s)
    update = await run.expect("ReservationStatusUpdate", within=run.step_s)
    run.log.check(
        f"it names reservation {reservation}, Expired",
        (update.payload.get("reservationId"), update.payload.get("reservationUpdateStatus"))
        == (reservation, "Expired"),
        weight=Weight.SPEC,
        expected=(reservation, "Expired"),
        observed=(
            update.payload.get("reservationId"),
            update.payload.get("reservationUpdateStatus"),
        ),
    )
    run.forget(f"reservation {reservation}")
    await _charges(run, other_token(run))


@case("TC_H_17_CS")
async def reservation_cancelled(run: StationCaseV201) -> None:
    """CancelReservation of a reservation: Accepted, the connector Available (H02.FR.02)."""
    await with_reservations(run)
    reservation = await run.reserved(1, run.tags.valid)
    run.step("CancelReservation: Accepted, the connector Available")
    await run.order("CancelReservation", {"reservationId": reservation}, "Accepted")
    run.forget(f"reservation {reservation}")
    await run.connector_status("Available", 1, 1)


@case("TC_H_18_CS")
async def cancel_unknown(run: StationCaseV201) -> None:
    """CancelReservation of a reservation the station does not have: Rejected (H02.FR.01)."""
    await with_reservations(run)
    run.step("CancelReservation of an unknown reservation: Rejected")
    await run.order("CancelReservation", {"reservationId": next(_UNKNOWN_IDS)}, "Rejected")


@case("TC_H_19_CS")
async def reserved_for_a_group(run: StationCaseV201) -> None:
    """Reserved for a token and its group: another token of the group charges there
    (H03.FR.04, H03.FR.08, H01.FR.15)."""
    await with_reservations(run)
    reservation = await run.reserved(1, run.tags.valid, group=run.tags.group)
    await _charges(run, run.tags.second, reservation)


@case("TC_H_21_CS")
async def reservation_removed_when_unavailable(run: StationCaseV201) -> None:
    """The reserved EVSE made Inoperative: Unavailable, ReservationStatusUpdate Removed
    (H01.FR.17); Operative again it is Available to anyone."""
    await with_reservations(run)
    reservation = await run.reserved(1, run.tags.valid)
    payload, where = availability(1, None, "Inoperative")
    run.step(f"ChangeAvailability Inoperative of {where}: Unavailable, the reservation Removed")
    await run.order("ChangeAvailability", payload, "Accepted")
    for evse_id, connector_id in run.concerned(1, None):
        await run.connector_status("Unavailable", evse_id, connector_id)
    update = await run.expect("ReservationStatusUpdate")
    run.log.check(
        f"it names reservation {reservation}, Removed",
        (update.payload.get("reservationId"), update.payload.get("reservationUpdateStatus"))
        == (reservation, "Removed"),
        weight=Weight.SPEC,
        expected=(reservation, "Removed"),
        observed=(
            update.payload.get("reservationId"),
            update.payload.get("reservationUpdateStatus"),
        ),
    )
    run.forget(f"reservation {reservation}")
    back, _ = availability(1, None, "Operative")
    run.step(f"ChangeAvailability Operative of {where}: Available")
    await run.order("ChangeAvailability", back, "Accepted")
    for evse_id, connector_id in run.concerned(1, None):
        await run.connector_status("Available", evse_id, connector_id)
    await _charges(run, other_token(run))


@case("TC_H_22_CS")
async def reservations_disabled(run: StationCaseV201) -> None:
    """ReservationCtrlr.Enabled false: ReserveNow is Rejected (H01.FR.01)."""
    await run.ready()
    run.step("ReservationCtrlr.Enabled is false")
    await run.set_variable(ENABLED, "false", optional=True)
    await run.reserved(1, run.tags.valid, expected="Rejected")


@case("TC_H_23_CS")
async def reservation_replaced(run: StationCaseV201) -> None:
    """ReserveNow under the id of a reservation: it replaces it (H01.FR.02); the new token
    charges there."""
    await with_reservations(run)
    reservation = await run.reserved(1, run.tags.valid)
    other = other_token(run)
    # The connector stays Reserved: its StatusNotification came with the first reservation.
    await run.reserved(1, other, reservation_id=reservation, reports=False)
    await _charges(run, other, reservation)


# -- H01 any EVSE, a connector type (R-2) -----------------------------------------------------


@case("TC_H_08_CS")
async def any_evse_reserved(run: StationCaseV201) -> None:
    """ReserveNow without evseId: Accepted (H01.FR.04); a station of one EVSE reserves it
    (H01.FR.07, errata); the token charges (H03.FR.03, H01.FR.15)."""
    await with_reservations(run)
    reservation = await run.reserved(None, run.tags.valid)
    if len(run.evses()) == 1:
        await run.connector_status("Reserved", 1, 1)
    await _charges(run, run.tags.valid, reservation)


async def _every_evse_reserved(run: StationCaseV201) -> None:
    tokens = [f"CY-TAG-R{evse}" for evse in run.evses()]
    for evse, tag in zip(run.evses(), tokens, strict=True):
        await run.reserved(evse, tag)


@case("TC_H_09_CS")
async def any_evse_all_reserved(run: StationCaseV201) -> None:
    """Every EVSE reserved: ReserveNow without evseId is Occupied (H01.FR.11)."""
    await with_reservations(run)
    await _every_evse_reserved(run)
    await run.reserved(None, run.tags.valid, expected="Occupied")


@case("TC_H_10_CS")
async def any_evse_all_charging(run: StationCaseV201) -> None:
    """Every EVSE charging: ReserveNow without evseId is Occupied (H01.FR.13)."""
    await with_reservations(run)
    for evse in run.evses():
        await run.energy_transfer_started(evse)
    await run.reserved(None, run.tags.second, expected="Occupied")


@case("TC_H_12_CS")
async def any_evse_unavailable(run: StationCaseV201) -> None:
    """The station Unavailable: ReserveNow without evseId is Unavailable (H01.FR.14)."""
    await with_reservations(run)
    await run.unavailable()
    await run.reserved(None, run.tags.valid, expected="Unavailable")


@case("TC_H_13_CS")
async def any_evse_not_supported(run: StationCaseV201) -> None:
    """ReservationCtrlr.NonEvseSpecific false (or absent): ReserveNow without evseId is
    Rejected (H01.FR.19)."""
    await with_reservations(run)
    if await run.learnt(Var("ReservationCtrlr", "NonEvseSpecific")) == "true":
        raise NotApplicable("the station reserves any EVSE (NonEvseSpecific true)")
    await run.reserved(None, run.tags.valid, expected="Rejected")


@case("TC_H_14_CS")
async def any_evse_as_many_as_evses(run: StationCaseV201) -> None:
    """As many reservations without evseId as EVSEs, each Accepted: then every connector is
    Reserved (H01.FR.20)."""
    await with_reservations(run)
    for evse in run.evses():
        await run.reserved(None, f"CY-TAG-R{evse}")
    for evse_id, connector_id in run.connectors():
        await run.connector_status("Reserved", evse_id, connector_id)


@case("TC_H_15_CS")
async def connector_type_reserved(run: StationCaseV201) -> None:
    """ReserveNow of a connector type: Accepted (H01.FR.06); the only connector of the type
    is Reserved (H01.FR.09); the token charges (H03.FR.02, H01.FR.15)."""
    await with_reservations(run)
    kind = await run.learnt(Var("Connector", "ConnectorType", evse=1, connector=1))
    if kind is None:
        raise NotApplicable("the station does not tell its connector's type")
    reservation = await run.reserved(None, run.tags.valid, connector_type=kind)
    same = [
        (evse, connector)
        for evse, connector in run.connectors()
        if await run.learnt(Var("Connector", "ConnectorType", evse=evse, connector=connector))
        == kind
    ]
    if len(same) == 1:
        await run.connector_status("Reserved", *same[0])
    await _charges(run, run.tags.valid, reservation)


@case("TC_H_16_CS")
async def connector_type_all_reserved(run: StationCaseV201) -> None:
    """Every EVSE reserved: ReserveNow of a connector type is Occupied (H01.FR.11)."""
    await with_reservations(run)
    kind = await run.learnt(Var("Connector", "ConnectorType", evse=1, connector=1))
    if kind is None:
        raise NotApplicable("the station does not tell its connector's type")
    await _every_evse_reserved(run)
    await run.reserved(None, run.tags.valid, connector_type=kind, expected="Occupied")


@case("TC_H_24_CS")
async def any_evse_for_a_group(run: StationCaseV201) -> None:
    """ReserveNow without evseId for a token and its group: Accepted; another token of the
    group charges (H03.FR.06)."""
    await with_reservations(run)
    reservation = await run.reserved(None, run.tags.valid, group=run.tags.group)
    if len(run.evses()) == 1:
        await run.connector_status("Reserved", 1, 1)
    await _charges(run, run.tags.second, reservation)
