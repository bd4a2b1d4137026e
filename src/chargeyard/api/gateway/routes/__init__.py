"""The ``/ocpp`` routes: one module per resource, each with one ``router`` that carries its own
``/ocpp`` prefix and Bearer auth, mounted in the order of :data:`ROUTERS`."""

from fastapi import APIRouter

from chargeyard.api.gateway.routes import (
    bulk,
    catalog,
    chargers,
    commands,
    locations,
    runtimes,
    simulator,
)

ROUTERS: tuple[APIRouter, ...] = (
    catalog.router,
    commands.router,
    locations.router,
    chargers.router,
    runtimes.router,
    bulk.router,
    simulator.router,  # OCPPLab's per-charger simulator API over the commands
)
