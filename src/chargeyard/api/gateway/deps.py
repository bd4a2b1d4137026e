"""Dependencies of the simulator gateway's routes (``/ocpp/chargers``, ``/ocpp/commands``):
whatever runs the durable chargers (:class:`~chargeyard.gateway.runtimes.ChargerRuntimes`; this
process's :class:`~chargeyard.gateway.host.FleetHost` today), and the command bus that carries
commands to it. An app created without them (a CSMS-only process)
answers 503 on those routes rather than pretending."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from chargeyard.bus import CommandBus
from chargeyard.gateway.runtimes import ChargerRuntimes

_NOT_RUNNING = "the simulator gateway is not running in this process"


def get_host(request: Request) -> ChargerRuntimes:
    host: ChargerRuntimes | None = request.app.state.host
    if host is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, _NOT_RUNNING)
    return host


def get_bus(request: Request) -> CommandBus:
    bus: CommandBus | None = request.app.state.bus
    if bus is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, _NOT_RUNNING)
    return bus


HostDep = Annotated[ChargerRuntimes, Depends(get_host)]
BusDep = Annotated[CommandBus, Depends(get_bus)]
