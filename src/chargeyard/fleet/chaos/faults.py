"""The faults a station's network can be given, as plain typed values.

Each fault is a frozen dataclass with a class-level ``kind`` (its name in the API, a TOML
profile, the journal and the metrics) and ``layer`` (what it acts on), and an end: ``for_s``
seconds after it is applied, or ``None`` for until it is cleared. What a fault does is the
business of the part it acts on: ``link`` faults of :mod:`chargeyard.fleet.chaos.pipe` and
the runtime's connection, ``frame`` faults of :mod:`chargeyard.fleet.chaos.frames`. A new
kind (a clock that drifts, a firmware that misnumbers its connectors, a crowd of stations
rebooting at once) is one more class here, an entry in :data:`KINDS`, and the code that acts
on it; the engine (``engine.py``) keeps, ends and lists faults without knowing their kinds.

The API and TOML edge reads these from JSON through pydantic (``gateway/chaos_profile.py``);
inside, they are the values below.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

Layer = Literal["link", "frame"]


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
    "DelayAnswers",
    "DelayFrames",
    "Disconnect",
    "DropFrames",
    "DuplicateFrames",
    "Fault",
    "HalfOpen",
    "Latency",
    "Layer",
    "RefuseConnect",
    "ReorderFrames",
    "WithholdAnswers",
    "fault_from_dict",
    "fault_to_dict",
]
