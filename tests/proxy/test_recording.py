"""The proxy's trace files: one per connection, named by identity and opening time, readable
by their owner only, each frame a line as it passes; a recording that cannot write stops and
says so, without failing the relay."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chargeyard.protocol import V16
from chargeyard.proxy import Recorder
from chargeyard.proxy.recording import ConnectionRecording
from chargeyard.trace import Direction, loads

AT = datetime(2026, 1, 1, 10, 0, 0, 123456, tzinfo=UTC)


def test_each_connection_gets_its_own_file_even_at_the_same_instant(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "traces", clock=lambda: AT)
    first = recorder.open(V16, "CP-1", {})
    second = recorder.open(V16, "CP-1", {})
    assert first.path.name == "CP-1-20260101T100000.123456Z.trace.jsonl"
    assert second.path.name == "CP-1-20260101T100000.123456Z-1.trace.jsonl"
    assert (tmp_path / "traces").stat().st_mode & 0o777 == 0o700
    assert first.path.stat().st_mode & 0o777 == 0o600
    first.frame(Direction.STATION_TO_CSMS, '[2,"1","Heartbeat",{}]')
    trace = loads(first.path.read_bytes())  # readable line by line while open
    assert trace.header.recorded_at == AT.replace(microsecond=123000)
    assert [(r.direction, r.at, r.message) for r in trace.records] == [
        (Direction.STATION_TO_CSMS, AT.replace(microsecond=123000), [2, "1", "Heartbeat", {}])
    ]
    first.close()
    second.close()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_recording_that_cannot_write_stops_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    full = Path("/dev/full")
    recording = ConnectionRecording(os.open(full, os.O_WRONLY), full, lambda: AT)
    recording.frame(Direction.STATION_TO_CSMS, '[2,"1","Heartbeat",{}]')  # no exception
    recording.frame(Direction.STATION_TO_CSMS, '[2,"2","Heartbeat",{}]')
    assert [r.getMessage() for r in caplog.records] == [
        "/dev/full: recording stopped: [Errno 28] No space left on device"
    ]
    recording.close()
