"""Plain OCPP-J logs read into a trace: one frame a line, after a time and a direction.

Read kinds (docs/traces.md)::

    2026-01-01T10:00:00Z -> [2,"1","BootNotification",{...}]
    [2026-01-01 10:00:00.123] << [3,"1",{...}]
    2026-01-01T10:00:00+01:00 SEND: [2,"1","Heartbeat",{}]

The direction words say which way from the side that wrote the log (``->``, ``>>``, ``SEND``,
``SENT``, ``OUT``, ``TX`` went out; ``<-``, ``<<``, ``RECV``, ``RECEIVED``, ``IN``, ``RX`` came
in), and a log may be a station's or a central system's. Which it is, the frames tell: the
first CALL of an action only a station sends (BootNotification, Heartbeat, ...) went out from a
station's log and came in to a central system's. Lines that are none of these (a log's other
chatter) are skipped and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import orjson

from chargeyard.protocol import VersionSpec
from chargeyard.trace.format import Direction, Trace, TraceHeader, TraceRecord

_LINE = re.compile(
    r"""^\s*\[?(?P<at>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)\]?
    \s*(?:\|\s*)?(?P<way>->|-->|>>|<-|<--|<<|SEND|SENT|OUT|TX|RECV|RECEIVED|IN|RX):?
    \s*(?P<frame>\[.*\])\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_OUT = frozenset({"->", "-->", ">>", "SEND", "SENT", "OUT", "TX"})

# Actions only a station starts (OCPP 1.6 and 2.0.1): the first CALL of one tells whose log it is.
STATION_ACTIONS = frozenset(
    {
        "Authorize",
        "BootNotification",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "MeterValues",
        "NotifyEvent",
        "NotifyReport",
        "SecurityEventNotification",
        "StartTransaction",
        "StatusNotification",
        "StopTransaction",
        "TransactionEvent",
    }
)


class Side(StrEnum):
    """Whose log it is: who sent what the log calls outgoing."""

    AUTO = "auto"
    STATION = "station"
    CSMS = "csms"


class LogImportError(ValueError):
    """A log that holds no frame, or whose side cannot be told."""


@dataclass(frozen=True, slots=True)
class Imported:
    trace: Trace
    skipped: int  # lines that were no frame


def import_log(
    text: str,
    *,
    version: VersionSpec,
    identity: str,
    side: Side = Side.AUTO,
) -> Imported:
    """The frames of a plain OCPP-J log as a trace of ``identity`` speaking ``version``.

    Raises:
        LogImportError: no line held a frame, or ``side`` is auto and no CALL of an action only
            a station sends tells whose log it is.
    """
    read: list[tuple[datetime, bool, str]] = []  # time, went out, frame
    skipped = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _LINE.match(line)
        at = _time(match["at"]) if match is not None else None
        if match is None or at is None:
            skipped += 1
            continue
        read.append((at, match["way"].upper() in _OUT, match["frame"]))
    if not read:
        raise LogImportError("no line holds a frame after a time and a direction")
    station_log = _station_log(read) if side is Side.AUTO else side is Side.STATION
    records = tuple(
        TraceRecord.of_text(
            Direction.STATION_TO_CSMS if out == station_log else Direction.CSMS_TO_STATION,
            at,
            frame,
        )
        for at, out, frame in read
    )
    header = TraceHeader(version, identity, "import", records[0].at)
    return Imported(Trace(header, records), skipped)


def _station_log(read: Iterable[tuple[datetime, bool, str]]) -> bool:
    for _, out, frame in read:
        try:
            message = orjson.loads(frame)
        except orjson.JSONDecodeError:
            continue
        if (
            isinstance(message, list)
            and len(message) >= 3
            and message[0] == 2
            and message[2] in STATION_ACTIONS
        ):
            return out
    raise LogImportError(
        "cannot tell whose log it is (no CALL of an action only a station sends): "
        "say which with --side station or --side csms"
    )


def _time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace(",", "."))
    except ValueError:
        return None
