"""One control of the simulator, as the gateway's command table takes it: its row of the
catalogue (:class:`~chargeyard.gateway.command_models.CommandSpec`), a check that reads the
station and says why it cannot be applied now, and what applies it through the station's verbs
(``station/verbs.py``), returning the outcome's ``result``.

``act`` raises what the station's verbs raise when they refuse (``OcppError``, ``ValueError``,
``KeyError``); the executor (``executor.py``) makes that a failed outcome with the reason, as
it does for every command. ``check`` is run before the command is queued and again when it
arrives, so that nothing changes before the input is known valid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from chargeyard.gateway.command_models import CommandSpec, ConnectorPayload
from chargeyard.station.model import rules
from chargeyard.station.verbs import StationVerbs

P = TypeVar("P", bound=BaseModel)

Result = dict[str, Any]
"""A command's outcome ``result``: plain JSON."""


@dataclass(frozen=True, slots=True)
class Control(Generic[P]):
    """A command of the simulator's controls.

    Attributes:
        spec: its row of the catalogue (path, event type, payload model, summary).
        check: why the station cannot take it now, or None; reads only.
        act: applies it; its outcome's ``result``.
        title: the route's summary.
        description: the route's description (what the station does, the spec behind it).
        example: an ``event`` that works as printed on the lab's chargers.
    """

    spec: CommandSpec
    check: Callable[[StationVerbs, P], str | None]
    act: Callable[[StationVerbs, P], Result]
    title: str
    description: str
    example: dict[str, Any]


def where(p: ConnectorPayload) -> Result:
    """The connector a command names, as its result repeats it."""
    return {"evse_id": p.evse_id, "connector_id": p.connector_id}


def no_such_connector(station: StationVerbs, p: ConnectorPayload) -> str | None:
    return rules.no_such_connector(station.model, p.evse_id, p.connector_id)


def no_such_evse(station: StationVerbs, evse_id: int | None) -> str | None:
    if evse_id is not None and evse_id not in station.model.evses:
        return f"no EVSE {evse_id} (the station has {len(station.model.evses)})"
    return None


def not_powered(station: StationVerbs) -> str | None:
    """The station is off (a reboot, a power cut) or going down: its panel is dead."""
    if not station.powered:
        return "the station is off (rebooting or without power)"
    if station.going_down:
        return "the station is shutting down"
    return None


__all__ = [
    "Control",
    "Result",
    "no_such_connector",
    "no_such_evse",
    "not_powered",
    "where",
]
