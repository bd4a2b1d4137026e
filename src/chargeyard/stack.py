"""The central system's stack, assembled in one place for ``chargeyard csms`` and
``chargeyard up``.

Order matters, both ways. The store opens first (and applies migrations). The webhook sender
starts before the listener so that, closing after it, it still enqueues the listener's closing
events. The listener's metrics are attached once it runs. Everything is entered on the
caller's exit stack, so it closes in the reverse order when the command stops; ``chargeyard
up`` then adds its simulator gateway (bus and fleet host) on the same stack, and both serve the
REST API built by :func:`api_app`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from fastapi import FastAPI

from chargeyard.api.app import create_app
from chargeyard.api.settings import ApiSettings
from chargeyard.api.signin import SignIn
from chargeyard.bus.base import CommandBus
from chargeyard.csms.events import EventHub
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.csms.webhooks import WebhookSender
from chargeyard.gateway.runtimes import ChargerRuntimes
from chargeyard.metrics import Metrics
from chargeyard.outbound import OutboundPolicy
from chargeyard.store import Store


@dataclass(frozen=True, slots=True)
class CentralSystem:
    """What a running central system is made of."""

    store: Store
    events: EventHub
    metrics: Metrics
    server: CsmsServer


async def start_central_system(
    running: contextlib.AsyncExitStack,
    *,
    database_url: str,
    settings: CsmsSettings,
    max_payload_chars: int,
    webhook_outbound: OutboundPolicy | None,
) -> CentralSystem:
    """Open the store, start the webhook sender, the metrics and the OCPP listener on
    ``running``.

    Args:
        webhook_outbound: where webhook posts may go (None: anywhere).
    """
    store = await running.enter_async_context(
        await Store.open(database_url, max_payload_chars=max_payload_chars)
    )
    events = EventHub()
    await running.enter_async_context(WebhookSender(store, events, outbound=webhook_outbound))
    # GET /metrics: this process's counters and gauges, in its own Prometheus registry.
    metrics = Metrics()
    server = await running.enter_async_context(
        CsmsServer(store, settings, events=events, observer=metrics.csms)
    )
    metrics.attach_csms(server.registry, store)
    return CentralSystem(store, events, metrics, server)


def api_app(
    central: CentralSystem,
    api_settings: ApiSettings,
    *,
    outbound: OutboundPolicy | None,
    host: ChargerRuntimes | None = None,
    bus: CommandBus | None = None,
    dashboard_sign_in: SignIn | None = None,
) -> FastAPI:
    """The REST API (``/api/v1``, and ``/ocpp`` when a fleet ``host`` is given), the dashboard
    and ``/metrics`` over ``central``; served by the caller."""
    app = create_app(
        central.store,
        central.server.link,
        api_settings.for_listener(central.server.settings.host, central.server.port),
        events=central.server.events,
        dashboard_sign_in=dashboard_sign_in,
        host=host,
        bus=bus,
        outbound=outbound,
    )
    central.metrics.attach_app(app)
    return app
