"""What travels on the command bus, and what a bus must do.

A message carries everything its consumer needs to act without reading the API's request: the
command's id (the durable ``commands`` row), the tenant, the charger and the command itself as
JSON-ready data. Outcomes travel back the same way. Both are plain frozen dataclasses so that a
networked bus can serialize them with :meth:`CommandMessage.to_dict` / ``from_dict``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class CommandMessage:
    """One command for one charger (a ``QueuedCommandResponse`` on its way to the fleet)."""

    command_id: str
    organization_id: str
    charger_id: str
    event_type: str
    ocpp_version: str
    payload: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CommandMessage:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What became of a command: applied (``ok``, with a ``result``) or not (an ``error``)."""

    command_id: str
    organization_id: str
    charger_id: str
    ok: bool
    result: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CommandOutcome:
        return cls(**data)


class CommandBus(Protocol):
    """Commands from the API to the fleet, outcomes back.

    Delivery is at most once per published message and in publication order per charger; the
    durable record of a command is the store's ``commands`` row, not the bus.
    """

    async def publish(self, message: CommandMessage) -> None:
        """Hand a command to whoever hosts its charger (returns once it is on the bus)."""
        ...

    async def publish_many(self, messages: list[CommandMessage]) -> None:
        """:meth:`publish` for a batch (a location command fanned out), in order."""
        ...

    def consume(self) -> AsyncIterator[CommandMessage]:
        """The commands for this consumer, as they come (the fleet host iterates it)."""
        ...

    def pending(self) -> int:
        """Commands published and not yet taken by a consumer, as far as this process knows
        (a host waiting until it is idle reads it)."""
        ...

    async def report(self, outcome: CommandOutcome) -> None:
        """The consumer tells what became of a command."""
        ...

    async def wait_outcome(self, command_id: str) -> CommandOutcome:
        """The outcome of ``command_id`` once reported (bound the wait with
        ``asyncio.timeout``).

        Only outcomes reported after the call are seen; the store has the rest.
        """
        ...

    async def close(self) -> None:
        """Stop delivering: :meth:`consume` iterators end."""
        ...
