"""One control of the simulator, as the gateway's command table takes it: its row of the
catalogue (:class:`~chargeyard.gateway.commands.CommandSpec`), a check that reads the
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
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field

from chargeyard.gateway.commands import CommandSpec, ConnectorPayload, EmptyPayload
from chargeyard.protocol.schemas import INT32_MAX
from chargeyard.station.model import rules
from chargeyard.station.verbs import StationVerbs

# As commands.py bounds them: OCPP's integers are 32-bit signed; an id tag is at most 2.0.1's
# 36 characters (a 1.6 charger's version checks its 20 before anything is queued).
Number = Annotated[int, Field(ge=1, le=INT32_MAX)]
ID_TAG_MAX = 36

P = TypeVar("P", bound=BaseModel)

Result = dict[str, Any]
"""A command's outcome ``result``: plain JSON."""


class ControlPayload(EmptyPayload):
    """The base of a control's payload that names no connector (every command's settings:
    no other field, finite numbers)."""


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
    "ID_TAG_MAX",
    "Control",
    "ControlPayload",
    "Number",
    "Result",
    "no_such_connector",
    "no_such_evse",
    "not_powered",
    "where",
]
