"""A station's real-time clock gone wrong (``station/clock_faults.py``, ``station/bad_days.py``):
an offset, a drift and a jump that every timestamp it sends follows, on both versions, while
its deadlines keep their length; clearing the fault makes its timestamps true again. Every
frame is checked against the official schemas by the harness (a wrong time is still a valid
date-time)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.protocol import V16, VersionSpec
from chargeyard.station.bad_days import BadDaysSnapshot, bad_days_of, snapshot_of
from chargeyard.station.clock import ManualClock
from chargeyard.station.clock_faults import RTC_RESET, ClockFault, ClockJump, FaultyClock
from tests.certificates import make_root
from tests.station.bad_days_support import (
    VERSIONS,
    charge,
    meter_values,
    online,
    register,
    timestamps,
    ts,
)
from tests.station.v16.conftest import make_station as make_v16

by_version = pytest.mark.parametrize("version", VERSIONS, ids=lambda version: version.name)

PER_MINUTE_WH = 7360 / 60  # the catalog station's 32 A on 230 V, a minute of it


def _gains(registers: list[float]) -> list[float]:
    return [after - before for before, after in itertools.pairwise(registers)]


@by_version
def test_an_offset_moves_every_timestamp_the_station_sends(version: VersionSpec) -> None:
    link = online(version)
    days = bad_days_of(link.station)
    days.set_clock(ClockFault(offset_s=3600))
    charge(link)  # status, the transaction's start, its first readings: at once
    link.run_for(120)  # two periodic readings
    assert set(timestamps(link)) == {ts(3600), ts(3660), ts(3720)}
    # Its deadlines keep their length: a reading a minute, on the true clock.
    assert len(meter_values(link, "Sample.Periodic")) == 2
    assert link.station.clock.monotonic() == link.clock.monotonic()

    days.clear_clock()
    link.csms.clear()
    link.run_for(60)
    assert set(timestamps(link)) == {ts(180)}
    assert link.station.clock is link.clock


@by_version
@pytest.mark.parametrize(
    ("drift_ppm", "first", "last"),
    [
        (500, "2026-01-01T00:01:00.030Z", "2026-01-01T01:00:01.800Z"),
        (-500, "2026-01-01T00:00:59.970Z", "2026-01-01T00:59:58.200Z"),
    ],
)
def test_a_drift_gains_its_ppm_over_the_hours(
    version: VersionSpec, drift_ppm: float, first: str, last: str
) -> None:
    link = online(version)
    bad_days_of(link.station).set_clock(ClockFault(drift_ppm=drift_ppm))
    charge(link)
    link.run_for(3600)
    periodic = [value["timestamp"] for value in meter_values(link, "Sample.Periodic")]
    # 500 ppm of an hour is 1.8 s; the readings still come every 60 s of true time.
    assert (len(periodic), periodic[0], periodic[-1]) == (60, first, last)


@by_version
@pytest.mark.parametrize(
    "to",
    [RTC_RESET, datetime(2031, 3, 1, 12, tzinfo=UTC)],
    ids=["rtc-reset-to-1970", "to-a-future-moment"],
)
def test_a_jump_resets_the_clock_at_its_moment_and_it_runs_on_from_there(
    version: VersionSpec, to: datetime
) -> None:
    link = online(version)
    days = bad_days_of(link.station)
    charge(link)
    days.set_clock(ClockFault(jump=ClockJump(to=to, after_s=90)))
    link.run_for(180)
    periodic = meter_values(link, "Sample.Periodic")
    assert [value["timestamp"] for value in periodic] == [
        ts(60),
        ts(30, start=to),
        ts(90, start=to),
    ]
    # The EV charged a minute between readings across the jump, not the years it made.
    for gain in _gains([register(value) for value in periodic]):
        assert gain == pytest.approx(PER_MINUTE_WH, abs=0.2)

    days.clear_clock()
    link.csms.clear()
    link.run_for(60)
    assert [value["timestamp"] for value in meter_values(link, "Sample.Periodic")] == [ts(240)]


@by_version
def test_an_offset_set_while_charging_adds_no_energy(version: VersionSpec) -> None:
    link = online(version)
    days = bad_days_of(link.station)
    charge(link)
    link.run_for(90)
    days.set_clock(ClockFault(offset_s=86_400))  # a day ahead, mid-transaction
    link.run_for(90)
    days.set_clock(ClockFault(offset_s=-86_400))  # a day behind
    link.run_for(60)
    periodic = meter_values(link, "Sample.Periodic")
    assert [value["timestamp"] for value in periodic] == [
        ts(60),
        ts(86_400 + 120),
        ts(86_400 + 180),  # (taken as the 180 s went by, before the second fault)
        ts(-86_400 + 240),
    ]
    for gain in _gains([register(value) for value in periodic]):
        assert gain == pytest.approx(PER_MINUTE_WH, abs=0.2)


@by_version
def test_clock_aligned_readings_align_to_the_clock_after_a_jump(version: VersionSpec) -> None:
    # The catalog's stations read their meters at every quarter hour (1.6
    # ClockAlignedDataInterval, 2.0.1 AlignedDataCtrlr.Interval): after the RTC reset at 60 s,
    # the next quarter hour is 1970's 00:15, 960 s from the start.
    link = online(version)
    bad_days_of(link.station).set_clock(ClockFault(jump=ClockJump(after_s=60)))
    link.run_for(950)
    assert meter_values(link, "Sample.Clock") == []
    link.run_for(20)
    aligned = meter_values(link, "Sample.Clock")
    assert [value["timestamp"] for value in aligned] == ["1970-01-01T00:15:00.000Z"]


@by_version
def test_the_clock_stays_wrong_through_a_reboot(version: VersionSpec) -> None:
    link = online(version)
    bad_days_of(link.station).set_clock(ClockFault(offset_s=-600))
    link.station.reboot(10)
    link.follow_station()  # the connection goes with the power
    link.run_for(30)
    assert "BootNotification" in link.csms.actions()
    assert link.csms.payloads("StatusNotification")  # the boot's reports
    assert set(timestamps(link)) <= {ts(-600 + seconds) for seconds in range(31)}
    assert isinstance(link.station.clock, FaultyClock)


@by_version
def test_the_snapshot_says_what_is_wrong_with_the_clock(version: VersionSpec) -> None:
    link = online(version)
    station = link.station
    assert snapshot_of(station) == BadDaysSnapshot()
    days = bad_days_of(station)
    days.set_clock(ClockFault(offset_s=-300, drift_ppm=100, jump=ClockJump(after_s=600)))
    link.run_for(60)
    shown = snapshot_of(station).to_json()
    assert shown == {
        "clock": {
            "offset_s": -300,
            "drift_ppm": 100,
            "jump": {"to": "1970-01-01T00:00:00.000Z", "after_s": 600},
            "reads": "2025-12-31T23:56:00.006Z",  # 60 s later, 100 ppm fast, 300 s behind
            "skew_s": pytest.approx(-299.994),
            "jump_in_s": 540.0,
            "jumped": False,
        },
        "misbehaviours": [],
    }
    link.run_for(600)
    clock = snapshot_of(station).clock
    assert clock is not None
    assert (clock.jumped, clock.jump_in_s, clock.reads) == (
        True,
        None,
        datetime(1970, 1, 1, 0, 1, 0, 6000, tzinfo=UTC),
    )
    days.clear_clock()
    assert snapshot_of(station) == BadDaysSnapshot()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: ClockFault(offset_s=math.nan), "a clock offset is at most"),
        (lambda: ClockFault(offset_s=200 * 365 * 86400.0), "a clock offset is at most"),
        (lambda: ClockFault(drift_ppm=-1e6), "a clock drift is at most"),
        (lambda: ClockFault(drift_ppm=math.inf), "a clock drift is at most"),
        (lambda: ClockJump(to=datetime(2030, 1, 1)), "with a time zone"),  # (none, on purpose)
        (lambda: ClockJump(to=datetime(1969, 12, 31, tzinfo=UTC)), "from 1970 to 9998"),
        (lambda: ClockJump(after_s=-1), "0 s or more from now"),
    ],
    ids=[
        "offset-nan",
        "offset-two-centuries",
        "drift-stops-the-clock",
        "drift-infinite",
        "jump-without-time-zone",
        "jump-before-1970",
        "jump-in-the-past",
    ],
)
def test_a_fault_no_clock_could_have_is_refused(make: Callable[[], object], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        make()


def test_a_fault_on_one_station_leaves_the_others_of_its_clock_true() -> None:
    # A fleet hands one clock to all its stations (fleet/fleet.py).
    clock = ManualClock()
    wrong, right = make_v16(clock), make_v16(clock)
    bad_days_of(wrong).set_clock(ClockFault(offset_s=3600))
    clock.advance(10)
    assert (wrong.clock.now(), right.clock.now()) == (
        datetime(2026, 1, 1, 1, 0, 10, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 10, tzinfo=UTC),
    )
    assert right.clock is clock


@by_version
def test_a_jump_to_come_wakes_the_runner_and_is_among_its_deadlines(version: VersionSpec) -> None:
    link = online(version)
    woken: list[None] = []
    link.station.wake = lambda: woken.append(None)
    bad_days_of(link.station).set_clock(ClockFault(jump=ClockJump(after_s=30)))
    assert woken
    assert link.station.next_deadline() == 30


@by_version
def test_a_station_back_in_1970_finds_a_valid_certificate_not_yet_valid(
    version: VersionSpec,
) -> None:
    # What follows the station's clock besides its timestamps: the validity of a certificate
    # it is asked to install (1.6 InstallCertificate, 2.0.1 M05).
    link = online(version)
    kind = "CentralSystemRootCertificate" if version is V16 else "CSMSRootCertificate"
    pem = make_root("root", not_before=link.clock.now() - timedelta(days=1)).pem
    install = {"certificateType": kind, "certificate": pem}
    days = bad_days_of(link.station)
    days.set_clock(ClockFault(jump=ClockJump()))
    assert link.call_station("InstallCertificate", install)["status"] == "Rejected"
    days.clear_clock()
    assert link.call_station("InstallCertificate", install) == {"status": "Accepted"}
