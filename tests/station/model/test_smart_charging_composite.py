"""GetCompositeSchedule: 1.6 sections 3.13.3, 5.7 and 6.21-6.22; 2.0.1 K08."""

from __future__ import annotations

from datetime import datetime

import pytest

from chargeyard.station.model.smart_charging import (
    ChargingProfile,
    ChargingProfileStore,
    ChargingRateUnit,
    ChargingSchedulePeriod,
    CompositeSchedule,
    TransactionContext,
)

from .smart_charging_support import (
    DEFAULT,
    MAX,
    RELATIVE,
    T0,
    TX,
    TX1,
    VOLTAGE,
    A,
    W,
    at,
    profile,
)

RATED_W = 32 * 230.0 * 3  # a 32 A three-phase EVSE: 22080 W


def store_with(*placed: tuple[int, ChargingProfile]) -> ChargingProfileStore:
    store = ChargingProfileStore()
    for evse_id, each in placed:
        transaction = TX1 if each.purpose is TX else None
        assert store.install(evse_id, each, now=T0, transaction=transaction).accepted
    return store


def composite(
    store: ChargingProfileStore,
    unit: ChargingRateUnit | None,
    *,
    evse_id: int = 1,
    start: datetime = T0,
    duration: int = 3600,
    transaction: TransactionContext | None = TX1,
    max_power_w: float = RATED_W,
) -> CompositeSchedule:
    return store.composite_schedule(
        evse_id,
        start,
        duration,
        unit=unit,
        transaction=transaction,
        voltage=VOLTAGE,
        phases=3,
        max_power_w=max_power_w,
    )


def periods(*triples: tuple[int, float, int]) -> tuple[ChargingSchedulePeriod, ...]:
    return tuple(ChargingSchedulePeriod(*triple) for triple in triples)


def several() -> ChargingProfileStore:
    """A station maximum in W that drops at 30 min, TxDefaults in A at two levels, a TxProfile."""
    return store_with(
        (0, profile(1, MAX, (0, 20000.0), (1800, 8000.0))),
        (1, profile(2, DEFAULT, (0, 32.0), unit=A, level=0)),
        (1, profile(3, DEFAULT, (0, 16.0), (600, 10.0), unit=A, level=1, duration=1200)),
        (1, profile(4, TX, (0, 6.0), unit=A, start=at(3000), duration=300, transaction_id="tx-1")),
    )


def test_3_13_3_composite_of_several_profiles_in_w() -> None:
    assert composite(several(), W) == CompositeSchedule(
        evse_id=1,
        start=T0,
        duration=3600,
        charging_rate_unit=W,
        periods=periods(
            (0, 11040.0, 3),  # TxDefault level 1: 16 A
            (600, 6900.0, 3),  # its 10 A period
            (1200, 20000.0, 3),  # level 1 ends; level 0's 32 A is capped by the station maximum
            (1800, 8000.0, 3),  # the station maximum drops
            (3000, 4140.0, 3),  # the TxProfile: 6 A
            (3300, 8000.0, 3),  # the TxProfile ends
        ),
    )


def test_k08_composite_of_several_profiles_in_a() -> None:
    assert composite(several(), A).periods == periods(
        (0, 16.0, 3),
        (600, 10.0, 3),
        (1200, 28.986, 3),  # 20000 W / (230 V * 3)
        (1800, 11.594, 3),
        (3000, 6.0, 3),
        (3300, 11.594, 3),
    )


def test_composite_without_the_transaction_leaves_out_its_tx_profile() -> None:
    assert composite(several(), W, start=at(2400), duration=1200, transaction=None).periods == (
        periods((0, 8000.0, 3))
    )


def test_equal_neighbours_merge() -> None:
    store = store_with(
        (1, profile(1, DEFAULT, (0, 16.0), (600, 16.0), (900, 10.0), (1200, 10.0), unit=A)),
    )
    assert composite(store, A).periods == periods((0, 16.0, 3), (900, 10.0, 3))


def test_the_evse_rating_is_the_local_limit_and_fills_unlimited_stretches() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 40.0), unit=A, start=at(600), duration=600)))
    assert composite(store, A).periods == periods((0, 32.0, 3))
    assert composite(ChargingProfileStore(), W).periods == periods((0, RATED_W, 3))


def test_unit_left_to_the_station_follows_the_profiles() -> None:
    in_amperes = store_with((1, profile(1, DEFAULT, (0, 16.0), unit=A)))
    assert composite(in_amperes, None).charging_rate_unit is A
    assert composite(several(), None).charging_rate_unit is W
    assert composite(ChargingProfileStore(), None).charging_rate_unit is W


def test_single_phase_limits_keep_their_phases_in_a() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 16.0, 1), (600, 10.0), unit=A)))
    assert composite(store, A, duration=1200).periods == periods((0, 16.0, 1), (600, 10.0, 3))
    assert composite(store, W, duration=1200).periods == periods((0, 3680.0, 1), (600, 6900.0, 3))


def test_evse_0_composite_is_the_station_limit() -> None:
    assert composite(several(), W, evse_id=0, transaction=None).periods == periods(
        (0, 20000.0, 3), (1800, 8000.0, 3)
    )


def test_window_starting_mid_period_and_cut_short() -> None:
    assert composite(several(), A, start=at(900), duration=600).periods == periods(
        (0, 10.0, 3), (300, 28.986, 3)
    )


def test_relative_profile_without_transaction_starts_with_the_window() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 6.0), (600, 16.0), unit=A, kind=RELATIVE)))
    assert composite(store, A, start=at(hours=5), transaction=None).periods == periods(
        (0, 6.0, 3), (600, 16.0, 3)
    )
    later_tx = TransactionContext(transaction_id="tx-9", started_at=at(hours=5, seconds=-300))
    assert composite(store, A, start=at(hours=5), transaction=later_tx).periods == periods(
        (0, 6.0, 3), (300, 16.0, 3)
    )


def test_a_change_between_seconds_shows_from_the_next_whole_second() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 10.0), unit=A, start=at(10.4))))
    assert composite(store, A, duration=60).periods == periods((0, 32.0, 3), (11, 10.0, 3))


def test_zero_duration_has_one_period_and_negative_is_refused() -> None:
    assert composite(several(), A, duration=0).periods == periods((0, 16.0, 3))
    with pytest.raises(ValueError, match="duration"):
        composite(several(), A, duration=-1)
