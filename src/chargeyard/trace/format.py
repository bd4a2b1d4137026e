"""The trace format: one charger's OCPP-J frames as JSON lines, format version 1
(docs/traces.md).

The first line is the header, the others the frames in the order they passed::

    {"trace": "chargeyard", "format": 1, "ocpp": "ocpp1.6", "identity": "CP-1", ...}
    {"direction": "cp_to_csms", "at": "2026-01-01T10:00:00.000Z", "frame": [2, "1", ...]}

``direction`` is seen from the station, in the gateway API's words. ``frame`` is the OCPP-J
message as JSON; a frame that is no JSON (a frame the store kept cut, a peer's garbage) is kept
as its text under ``text`` instead, so that nothing recorded is lost and a reader can tell. A
line with ``fault`` says what a network fault of the simulator did to a frame the station sent
(``frame_dropped``, ``frame_duplicated``, ``frame_delayed``): the station's own line of that
frame comes before it, and a replay sends the station's frames only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson

from chargeyard.protocol import VersionSpec, version_for

FORMAT_VERSION = 1
MEDIA_TYPE = "application/x-ndjson"
_MARK = "chargeyard"


class Direction(StrEnum):
    """Which way a frame went, seen from the station."""

    STATION_TO_CSMS = "cp_to_csms"
    CSMS_TO_STATION = "csms_to_cp"


class TraceError(ValueError):
    """Text that is no trace: the line and what is wrong with it."""

    def __init__(self, line: int, why: str) -> None:
        super().__init__(f"line {line}: {why}")
        self.line = line


@dataclass(frozen=True, slots=True)
class TraceHeader:
    """What the frames belong to: the charger's OCPP version and identity, and where they
    were recorded (``source``: ``gateway``, ``csms``, ``import``, ``replay``)."""

    version: VersionSpec
    identity: str
    source: str = "unknown"
    recorded_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "trace": _MARK,
            "format": FORMAT_VERSION,
            "ocpp": self.version.subprotocol,
            "identity": self.identity,
            "source": self.source,
        }
        if self.recorded_at is not None:
            line["recordedAt"] = _time_text(self.recorded_at)
        return {**self.extra, **line}


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One frame: ``message`` the parsed OCPP-J message, or None with ``text`` when the frame
    is no JSON array."""

    direction: Direction
    at: datetime
    message: list[Any] | None
    text: str | None = None
    fault: str | None = None  # what a simulated network fault did to the frame

    @classmethod
    def of_text(
        cls, direction: Direction, at: datetime, text: str, fault: str | None = None
    ) -> TraceRecord:
        """A frame as it passed on the wire (``fault``: as a network fault passed it)."""
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            return cls(direction, _utc(at), None, text, fault)
        if not isinstance(message, list):
            return cls(direction, _utc(at), None, text, fault)
        return cls(direction, _utc(at), message, None, fault)

    @property
    def wire_text(self) -> str:
        """The frame as text, as it would go on the wire."""
        if self.message is None:
            return self.text or ""
        return orjson.dumps(self.message).decode()

    def as_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {"direction": self.direction.value, "at": _time_text(self.at)}
        if self.message is not None:
            line["frame"] = self.message
        else:
            line["text"] = self.text
        if self.fault is not None:
            line["fault"] = self.fault
        return line


@dataclass(frozen=True, slots=True)
class Trace:
    header: TraceHeader
    records: tuple[TraceRecord, ...]


def header_line(header: TraceHeader) -> bytes:
    return orjson.dumps(header.as_json()) + b"\n"


def record_line(record: TraceRecord) -> bytes:
    return orjson.dumps(record.as_json()) + b"\n"


def dumps(trace: Trace) -> bytes:
    """The trace as JSON lines (each ending with a newline)."""
    return b"".join(lines(trace.header, trace.records))


def lines(header: TraceHeader, records: Iterable[TraceRecord]) -> Iterator[bytes]:
    """The header's line, then each record's: for a response streamed as it is read."""
    yield header_line(header)
    for record in records:
        yield record_line(record)


def loads(text: str | bytes) -> Trace:
    """A trace read from its JSON lines (blank lines are skipped).

    Raises:
        TraceError: the text is no trace of a format this version reads.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not numbered:
        raise TraceError(1, "empty: a trace starts with its header line")
    first, *rest = numbered
    header = _header(*first)
    return Trace(header, tuple(_record(n, line) for n, line in rest))


def _object(number: int, line: str) -> dict[str, Any]:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise TraceError(number, f"not JSON ({error})") from None
    if not isinstance(value, dict):
        raise TraceError(number, "not a JSON object")
    return value


def _header(number: int, line: str) -> TraceHeader:
    value = _object(number, line)
    if value.get("trace") != _MARK:
        raise TraceError(number, 'no trace header (a header has "trace": "chargeyard")')
    if value.get("format") != FORMAT_VERSION:
        raise TraceError(number, f"format {value.get('format')!r} (this version reads 1)")
    try:
        # The version as its subprotocol, as the store keeps it: a file is read, not typed.
        version = version_for(str(value.get("ocpp", "")))
    except KeyError as error:
        raise TraceError(number, str(error.args[0])) from None
    identity = value.get("identity")
    if not isinstance(identity, str) or not identity:
        raise TraceError(number, "the header names no identity")
    recorded = value.get("recordedAt")
    known = {"trace", "format", "ocpp", "identity", "source", "recordedAt"}
    return TraceHeader(
        version,
        identity,
        str(value.get("source", "unknown")),
        _time(number, recorded) if isinstance(recorded, str) else None,
        {key: item for key, item in value.items() if key not in known},
    )


def _record(number: int, line: str) -> TraceRecord:
    value = _object(number, line)
    try:
        direction = Direction(str(value.get("direction")))
    except ValueError:
        raise TraceError(number, f"direction {value.get('direction')!r}") from None
    at = value.get("at")
    if not isinstance(at, str):
        raise TraceError(number, "no time (at)")
    fault = value.get("fault")
    if fault is not None and not isinstance(fault, str):
        raise TraceError(number, "fault is not a string")
    frame = value.get("frame")
    if isinstance(frame, list):
        return TraceRecord(direction, _time(number, at), frame, None, fault)
    text = value.get("text")
    if isinstance(text, str):
        return TraceRecord(direction, _time(number, at), None, text, fault)
    raise TraceError(number, "neither a frame (a JSON array) nor its text")


def _time(number: int, text: str) -> datetime:
    try:
        return _utc(datetime.fromisoformat(text))
    except ValueError:
        raise TraceError(number, f"time {text!r} is no ISO 8601 date-time") from None


def _utc(at: datetime) -> datetime:
    """A time without a zone is taken as UTC, as the store keeps them."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _time_text(at: datetime) -> str:
    return _utc(at).isoformat(timespec="milliseconds").replace("+00:00", "Z")
