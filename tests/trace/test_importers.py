"""Plain OCPP-J logs read into traces: the common kinds of line, a station's log and a central
system's told apart by their frames, other lines skipped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chargeyard.protocol import V16
from chargeyard.trace import Direction
from chargeyard.trace.importers import LogImportError, Side, import_log

OUT, IN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def _read(log: str, side: Side = Side.AUTO) -> list[tuple[Direction, datetime, object]]:
    imported = import_log(log, version=V16, identity="CP-1", side=side)
    return [(r.direction, r.at, r.message) for r in imported.trace.records]


def test_arrows_after_an_iso_time_in_a_station_s_log() -> None:
    log = (
        '2026-01-01T10:00:00Z -> [2,"1","BootNotification",{"chargePointVendor":"V"}]\n'
        '2026-01-01T10:00:00.250Z <- [3,"1",{"status":"Accepted","interval":60}]\n'
    )
    assert _read(log) == [
        (
            OUT,
            datetime(2026, 1, 1, 10, tzinfo=UTC),
            [2, "1", "BootNotification", {"chargePointVendor": "V"}],
        ),
        (
            IN,
            datetime(2026, 1, 1, 10, 0, 0, 250000, tzinfo=UTC),
            [3, "1", {"status": "Accepted", "interval": 60}],
        ),
    ]


def test_brackets_and_double_arrows_in_a_central_system_s_log() -> None:
    # The central system's log: what came in (<<) is the station's.
    log = (
        "starting server on :9000\n"
        '[2026-01-01 10:00:00] << [2,"7","Heartbeat",{}]\n'
        '[2026-01-01 10:00:00.1] >> [3,"7",{"currentTime":"2026-01-01T10:00:00Z"}]\n'
        '[2026-01-01 10:00:01] >> [2,"c1","Reset",{"type":"Soft"}]\n'
    )
    imported = import_log(log, version=V16, identity="CP-1")
    assert imported.skipped == 1
    assert [(r.direction, r.message[0]) for r in imported.trace.records if r.message] == [
        (OUT, 2),
        (IN, 3),
        (IN, 2),
    ]
    assert imported.trace.records[0].at == datetime(2026, 1, 1, 10, tzinfo=UTC)


def test_send_and_recv_words_with_an_offset_and_a_colon() -> None:
    log = (
        '2026-01-01T11:00:00+01:00 RECV: [2,"9","GetConfiguration",{}]\n'
        '2026-01-01T11:00:01+01:00 SEND: [3,"9",{"configurationKey":[]}]\n'
        '2026-01-01T11:00:02+01:00 SEND: [2,"2","StatusNotification",{"connectorId":1}]\n'
    )
    assert [(d, at.hour) for d, at, _ in _read(log)] == [(IN, 10), (OUT, 10), (OUT, 10)]


def test_the_side_may_be_stated_when_the_frames_cannot_tell() -> None:
    log = '2026-01-01T10:00:00Z >> [2,"1","Reset",{"type":"Hard"}]\n'
    with pytest.raises(LogImportError, match="--side"):
        import_log(log, version=V16, identity="CP-1")
    assert _read(log, Side.CSMS)[0][0] is IN


def test_a_log_without_frames_is_refused() -> None:
    with pytest.raises(LogImportError, match="no line holds a frame"):
        import_log("hello\nworld\n", version=V16, identity="CP-1")
