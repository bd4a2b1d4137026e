"""The faults a station's network can be given, as plain typed values.

Each fault is a frozen dataclass with a class-level ``kind`` (its name in the API, a TOML
profile, the journal and the metrics) and ``layer`` (what it acts on), and an end: ``for_s``
seconds after it is applied, or ``None`` for until it is cleared. What a fault does is the
business of the part it acts on: ``link`` faults of :mod:`chargeyard.fleet.chaos.pipe` and
the runtime's connection, ``frame`` faults of :mod:`chargeyard.fleet.chaos.frames`,
``station`` faults (a wrong clock, a firmware misbehaviour) of the station's own bad days
(``station/bad_days.py``, through :mod:`chargeyard.fleet.chaos.station_faults`), and
``crowd`` faults of the runtime: an event that strikes every targeted station once, ``after_s``
seconds after it is applied (a reconnection storm, a rolling restart, a site's power cut),
spread over the crowd by :mod:`chargeyard.fleet.chaos.crowds`. A crowd fault ends when it has
struck (it has no ``for_s``). A new kind is one more class here, an entry in :data:`KINDS`,
and the code that acts on it; the engine (``engine.py``) keeps, ends and lists faults by their
layer.

The API and TOML edge reads these from JSON through pydantic (``gateway/chaos_profile.py``);
inside, they are the values below.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal

from chargeyard.station.clock_faults import RTC_RESET, ClockFault, ClockJump

Layer = Literal["link", "frame", "station", "crowd"]


@dataclass(frozen=True, slots=True)
class Latency:
    """Every chunk of bytes waits ``up_ms`` (station to central system) or ``down_ms``
    (central system to station), plus or minus up to ``jitter_ms``, drawn per chunk; the
    order of the bytes in each direction is kept (TCP's)."""

    kind: ClassVar[str] = "latency"
    layer: ClassVar[Layer] = "link"
    up_ms: float = 0.0
    down_ms: float = 0.0
    jitter_ms: float = 0.0
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class Bandwidth:
    """At most ``up_bytes_per_s`` / ``down_bytes_per_s`` each way (None: uncapped); bytes
    beyond wait their turn."""

    kind: ClassVar[str] = "bandwidth"
    layer: ClassVar[Layer] = "link"
    up_bytes_per_s: float | None = None
    down_bytes_per_s: float | None = None
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class Disconnect:
    """The TCP connection is cut (aborted, no closing handshake): now when neither
    ``every_s`` nor ``per_minute`` is given, else every ``every_s`` seconds, or with a
    probability of ``per_minute`` in each minute (drawn from the seeded source). After each
    cut the central system is unreachable from the station for ``offline_s`` seconds
    (its reconnection attempts are refused)."""

    kind: ClassVar[str] = "disconnect"
    layer: ClassVar[Layer] = "link"
    every_s: float | None = None
    per_minute: float | None = None
    offline_s: float = 0.0
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class HalfOpen:
    """The station stops reading its socket without closing it: what the central system sends
    stays in the network's buffers (answers, calls, pings) until the fault ends; what the
    station sends still goes out."""

    kind: ClassVar[str] = "half_open"
    layer: ClassVar[Layer] = "link"
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class RefuseConnect:
    """Every connection attempt fails as refused: the central system is unreachable from this
    station (an open connection stays open)."""

    kind: ClassVar[str] = "refuse_connect"
    layer: ClassVar[Layer] = "link"
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class DropFrames:
    """A ``share`` (0 to 1) of the station's outgoing OCPP messages never reach the wire (the
    station believes it sent them); ``actions`` limits it to CALLs of these actions and the
    answers to them."""

    kind: ClassVar[str] = "drop_frames"
    layer: ClassVar[Layer] = "frame"
    share: float = 1.0
    actions: tuple[str, ...] = ()
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class DuplicateFrames:
    """A ``share`` of outgoing messages is sent twice, the same message id both times, as a
    firmware that resends does."""

    kind: ClassVar[str] = "duplicate_frames"
    layer: ClassVar[Layer] = "frame"
    share: float = 1.0
    actions: tuple[str, ...] = ()
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class DelayFrames:
    """A ``share`` of outgoing messages is held ``delay_s`` seconds (those after it may
    overtake it)."""

    kind: ClassVar[str] = "delay_frames"
    layer: ClassVar[Layer] = "frame"
    share: float = 1.0
    delay_s: float = 1.0
    actions: tuple[str, ...] = ()
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class ReorderFrames:
    """With probability ``share``, the messages the station writes at once go out in reverse
    order, or a message written alone is held (``hold_s`` at most) and sent after the
    station's next ones."""

    kind: ClassVar[str] = "reorder_frames"
    layer: ClassVar[Layer] = "frame"
    share: float = 1.0
    hold_s: float = 1.0
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class DelayAnswers:
    """A ``share`` of the station's answers to the central system's calls (CALLRESULT,
    CALLERROR) is held ``delay_s`` seconds: set it past the central system's timeout."""

    kind: ClassVar[str] = "delay_answers"
    layer: ClassVar[Layer] = "frame"
    share: float = 1.0
    delay_s: float = 60.0
    actions: tuple[str, ...] = ()
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class WithholdAnswers:
    """A ``share`` of the station's answers to the central system's calls is never sent."""

    kind: ClassVar[str] = "withhold_answers"
    layer: ClassVar[Layer] = "frame"
    share: float = 1.0
    actions: tuple[str, ...] = ()
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class Clock:
    """The station's real-time clock is wrong: ``offset_s`` ahead (negative: behind), gaining
    ``drift_ppm`` (negative: losing), and, when ``jump_to`` (an ISO 8601 moment; default
    1970-01-01T00:00:00Z, an RTC reset) or ``jump_after_s`` is given, set to ``jump_to``
    ``jump_after_s`` seconds after it is applied (``station/clock_faults.py``). The newest
    clock fault applied is the one the station has."""

    kind: ClassVar[str] = "clock"
    layer: ClassVar[Layer] = "station"
    offset_s: float = 0.0
    drift_ppm: float = 0.0
    jump_to: str | None = None
    jump_after_s: float | None = None
    for_s: float | None = None

    def __post_init__(self) -> None:
        self.clock_fault()  # (refused here, not when it reaches a station)

    def clock_fault(self) -> ClockFault:
        """The station's :class:`ClockFault` for this fault.

        Raises:
            ValueError: ``jump_to`` is no ISO 8601 moment with a time zone, or a value is out
                of a clock's bounds.
        """
        jump = None
        if self.jump_to is not None or self.jump_after_s is not None:
            to = RTC_RESET if self.jump_to is None else datetime.fromisoformat(self.jump_to)
            jump = ClockJump(to=to, after_s=self.jump_after_s or 0.0)
        return ClockFault(offset_s=self.offset_s, drift_ppm=self.drift_ppm, jump=jump)


@dataclass(frozen=True, slots=True)
class StatusForUnknownConnector:
    """The firmware sends a StatusNotification for a connector the station lacks after each
    one it sends (``station/misbehaviour.py``)."""

    kind: ClassVar[str] = "status_for_unknown_connector"
    layer: ClassVar[Layer] = "station"
    behaviour: ClassVar[str] = "status-for-unknown-connector"
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class UnknownTransactionId:
    """The firmware's transaction messages name a transaction the central system never
    heard of."""

    kind: ClassVar[str] = "unknown_transaction_id"
    layer: ClassVar[Layer] = "station"
    behaviour: ClassVar[str] = "unknown-transaction-id"
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class MeterBackwards:
    """The energy register counts down while a transaction charges."""

    kind: ClassVar[str] = "meter_backwards"
    layer: ClassVar[Layer] = "station"
    behaviour: ClassVar[str] = "meter-backwards"
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class BootInTransaction:
    """The firmware sends a BootNotification while a transaction runs, its registration
    standing."""

    kind: ClassVar[str] = "boot_in_transaction"
    layer: ClassVar[Layer] = "station"
    behaviour: ClassVar[str] = "boot-in-transaction"
    for_s: float | None = None


@dataclass(frozen=True, slots=True)
class ReconnectStorm:
    """Every targeted station's connection is cut at once, ``after_s`` seconds after it is
    applied, and each dials again ``jitter_s`` seconds later at most (drawn per station from
    the random seed; 0: all at the same instant), whatever its reconnection backoff would
    wait."""

    kind: ClassVar[str] = "reconnect_storm"
    layer: ClassVar[Layer] = "crowd"
    jitter_s: float = 0.0
    after_s: float = 0.0


@dataclass(frozen=True, slots=True)
class RollingRestart:
    """The targeted stations reboot one after the other, ``per_minute`` a minute, in an order
    drawn from the random seed, the first ``after_s`` seconds after it is applied; each stays off
    ``off_s`` seconds (None: its own reboot delay). A reboot is graceful: the station finishes
    its conversation first."""

    kind: ClassVar[str] = "rolling_restart"
    layer: ClassVar[Layer] = "crowd"
    per_minute: float = 6.0
    off_s: float | None = None
    after_s: float = 0.0


@dataclass(frozen=True, slots=True)
class PowerCut:
    """Every targeted station loses its power at once, ``after_s`` seconds after it is
    applied, and boots again ``off_s`` seconds later (None: its own reboot delay): no goodbye;
    each open transaction is reported ended with reason PowerLoss once the boot after is
    Accepted (``station/power_loss.py``)."""

    kind: ClassVar[str] = "power_cut"
    layer: ClassVar[Layer] = "crowd"
    off_s: float | None = None
    after_s: float = 0.0


Misbehaving = StatusForUnknownConnector | UnknownTransactionId | MeterBackwards | BootInTransaction
"""The station faults that switch a firmware misbehaviour on."""

Crowd = ReconnectStorm | RollingRestart | PowerCut
"""The faults that strike a crowd of stations once."""


Fault = (
    Latency
    | Bandwidth
    | Disconnect
    | HalfOpen
    | RefuseConnect
    | DropFrames
    | DuplicateFrames
    | DelayFrames
    | ReorderFrames
    | DelayAnswers
    | WithholdAnswers
    | Clock
    | StatusForUnknownConnector
    | UnknownTransactionId
    | MeterBackwards
    | BootInTransaction
    | ReconnectStorm
    | RollingRestart
    | PowerCut
)

KINDS: dict[str, type[Fault]] = {
    kind.kind: kind
    for kind in (
        Latency,
        Bandwidth,
        Disconnect,
        HalfOpen,
        RefuseConnect,
        DropFrames,
        DuplicateFrames,
        DelayFrames,
        ReorderFrames,
        DelayAnswers,
        WithholdAnswers,
        Clock,
        StatusForUnknownConnector,
        UnknownTransactionId,
        MeterBackwards,
        BootInTransaction,
        ReconnectStorm,
        RollingRestart,
        PowerCut,
    )
}
"""Every fault kind by its name."""


def fault_to_dict(fault: Fault) -> dict[str, Any]:
    """``fault`` as JSON-ready data: its ``kind`` and fields (tuples as lists)."""
    data: dict[str, Any] = {"kind": fault.kind}
    for item in dataclasses.fields(fault):
        value = getattr(fault, item.name)
        data[item.name] = list(value) if isinstance(value, tuple) else value
    return data


def fault_from_dict(data: dict[str, Any]) -> Fault:
    """The inverse of :func:`fault_to_dict` (data checked already, at the edge).

    Raises:
        ValueError: an unknown kind or field.
    """
    fields = dict(data)
    kind = KINDS.get(str(fields.pop("kind", "")))
    if kind is None:
        raise ValueError(f"unknown fault kind {data.get('kind')!r}")
    known = {item.name for item in dataclasses.fields(kind)}
    if unknown := set(fields) - known:
        raise ValueError(f"{kind.kind} has no field {sorted(unknown)[0]!r}")
    if isinstance(fields.get("actions"), list):
        fields["actions"] = tuple(fields["actions"])
    return kind(**fields)


__all__ = [
    "KINDS",
    "Bandwidth",
    "BootInTransaction",
    "Clock",
    "Crowd",
    "DelayAnswers",
    "DelayFrames",
    "Disconnect",
    "DropFrames",
    "DuplicateFrames",
    "Fault",
    "HalfOpen",
    "Latency",
    "Layer",
    "MeterBackwards",
    "Misbehaving",
    "PowerCut",
    "ReconnectStorm",
    "RefuseConnect",
    "ReorderFrames",
    "RollingRestart",
    "StatusForUnknownConnector",
    "UnknownTransactionId",
    "WithholdAnswers",
    "fault_from_dict",
    "fault_to_dict",
]
