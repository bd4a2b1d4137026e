"""Property tests over random profile stacks: the composite schedule agrees with limit_at at
every instant, and limit_at holds still up to next_change_after."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargeyard.station.model.smart_charging import (
    OCPP16_RULES,
    OCPP201_RULES,
    ChargingProfile,
    ChargingProfileStore,
    ChargingSchedulePeriod,
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
    VOLTAGE,
    WEEKLY,
    A,
    W,
    profile,
)

# Random profile stacks are the full run's; the inner loop has the use cases' own tests.
pytestmark = pytest.mark.slow
modest = settings(max_examples=100, deadline=None)
PHASES = 3
RATED_W = 32 * VOLTAGE * PHASES
INSTALLED_AT = T0 - timedelta(days=1)


def seconds(low: int, high: int) -> st.SearchStrategy[datetime]:
    return st.integers(low, high).map(lambda s: T0 + timedelta(seconds=s))


@st.composite
def placed_profiles(draw: st.DrawFn, profile_id: int) -> tuple[int, ChargingProfile]:
    purpose = draw(st.sampled_from([MAX, DEFAULT, DEFAULT, TX, EXTERNAL]))
    evse_id = {MAX: 0, TX: 1}.get(purpose) or draw(st.sampled_from([0, 1]))
    kind = draw(st.sampled_from([ABSOLUTE, RELATIVE, RECURRING]))
    unit = draw(st.sampled_from([W, A]))
    starts = draw(st.lists(st.integers(1, 7200), max_size=3, unique=True))
    limit = st.integers(0, 40) if unit is A else st.integers(0, 30).map(lambda k: k * 1000)
    periods = [
        ChargingSchedulePeriod(start, float(draw(limit)), draw(st.sampled_from([None, 1, 3])))
        for start in [0, *sorted(starts)]
    ]
    window = (-3 * 86400, 7200) if kind is RECURRING else (-7200, 7200)
    valid_from = draw(st.none() | seconds(-7200, 7200))
    valid_to = draw(st.none() | seconds(-7200, 14400))
    return evse_id, profile(
        profile_id,
        purpose,
        *periods,
        level=draw(st.integers(0, 3)),
        kind=kind,
        unit=unit,
        start=draw(seconds(*window) | st.none()) if kind is ABSOLUTE else draw(seconds(*window)),
        duration=draw(st.none() | st.integers(0, 2 * 86400)),
        recurrency=draw(st.sampled_from([DAILY, WEEKLY])) if kind is RECURRING else None,
        valid_from=valid_from,
        valid_to=valid_to,
        transaction_id="tx-1" if purpose is TX else None,
    )


@st.composite
def stations(draw: st.DrawFn) -> tuple[ChargingProfileStore, TransactionContext]:
    transaction = TransactionContext(transaction_id="tx-1", started_at=draw(seconds(-3600, 3600)))
    store = ChargingProfileStore(draw(st.sampled_from([OCPP16_RULES, OCPP201_RULES])))
    for profile_id in range(1, draw(st.integers(1, 8)) + 1):
        evse_id, each = draw(placed_profiles(profile_id))
        # Whatever the rules refuse simply stays out.
        store.install(
            evse_id,
            each,
            now=INSTALLED_AT,
            transaction=transaction,
            local=each.purpose is EXTERNAL,
        )
    return store, transaction


@modest
@given(
    stations(),
    st.sampled_from([0, 1]),
    seconds(-3600, 7200),
    st.integers(0, 4 * 3600),
    st.lists(st.floats(0, 1, exclude_max=True), max_size=10),
)
def test_composite_limit_at_any_instant_is_limit_at(
    station: tuple[ChargingProfileStore, TransactionContext],
    evse_id: int,
    start: datetime,
    duration: int,
    fractions: list[float],
) -> None:
    store, transaction = station
    composite = store.composite_schedule(
        evse_id,
        start,
        duration,
        unit=W,
        transaction=transaction,
        voltage=VOLTAGE,
        phases=PHASES,
        max_power_w=RATED_W,
    )
    starts = [period.start_period for period in composite.periods]
    assert starts[0] == 0
    assert starts == sorted(set(starts))
    assert all(start_period < max(duration, 1) for start_period in starts)
    probes = {*starts, *(s - 1 for s in starts[1:]), *(int(f * duration) for f in fractions)}
    for offset in probes:
        shown = next(p for p in reversed(composite.periods) if p.start_period <= offset).limit
        limit = store.limit_at(
            evse_id,
            start + timedelta(seconds=offset),
            transaction=transaction,
            voltage=VOLTAGE,
            phases=PHASES,
        )
        assert shown == min(RATED_W if limit is None else limit, RATED_W), offset


@modest
@given(
    stations(),
    st.sampled_from([0, 1]),
    seconds(-3 * 86400, 3 * 86400),
    st.booleans(),
    st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=10),
)
def test_limit_at_holds_until_next_change_after(
    station: tuple[ChargingProfileStore, TransactionContext],
    evse_id: int,
    moment: datetime,
    in_transaction: bool,
    fractions: list[float],
) -> None:
    store, transaction = station
    context = transaction if in_transaction else None

    def limit(at: datetime) -> float | None:
        return store.limit_at(evse_id, at, transaction=context, voltage=VOLTAGE, phases=PHASES)

    change = store.next_change_after(evse_id, moment, transaction=context)
    assert change is None or change > moment
    until = moment + timedelta(days=30) if change is None else change
    expected = limit(moment)
    span_us = (until - moment) // timedelta(microseconds=1)
    for fraction in fractions:
        # Whole microseconds, rounded down: the probe stays before ``until``.
        probe = min(int(span_us * fraction), span_us - 1)
        assert limit(moment + timedelta(microseconds=probe)) == expected
