"""Variable monitors (OCPP 2.0.1 functional block N, N03-N08): what a station watches, and when
a watched value makes an event. Nothing here knows the wire, a clock or a timer.

Theory of operation
-------------------
A :class:`Monitor` watches one variable of one component (part 2 VariableMonitoringType): a
type, a value (a threshold, a delta or a period in seconds) and a severity (0 Danger .. 9
Debug). :class:`Monitors` holds a station's, by id, and applies the rules of N04 when the
central system sets one (:meth:`Monitors.set`, answering a SetMonitoringStatusEnumType) and of
N06 when it clears one (:meth:`Monitors.clear`). A monitor is hard-wired (it cannot be
replaced or cleared: N04.FR.18, N06.FR.03) or custom (set by SetVariableMonitoring, and what
SetMonitoringBase FactoryDefault or HardWiredOnly deletes, N03.FR.04/05).

:meth:`Monitor.observe` compares a value read now with what the monitor last saw (N07):

* UpperThreshold / LowerThreshold: an Alerting event when the value goes above / below the
  threshold (strictly: "not on the threshold", N07.FR.16/17), and one with ``cleared`` when it
  comes back (N07.FR.02). The monitor remembers it is tripped, so a value that stays beyond
  the threshold makes one event, and a replaced monitor keeps that memory (N07.FR.11);
* Delta: an event when a number moved more than the value from the one seen when the monitor
  was set or last fired (N07.FR.18), or any other value changed at all (N07.FR.19);
* Periodic / PeriodicClockAligned never fire from a value: the station's timers fire them (N08).

A threshold is compared with a number only: a threshold on a variable that is not an integer or
a decimal is UnsupportedMonitorType (N04.FR.05).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from chargeyard.protocol.messages import v201
from chargeyard.station.v201.device_model import Component, Variable

# Monitors a station holds at most: each costs a look at its variable at every check.
MAX_MONITORS = 100
SEVERITIES = range(10)  # 0 Danger .. 9 Debug (part 2, "Severity levels")

_NUMERIC = frozenset({"integer", "decimal"})


class MonitorType(StrEnum):
    """MonitorEnumType."""

    UPPER_THRESHOLD = "UpperThreshold"
    LOWER_THRESHOLD = "LowerThreshold"
    DELTA = "Delta"
    PERIODIC = "Periodic"
    PERIODIC_CLOCK_ALIGNED = "PeriodicClockAligned"

    @property
    def periodic(self) -> bool:
        return self in (MonitorType.PERIODIC, MonitorType.PERIODIC_CLOCK_ALIGNED)

    @property
    def threshold(self) -> bool:
        return self in (MonitorType.UPPER_THRESHOLD, MonitorType.LOWER_THRESHOLD)


class MonitorKind(StrEnum):
    """Who made a monitor, in EventNotificationEnumType's words."""

    HARD_WIRED = "HardWiredMonitor"
    CUSTOM = "CustomMonitor"


class SetStatus(StrEnum):
    """SetMonitoringStatusEnumType."""

    ACCEPTED = "Accepted"
    UNKNOWN_COMPONENT = "UnknownComponent"
    UNKNOWN_VARIABLE = "UnknownVariable"
    UNSUPPORTED_MONITOR_TYPE = "UnsupportedMonitorType"
    REJECTED = "Rejected"
    DUPLICATE = "Duplicate"


class ClearStatus(StrEnum):
    """ClearMonitoringStatusEnumType."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    NOT_FOUND = "NotFound"


@dataclass(frozen=True, slots=True)
class Change:
    """What a monitor saw: the trigger of its event (EventTriggerEnumType) and whether the
    event reports a return to normal (``cleared``)."""

    trigger: v201.EventTriggerEnumType
    cleared: bool = False


@dataclass(slots=True)
class Monitor:
    """One VariableMonitoring, and what it last saw."""

    id: int
    component: Component
    variable: str
    instance: str | None
    type: MonitorType
    value: float
    severity: int
    transaction: bool = False  # watched only while a transaction runs (SetMonitoringDataType)
    kind: MonitorKind = MonitorKind.CUSTOM
    tripped: bool = False  # a threshold is exceeded and its clearing not yet reported
    reference: str | None = None  # Delta: the value at the set or the last event

    def watches(self, component: Component, variable: str, instance: str | None) -> bool:
        return (self.component, self.variable, self.instance) == (component, variable, instance)

    def observe(self, actual: str, numeric: bool) -> Change | None:
        """Compare ``actual`` (the variable's value now) with what the monitor last saw; the
        change that makes an event, if any (see the module docstring)."""
        if self.type.periodic:
            return None
        if self.type is MonitorType.DELTA:
            return self._delta(actual, numeric)
        try:
            number = float(actual)
        except ValueError:
            return None  # no number to compare (yet)
        if self.type is MonitorType.UPPER_THRESHOLD:
            beyond = number > self.value
        else:
            beyond = number < self.value
        if beyond == self.tripped:
            return None
        self.tripped = beyond
        return Change("Alerting", cleared=not beyond)

    def _delta(self, actual: str, numeric: bool) -> Change | None:
        previous, self.reference = self.reference, actual
        if previous is None:
            return None  # the first value seen is where deltas count from
        if not numeric:
            return None if actual == previous else Change("Delta")
        try:
            moved = abs(float(actual) - float(previous))
        except ValueError:
            return None if actual == previous else Change("Delta")
        if moved > self.value:
            return Change("Delta")
        self.reference = previous  # smaller steps add up until one event
        return None


@dataclass(frozen=True, slots=True)
class Wanted:
    """One SetMonitoringDataType, as the device model names its target."""

    component: Component
    variable: str
    instance: str | None
    type: MonitorType
    value: float
    severity: int
    transaction: bool = False
    id: int | None = None


@dataclass(frozen=True, slots=True)
class SetResult:
    status: SetStatus
    id: int | None = None
    reason: str | None = None  # StatusInfoType.reasonCode (20 characters at most)


class Monitors:
    """A station's monitors by id (see the module docstring)."""

    def __init__(self) -> None:
        self._monitors: dict[int, Monitor] = {}
        self._last_id = 0

    def __iter__(self) -> Iterator[Monitor]:
        return iter(list(self._monitors.values()))

    def __len__(self) -> int:
        return len(self._monitors)

    def get(self, monitor_id: int) -> Monitor | None:
        return self._monitors.get(monitor_id)

    def install(self, monitor: Monitor) -> None:
        """Add a monitor of the station's own (hard-wired), under its id."""
        self._monitors[monitor.id] = monitor
        self._last_id = max(self._last_id, monitor.id)

    def set(self, wanted: Wanted, variable: Variable) -> SetResult:
        """Apply one SetVariableMonitoring item on ``variable`` (found by the caller: an
        unknown component or variable is answered before), by the rules of N04."""
        kind = wanted.type
        if kind.threshold and variable.data_type not in _NUMERIC:
            return SetResult(SetStatus.UNSUPPORTED_MONITOR_TYPE)  # N04.FR.05
        if wanted.severity not in SEVERITIES:
            return SetResult(SetStatus.REJECTED, reason="InvalidSeverity")
        refusal = _value_refusal(wanted, variable)
        if refusal is not None:
            return SetResult(SetStatus.REJECTED, reason=refusal)
        old = None
        if wanted.id is not None:
            old = self._monitors.get(wanted.id)
            if old is None:
                return SetResult(SetStatus.REJECTED, reason="UnknownId")  # N04.FR.13
            if not old.watches(wanted.component, wanted.variable, wanted.instance):
                return SetResult(SetStatus.REJECTED, reason="OtherVariable")  # N04.FR.16
            if old.kind is MonitorKind.HARD_WIRED:
                return SetResult(SetStatus.REJECTED, reason="HardWired")  # N04.FR.18
        if any(
            other.id != wanted.id
            and other.watches(wanted.component, wanted.variable, wanted.instance)
            and (other.type, other.severity) == (kind, wanted.severity)
            for other in self._monitors.values()
        ):
            return SetResult(SetStatus.DUPLICATE)  # N04.FR.10
        if old is None and len(self._monitors) >= MAX_MONITORS:
            return SetResult(SetStatus.REJECTED, reason="TooManyMonitors")
        monitor_id = wanted.id if wanted.id is not None else self._next_id()  # N04.FR.11
        monitor = Monitor(
            monitor_id,
            wanted.component,
            wanted.variable,
            wanted.instance,
            kind,
            wanted.value,
            wanted.severity,
            wanted.transaction,
        )
        if old is not None and old.type is kind:
            # N07.FR.11: a replaced threshold is compared with what the old one saw.
            monitor.tripped, monitor.reference = old.tripped, old.reference
        self._monitors[monitor_id] = monitor
        return SetResult(SetStatus.ACCEPTED, monitor_id)

    def clear(self, monitor_id: int) -> ClearStatus:
        """ClearVariableMonitoring of one id (N06); a cleared threshold reports nothing more
        (N07.FR.12)."""
        monitor = self._monitors.get(monitor_id)
        if monitor is None:
            return ClearStatus.NOT_FOUND
        if monitor.kind is MonitorKind.HARD_WIRED:
            return ClearStatus.REJECTED
        del self._monitors[monitor_id]
        return ClearStatus.ACCEPTED

    def clear_custom(self) -> list[int]:
        """Delete every custom monitor (N03.FR.04/05); returns their ids."""
        custom = [m.id for m in self._monitors.values() if m.kind is MonitorKind.CUSTOM]
        for monitor_id in custom:
            del self._monitors[monitor_id]
        return custom

    def _next_id(self) -> int:
        self._last_id += 1
        return self._last_id


def _value_refusal(wanted: Wanted, variable: Variable) -> str | None:
    """Why ``wanted.value`` cannot be a monitor of its type on ``variable``, if it cannot."""
    if wanted.type.threshold:
        low, high = variable.min_limit, variable.max_limit
        if (low is not None and wanted.value < low) or (high is not None and wanted.value > high):
            return "OutOfRange"  # N04.FR.06
    elif wanted.type is MonitorType.DELTA:
        if wanted.value < 0:
            return "NegativeDelta"  # N04.FR.14
    elif wanted.value < 1:
        return "InvalidPeriod"  # a period of whole seconds, at least one
    return None


def is_numeric(variable: Variable) -> bool:
    return variable.data_type in _NUMERIC
