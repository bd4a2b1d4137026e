"""The ``/ocpp`` routes: one module per resource, each with one ``router`` that carries its own
``/ocpp`` prefix and Bearer auth, served in the order of :data:`ROUTERS` (``api/routers.py``).
The same routes answer under ``/evcharger`` (``api/gateway/prefixes.py``)."""

from fastapi import APIRouter

from chargeyard.api.gateway.routes import (
    bulk,
    catalog,
    chaos,
    charger_trace,
    chargers,
    command_results,
    commands,
    deployments,
    locations,
    logs,
    runtime_ops,
    runtimes,
    simulator,
)

ROUTERS: tuple[APIRouter, ...] = (
    catalog.router,
    command_results.router,
    commands.router,
    locations.router,
    chargers.router,
    runtimes.router,
    charger_trace.router,
    bulk.router,
    deployments.router,
    runtime_ops.router,
    logs.router,
    chaos.router,
    simulator.router,  # OCPPLab's per-charger simulator API over the commands
)
