"""OCPP 1.6 Charge Point cases of the Reservation profile: a connector or the whole Charge
Point reserved and used (locally or remotely, by the tag or one of its group), expiring,
cancelled, and refused as Faulted, Occupied, Unavailable or Rejected (1.6 sections 3.11, 5.1,
5.13, 7.40, 9.3)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from chargeyard import loop_clock
from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import Doc, case, table
from chargeyard.conformance.station_under_test.cases_v16.remote import _remote_start
from chargeyard.conformance.station_under_test.cases_v16.sessions import short
from chargeyard.conformance.station_under_test.triggers import StationAct, Verb
from chargeyard.protocol.messages import v16

PROFILE = "Reservation"
_IDS = itertools.count(7001)


def _in(seconds: float) -> str:
    moment = loop_clock.now() + timedelta(seconds=seconds)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


async def reserve(
    run: StationCaseV16,
    connector: int,
    expected: str = "Accepted",
    *,
    tag: str | None = None,
    parent: str | None = None,
    expires_in: float = 1800.0,
) -> int:
    """ReserveNow of ``connector`` for ``tag`` (section 5.13), answered ``expected``; an
    accepted reservation is cancelled when the case ends (unless used). Returns its id."""
    reservation_id = next(_IDS)
    payload: v16.ReserveNowRequest = {
        "connectorId": connector,
        "expiryDate": _in(expires_in),
        "idTag": tag or run.tags.valid,
        "reservationId": reservation_id,
    }
    if parent is not None:
        payload["parentIdTag"] = parent

    async def cancel() -> None:
        await run.ask("CancelReservation", {"reservationId": reservation_id})

    run.on_close(f"reservation {reservation_id}", cancel)
    await run.order("ReserveNow", payload, expected)
    return reservation_id


async def _zero_supported(run: StationCaseV16) -> bool:
    value = await run.learnt("ReserveConnectorZeroSupported")
    return value is not None and value.lower() == "true"


async def _needs_zero(run: StationCaseV16) -> None:
    if not await _zero_supported(run):
        raise NotApplicable(
            "the station does not reserve connector 0 (ReserveConnectorZeroSupported)"
        )


async def _reserved_then_used(
    run: StationCaseV16, connector: int, remote: bool, by_group: bool = False
) -> None:
    """A reservation for the tag (or its group), then a session of the tag (or another of
    the group): StartTransaction names the reservation (sections 4.8, 5.13)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    if connector == 0:
        await _needs_zero(run)
    owner = run.tags.valid
    user = run.tags.second if by_group else owner
    parent = run.tags.group if by_group else None
    whom = f"{owner} (group {parent})" if by_group else owner
    run.step(f"The Central System reserves connector {connector} for {whom}: Accepted")
    reservation_id = await reserve(run, connector, tag=owner, parent=parent)
    if connector > 0:
        await run.status(connector, "Reserved")
    how = "the Central System starts a transaction for" if remote else "the driver presents"
    run.step(f"The EV is plugged in and {how} {user}: StartTransaction of the reservation")
    await run.plug()
    if remote:
        await _remote_start(run, user)
    else:
        await run.present(user)
    transaction_id = await run.expect_start(user, reservation_id=reservation_id)
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, user)


table(_reserved_then_used)(
    {
        "TC_046_1_CS": (1, False, False),
        "TC_046_2_CS": (1, True, False),
        "TC_049_CS": Doc(
            "A reservation of connector 0 (the Charge Point, where "
            "ReserveConnectorZeroSupported), then the reserved tag's session (1.6 section "
            "5.13).",
            0,
            False,
            False,
        ),
        "TC_053_1_CS": Doc(
            "A reservation with a parentIdTag is used by another tag of that group (1.6 "
            'section 5.13: "... or an idTag with the same parentIdTag").',
            1,
            False,
            True,
        ),
        "TC_053_2_CS": (1, True, True),
    },
)


@case("TC_047_CS")
async def reservation_expires(run: StationCaseV16) -> None:
    """A reservation whose expiryDate passes: the connector is Available again (1.6 section
    5.13)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    expires = short(run)
    run.step(f"The Central System reserves connector 1 for {expires} s: Reserved")
    await reserve(run, 1, expires_in=expires)
    await run.status(1, "Reserved")
    run.step("The reservation expires: Available")
    await run.status(1, "Available", within=expires + run.step_s)


@case("TC_051_CS")
async def cancel_reservation(run: StationCaseV16) -> None:
    """CancelReservation of a reservation: Accepted, the connector Available (1.6 section
    5.1)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.step("The Central System reserves connector 1: Reserved")
    reservation_id = await reserve(run, 1)
    await run.status(1, "Reserved")
    run.step("The Central System cancels it: Accepted, Available")
    await run.order("CancelReservation", {"reservationId": reservation_id}, "Accepted")
    run.forget(f"reservation {reservation_id}")
    await run.status(1, "Available")


@case("TC_052_CS")
async def cancel_reservation_rejected(run: StationCaseV16) -> None:
    """CancelReservation of a reservation the station does not have: Rejected (1.6 section
    5.1)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.step("The Central System cancels a reservation that does not exist: Rejected")
    await run.order("CancelReservation", {"reservationId": 999999}, "Rejected")


async def _refused_faulted(run: StationCaseV16, connector: int) -> None:
    run.step("Connector 1 fails: Faulted")
    await run.act(StationAct(Verb.INJECT_FAULT, error_code="OtherError"))
    await run.status(1, "Faulted", error_code="OtherError")
    run.step(f"The Central System reserves connector {connector}: Faulted")
    await reserve(run, connector, "Faulted")
    run.step("The fault is repaired: Available")
    await run.act(StationAct(Verb.CLEAR_FAULT))
    await run.status(1, "Available")


async def _refused_occupied(run: StationCaseV16, connector: int) -> None:
    transaction_id = await run.session()
    run.step(f"The Central System reserves connector {connector}: Occupied")
    await reserve(run, connector, "Occupied")
    await run.stop_by_tag(transaction_id, run.tags.valid)


async def _refused_unavailable(run: StationCaseV16, connector: int) -> None:
    async def operative() -> None:
        await run.ask("ChangeAvailability", {"connectorId": connector, "type": "Operative"})

    run.on_close(f"connector {connector} operative", operative)
    run.step(f"Connector {connector} is made Inoperative: Unavailable")
    await run.order(
        "ChangeAvailability", {"connectorId": connector, "type": "Inoperative"}, "Accepted"
    )
    await run.status(1, "Unavailable")
    run.step(f"The Central System reserves connector {connector}: Unavailable")
    await reserve(run, connector, "Unavailable")
    run.step("Operative again: Available")
    await run.order(
        "ChangeAvailability", {"connectorId": connector, "type": "Operative"}, "Accepted"
    )
    run.forget(f"connector {connector} operative")
    await run.status(1, "Available")


async def _refused(run: StationCaseV16, connector: int, status: str) -> None:
    """ReserveNow refused with ``status`` (section 7.40), each made so by the case."""
    await run.ready()
    await run.requires_profile(PROFILE)
    if connector == 0:
        await _needs_zero(run)
    if status == "Faulted":
        await _refused_faulted(run, connector)
    elif status == "Occupied":
        await _refused_occupied(run, connector)
    else:
        await _refused_unavailable(run, connector)


table(_refused)(
    {
        "TC_048_1_CS": (1, "Faulted"),
        "TC_048_2_CS": (1, "Occupied"),
        "TC_048_3_CS": (1, "Unavailable"),
        "TC_050_1_CS": (0, "Faulted"),
        "TC_050_2_CS": (0, "Occupied"),
        "TC_050_3_CS": (0, "Unavailable"),
    },
)


@case("TC_048_4_CS")
async def reserve_connector_rejected(run: StationCaseV16) -> None:
    """A reservation no station can take, one already expired: Rejected (1.6 section 7.40;
    a station configured not to accept reservations answers so too)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.step("The Central System reserves connector 1 until a moment past: Rejected")
    await reserve(run, 1, "Rejected", expires_in=-60)


@case("TC_050_4_CS")
async def reserve_charge_point_rejected(run: StationCaseV16) -> None:
    """A reservation of connector 0 where ReserveConnectorZeroSupported is false (or, where
    it is true, one already expired): Rejected (1.6 sections 5.13, 7.40)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    if await _zero_supported(run):
        run.step("The Central System reserves connector 0 until a moment past: Rejected")
        await reserve(run, 0, "Rejected", expires_in=-60)
        return
    run.step("The Central System reserves connector 0, which the station does not: Rejected")
    await reserve(run, 0, "Rejected")
