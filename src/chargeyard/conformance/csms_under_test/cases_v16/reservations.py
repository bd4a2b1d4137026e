"""OCPP 1.6 Central System cases of the Reservation profile (1.6 sections 3.11, 5.1, 5.13):
a connector or the whole charge point reserved, used, left to expire, refused and cancelled."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case import CsmsCase, later, now
from chargeyard.conformance.csms_under_test.cases_v16._registry import case, table
from chargeyard.conformance.endings import CaseEnded
from chargeyard.protocol.messages import v16

RESERVATION_ID = 4711


async def _reserve(run: CsmsCase, tag: str, answer: str, *, parent: str | None = None) -> None:
    """ReserveNow of connector 1 for ``tag`` (1.6 section 5.13), with ``parent`` as its
    parentIdTag if given, answered ``answer``; an accepted reservation makes the connector
    Reserved."""
    run.log.step("The Central System reserves connector 1")
    wanted: dict[str, object] = {"connectorId": 1, "idTag": tag, "reservationId": RESERVATION_ID}
    words = f"reserve connector 1 for {tag} (reservation {RESERVATION_ID}, 30 minutes)"
    if parent is not None:
        wanted["parentIdTag"] = parent
        words += f" with parent id tag {parent}"
    payload: v16.ReserveNowRequest = {
        "connectorId": 1,
        "idTag": tag,
        "reservationId": RESERVATION_ID,
        "expiryDate": later(30),
    }
    if parent is not None:
        payload["parentIdTag"] = parent
    call = await run.order("ReserveNow", payload, words)
    observed = {name: call.payload.get(name) for name in wanted}
    run.log.check(
        "ReserveNow names the connector, the tag"
        + (", its parent" if parent is not None else "")
        + " and the reservation",
        observed == wanted,
        expected=wanted,
        observed=call.payload,
    )
    await run.answered(call, {"status": answer})
    if answer == "Accepted":
        await run.status(1, "Reserved")


async def _reserved_start(run: CsmsCase, tag: str) -> int:
    """StartTransaction of ``tag`` on the reserved connector, naming the reservation; it
    must be accepted with a transactionId, which is returned."""
    answer = await run.call(
        "StartTransaction",
        {
            "connectorId": 1,
            "idTag": tag,
            "meterStart": 0,
            "timestamp": now(),
            "reservationId": RESERVATION_ID,
        },
    )
    transaction_id = answer.get("transactionId")
    if not run.log.check(
        "StartTransaction of a reservation is accepted with a transactionId",
        answer.get("idTagInfo", {}).get("status") == "Accepted" and isinstance(transaction_id, int),
        expected="Accepted, a transactionId",
        observed=answer,
    ):
        raise CaseEnded("the reserved start was not accepted")
    assert isinstance(transaction_id, int)
    await run.status(1, "Charging")
    return transaction_id


@case("TC_046_CSMS")
async def reservation_then_transaction(run: CsmsCase) -> None:
    tag = await run.tag("Accepted")
    await run.booted()
    await _reserve(run, tag, "Accepted")
    run.log.step("The driver comes: Authorize, Preparing, StartTransaction of the reservation")
    await run.authorize(tag)
    await run.status(1, "Preparing")
    transaction_id = await _reserved_start(run, tag)
    await run.finish(transaction_id, "Local", tag)


@case("TC_047_CSMS")
async def reservation_expires(run: CsmsCase) -> None:
    tag = await run.tag("Accepted")
    await run.booted()
    await _reserve(run, tag, "Accepted")
    run.log.step("Nobody comes: the reservation expires and the connector is Available")
    await run.status(1, "Available")


async def _reservation_refused(run: CsmsCase, answer: str) -> None:
    tag = await run.tag("Accepted")
    await run.booted()
    await _reserve(run, tag, answer)
    run.log.step("The connection stays usable: Heartbeat")
    await run.call("Heartbeat", {})


table(_reservation_refused)(
    {
        "TC_048_1_CSMS": ("Faulted",),
        "TC_048_2_CSMS": ("Occupied",),
        "TC_048_3_CSMS": ("Unavailable",),
        "TC_048_4_CSMS": ("Rejected",),
    },
)


async def _cancel(run: CsmsCase, answer: str) -> None:
    """CancelReservation (1.6 section 5.1) of the reservation made, answered ``answer``."""
    tag = await run.tag("Accepted")
    await run.booted()
    await _reserve(run, tag, "Accepted")
    run.log.step("The Central System cancels the reservation")
    call = await run.order(
        "CancelReservation",
        {"reservationId": RESERVATION_ID},
        f"cancel reservation {RESERVATION_ID}",
    )
    run.log.check(
        "CancelReservation names the reservation made",
        call.payload.get("reservationId") == RESERVATION_ID,
        expected=RESERVATION_ID,
        observed=call.payload.get("reservationId"),
    )
    await run.answered(call, {"status": answer})
    if answer == "Accepted":
        await run.status(1, "Available")


table(_cancel)(
    {
        "TC_051_CSMS": ("Accepted",),
        "TC_052_CSMS": ("Rejected",),
    },
)


@case("TC_049_CSMS")
async def reservation_of_the_charge_point(run: CsmsCase) -> None:
    """ReserveNow of connector 0, the whole charge point (1.6 section 5.13)."""
    tag = await run.tag("Accepted")
    await run.booted()
    run.log.step("The Central System reserves the charge point (connector 0)")
    call = await run.order(
        "ReserveNow",
        {"connectorId": 0, "expiryDate": later(30), "idTag": tag, "reservationId": RESERVATION_ID},
        f"reserve the whole charge point for {tag} (reservation {RESERVATION_ID})",
    )
    run.log.check(
        "ReserveNow names connector 0",
        call.payload.get("connectorId") == 0,
        expected=0,
        observed=call.payload.get("connectorId"),
    )
    await run.answered(call, {"status": "Accepted"})
    run.log.step("The driver comes and charges")
    await run.authorize(tag)
    await run.status(1, "Preparing")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)


@case("TC_053_CSMS")
async def reserved_connector_with_parent(run: CsmsCase) -> None:
    """A reservation for a tag with a parent id tag is used by another tag of the same
    parent: the Central System names the parent in ReserveNow, and in the answer to the
    other tag's Authorize, by which the station matches the reservation (1.6 sections 3.10,
    5.13)."""
    group = run.tags.group
    reserved = await run.grouped_tag(run.tags.valid, group)
    comes = await run.grouped_tag(run.tags.valid2, group)
    await run.booted()
    await _reserve(run, reserved, "Accepted", parent=group)
    run.log.step(f"Another tag of parent {group} comes: Authorize, Preparing, StartTransaction")
    answer = await run.call("Authorize", {"idTag": comes})
    info = answer.get("idTagInfo", {})
    run.log.check(
        f"Authorize of {comes} is answered Accepted",
        info.get("status") == "Accepted",
        expected="Accepted",
        observed=info.get("status"),
    )
    run.log.check(
        f"Authorize of {comes} names its parent id tag {group}",
        info.get("parentIdTag") == group,
        expected=group,
        observed=info.get("parentIdTag"),
    )
    await run.status(1, "Preparing")
    transaction_id = await _reserved_start(run, comes)
    await run.finish(transaction_id, "Local", comes)
