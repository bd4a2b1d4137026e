"""OCPP 2.1's additions to the smart-charging model: a PriorityCharging profile stacked above a
transaction's TxProfile and TxDefaultProfile only while its priority charging is activated, and
a Dynamic profile whose limit the store replaces (K28)."""

from __future__ import annotations

from chargeyard.station.model.smart_charging import (
    OCPP201_RULES,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingProfileStore,
    RejectCode,
)

from .smart_charging_support import DEFAULT, MAX, T0, TX, TX1, VOLTAGE, at, profile

PRIORITY = ChargingProfilePurpose.PRIORITY_CHARGING
DYNAMIC = ChargingProfileKind.DYNAMIC


def _store() -> ChargingProfileStore:
    store = ChargingProfileStore(OCPP201_RULES, evse_count=2)
    placed = [
        (0, profile(1, MAX, (0, 20_000.0))),
        (1, profile(2, DEFAULT, (0, 6_000.0))),
        (1, profile(3, TX, (0, 8_000.0), transaction_id=TX1.transaction_id)),
        (0, profile(4, PRIORITY, (0, 22_000.0))),
    ]
    for evse_id, each in placed:
        transaction = TX1 if each.purpose is TX else None
        assert store.install(evse_id, each, now=T0, transaction=transaction).accepted
    return store


def _limit(store: ChargingProfileStore) -> float | None:
    return store.limit_at(1, at(60), transaction=TX1, voltage=VOLTAGE, phases=3)


def test_k_priority_charging_overrides_the_tx_profiles_under_the_station_maximum() -> None:
    store = _store()
    assert _limit(store) == 8_000.0  # set aside: the TxProfile
    assert store.set_priority(TX1.transaction_id, active=True) is True
    assert _limit(store) == 20_000.0  # the priority profile, capped by the station maximum
    assert store.set_priority(TX1.transaction_id, active=True) is False
    assert store.set_priority(TX1.transaction_id, active=False) is True
    assert _limit(store) == 8_000.0


def test_k_priority_charging_bears_on_its_own_transaction_only() -> None:
    store = _store()
    store.set_priority("another", active=True)
    assert _limit(store) == 8_000.0
    assert [p.id for p in store.priority_profiles(2)] == [4]  # EVSE 0's serves every EVSE


def test_k_a_priority_profile_names_no_transaction() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    refused = store.install(1, profile(5, PRIORITY, (0, 1.0), transaction_id="tx-1"), now=T0)
    assert (refused.accepted, refused.code) == (False, RejectCode.INVALID_VALUE)


def test_k28_a_dynamic_profile_takes_its_update_and_when() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    assert store.install(1, profile(6, DEFAULT, (0, 4_000.0), kind=DYNAMIC), now=T0).accepted
    assert store.update_dynamic(6, 7_000.0, now=at(30)) == 1
    [(_, updated)] = store.profiles()
    assert (updated.schedule.periods[0].limit, updated.dyn_update_time) == (7_000.0, at(30))
    assert store.limit_at(1, at(60), transaction=TX1, voltage=VOLTAGE, phases=3) == 7_000.0


def test_k28_only_a_dynamic_profile_is_updated() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    store.install(1, profile(7, DEFAULT, (0, 4_000.0)), now=T0)
    assert store.update_dynamic(7, 7_000.0, now=at(30)) is None
    assert store.update_dynamic(99, 7_000.0, now=at(30)) is None
    [(_, kept)] = store.profiles()
    assert (kept.schedule.periods[0].limit, kept.dyn_update_time) == (4_000.0, None)


def test_k28_a_dynamic_profile_has_one_period() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    two = profile(8, DEFAULT, (0, 4_000.0), (600, 5_000.0), kind=DYNAMIC)
    refused = store.install(1, two, now=T0)
    assert (refused.accepted, refused.code) == (False, RejectCode.INVALID_SCHEDULE)
