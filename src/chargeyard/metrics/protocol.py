"""OCPP message counters and round-trip histograms, kept in plain dicts on the hot path.

:class:`ProtocolStats` is the :class:`~chargeyard.protocol.observer.SessionObserver` of one
side (``csms`` or ``station``), shared by every session of that side. Counting a frame is one
``dict`` increment keyed by (direction, message type, action), and timing an answer one
``bisect`` into a fixed list of buckets: no Prometheus object is touched per frame (a labelled
``Counter.inc`` takes a lock and costs several times as much). :class:`ProtocolCollector`
turns the dicts into metric families when Prometheus scrapes.

Everything runs on the event loop, as does the scrape (an ``async`` route), so the dicts are
never read while they change.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric

# 1 ms to 30 s (the default OCPP call timeout), roughly 1-2.5-5 per decade.
DURATION_BUCKETS: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)

# OCPP-J message type numbers (OCPP-J 1.6 section 4.1.3; OCPP 2.1 part 4 adds 5 and 6).
MESSAGE_TYPES = {2: "call", 3: "result", 4: "error", 5: "resulterror", 6: "send"}

UNKNOWN_ACTION = "unknown"


class _Durations:
    """One action's histogram: a count per bucket (the last is +Inf) and the sum."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(DURATION_BUCKETS) + 1)
        self.total = 0.0


class ProtocolStats:
    """What the sessions of one side observed.

    Attributes:
        side: the ``side`` label: ``csms`` or ``station``.
        messages: frames by (direction, message type number, action); the action is ``""``
            where the session could not tell it.
        call_errors: CALLERRORs by (direction, code).
        timeouts: CALLs of ours never answered, by action.
        durations: round trips of answered CALLs of ours, by action.
    """

    __slots__ = ("call_errors", "durations", "messages", "side", "timeouts")

    def __init__(self, side: str) -> None:
        self.side = side
        self.messages: defaultdict[tuple[str, int, str], int] = defaultdict(int)
        self.call_errors: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.timeouts: defaultdict[str, int] = defaultdict(int)
        self.durations: dict[str, _Durations] = {}

    # -- SessionObserver ------------------------------------------------------------------------

    def message(self, direction: str, message_type: int, action: str) -> None:
        self.messages[direction, message_type, action] += 1

    def call_answered(self, action: str, seconds: float) -> None:
        durations = self.durations.get(action)
        if durations is None:
            durations = self.durations[action] = _Durations()
        # bisect_left: a value equal to a bound belongs to that bucket ("le").
        durations.counts[bisect_left(DURATION_BUCKETS, seconds)] += 1
        durations.total += seconds

    def call_timed_out(self, action: str) -> None:
        self.timeouts[action] += 1

    def call_error(self, direction: str, code: str) -> None:
        self.call_errors[direction, code] += 1


class ProtocolCollector:
    """The families of every side's :class:`ProtocolStats`, one family per metric name."""

    def __init__(self, sides: Sequence[ProtocolStats]) -> None:
        self._sides = sides

    def describe(self) -> Iterable[Metric]:
        return []  # families are built from live state: nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        messages = CounterMetricFamily(
            "chargeyard_ocpp_messages",
            "OCPP-J messages by side, action, direction (in/out) and message type"
            " (call, result, error, resulterror, send); an answer carries its CALL's action.",
            labels=["side", "action", "direction", "type"],
        )
        errors = CounterMetricFamily(
            "chargeyard_ocpp_callerrors",
            "CALLERRORs by side, direction (in: received in answer to our CALL; out: sent)"
            " and error code.",
            labels=["side", "direction", "code"],
        )
        timeouts = CounterMetricFamily(
            "chargeyard_ocpp_call_timeouts",
            "CALLs we sent that got no answer within the call timeout, by side and action.",
            labels=["side", "action"],
        )
        durations = HistogramMetricFamily(
            "chargeyard_ocpp_call_duration_seconds",
            "Round trip of a CALL we sent, from handing it to the socket to its CALLRESULT or"
            " CALLERROR, by side and action (the station side uses the station's clock).",
            labels=["side", "action"],
        )
        for stats in self._sides:
            side = stats.side
            for (direction, kind, action), count in list(stats.messages.items()):
                labels = [side, action or UNKNOWN_ACTION, direction, MESSAGE_TYPES.get(kind, "")]
                messages.add_metric(labels, count)
            for (direction, code), count in list(stats.call_errors.items()):
                errors.add_metric([side, direction, code], count)
            for action, count in list(stats.timeouts.items()):
                timeouts.add_metric([side, action], count)
            for action, histogram in list(stats.durations.items()):
                durations.add_metric([side, action], _cumulative(histogram.counts), histogram.total)
        yield messages
        yield errors
        yield timeouts
        yield durations


def _cumulative(counts: Sequence[int]) -> list[tuple[str, float]]:
    buckets: list[tuple[str, float]] = []
    running = 0
    for bound, count in zip((*DURATION_BUCKETS, float("inf")), counts, strict=True):
        running += count
        buckets.append(("+Inf" if bound == float("inf") else repr(bound), running))
    return buckets
