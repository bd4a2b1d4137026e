"""ocpp-cp-simulator's trace files read into a trace (docs/traces.md).

ocpp-cp-simulator (github.com/shiv3/ocpp-cp-simulator) writes its "OCPP Trace Format" with
``--trace-output``: JSON lines, one record a frame, no header, the records of all its charge
points interleaved. Its docs/trace-format.md and src/trace/OcppTraceRecord.ts define a
record; the fields read here::

    {"schemaVersion": "1.1", "timestamp": "2026-07-14T02:00:00.000Z", "ocppVersion": "1.6",
     "transport": "json", "chargePointId": "CP001", "direction": "cp-to-csms",
     "messageType": "CALL", "messageId": "abc-1", "action": "BootNotification",
     "payload": {...}, "raw": "[2,\\"abc-1\\",\\"BootNotification\\",{...}]"}

``schemaVersion``, ``timestamp``, ``transport``, ``direction`` and ``messageType`` are
required. ``raw`` (from 1.1) is the frame's text as it passed, the one lossless form, so it is
the frame when present; without it the frame is rebuilt from ``messageId``, ``action``,
``payload`` and ``error`` (``{code, description, details}``). Its versioning rules: a minor
version only adds optional fields, which a reader ignores, and another major version changes
what fields mean, so every ``1.x`` is read and any other version refused. ``connectorId`` and
``meta`` say nothing a frame does not, and are not kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from chargeyard.protocol import UnknownVersion, VersionSpec
from chargeyard.station.versions import version_of
from chargeyard.trace.format import Direction, Trace, TraceHeader, TraceRecord
from chargeyard.trace.importers import Imported

_SCHEMA = re.compile(r"^1\.\d+$")  # the major version read (docs/trace-format.md, Versioning)
_DIRECTIONS = {"cp-to-csms": Direction.STATION_TO_CSMS, "csms-to-cp": Direction.CSMS_TO_STATION}
_MESSAGE_TYPES = {"CALL": 2, "CALLRESULT": 3, "CALLERROR": 4}  # OCPP-J 4.1.3


class CpSimulatorTraceError(ValueError):
    """A file that is no ocpp-cp-simulator trace chargeyard reads: the line (when one is to
    blame) and why."""

    def __init__(self, why: str, line: int | None = None) -> None:
        super().__init__(why if line is None else f"line {line}: {why}")
        self.line = line


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    identity: str | None
    ocpp: str | None
    record: TraceRecord


def looks_like_cp_simulator(text: str) -> bool:
    """Whether ``text`` is unmistakably ocpp-cp-simulator's trace format: its first line a
    JSON object with the format's ``schemaVersion`` and ``messageType``."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        value = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return (
        isinstance(value, dict)
        and isinstance(value.get("schemaVersion"), str)
        and value.get("messageType") in _MESSAGE_TYPES
    )


def import_cp_simulator(
    text: str, *, identity: str | None = None, version: VersionSpec | None = None
) -> Imported:
    """The frames of one charge point of an ocpp-cp-simulator trace file as a trace.

    Args:
        identity: the charge point to read (its ``chargePointId``); needed when the file has
            several, or names none.
        version: the OCPP version of records that name none (``ocppVersion``).

    Returns:
        The trace; ``skipped`` counts the records of other charge points (or of none).

    Raises:
        CpSimulatorTraceError: a line that is no record of a version read, a charge point
            to choose or a version to name, an OCPP version that differs between records.
    """
    records = [
        _read(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()
    ]
    if not records:
        raise CpSimulatorTraceError("empty: no record")
    chosen = _chosen(records, identity)
    name = chosen[0].identity or identity
    assert name is not None  # _chosen asks for an identity when the records name none
    spec = _version(chosen, version)
    header = TraceHeader(spec, name, "import", chosen[0].record.at)
    trace = Trace(header, tuple(read.record for read in chosen))
    return Imported(trace, len(records) - len(chosen))


def _chosen(records: list[_Record], identity: str | None) -> list[_Record]:
    named = list(dict.fromkeys(read.identity for read in records if read.identity is not None))
    if not named:
        if identity is None:
            raise CpSimulatorTraceError("the records name no charge point: give its identity")
        return records
    if identity is None:
        if len(named) > 1:
            raise CpSimulatorTraceError(
                f"{len(named)} charge points in the file ({', '.join(named)}): choose one"
            )
        identity = named[0]
    chosen = [read for read in records if read.identity == identity]
    if not chosen:
        raise CpSimulatorTraceError(
            f"no record of charge point {identity!r} (the file has {', '.join(named)})"
        )
    return chosen


def _version(chosen: list[_Record], given: VersionSpec | None) -> VersionSpec:
    spec = given
    for read in chosen:
        if read.ocpp is None:
            continue
        try:
            named = version_of(read.ocpp)  # a file's text: the station edge (station/versions.py)
        except UnknownVersion as error:
            raise CpSimulatorTraceError(str(error), read.line) from None
        if spec is not None and named != spec:
            raise CpSimulatorTraceError(
                f"OCPP {named.name}, where the trace is of OCPP {spec.name}", read.line
            )
        spec = named
    if spec is None:
        raise CpSimulatorTraceError("the records name no OCPP version (ocppVersion): give it")
    return spec


def _read(number: int, line: str) -> _Record:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise CpSimulatorTraceError(f"not JSON ({error})", number) from None
    if not isinstance(value, dict):
        raise CpSimulatorTraceError("not a JSON object", number)
    schema = value.get("schemaVersion")
    if not isinstance(schema, str) or not _SCHEMA.match(schema):
        raise CpSimulatorTraceError(f"schemaVersion {schema!r} (this version reads 1.x)", number)
    if value.get("transport") != "json":
        # SOAP frames are no OCPP-J message a chargeyard trace can hold.
        raise CpSimulatorTraceError(f"transport {value.get('transport')!r} (read: json)", number)
    direction = _DIRECTIONS.get(str(value.get("direction")))
    if direction is None:
        raise CpSimulatorTraceError(f"direction {value.get('direction')!r}", number)
    identity, ocpp = value.get("chargePointId"), value.get("ocppVersion")
    if identity is not None and (not isinstance(identity, str) or not identity):
        raise CpSimulatorTraceError(f"chargePointId {identity!r}", number)
    if ocpp is not None and not isinstance(ocpp, str):
        raise CpSimulatorTraceError(f"ocppVersion {ocpp!r}", number)
    record = TraceRecord(direction, _time(number, value.get("timestamp")), _frame(number, value))
    return _Record(number, identity, ocpp, record)


def _frame(number: int, value: dict[str, Any]) -> list[Any]:
    kind = _MESSAGE_TYPES.get(str(value.get("messageType")))
    if kind is None:
        raise CpSimulatorTraceError(f"messageType {value.get('messageType')!r}", number)
    message_id = value.get("messageId")
    raw = value.get("raw")
    if raw is not None:
        return _raw_frame(number, raw, kind, message_id)
    if not isinstance(message_id, str):
        raise CpSimulatorTraceError("neither raw nor a messageId: no frame to rebuild", number)
    payload = value.get("payload", {})  # an absent payload is an empty one
    if kind == 2:
        action = value.get("action")
        if not isinstance(action, str):
            raise CpSimulatorTraceError("a CALL without its action", number)
        return [2, message_id, action, payload]
    if kind == 3:
        return [3, message_id, payload]
    error = value.get("error")
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        raise CpSimulatorTraceError("a CALLERROR without its error code", number)
    return [4, message_id, error["code"], error.get("description", ""), error.get("details", {})]


def _raw_frame(number: int, raw: object, kind: int, message_id: object) -> list[Any]:
    try:
        frame = orjson.loads(raw) if isinstance(raw, str) else None
    except orjson.JSONDecodeError:
        frame = None
    if not isinstance(frame, list) or len(frame) < 2:
        raise CpSimulatorTraceError("raw is no OCPP-J message (a JSON array)", number)
    # The fields are read from raw by the writer: where they disagree, the line is corrupt.
    if frame[0] != kind or (message_id is not None and _id_text(frame[1]) != message_id):
        raise CpSimulatorTraceError("raw disagrees with messageType or messageId", number)
    return frame


def _id_text(message_id: object) -> str:
    """A frame's unique id as the writer spells it in ``messageId`` (a number as its digits)."""
    if isinstance(message_id, bool) or not isinstance(message_id, int | str):
        return repr(message_id)
    return str(message_id)


def _time(number: int, text: object) -> datetime:
    if not isinstance(text, str):
        raise CpSimulatorTraceError("no timestamp", number)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise CpSimulatorTraceError(
            f"timestamp {text!r} is no ISO 8601 date-time", number
        ) from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
