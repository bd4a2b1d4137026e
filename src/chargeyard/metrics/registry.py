""":class:`Metrics`: one Prometheus registry per app, what feeds it, and its rendering.

Each app (or test) makes its own :class:`Metrics`, whose ``CollectorRegistry`` is not the
global default, so two apps in one process never share or collide on a metric. What is counted
per message lives in plain Python objects (:class:`~chargeyard.metrics.protocol.ProtocolStats`);
everything else is read from live state when Prometheus scrapes.

Wiring (see ``cli.py``)::

    metrics = Metrics()
    server = CsmsServer(store, settings, observer=metrics.csms)   # CSMS-side messages
    metrics.attach_csms(server.registry, store)                  # connected, booted, energy
    metrics.attach_fleet(fleet)                                  # simulator side
    metrics.attach_app(app)                                      # GET /metrics serves it
    metrics.gateway_command("plug", "succeeded")                 # from the gateway's executor
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, ProcessCollector
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric

from chargeyard.csms.station_link import ConnectedStations
from chargeyard.metrics.csms import CsmsCollector
from chargeyard.metrics.fleet import FleetCollector
from chargeyard.metrics.protocol import ProtocolCollector, ProtocolStats
from chargeyard.metrics.storage import StorageCollector
from chargeyard.store import Store

if TYPE_CHECKING:
    from fastapi import FastAPI

    from chargeyard.fleet.fleet import Fleet


class Metrics:
    """The metrics of one app.

    Args:
        require_api_key: ``GET /metrics`` asks for ``X-API-Key`` like the REST API (off by
            default: Prometheus scrapers seldom send one; turn it on when the port is public).

    Attributes:
        node: the process's name, set on every sample as its ``node`` label (None: no such
            label), so that the series of a cluster's processes never merge, whatever the
            scraper adds.
        registry: the Prometheus registry everything is registered in.
        csms: the CSMS side's session observer (``CsmsServer(observer=...)``).
        station: the simulated stations' session observer (set by :meth:`attach_fleet`).
    """

    def __init__(self, *, require_api_key: bool = False) -> None:
        self.require_api_key = require_api_key
        self.node: str | None = None
        self.registry = CollectorRegistry()
        self.csms = ProtocolStats("csms")
        self.station = ProtocolStats("station")
        self._csms: CsmsCollector | None = None
        self._storage: StorageCollector | None = None
        self._fleets = FleetCollector()
        self.registry.register(ProtocolCollector((self.csms, self.station)))
        self.registry.register(self._fleets)
        ProcessCollector(namespace="chargeyard", registry=self.registry)
        self._gateway_commands = Counter(
            "chargeyard_gateway_commands",
            "Simulator gateway commands executed, by event type (plug, start, ...) and outcome.",
            ["event_type", "outcome"],
            registry=self.registry,
        )

    def attach_csms(self, stations: ConnectedStations | None, store: Store | None = None) -> None:
        """Report the CSMS's connections (``stations``: the listener's registry; None for a
        process without a listener, which reports no connection count rather than a false 0)
        and what ``store`` holds (stations online and booted, transactions, energy, and its
        size). Once per Metrics."""
        if self._csms is not None:
            raise RuntimeError("a CSMS is attached already")
        self._csms = CsmsCollector(stations, store)
        self.registry.register(self._csms)
        if store is not None:
            self._storage = StorageCollector(store)
            self.registry.register(self._storage)

    def attach_fleet(self, fleet: Fleet) -> None:
        """Report ``fleet``'s stations, and count their messages from their next connection
        on (a connection already open is not observed)."""
        fleet.stats.ocpp = self.station
        self._fleets.attach(fleet)

    def detach_fleet(self, fleet: Fleet) -> None:
        if fleet.stats.ocpp is self.station:
            fleet.stats.ocpp = None
        self._fleets.detach(fleet)

    def attach_app(self, app: FastAPI) -> None:
        """Serve these metrics at the app's ``GET /metrics``."""
        app.state.metrics = self

    def gateway_command(self, event_type: str, outcome: str) -> None:
        """Count one command of the simulator gateway (``event_type`` as its API names it:
        plug, unplug, start, ...; ``outcome``: e.g. succeeded, failed, rejected)."""
        self._gateway_commands.labels(event_type, outcome).inc()

    async def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition for a scrape with this ``Accept`` header: (body, content type).

        Prometheus's text format 0.0.4 unless the scraper asks for OpenMetrics (or text 1.0).
        """
        if self._csms is not None:
            await self._csms.refresh()
        if self._storage is not None:
            await self._storage.refresh()
        encoder, content_type = choose_encoder(accept or "")
        registry = self.registry if self.node is None else _Labelled(self.registry, self.node)
        return encoder(registry), content_type


class _Labelled:
    """``registry``'s metrics with ``node`` as every sample's ``node`` label; the encoders
    read nothing but ``collect()``."""

    def __init__(self, registry: CollectorRegistry, node: str) -> None:
        self.registry = registry
        self.node = node

    def collect(self) -> Iterable[Metric]:
        for metric in self.registry.collect():
            metric.samples = [
                sample._replace(labels={**sample.labels, "node": self.node})
                for sample in metric.samples
            ]
            yield metric


def metrics_of(app: FastAPI) -> Metrics:
    """The app's :class:`Metrics`; an app nobody attached one to gets one over its station
    link and store (connections, booted stations, transactions; no message counts)."""
    metrics: Metrics | None = getattr(app.state, "metrics", None)
    if metrics is None:
        metrics = Metrics()
        metrics.attach_csms(app.state.registry, app.state.store)
        metrics.attach_app(app)
    return metrics
