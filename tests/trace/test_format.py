"""The trace format (docs/traces.md): what is written reads back the same, frames that are no
JSON are kept as text, and what is no trace is refused with its line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from chargeyard.protocol import V16, V201
from chargeyard.trace import Direction, Trace, TraceError, TraceHeader, TraceRecord, dumps, loads

AT = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


def _trace() -> Trace:
    boot = '[2,"1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]'
    answer = '[3,"1",{"status":"Accepted","currentTime":"2026-01-01T10:00:00Z","interval":60}]'
    return Trace(
        TraceHeader(V16, "CP-1", "gateway", AT, {"chargerId": "dep-1"}),
        (
            TraceRecord.of_text(Direction.STATION_TO_CSMS, AT, boot),
            TraceRecord.of_text(Direction.CSMS_TO_STATION, AT + timedelta(milliseconds=25), answer),
            TraceRecord.of_text(Direction.STATION_TO_CSMS, AT + timedelta(seconds=1), "[2,"),
            TraceRecord.of_text(Direction.STATION_TO_CSMS, AT, boot, "frame_dropped"),
        ),
    )


def test_a_trace_reads_back_as_written() -> None:
    trace = _trace()
    assert loads(dumps(trace)) == trace


def test_the_lines_are_a_header_then_one_per_frame() -> None:
    first, second, third, fourth, fifth = dumps(_trace()).decode().splitlines()
    assert orjson.loads(first) == {
        "trace": "chargeyard",
        "format": 1,
        "ocpp": "ocpp1.6",
        "identity": "CP-1",
        "source": "gateway",
        "recordedAt": "2026-01-01T10:00:00.000Z",
        "chargerId": "dep-1",
    }
    assert orjson.loads(second) == {
        "direction": "cp_to_csms",
        "at": "2026-01-01T10:00:00.000Z",
        "frame": [2, "1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}],
    }
    assert orjson.loads(third)["direction"] == "csms_to_cp"
    assert orjson.loads(third)["at"] == "2026-01-01T10:00:00.025Z"
    # A frame that is no JSON is kept as its text.
    assert orjson.loads(fourth) == {
        "direction": "cp_to_csms",
        "at": "2026-01-01T10:00:01.000Z",
        "text": "[2,",
    }
    # What a network fault of the simulator did to a frame the station sent.
    assert orjson.loads(fifth)["fault"] == "frame_dropped"
    assert "fault" not in orjson.loads(second)


def test_a_time_without_a_zone_reads_as_utc() -> None:
    header = '{"trace":"chargeyard","format":1,"ocpp":"ocpp2.0.1","identity":"CP-9"}'
    line = '{"direction":"csms_to_cp","at":"2026-01-01T10:00:00","frame":[3,"1",{}]}'
    trace = loads(f"{header}\n\n{line}\n")
    assert trace.header.version is V201
    assert trace.header.source == "unknown"
    assert trace.records == (TraceRecord(Direction.CSMS_TO_STATION, AT, [3, "1", {}]),)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "line 1: empty: a trace starts with its header line"),
        ("[1]", "line 1: not a JSON object"),
        ('{"identity":"CP-1"}', 'line 1: no trace header (a header has "trace": "chargeyard")'),
        (
            '{"trace":"chargeyard","format":2,"ocpp":"1.6","identity":"CP-1"}',
            "line 1: format 2 (this version reads 1)",
        ),
        (
            '{"trace":"chargeyard","format":1,"ocpp":"1.6","identity":"CP-1"}',
            "line 1: unknown OCPP subprotocol '1.6' (known: ocpp2.1, ocpp2.0.1, ocpp1.6)",
        ),
        (
            '{"trace":"chargeyard","format":1,"ocpp":"ocpp1.6"}\n',
            "line 1: the header names no identity",
        ),
        (
            '{"trace":"chargeyard","format":1,"ocpp":"ocpp1.6","identity":"CP-1"}\n'
            '{"direction":"up","at":"2026-01-01T10:00:00Z","frame":[2]}',
            "line 2: direction 'up'",
        ),
        (
            '{"trace":"chargeyard","format":1,"ocpp":"ocpp1.6","identity":"CP-1"}\n'
            '{"direction":"cp_to_csms","at":"yesterday","frame":[2]}',
            "line 2: time 'yesterday' is no ISO 8601 date-time",
        ),
        (
            '{"trace":"chargeyard","format":1,"ocpp":"ocpp1.6","identity":"CP-1"}\n'
            '{"direction":"cp_to_csms","at":"2026-01-01T10:00:00Z"}',
            "line 2: neither a frame (a JSON array) nor its text",
        ),
    ],
)
def test_what_is_no_trace_is_refused_with_its_line(text: str, error: str) -> None:
    with pytest.raises(TraceError) as refused:
        loads(text)
    assert str(refused.value) == error
