"""Stacking within a purpose and combining purposes: 1.6 sections 3.13.1-3.13.3, 2.0.1 K."""

from __future__ import annotations

from datetime import datetime

from chargeyard.station.model.smart_charging import (
    OCPP16_RULES,
    OCPP201_RULES,
    ChargingProfile,
    ChargingProfileStore,
    ProfileRules,
    TransactionContext,
)

from .smart_charging_support import (
    DEFAULT,
    EXTERNAL,
    MAX,
    T0,
    TX,
    TX1,
    VOLTAGE,
    A,
    at,
    profile,
)


def store_with(
    *placed: tuple[int, ChargingProfile], rules: ProfileRules = OCPP16_RULES
) -> ChargingProfileStore:
    store = ChargingProfileStore(rules)
    for evse_id, each in placed:
        transaction = TX1 if each.purpose is TX else None
        local = each.purpose is EXTERNAL
        result = store.install(evse_id, each, now=T0, transaction=transaction, local=local)
        assert result.accepted, result
    return store


def limit(
    store: ChargingProfileStore,
    moment: datetime,
    evse_id: int = 1,
    *,
    transaction: TransactionContext | None = TX1,
    phases: int = 3,
) -> float | None:
    return store.limit_at(evse_id, moment, transaction=transaction, voltage=VOLTAGE, phases=phases)


def test_no_profile_sets_no_limit() -> None:
    store = ChargingProfileStore()
    assert limit(store, at(0)) is None
    assert limit(store, at(0), evse_id=0) is None


def test_3_13_2_highest_stack_level_in_force_wins_then_lower_shows_through() -> None:
    # TC_072_CS: level 1 rules while its schedule lasts, then level 0 takes over again.
    store = store_with(
        (1, profile(1, DEFAULT, (0, 11000.0), level=0)),
        (1, profile(2, DEFAULT, (0, 7000.0), (600, 5000.0), level=1, duration=1800)),
    )
    assert [limit(store, at(s)) for s in (0, 599, 600, 1799, 1800, 7200)] == [
        7000.0,
        7000.0,
        5000.0,
        5000.0,
        11000.0,
        11000.0,
    ]


def test_3_13_2_valid_from_and_valid_to_bound_a_profile() -> None:
    store = store_with(
        (1, profile(1, DEFAULT, (0, 11000.0), level=0)),
        (
            1,
            profile(2, DEFAULT, (0, 4000.0), level=1, valid_from=at(hours=1), valid_to=at(hours=2)),
        ),
    )
    moments = [at(minutes=59), at(hours=1), at(minutes=119), at(hours=2)]
    assert [limit(store, moment) for moment in moments] == [11000.0, 4000.0, 4000.0, 11000.0]


def test_3_13_3_tx_profile_overrides_tx_default_whatever_the_levels() -> None:
    store = store_with(
        (1, profile(1, DEFAULT, (0, 7000.0), level=5)),
        (1, profile(2, TX, (0, 4000.0), level=0, transaction_id="tx-1")),
    )
    other = TransactionContext(transaction_id="tx-2", started_at=T0)
    assert limit(store, at(60)) == 4000.0
    assert limit(store, at(60), transaction=other) == 7000.0
    assert limit(store, at(60), transaction=None) == 7000.0


def test_3_13_3_default_shows_where_the_tx_profile_has_no_period() -> None:
    store = store_with(
        (1, profile(1, DEFAULT, (0, 7000.0))),
        (1, profile(2, TX, (0, 4000.0), duration=600, transaction_id="tx-1")),
    )
    assert [limit(store, at(s)) for s in (0, 599, 600)] == [4000.0, 4000.0, 7000.0]


def test_3_13_3_station_maximum_caps_every_evse() -> None:
    store = store_with(
        (0, profile(1, MAX, (0, 5000.0))),
        (1, profile(2, DEFAULT, (0, 7000.0))),
        (2, profile(3, DEFAULT, (0, 3000.0))),
    )
    assert limit(store, at(0), evse_id=1) == 5000.0
    assert limit(store, at(0), evse_id=2) == 3000.0
    assert limit(store, at(0), evse_id=0) == 5000.0


def test_evse_0_is_the_station_level_limit_without_tx_profiles() -> None:
    store = store_with((0, profile(1, DEFAULT, (0, 3000.0))))
    assert limit(store, at(0), evse_id=0) is None
    assert limit(store, at(0), evse_id=1) == 3000.0


def test_3_13_1_evse_default_replaces_station_wide_default_for_that_evse() -> None:
    # 1.6: "the TxDefaultProfile SHALL be replaced only for that specific connector".
    store = store_with(
        (0, profile(1, DEFAULT, (0, 7000.0), level=5)),
        (1, profile(2, DEFAULT, (0, 9000.0), level=0, duration=600)),
    )
    assert limit(store, at(0), evse_id=1) == 9000.0
    assert limit(store, at(0), evse_id=2) == 7000.0
    # Where the EVSE's own default has no period, the station-wide one shows through.
    assert limit(store, at(600), evse_id=1) == 7000.0


def test_k01_fr_52_evse_and_station_wide_defaults_share_one_stack_in_201() -> None:
    store = store_with(
        (0, profile(1, DEFAULT, (0, 7000.0), level=5)),
        (1, profile(2, DEFAULT, (0, 9000.0), level=0)),
        rules=OCPP201_RULES,
    )
    assert limit(store, at(0), evse_id=1) == 7000.0


def test_external_constraints_of_the_station_and_of_the_evse_cap_too() -> None:
    store = store_with(
        (1, profile(1, DEFAULT, (0, 7000.0))),
        (1, profile(2, EXTERNAL, (0, 2000.0))),
        (0, profile(3, EXTERNAL, (0, 6000.0), (600, 1500.0))),
        rules=OCPP201_RULES,
    )
    assert [limit(store, at(s)) for s in (0, 600)] == [2000.0, 1500.0]
    assert [limit(store, at(s), evse_id=0) for s in (0, 600)] == [6000.0, 1500.0]


def test_7_14_amperes_count_voltage_times_phases() -> None:
    store = store_with(
        (1, profile(1, DEFAULT, (0, 16.0), unit=A)),
        (2, profile(2, DEFAULT, (0, 16.0, 1), unit=A)),
    )
    assert limit(store, at(0), evse_id=1, phases=3) == 16 * 230.0 * 3
    assert limit(store, at(0), evse_id=1, phases=1) == 16 * 230.0
    # numberPhases=1 on a three-phase EVSE: one phase carries the limit.
    assert limit(store, at(0), evse_id=2, phases=3) == 16 * 230.0


def test_number_phases_beyond_the_evse_counts_the_evse_phases() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 16.0, 3), unit=A)))
    assert limit(store, at(0), phases=1) == 16 * 230.0


def test_dc_amperes_count_voltage_only() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 100.0), unit=A)))
    assert store.limit_at(1, at(0), transaction=TX1, voltage=400.0, phases=1) == 40000.0


def test_a_zero_limit_is_a_limit() -> None:
    store = store_with((1, profile(1, TX, (0, 0.0), transaction_id="tx-1")))
    assert limit(store, at(0)) == 0.0


def test_k01_fr_06_one_stack_level_taken_in_turn_by_validity() -> None:
    store = store_with(
        (1, profile(1, DEFAULT, (0, 7000.0), level=1, valid_to=at(hours=1))),
        (1, profile(2, DEFAULT, (0, 5000.0), level=1, valid_from=at(hours=1))),
        rules=OCPP201_RULES,
    )
    assert [limit(store, at(minutes=m)) for m in (59, 60)] == [7000.0, 5000.0]
