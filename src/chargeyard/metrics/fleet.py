"""The simulator side's gauges: every attached :class:`~chargeyard.fleet.fleet.Fleet`'s
stations, read when Prometheus scrapes.

A scrape walks the stations once (about 10 ms for 10,000); the fleet's hot path only updates
its shared :class:`~chargeyard.fleet.scheduling.RuntimeStats`, which is read here too. With
several fleets (the gateway keeps one per organization) the figures are summed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

if TYPE_CHECKING:
    from chargeyard.fleet.fleet import Fleet

_PHASES = ("stopped", "dialing", "open", "closing", "backoff", "off")


class FleetCollector:
    """Stations by registration and connection phase, connectors by status, and the
    fleets' connection counters."""

    def __init__(self) -> None:
        self._fleets: list[Fleet] = []

    def attach(self, fleet: Fleet) -> None:
        if all(fleet is not known for known in self._fleets):
            self._fleets.append(fleet)

    def detach(self, fleet: Fleet) -> None:
        self._fleets = [known for known in self._fleets if known is not fleet]

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        if not self._fleets:
            return
        # Read here, not at import: a process without a fleet (a CSMS node) never loads them.
        from chargeyard.fleet.chaos.engine import EFFECTS
        from chargeyard.station.model.states import STATUS_201, ConnectorStatus, Registration
        from chargeyard.station.model.station import StationModel

        registrations: Counter[str] = Counter()
        phases: Counter[str] = Counter()
        connectors: Counter[str] = Counter()
        transactions = sent = received = connects = disconnects = failures = 0
        faults: Counter[str] = Counter()
        for fleet in self._fleets:
            for identity in fleet.identities():
                runtime = fleet.runtime(identity)
                station = runtime.station
                phases[runtime.phase] += 1
                registrations[station.registration.value] += 1
                model = getattr(station, "model", None)
                if isinstance(model, StationModel):
                    for connector in model.connectors():
                        connectors[station.reported_status(connector.status)] += 1
                    transactions += sum(1 for _ in model.transactions())
            stats = fleet.stats
            sent += stats.frames_sent
            received += stats.frames_received
            connects += stats.connects
            disconnects += stats.disconnects
            failures += stats.failures
            faults.update(stats.faults)
        yield _by_label(
            "chargeyard_fleet_stations",
            "Simulated stations by registration state with their central system.",
            "registration",
            [r.value for r in Registration],
            registrations,
        )
        yield _by_label(
            "chargeyard_fleet_connections",
            "Simulated stations by connection phase (open: WebSocket connected).",
            "phase",
            _PHASES,
            phases,
        )
        yield _by_label(
            "chargeyard_fleet_connectors",
            "Connectors of simulated stations by OCPP status, in the words of each station's "
            "version (2.0.1: Available, Occupied, Reserved, Unavailable, Faulted).",
            "status",
            [*(s.value for s in ConnectorStatus), *STATUS_201.values()],
            connectors,
        )
        yield GaugeMetricFamily(
            "chargeyard_fleet_transactions_active",
            "Transactions running on simulated stations.",
            value=transactions,
        )
        frames = CounterMetricFamily(
            "chargeyard_fleet_frames",
            "WebSocket text frames sent (out) and received (in) by simulated stations.",
            labels=["direction"],
        )
        frames.add_metric(["in"], received)
        frames.add_metric(["out"], sent)
        yield frames
        yield CounterMetricFamily(
            "chargeyard_fleet_connects",
            "Connections simulated stations opened.",
            value=connects,
        )
        yield CounterMetricFamily(
            "chargeyard_fleet_disconnects",
            "Open connections simulated stations lost.",
            value=disconnects,
        )
        yield CounterMetricFamily(
            "chargeyard_fleet_connect_failures",
            "Connection attempts of simulated stations that failed: a dial that failed, or a "
            "connection dropped before its station was Accepted.",
            value=failures,
        )
        applied = CounterMetricFamily(
            "chargeyard_fleet_faults",
            "What network faults (POST /ocpp/chaos, chargeyard sim --chaos) did to simulated"
            " stations: frames dropped, duplicated, delayed or reordered, answers delayed or"
            " withheld, connections dropped, connection attempts refused, sockets left"
            " half-open.",
            labels=["effect"],
        )
        for effect in sorted({*EFFECTS, *faults}):
            applied.add_metric([effect], faults[effect])
        yield applied


def _by_label(
    name: str, documentation: str, label: str, known: Iterable[str], counts: Counter[str]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value in sorted({*known, *counts}):
        family.add_metric([value], counts[value])
    return family
