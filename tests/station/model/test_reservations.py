"""Reservations: ReserveNow and CancelReservation (1.6 sections 3.11, 5.1, 5.13, 7.40; 2.0.1
H01-H04), their expiry and their use by a starting transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.station.model.authorization import IdToken
from chargeyard.station.model.reservations import Reservation, ReservationBook, ReserveStatus

R = ReserveStatus
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)
ALICE, BOB = IdToken("A11CE"), IdToken("B0B")
IDLE: Mapping[int, str] = {0: "Available", 1: "Available", 2: "Available"}


def reservation(
    rid: int = 1,
    evse: int | None = 1,
    token: IdToken = ALICE,
    *,
    parent: str | None = None,
    expires: datetime = LATER,
    connector_type: str | None = None,
) -> Reservation:
    return Reservation(rid, evse, connector_type, token, parent, expires)


def states(**by_connector: str) -> dict[int, str]:
    """``states(c1="Charging")``: IDLE with some connectors changed."""
    return {**IDLE, **{int(key[1:]): value for key, value in by_connector.items()}}


def book(*, enabled: bool = True, unspecified_supported: bool = False) -> ReservationBook:
    return ReservationBook(enabled=enabled, unspecified_supported=unspecified_supported)


# --- reserving ---------------------------------------------------------------------------------


def test_h01_reserve_an_available_connector() -> None:
    reservations = book()
    assert reservations.reserve(reservation(), now=NOW, connector_states=IDLE) is R.ACCEPTED
    assert reservations.reservations == (reservation(),)
    assert reservations.for_evse(1) == reservation()
    assert reservations.for_evse(2) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Faulted", R.FAULTED),
        ("Unavailable", R.UNAVAILABLE),
        ("Preparing", R.OCCUPIED),
        ("Charging", R.OCCUPIED),
        ("SuspendedEV", R.OCCUPIED),
        ("SuspendedEVSE", R.OCCUPIED),
        ("Finishing", R.OCCUPIED),
    ],
)
def test_5_13_reserve_a_connector_that_is_not_available(status: str, expected: R) -> None:
    reservations = book()
    assert (
        reservations.reserve(reservation(), now=NOW, connector_states=states(c1=status)) is expected
    )
    assert len(reservations) == 0


@pytest.mark.parametrize(
    ("status", "expected"), [("Faulted", R.FAULTED), ("Unavailable", R.UNAVAILABLE)]
)
def test_5_13_reserve_while_the_charge_point_is_not_available(status: str, expected: R) -> None:
    reservations = book(unspecified_supported=True)
    assert (
        reservations.reserve(reservation(), now=NOW, connector_states=states(c0=status)) is expected
    )
    assert (
        reservations.reserve(reservation(evse=None), now=NOW, connector_states=states(c0=status))
        is expected
    )


@pytest.mark.parametrize("token", [ALICE, BOB])
def test_5_13_connector_reserved_for_the_same_or_another_tag_is_occupied(token: IdToken) -> None:
    reservations = book()
    reservations.reserve(reservation(1), now=NOW, connector_states=IDLE)
    shown = states(c1="Reserved")
    assert (
        reservations.reserve(reservation(2, token=token), now=NOW, connector_states=shown)
        is R.OCCUPIED
    )
    assert reservations.reservations == (reservation(1),)


def test_5_13_reservation_replaced_by_same_id() -> None:
    reservations = book()
    reservations.reserve(reservation(7, evse=1), now=NOW, connector_states=IDLE)
    moved = reservation(7, evse=2, token=BOB, expires=LATER + timedelta(hours=1))
    assert (
        reservations.reserve(moved, now=NOW, connector_states=states(c1="Reserved")) is R.ACCEPTED
    )
    assert reservations.reservations == (moved,)
    # The same connector again, with a new expiry: the old one does not block it.
    longer = reservation(7, evse=2, token=BOB, expires=LATER + timedelta(hours=2))
    assert (
        reservations.reserve(longer, now=NOW, connector_states=states(c2="Reserved")) is R.ACCEPTED
    )
    assert reservations.reservations == (longer,)


def test_5_13_refused_replacement_keeps_the_old_reservation() -> None:
    reservations = book()
    reservations.reserve(reservation(7, evse=1), now=NOW, connector_states=IDLE)
    shown = states(c1="Reserved", c2="Faulted")
    assert (
        reservations.reserve(reservation(7, evse=2), now=NOW, connector_states=shown) is R.FAULTED
    )
    assert reservations.reservations == (reservation(7, evse=1),)


def test_7_40_station_not_taking_reservations_rejects() -> None:
    reservations = book(enabled=False)
    assert reservations.reserve(reservation(), now=NOW, connector_states=IDLE) is R.REJECTED


def test_h01_unknown_connector_is_rejected() -> None:
    assert book().reserve(reservation(evse=3), now=NOW, connector_states=IDLE) is R.REJECTED


def test_reservation_expired_on_arrival_is_rejected() -> None:
    reservations = book()
    assert (
        reservations.reserve(reservation(expires=NOW), now=NOW, connector_states=IDLE) is R.REJECTED
    )


def test_reservation_for_evse_0_is_one_for_no_specific_evse() -> None:
    assert reservation(evse=0) == reservation(evse=None)
    with pytest.raises(ValueError, match="negative"):
        reservation(evse=-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        reservation(expires=datetime(2026, 3, 1, 13, 0))


# --- connector 0 / no specific EVSE ------------------------------------------------------------


def test_9_3_1_connector_0_without_reserve_connector_zero_supported_is_rejected() -> None:
    reservations = book(unspecified_supported=False)
    assert reservations.reserve(reservation(evse=0), now=NOW, connector_states=IDLE) is R.REJECTED
    assert len(reservations) == 0


def test_5_13_connector_0_reservation_keeps_one_connector_available() -> None:
    reservations = book(unspecified_supported=True)
    assert (
        reservations.reserve(reservation(1, evse=0), now=NOW, connector_states=IDLE) is R.ACCEPTED
    )
    # A second one still finds a connector of its own ...
    assert (
        reservations.reserve(reservation(2, evse=0, token=BOB), now=NOW, connector_states=IDLE)
        is R.ACCEPTED
    )
    # ... a third does not, and neither does a reservation of a specific connector.
    assert (
        reservations.reserve(reservation(3, evse=0), now=NOW, connector_states=IDLE) is R.OCCUPIED
    )
    assert (
        reservations.reserve(reservation(4, evse=2), now=NOW, connector_states=IDLE) is R.OCCUPIED
    )
    assert [r.id for r in reservations.reservations] == [1, 2]


def test_5_13_connector_0_reservation_blocks_a_specific_one_that_would_take_the_last() -> None:
    reservations = book(unspecified_supported=True)
    reservations.reserve(reservation(1, evse=0), now=NOW, connector_states=IDLE)
    busy = states(c2="Charging")
    assert (
        reservations.reserve(reservation(2, evse=1, token=BOB), now=NOW, connector_states=busy)
        is R.OCCUPIED
    )


@pytest.mark.parametrize(
    ("c1", "c2", "expected"),
    [
        ("Charging", "Preparing", R.OCCUPIED),
        ("Faulted", "Faulted", R.FAULTED),
        ("Unavailable", "Faulted", R.UNAVAILABLE),
        ("Charging", "Faulted", R.OCCUPIED),
    ],
)
def test_7_40_connector_0_reservation_without_a_free_connector(
    c1: str, c2: str, expected: R
) -> None:
    reservations = book(unspecified_supported=True)
    shown = states(c1=c1, c2=c2)
    assert reservations.reserve(reservation(evse=0), now=NOW, connector_states=shown) is expected


def test_connectors_shown_reserved_for_connector_0_reservations_still_count_as_free() -> None:
    reservations = book(unspecified_supported=True)
    reservations.reserve(reservation(1, evse=0), now=NOW, connector_states=IDLE)
    # The station shows both connectors Reserved; one of them is still free for another.
    shown = states(c1="Reserved", c2="Reserved")
    assert (
        reservations.reserve(reservation(2, evse=0, token=BOB), now=NOW, connector_states=shown)
        is R.ACCEPTED
    )


def test_h01_connector_type_reservation_needs_an_evse_of_that_type() -> None:
    reservations = ReservationBook(
        unspecified_supported=True, connector_types={1: {"cType2"}, 2: {"cCCS2"}}
    )
    ccs = reservation(1, evse=None, connector_type="cCCS2")
    assert reservations.reserve(ccs, now=NOW, connector_states=IDLE) is R.ACCEPTED
    another_ccs = reservation(2, evse=None, token=BOB, connector_type="cCCS2")
    assert reservations.reserve(another_ccs, now=NOW, connector_states=IDLE) is R.OCCUPIED
    chademo = reservation(3, evse=None, connector_type="cChaoJi")
    assert reservations.reserve(chademo, now=NOW, connector_states=IDLE) is R.REJECTED
    # EVSE 1 (Type 2 only) may still be reserved; EVSE 2 is the CCS reservation's last one.
    assert (
        reservations.reserve(reservation(4, evse=1, token=BOB), now=NOW, connector_states=IDLE)
        is R.ACCEPTED
    )
    assert (
        reservations.reserve(reservation(5, evse=2, token=BOB), now=NOW, connector_states=IDLE)
        is R.OCCUPIED
    )
    wrong_type = reservation(6, evse=2, token=BOB, connector_type="cType2")
    assert (
        ReservationBook(connector_types={1: {"cType2"}, 2: {"cCCS2"}}).reserve(
            wrong_type, now=NOW, connector_states=IDLE
        )
        is R.REJECTED
    )


# --- cancelling, expiring, dropping -------------------------------------------------------------


def test_5_1_cancel_reservation() -> None:
    reservations = book()
    reservations.reserve(reservation(3), now=NOW, connector_states=IDLE)
    assert reservations.cancel(3) == reservation(3)
    assert reservations.cancel(3) is None
    assert len(reservations) == 0


def test_5_13_expire_removes_reservations_whose_expiry_is_reached() -> None:
    reservations = book(unspecified_supported=True)
    early, late = (
        reservation(1, evse=1, expires=LATER),
        reservation(2, evse=0, expires=LATER + timedelta(1)),
    )
    reservations.reserve(late, now=NOW, connector_states=IDLE)
    reservations.reserve(early, now=NOW, connector_states=IDLE)
    assert reservations.next_expiry() == LATER
    assert reservations.expire(LATER - timedelta(microseconds=1)) == []
    assert reservations.expire(LATER) == [early]  # at the instant of expiry it is over
    assert reservations.next_expiry() == late.expires_at
    assert reservations.expire(LATER + timedelta(days=2)) == [late]
    assert reservations.next_expiry() is None


def test_5_13_faulted_or_unavailable_connector_ends_its_reservation() -> None:
    reservations = book(unspecified_supported=True)
    reservations.reserve(reservation(1, evse=1), now=NOW, connector_states=IDLE)
    reservations.reserve(reservation(2, evse=0), now=NOW, connector_states=IDLE)
    assert reservations.drop_inoperative(states(c2="Faulted")) == []
    assert reservations.drop_inoperative(states(c1="Unavailable")) == [reservation(1, evse=1)]
    assert reservations.drop_inoperative(states(c0="Faulted")) == [reservation(2, evse=0)]
    assert len(reservations) == 0


# --- using a reservation -----------------------------------------------------------------------


def test_5_13_reserved_connector_refuses_other_tags() -> None:
    reservations = book()
    reservations.reserve(reservation(parent="FLEET"), now=NOW, connector_states=IDLE)
    shown = states(c1="Reserved")
    assert reservations.may_use(1, ALICE, None, NOW, connector_states=shown)
    assert reservations.may_use(1, IdToken("a11ce"), None, NOW, connector_states=shown)
    assert reservations.may_use(1, BOB, "fleet", NOW, connector_states=shown)  # same group
    assert not reservations.may_use(1, BOB, None, NOW, connector_states=shown)
    assert not reservations.may_use(1, BOB, "OTHER", NOW, connector_states=shown)
    assert reservations.may_use(2, BOB, None, NOW, connector_states=shown)


def test_3_10_a_group_id_is_not_compared_with_a_token_value() -> None:
    reservations = book()
    reservations.reserve(reservation(parent="B0B"), now=NOW, connector_states=IDLE)
    assert not reservations.may_use(1, BOB, None, NOW, connector_states=states(c1="Reserved"))


def test_reservation_without_a_group_admits_no_group() -> None:
    reservations = book()
    reservations.reserve(reservation(parent=None), now=NOW, connector_states=IDLE)
    assert not reservations.may_use(1, BOB, "FLEET", NOW, connector_states=states(c1="Reserved"))


def test_expired_reservation_no_longer_blocks_its_connector() -> None:
    reservations = book()
    reservations.reserve(reservation(), now=NOW, connector_states=IDLE)
    shown = states(c1="Reserved")
    assert not reservations.may_use(
        1, BOB, None, LATER - timedelta(seconds=1), connector_states=shown
    )
    assert reservations.may_use(1, BOB, None, LATER, connector_states=shown)


def test_5_13_connector_0_reservation_keeps_the_last_connector_for_its_tag() -> None:
    reservations = book(unspecified_supported=True)
    reservations.reserve(reservation(1, evse=0, parent="FLEET"), now=NOW, connector_states=IDLE)
    one_left = states(c1="Charging")
    assert not reservations.may_use(2, BOB, None, NOW, connector_states=one_left)
    assert reservations.may_use(2, ALICE, None, NOW, connector_states=one_left)
    assert reservations.may_use(2, BOB, "FLEET", NOW, connector_states=one_left)
    # With two connectors free, anyone may take one of them.
    assert reservations.may_use(2, BOB, None, NOW, connector_states=IDLE)


def test_5_13_consume_ends_the_reservation_of_the_connector() -> None:
    reservations = book()
    reservations.reserve(reservation(5, parent="FLEET"), now=NOW, connector_states=IDLE)
    assert reservations.consume(1, BOB, None) is None  # not this tag's
    assert reservations.consume(2, ALICE, None) is None  # not the reserved connector
    assert reservations.consume(1, BOB, "FLEET") == reservation(5, parent="FLEET")
    assert len(reservations) == 0


def test_5_13_consume_ends_the_earliest_connector_0_reservation_of_the_tag() -> None:
    reservations = book(unspecified_supported=True)
    three = states(c3="Available")
    middle = reservation(1, evse=0, expires=LATER + timedelta(minutes=5))
    soonest = reservation(2, evse=0)
    latest = reservation(3, evse=0, expires=LATER + timedelta(minutes=9))
    for each in (middle, soonest, latest):
        assert reservations.reserve(each, now=NOW, connector_states=three) is R.ACCEPTED
    assert reservations.consume(2, BOB, None) is None
    assert reservations.consume(2, ALICE, None) == soonest
    assert reservations.reservations == (middle, latest)


def test_h01_consume_takes_a_connector_type_reservation_only_on_a_matching_evse() -> None:
    reservations = ReservationBook(
        unspecified_supported=True, connector_types={1: {"cType2"}, 2: {"cCCS2"}}
    )
    ccs = reservation(1, evse=None, connector_type="cCCS2")
    reservations.reserve(ccs, now=NOW, connector_states=IDLE)
    assert reservations.consume(1, ALICE, None) is None
    assert reservations.consume(2, ALICE, None) == ccs


TYPES = {1: {"cType2"}, 2: {"cCCS2"}, 3: {"cCCS2"}}
THREE = states(c3="Available")


def test_h01_connector_type_reservation_keeps_one_evse_of_its_type() -> None:
    reservations = ReservationBook(unspecified_supported=True, connector_types=TYPES)
    reservations.reserve(
        reservation(1, evse=None, connector_type="cCCS2"), now=NOW, connector_states=THREE
    )
    assert reservations.may_use(1, BOB, None, NOW, connector_states=THREE)  # not its type
    assert reservations.may_use(2, BOB, None, NOW, connector_states=THREE)  # EVSE 3 is left
    one_ccs_left = states(c3="Charging")
    assert not reservations.may_use(2, BOB, None, NOW, connector_states=one_ccs_left)
    assert reservations.may_use(2, ALICE, None, NOW, connector_states=one_ccs_left)
    assert reservations.may_use(1, ALICE, None, NOW, connector_states=one_ccs_left)


def test_reservation_that_cannot_be_served_blocks_nobody() -> None:
    reservations = ReservationBook(unspecified_supported=True, connector_types=TYPES)
    reservations.reserve(
        reservation(1, evse=None, connector_type="cCCS2"), now=NOW, connector_states=THREE
    )
    ccs_faulted = states(c2="Faulted", c3="Faulted")
    assert reservations.may_use(1, BOB, None, NOW, connector_states=ccs_faulted)
    bob_on_1 = reservation(2, evse=1, token=BOB)
    assert reservations.reserve(bob_on_1, now=NOW, connector_states=ccs_faulted) is R.ACCEPTED


def test_own_reservation_of_another_type_does_not_let_a_tag_take_a_needed_evse() -> None:
    # Alice's CCS reservation needs EVSE 2, Carol's untyped one then needs EVSE 1.
    reservations = ReservationBook(
        unspecified_supported=True, connector_types={1: {"cType2"}, 2: {"cCCS2"}}
    )
    alice = reservation(1, evse=None, connector_type="cCCS2")
    carol = reservation(2, evse=None, token=IdToken("CA201"))
    assert reservations.reserve(alice, now=NOW, connector_states=IDLE) is R.ACCEPTED
    assert reservations.reserve(carol, now=NOW, connector_states=IDLE) is R.ACCEPTED
    assert not reservations.may_use(1, ALICE, None, NOW, connector_states=IDLE)
    assert reservations.may_use(2, ALICE, None, NOW, connector_states=IDLE)
    assert reservations.may_use(1, IdToken("CA201"), None, NOW, connector_states=IDLE)
    assert not reservations.may_use(2, IdToken("CA201"), None, NOW, connector_states=IDLE)


def test_reservations_are_matched_to_evses_not_placed_greedily() -> None:
    # The untyped reservation could take EVSE 1, but it moves to EVSE 2 for the CCS one.
    reservations = ReservationBook(
        unspecified_supported=True, connector_types={1: {"cCCS2"}, 2: {"cType2"}}
    )
    assert (
        reservations.reserve(reservation(1, evse=None), now=NOW, connector_states=IDLE)
        is R.ACCEPTED
    )
    ccs = reservation(2, evse=None, token=BOB, connector_type="cCCS2")
    assert reservations.reserve(ccs, now=NOW, connector_states=IDLE) is R.ACCEPTED


def test_a_serveable_reservation_is_accepted_next_to_one_that_is_not() -> None:
    reservations = ReservationBook(
        unspecified_supported=True, connector_types={1: {"cType2"}, 2: {"cCCS2"}}
    )
    reservations.reserve(
        reservation(1, evse=None, connector_type="cCCS2"), now=NOW, connector_states=IDLE
    )
    ccs_faulted = states(c2="Faulted")
    type2 = reservation(2, evse=None, token=BOB, connector_type="cType2")
    assert reservations.reserve(type2, now=NOW, connector_states=ccs_faulted) is R.ACCEPTED


def test_connector_0_reservation_counts_the_evse_a_driver_already_plugged_into() -> None:
    reservations = book(unspecified_supported=True)
    reservations.reserve(reservation(1, evse=0), now=NOW, connector_states=IDLE)
    plugged = states(c1="Charging", c2="Preparing")
    assert not reservations.may_use(2, BOB, None, NOW, connector_states=plugged)
    assert reservations.may_use(2, ALICE, None, NOW, connector_states=plugged)


def test_5_13_h03_a_token_whose_group_is_not_known_yet_may_still_hold_a_group_reservation() -> None:
    # EVSE 1 is reserved for the group "FLEET"; BOB's group is asked of the central system
    # (Authorize), so until the answer the question is tentative.
    reservations = book()
    held = reservation(token=IdToken("OTHER"), parent="FLEET")
    assert reservations.reserve(held, now=NOW, connector_states=IDLE) is R.ACCEPTED
    assert not reservations.may_use(1, BOB, None, NOW, connector_states=IDLE)
    assert reservations.may_use(1, BOB, None, NOW, connector_states=IDLE, tentative=True)
    # Once the group is known it decides, tentative or not.
    assert reservations.may_use(1, BOB, "FLEET", NOW, connector_states=IDLE)
    assert not reservations.may_use(1, BOB, "OTHERS", NOW, connector_states=IDLE, tentative=True)
    # An EVSE no live reservation holds admits anyone: another one, or this one once expired.
    assert reservations.may_use(2, BOB, None, NOW, connector_states=IDLE)
    later = LATER + timedelta(seconds=1)
    assert reservations.may_use(1, BOB, "OTHERS", later, connector_states=IDLE)
