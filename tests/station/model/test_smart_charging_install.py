"""Installing, replacing, clearing and listing profiles: 1.6 sections 3.13, 5.5, 5.16; 2.0.1 K01,
K09, K10."""

from __future__ import annotations

import dataclasses

import pytest

from chargeyard.station.model.smart_charging import (
    OCPP16_RULES,
    OCPP201_RULES,
    ChargingProfile,
    ChargingProfileStore,
    InstallResult,
    ProfileRules,
    RejectCode,
    TransactionContext,
)

from .smart_charging_support import (
    ABSOLUTE,
    DAILY,
    DEFAULT,
    EXTERNAL,
    MAX,
    RECURRING,
    RELATIVE,
    T0,
    TX,
    TX1,
    VOLTAGE,
    at,
    profile,
)

ACCEPTED = InstallResult(True)


def reject(code: RejectCode, reason: str) -> InstallResult:
    return InstallResult(False, reason, code)


def install(
    store: ChargingProfileStore,
    evse_id: int,
    each: ChargingProfile,
    *,
    transaction: TransactionContext | None = None,
    local: bool = False,
) -> InstallResult:
    return store.install(evse_id, each, now=T0, transaction=transaction, local=local)


def ids(store: ChargingProfileStore) -> list[tuple[int, int]]:
    return [(evse_id, each.id) for evse_id, each in store.profiles()]


# -- replacement ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", [OCPP16_RULES, OCPP201_RULES], ids=["1.6", "2.0.1"])
def test_5_16_3_k01_fr_05_same_id_replaces_even_on_another_evse(rules: ProfileRules) -> None:
    store = ChargingProfileStore(rules)
    first = profile(1, DEFAULT, (0, 7000.0), level=1)
    second = profile(1, DEFAULT, (0, 5000.0), level=3)
    assert install(store, 1, first) == ACCEPTED
    assert install(store, 2, second) == ACCEPTED
    assert store.profiles() == [(2, second)]


def test_3_13_2_same_level_and_purpose_on_the_connector_replaces_in_16() -> None:
    store = ChargingProfileStore(OCPP16_RULES)
    for evse_id, profile_id in [(1, 1), (1, 2), (2, 3), (1, 4)]:
        level = 4 if profile_id == 4 else 2
        assert install(store, evse_id, profile(profile_id, DEFAULT, (0, 1.0), level=level)).accepted
    assert ids(store) == [(1, 2), (1, 4), (2, 3)]


def test_k01_fr_06_same_level_purpose_and_evse_with_overlapping_validity_is_rejected() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    first = profile(1, DEFAULT, (0, 1.0), level=2, valid_to=at(hours=2))
    assert install(store, 1, first) == ACCEPTED
    overlapping = profile(2, DEFAULT, (0, 2.0), level=2, valid_from=at(hours=1))
    assert install(store, 1, overlapping) == reject(
        RejectCode.DUPLICATE_PROFILE,
        "profile 1 has stack level 2 here for the same time (K01.FR.06)",
    )
    assert ids(store) == [(1, 1)]


def test_k01_fr_06_same_level_with_disjoint_validity_is_accepted() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    first = profile(1, DEFAULT, (0, 1.0), level=2, valid_to=at(hours=1))
    assert install(store, 1, first) == ACCEPTED
    later = profile(2, DEFAULT, (0, 2.0), level=2, valid_from=at(hours=1))
    assert install(store, 1, later) == ACCEPTED
    # Without validFrom a profile counts from its installation: it overlaps the first.
    assert install(store, 1, profile(3, DEFAULT, (0, 3.0), level=2)).code is (
        RejectCode.DUPLICATE_PROFILE
    )
    assert ids(store) == [(1, 1), (1, 2)]


def test_k01_fr_39_tx_profiles_of_one_transaction_need_distinct_levels() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    first = profile(1, TX, (0, 1.0), level=1, transaction_id="tx-1", valid_to=at(hours=1))
    second = profile(2, TX, (0, 2.0), level=1, transaction_id="tx-1", valid_from=at(hours=2))
    assert install(store, 1, first, transaction=TX1) == ACCEPTED
    assert install(store, 1, second, transaction=TX1) == reject(
        RejectCode.INVALID_STACK_LEVEL,
        "profile 1 has stack level 1 for this transaction (K01.FR.39)",
    )


@pytest.mark.parametrize(("first_evse", "second_evse"), [(1, 0), (0, 1)])
def test_k01_fr_52_53_one_default_level_on_evse_0_and_an_evse(
    first_evse: int, second_evse: int
) -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    assert install(store, first_evse, profile(1, DEFAULT, (0, 1.0), level=1)) == ACCEPTED
    assert install(store, second_evse, profile(2, DEFAULT, (0, 1.0), level=1)) == reject(
        RejectCode.DUPLICATE_PROFILE,
        f"profile 1 has stack level 1 on EVSE {first_evse} (K01.FR.52-53)",
    )
    assert install(store, second_evse, profile(3, DEFAULT, (0, 1.0), level=2)) == ACCEPTED


# -- where a purpose may go -----------------------------------------------------------------------


@pytest.mark.parametrize("rules", [OCPP16_RULES, OCPP201_RULES], ids=["1.6", "2.0.1"])
def test_3_13_1_station_maximum_only_on_evse_0(rules: ProfileRules) -> None:
    store = ChargingProfileStore(rules)
    assert install(store, 1, profile(1, MAX, (0, 1.0))) == reject(
        RejectCode.INVALID_VALUE, "a station maximum belongs on EVSE 0"
    )
    assert install(store, 0, profile(1, MAX, (0, 1.0))) == ACCEPTED


def test_k01_fr_38_relative_station_maximum_is_refused_in_201_only() -> None:
    relative = profile(1, MAX, (0, 1.0), kind=RELATIVE)
    assert install(ChargingProfileStore(OCPP201_RULES), 0, relative) == reject(
        RejectCode.INVALID_VALUE, "a station maximum is not Relative (K01.FR.38)"
    )
    assert install(ChargingProfileStore(OCPP16_RULES), 0, relative) == ACCEPTED


@pytest.mark.parametrize("rules", [OCPP16_RULES, OCPP201_RULES], ids=["1.6", "2.0.1"])
def test_5_16_3_k01_fr_09_tx_profile_without_a_running_transaction(rules: ProfileRules) -> None:
    store = ChargingProfileStore(rules)
    tx_profile = profile(1, TX, (0, 1.0), transaction_id="tx-1")
    assert install(store, 1, tx_profile) == reject(
        RejectCode.TX_NOT_FOUND, "no transaction runs on EVSE 1"
    )
    assert install(store, 0, tx_profile, transaction=TX1) == reject(
        RejectCode.INVALID_VALUE, "a TxProfile needs an EVSE, not 0 (K01.FR.16)"
    )
    other = TransactionContext(transaction_id="tx-2", started_at=T0)
    assert install(store, 1, tx_profile, transaction=other) == reject(
        RejectCode.TX_NOT_FOUND, "transaction tx-1 is not on EVSE 1 (K01.FR.33)"
    )
    assert install(store, 1, tx_profile, transaction=TX1) == ACCEPTED


def test_k01_fr_03_tx_profile_without_transaction_id_in_201() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    assert install(store, 1, profile(1, TX, (0, 1.0)), transaction=TX1) == reject(
        RejectCode.MISSING_PARAM, "a TxProfile needs a transactionId (K01.FR.03)"
    )


def test_5_16_2_tx_profile_without_transaction_id_binds_to_the_running_one_in_16() -> None:
    store = ChargingProfileStore(OCPP16_RULES)
    assert install(store, 1, profile(1, TX, (0, 1.0)), transaction=TX1) == ACCEPTED
    assert store.profiles() == [(1, profile(1, TX, (0, 1.0), transaction_id="tx-1"))]


def test_k01_fr_22_external_constraints_come_only_from_the_station() -> None:
    store = ChargingProfileStore(OCPP201_RULES)
    external = profile(7, EXTERNAL, (0, 1.0))
    assert install(store, 0, external) == reject(
        RejectCode.INVALID_VALUE, "the CSMS cannot set external constraints"
    )
    assert install(store, 0, external, local=True) == ACCEPTED
    # K01.FR.05 replaces by id, but not over the energy manager's constraints.
    assert install(store, 1, profile(7, DEFAULT, (0, 1.0))) == reject(
        RejectCode.DUPLICATE_PROFILE, "id 7 holds external constraints"
    )


# -- the profile itself ---------------------------------------------------------------------------


def test_k01_fr_28_unknown_evse() -> None:
    store = ChargingProfileStore(OCPP201_RULES, evse_count=2)
    assert install(store, 3, profile(1, DEFAULT, (0, 1.0))) == reject(
        RejectCode.UNKNOWN_EVSE, "there is no EVSE 3 (K01.FR.28)"
    )
    assert install(store, 2, profile(1, DEFAULT, (0, 1.0))) == ACCEPTED


@pytest.mark.parametrize(
    ("each", "expected"),
    [
        (
            profile(1, DEFAULT, (0, 1.0), level=-1),
            reject(RejectCode.INVALID_STACK_LEVEL, "the lowest stack level is 0"),
        ),
        (
            profile(1, DEFAULT, (0, 1.0), valid_to=T0),
            reject(RejectCode.INVALID_VALUE, "validTo has passed"),
        ),
        (
            profile(1, DEFAULT, (0, 1.0), valid_from=at(hours=2), valid_to=at(hours=1)),
            reject(RejectCode.INVALID_VALUE, "validFrom is not before validTo"),
        ),
        (
            profile(1, DEFAULT),
            reject(RejectCode.INVALID_SCHEDULE, "a schedule needs at least one period"),
        ),
        (
            profile(1, DEFAULT, (0, 1.0), (600, 2.0), (600, 3.0)),
            reject(RejectCode.INVALID_SCHEDULE, "startPeriods must increase from 0 (K01.FR.35)"),
        ),
        (
            profile(1, DEFAULT, (0, -1.0)),
            reject(RejectCode.INVALID_SCHEDULE, "a limit cannot be negative"),
        ),
        (
            profile(1, DEFAULT, (0, 1.0, 4)),
            reject(RejectCode.INVALID_SCHEDULE, "numberPhases must be 1, 2 or 3"),
        ),
        (
            profile(1, DEFAULT, (0, 1.0), duration=-5),
            reject(RejectCode.INVALID_SCHEDULE, "a duration cannot be negative"),
        ),
        (
            profile(1, DEFAULT, (0, 1.0), kind=RECURRING),
            reject(RejectCode.MISSING_PARAM, "a Recurring profile needs a recurrencyKind"),
        ),
        (
            profile(1, DEFAULT, (0, 1.0), kind=RECURRING, recurrency=DAILY, start=None),
            reject(RejectCode.MISSING_PARAM, "a Recurring profile needs startSchedule"),
        ),
    ],
)
@pytest.mark.parametrize("rules", [OCPP16_RULES, OCPP201_RULES], ids=["1.6", "2.0.1"])
def test_k01_invalid_profiles_are_rejected_in_both_versions(
    rules: ProfileRules, each: ChargingProfile, expected: InstallResult
) -> None:
    store = ChargingProfileStore(rules)
    assert install(store, 1, each) == expected
    assert store.profiles() == []


@pytest.mark.parametrize(
    ("each", "expected"),
    [
        (
            profile(1, DEFAULT, (60, 1.0)),
            reject(RejectCode.INVALID_SCHEDULE, "the first period must start at 0 (K01.FR.31)"),
        ),
        (
            profile(1, DEFAULT, (0, 1.0), kind=ABSOLUTE, start=None),
            reject(RejectCode.MISSING_PARAM, "Absolute needs startSchedule (K01.FR.40)"),
        ),
        (
            dataclasses.replace(profile(1, DEFAULT, (0, 1.0), start=T0), kind=RELATIVE),
            reject(
                RejectCode.INVALID_SCHEDULE, "a Relative profile has no startSchedule (K01.FR.41)"
            ),
        ),
    ],
)
def test_k01_fr_31_40_41_schedule_start_rules_of_201_only(
    each: ChargingProfile, expected: InstallResult
) -> None:
    assert install(ChargingProfileStore(OCPP201_RULES), 1, each) == expected
    assert install(ChargingProfileStore(OCPP16_RULES), 1, each) == ACCEPTED


# -- clearing and listing -------------------------------------------------------------------------


def stocked() -> ChargingProfileStore:
    store = ChargingProfileStore(OCPP201_RULES)
    placed = [
        (0, profile(1, MAX, (0, 1.0), level=0)),
        (0, profile(2, DEFAULT, (0, 1.0), level=1)),
        (1, profile(3, DEFAULT, (0, 1.0), level=2)),
        (1, profile(4, TX, (0, 0.5), level=1, transaction_id="tx-1")),
        (2, profile(5, DEFAULT, (0, 1.0), level=2)),
        (0, profile(6, EXTERNAL, (0, 1.0), level=0)),
    ]
    for evse_id, each in placed:
        result = store.install(
            evse_id, each, now=T0, transaction=TX1, local=each.purpose is EXTERNAL
        )
        assert result.accepted, result
    return store


def test_6_13_clear_by_id_ignores_the_other_criteria() -> None:
    store = stocked()
    assert store.clear(profile_id=3, evse_id=2, purpose=MAX) == 1
    assert ids(store) == [(0, 1), (0, 2), (0, 6), (1, 4), (2, 5)]


@pytest.mark.parametrize(
    ("criteria", "removed", "left"),
    [
        ({"evse_id": 1}, 2, [(0, 1), (0, 2), (0, 6), (2, 5)]),
        ({"purpose": DEFAULT}, 3, [(0, 1), (0, 6), (1, 4)]),
        ({"purpose": DEFAULT, "stack_level": 2}, 2, [(0, 1), (0, 2), (0, 6), (1, 4)]),
        ({"evse_id": 2, "purpose": DEFAULT, "stack_level": 1}, 0, None),
        ({"profile_id": 99}, 0, None),
        # K10.FR.04: the energy manager's external constraints survive a CSMS's clear-all.
        ({}, 5, [(0, 6)]),
    ],
)
def test_6_13_k10_clear_criteria_are_anded(
    criteria: dict[str, object], removed: int, left: list[tuple[int, int]] | None
) -> None:
    store = stocked()
    before = ids(store)
    assert store.clear(**criteria) == removed  # type: ignore[arg-type]
    assert ids(store) == (before if left is None else left)


def test_external_constraints_are_cleared_locally() -> None:
    store = stocked()
    assert store.clear(purpose=EXTERNAL) == 0
    assert store.clear(purpose=EXTERNAL, local=True) == 1


def test_k09_profiles_by_criteria() -> None:
    store = stocked()
    assert [(e, p.id) for e, p in store.profiles(evse_id=0)] == [(0, 1), (0, 2), (0, 6)]
    assert [(e, p.id) for e, p in store.profiles(purpose=DEFAULT, stack_level=2)] == [
        (1, 3),
        (2, 5),
    ]
    assert [(e, p.id) for e, p in store.profiles(profile_ids=[5, 1, 42])] == [(0, 1), (2, 5)]
    assert store.profiles(evse_id=1, purpose=MAX) == []


def test_3_13_1_tx_profiles_end_with_their_transaction() -> None:
    store = stocked()

    def limit() -> float | None:
        return store.limit_at(1, at(0), transaction=TX1, voltage=VOLTAGE, phases=3)

    assert limit() == 0.5
    assert store.remove_transaction_profiles("tx-2") == 0
    assert store.remove_transaction_profiles("tx-1") == 1
    assert ids(store) == [(0, 1), (0, 2), (0, 6), (1, 3), (2, 5)]
    assert limit() == 1.0
