"""Dependencies of the simulator gateway's routes (``/ocpp/chargers``, ``/ocpp/commands``):
the command bus, and what runs the durable chargers as the routes see it
(:class:`~chargeyard.gateway.runtimes.ChargerRuntimes`): a
:class:`~chargeyard.gateway.runtime_client.RuntimeClient` that asks over that bus whichever
fleet host holds a charger, in this process or another. The routes never hold a fleet host.

``app.state.runtimes`` may be set by whoever assembles the app (another deadline); otherwise
it is made over ``app.state.bus`` on first use. An app created without a bus (a CSMS-only
process) answers 503 on those routes rather than pretending."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from chargeyard.bus import CommandBus
from chargeyard.gateway.runtime_client import RuntimeClient
from chargeyard.gateway.runtimes import ChargerRuntimes

_NOT_RUNNING = "the simulator gateway is not running in this process"


def host_of(request: Request) -> ChargerRuntimes:
    """The app's fleet hosts as the routes see them (503 without a bus), for a dependency (a
    route takes ``HostDep``)."""
    bus = bus_of(request)
    runtimes: ChargerRuntimes | None = getattr(request.app.state, "runtimes", None)
    if runtimes is None:
        runtimes = request.app.state.runtimes = RuntimeClient(bus)
    return runtimes


def bus_of(request: Request) -> CommandBus:
    """The app's command bus (503 without one), for a dependency (a route takes ``BusDep``)."""
    bus: CommandBus | None = request.app.state.bus
    if bus is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, _NOT_RUNNING)
    return bus


# ``async def``: FastAPI runs a plain ``def`` dependency on its thread pool (api/deps.py).
async def get_host(request: Request) -> ChargerRuntimes:
    return host_of(request)


async def get_bus(request: Request) -> CommandBus:
    return bus_of(request)


HostDep = Annotated[ChargerRuntimes, Depends(get_host)]
BusDep = Annotated[CommandBus, Depends(get_bus)]
