"""One profile on the time line: which of its periods holds at an instant, and when that changes.

A schedule is laid on the time line from an *occurrence start*:

* Absolute: ``start_schedule``. Without one, OCPP 1.6 section 7.13 makes it "relative to the
  start of charging", so it is placed like a Relative one (2.0.1 refuses it, K01.FR.40).
* Recurring: ``start_schedule``, and again every 24 h (Daily) or 7 days (Weekly) after it. It does
  not reach back before ``start_schedule``: "repeat from startSchedule".
* Relative: the start of the transaction (1.6 section 7.9, 2.0.1 ChargingProfileKindEnumType).
* Dynamic (2.1): ``start_schedule`` when it has one, else as Relative; what changes while it
  runs is its period's limit, which the store replaces (a new frozen profile).

An occurrence lasts ``duration`` seconds (for ever when absent: "the last period will continue
indefinitely", 1.6 section 7.13), cut short by the next recurrence. Inside it, the period in
force is the last one whose ``start_period`` has passed; before the first there is none. The
profile counts only inside [valid_from, valid_to) (1.6 section 7.8: validTo is the moment it
stops being valid).

The *anchor* is where Relative schedules start. ``None`` means there is no transaction: a
Relative schedule is then read as if its transaction started at the very instant asked about,
so it always shows its first period and never changes by itself. (1.6 says only "relative to the
start of the transaction"; a station with no transaction draws no power, and this answers
"what would a transaction starting now get".)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chargeyard.station.model.smart_charging.profiles import (
    ChargingProfile,
    ChargingProfileKind,
    ChargingSchedulePeriod,
    RecurrencyKind,
)

RECURRENCE: dict[RecurrencyKind, timedelta] = {
    RecurrencyKind.DAILY: timedelta(days=1),
    RecurrencyKind.WEEKLY: timedelta(days=7),
}


def _is_relative(profile: ChargingProfile) -> bool:
    kind = profile.kind
    placed_by_start = kind in (ChargingProfileKind.ABSOLUTE, ChargingProfileKind.DYNAMIC)
    return kind is ChargingProfileKind.RELATIVE or (
        placed_by_start and profile.schedule.start_schedule is None
    )


def _recurrence(profile: ChargingProfile) -> timedelta | None:
    if profile.kind is not ChargingProfileKind.RECURRING or profile.recurrency_kind is None:
        return None
    return RECURRENCE[profile.recurrency_kind]


def _span(profile: ChargingProfile) -> timedelta | None:
    """How long one occurrence lasts; None for ever."""
    schedule = profile.schedule
    span = None if schedule.duration is None else timedelta(seconds=schedule.duration)
    every = _recurrence(profile)
    if every is not None and (span is None or every < span):
        span = every
    return span


def _occurrence(profile: ChargingProfile, at: datetime, anchor: datetime | None) -> datetime:
    """The start of the occurrence in force at ``at`` (possibly after ``at``: not begun yet)."""
    if _is_relative(profile):
        return at if anchor is None else anchor
    start = profile.schedule.start_schedule
    assert start is not None  # a Recurring profile without one is refused at install
    every = _recurrence(profile)
    if every is None or at < start:
        return start
    return start + ((at - start) // every) * every


def is_valid(profile: ChargingProfile, at: datetime) -> bool:
    """Whether ``at`` lies in the profile's [valid_from, valid_to)."""
    if profile.valid_from is not None and at < profile.valid_from:
        return False
    return profile.valid_to is None or at < profile.valid_to


def period_at(
    profile: ChargingProfile, at: datetime, anchor: datetime | None
) -> ChargingSchedulePeriod | None:
    """The period of the profile's schedule in force at ``at``, or None if none is."""
    if not is_valid(profile, at):
        return None
    offset = at - _occurrence(profile, at, anchor)
    span = _span(profile)
    if offset < timedelta(0) or (span is not None and offset >= span):
        return None
    found = None
    for period in profile.schedule.periods:
        if timedelta(seconds=period.start_period) > offset:
            break
        found = period
    return found


def next_boundary(
    profile: ChargingProfile, at: datetime, anchor: datetime | None
) -> datetime | None:
    """The first instant after ``at`` at which :func:`period_at` may answer differently.

    Candidates: validFrom and validTo, and in the occurrence in force (or the next one) its
    start, each period's start, its end and the next recurrence. Returns None if there is none.
    """
    candidates = [edge for edge in (profile.valid_from, profile.valid_to) if edge is not None]
    if not (_is_relative(profile) and anchor is None):
        candidates.extend(_schedule_edges(profile, at, anchor))
    after = [edge for edge in candidates if edge > at]
    return min(after) if after else None


def _schedule_edges(
    profile: ChargingProfile, at: datetime, anchor: datetime | None
) -> list[datetime]:
    start = _occurrence(profile, at, anchor)
    span = _span(profile)
    edges = [start]
    edges.extend(
        start + timedelta(seconds=period.start_period)
        for period in profile.schedule.periods
        if span is None or timedelta(seconds=period.start_period) < span
    )
    if span is not None:
        edges.append(start + span)
    every = _recurrence(profile)
    if every is not None:
        edges.append(start + every)
    return edges
