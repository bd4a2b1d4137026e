"""Schedules on the time line: Relative, Recurring, durations, validity and next_change_after."""

from __future__ import annotations

from datetime import UTC, datetime

from chargeyard.station.model.smart_charging import (
    ChargingProfile,
    ChargingProfileStore,
    TransactionContext,
)

from .smart_charging_support import (
    DAILY,
    DEFAULT,
    MAX,
    RECURRING,
    RELATIVE,
    T0,
    TX,
    TX1,
    VOLTAGE,
    WEEKLY,
    at,
    profile,
)

TX_AT_HALF_PAST = TransactionContext(transaction_id="tx-1", started_at=at(minutes=30))


def store_with(*placed: tuple[int, ChargingProfile]) -> ChargingProfileStore:
    store = ChargingProfileStore()
    for evse_id, each in placed:
        transaction = TX_AT_HALF_PAST if each.purpose is TX else None
        assert store.install(evse_id, each, now=T0, transaction=transaction).accepted
    return store


def limit(
    store: ChargingProfileStore,
    moment: datetime,
    *,
    transaction: TransactionContext | None = TX_AT_HALF_PAST,
) -> float | None:
    return store.limit_at(1, moment, transaction=transaction, voltage=VOLTAGE, phases=3)


def changes(
    store: ChargingProfileStore,
    start: datetime,
    *,
    transaction: TransactionContext | None = TX_AT_HALF_PAST,
    count: int = 10,
) -> list[datetime]:
    """Successive next_change_after answers from ``start``, at most ``count``."""
    found: list[datetime] = []
    change = store.next_change_after(1, start, transaction=transaction)
    while change is not None and len(found) < count:
        found.append(change)
        change = store.next_change_after(1, change, transaction=transaction)
    return found


def test_7_9_relative_profile_starts_with_the_transaction() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 3000.0), (600, 6000.0), kind=RELATIVE)))
    moments = [at(minutes=30), at(minutes=39, seconds=59), at(minutes=40)]
    assert [limit(store, moment) for moment in moments] == [3000.0, 3000.0, 6000.0]


def test_relative_profile_without_transaction_shows_its_first_period_and_never_changes() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 3000.0), (600, 6000.0), kind=RELATIVE)))
    assert [limit(store, at(hours=h), transaction=None) for h in (0, 5)] == [3000.0, 3000.0]
    assert store.next_change_after(1, at(0), transaction=None) is None


def test_7_13_absolute_without_start_schedule_runs_from_the_start_of_charging() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 3000.0), (600, 6000.0), start=None)))
    assert [limit(store, at(minutes=m)) for m in (30, 40)] == [3000.0, 6000.0]


def test_relative_tx_profile_follows_its_transaction() -> None:
    store = store_with(
        (1, profile(1, TX, (0, 2000.0), (60, 4000.0), kind=RELATIVE, transaction_id="tx-1"))
    )
    assert [limit(store, at(minutes=30, seconds=s)) for s in (0, 60)] == [2000.0, 4000.0]


def test_schedule_duration_ends_the_last_period() -> None:
    store = store_with((0, profile(1, MAX, (0, 5000.0), duration=3600)))
    station = [
        store.limit_at(0, moment, transaction=None, voltage=VOLTAGE, phases=3)
        for moment in (at(3599), at(3600))
    ]
    assert [limit(store, at(3599)), limit(store, at(3600))] == [5000.0, None]
    assert station == [5000.0, None]


def test_absolute_schedule_does_not_apply_before_its_start() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 5000.0), start=at(hours=1))))
    assert [limit(store, at(minutes=59)), limit(store, at(hours=1))] == [None, 5000.0]


def test_recurring_daily_window_across_midnight() -> None:
    # Full power from 22:00 to 06:00 every night over a 3 kW base.
    store = store_with(
        (1, profile(1, DEFAULT, (0, 3000.0), level=0)),
        (
            1,
            profile(
                2,
                DEFAULT,
                (0, 11000.0),
                level=1,
                kind=RECURRING,
                recurrency=DAILY,
                start=at(hours=22),
                duration=8 * 3600,
            ),
        ),
    )
    moments = [
        at(hours=21, minutes=59),  # the first night has not begun
        at(hours=22),
        at(days=1, minutes=30),  # 00:30, past midnight
        at(days=1, hours=5, minutes=59),
        at(days=1, hours=6),
        at(days=1, hours=22),  # the next night
        at(days=30, hours=3),
    ]
    expected = [3000.0, 11000.0, 11000.0, 11000.0, 3000.0, 11000.0, 11000.0]
    assert [limit(store, moment) for moment in moments] == expected
    assert changes(store, at(days=1, hours=1), count=3) == [
        at(days=1, hours=6),
        at(days=1, hours=22),
        at(days=2, hours=6),
    ]


def test_recurring_daily_without_duration_repeats_its_periods() -> None:
    store = store_with(
        (
            1,
            profile(
                1,
                DEFAULT,
                (0, 4000.0),
                (12 * 3600, 8000.0),
                kind=RECURRING,
                recurrency=DAILY,
                start=at(hours=6),
            ),
        )
    )
    assert [limit(store, at(days=3, hours=h)) for h in (5, 6, 17, 18)] == [
        8000.0,
        4000.0,
        4000.0,
        8000.0,
    ]


def test_recurring_weekly_weekend_boost() -> None:
    monday = datetime(2026, 1, 5, tzinfo=UTC)
    store = store_with(
        (
            1,
            profile(
                1,
                DEFAULT,
                (0, 5000.0),
                (5 * 86400, 11000.0),
                kind=RECURRING,
                recurrency=WEEKLY,
                start=monday,
            ),
        )
    )
    days = [
        datetime(2026, 1, 7, 12, tzinfo=UTC),  # Wednesday
        datetime(2026, 1, 10, 12, tzinfo=UTC),  # Saturday
        datetime(2026, 1, 12, 0, tzinfo=UTC),  # the next Monday
        datetime(2026, 1, 18, 23, tzinfo=UTC),  # the next Sunday
    ]
    assert [limit(store, day) for day in days] == [5000.0, 11000.0, 5000.0, 11000.0]


def test_next_change_after_walks_periods_duration_and_validity() -> None:
    store = store_with(
        (
            1,
            profile(
                1,
                DEFAULT,
                (0, 5000.0),
                (600, 4000.0),
                (1800, 3000.0),
                duration=3600,
                valid_from=at(60),
                valid_to=at(hours=2),
            ),
        )
    )
    assert changes(store, at(-10)) == [at(0), at(60), at(600), at(1800), at(3600), at(hours=2)]


def test_next_change_after_sees_every_stack_that_bears_on_the_evse() -> None:
    store = store_with(
        (0, profile(1, MAX, (0, 9000.0), (900, 8000.0))),
        (0, profile(2, DEFAULT, (0, 7000.0), (1200, 6000.0))),
        (1, profile(3, TX, (0, 2000.0), (60, 4000.0), kind=RELATIVE, transaction_id="tx-1")),
        (2, profile(4, DEFAULT, (0, 1000.0), (300, 2000.0))),  # another EVSE's: not seen
    )
    assert changes(store, at(0)) == [at(900), at(1200), at(minutes=30), at(minutes=31)]
    assert changes(store, at(0), transaction=TX1) == [at(60), at(900), at(1200)]


def test_limit_is_constant_up_to_the_next_change() -> None:
    store = store_with((1, profile(1, DEFAULT, (0, 5000.0), (600, 4000.0))))
    assert store.next_change_after(1, at(10), transaction=None) == at(600)
    assert {limit(store, at(s), transaction=None) for s in range(10, 600, 37)} == {5000.0}
    assert store.next_change_after(1, at(600), transaction=None) is None
