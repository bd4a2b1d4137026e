"""What every command of the gateway is made of: the base of the payload models, the two
payloads many commands share, and :class:`CommandSpec`, one command's row of the catalogue
(``commands.py`` lists the first commands, ``controls/`` the simulator's controls; both build
on this module alone, so neither imports the other's rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from chargeyard.protocol.schemas import INT32_MAX

__all__ = [
    "ID_TAG_MAX",
    "CommandPayload",
    "CommandSpec",
    "ConnectorPayload",
    "EmptyPayload",
    "Number",
]

# The longest id tag any version carries (2.0.1 IdTokenType.idToken, identifierString 36); the
# charger's own version checks its limit (1.6 IdToken: CiString20Type) before anything is queued.
ID_TAG_MAX = 36
# Every integer is one of OCPP's, which the official schemas type as 32-bit signed (2.0.1
# evseId and connectorId, 1.6 connectorId, listVersion/versionNumber): a larger one is a 422
# here, never a number the station, the store or the JSON encoder cannot hold.
Number = Annotated[int, Field(ge=1, le=INT32_MAX)]


class CommandPayload(BaseModel):
    """The base of every command's payload model."""

    # Infinity and NaN (which Python's JSON reader accepts) would be queued as null: a power
    # limit of Infinity would become "back to the rating", a duration no limit at all.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class EmptyPayload(CommandPayload):
    """A command without parameters."""


class ConnectorPayload(CommandPayload):
    """``ConnectorCommandEvent`` of the gateway API reference: one connector of one EVSE."""

    evse_id: Number = 1
    connector_id: Number = 1


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command of the gateway.

    Attributes:
        path: under ``/ocpp/commands/``.
        event_type: what the queued command is called.
        payload: the model of its ``payload``.
        summary: one line for the API's documentation.
        waits: applying it waits for the central system's answer (the fleet host runs it
            beside the queue instead of holding the queue up): proxy-message, and the
            commands that present a token and report what became of it.
    """

    path: str
    event_type: str
    payload: type[BaseModel]
    summary: str
    waits: bool = False
