"""What travels on the command bus, and what a bus must do.

A message carries everything its consumer needs to act without reading the API's request: the
command's id (the durable ``commands`` row), the tenant, the charger and the command itself as
JSON-ready data. Outcomes travel back the same way. Both are plain frozen dataclasses so that a
networked bus can serialize them with :meth:`CommandMessage.to_dict` / ``from_dict``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest
from chargeyard.protocol import VersionSpec, version_for


@dataclass(frozen=True, slots=True)
class CommandMessage:
    """One command for one charger (a ``QueuedCommandResponse`` on its way to the fleet).

    ``passes``: how many times a host passed it on to the bus again, its charger being on its
    way to another host (``gateway/command_runner.py``); bounds how long it follows one.
    """

    command_id: str
    organization_id: str
    charger_id: str
    event_type: str
    ocpp_version: VersionSpec
    payload: dict[str, Any] = field(default_factory=dict)
    passes: int = 0

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict, which deep-copies: a location's fan-out is a thousand.
        return {
            "command_id": self.command_id,
            "organization_id": self.organization_id,
            "charger_id": self.charger_id,
            "event_type": self.event_type,
            "ocpp_version": self.ocpp_version.subprotocol,
            "payload": self.payload,
            "passes": self.passes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CommandMessage:
        return cls(**{**data, "ocpp_version": version_for(data["ocpp_version"])})


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
        return {
            "command_id": self.command_id,
            "organization_id": self.organization_id,
            "charger_id": self.charger_id,
            "ok": self.ok,
            "result": self.result,
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CommandOutcome:
        return cls(**data)


class BusUnreachable(Exception):
    """The bus's server cannot be reached now (a bus between processes lost Redis): what was
    being handed over did not go. The API answers 503 with the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the simulator gateway cannot reach its fleet hosts: {reason}; nothing was sent,"
            " try again"
        )
        self.reason = reason


class CommandBus(Protocol):
    """Commands from the API to the fleet and outcomes back; runtime requests to whoever hosts
    a charger and answers back.

    Nodes (fleet hosts) name themselves; each consumes the commands and requests for the
    chargers it holds (:meth:`hold`), and the bus's placement node (an implementation's
    choice) gets those of chargers that no node holds. Delivery is at most once per published
    message and in publication order per charger; the durable record of a command is the
    store's ``commands`` row, not the bus. Nothing that travels is shared by reference: a bus
    between processes carries ``to_dict()`` and rebuilds with ``from_dict()``.
    """

    async def publish(self, message: CommandMessage) -> None:
        """Hand a command to whoever hosts its charger (returns once it is on the bus).

        Raises:
            BusUnreachable: it is not on the bus.
        """
        ...

    async def publish_many(self, messages: list[CommandMessage]) -> None:
        """:meth:`publish` for a batch (a location command fanned out), in order.

        Raises:
            BusUnreachable: some, or all, are not on the bus.
        """
        ...

    def consume(self, node: str) -> AsyncIterator[CommandMessage]:
        """The commands for ``node``, as they come (its fleet host iterates it)."""
        ...

    async def pending(self, node: str) -> int:
        """Commands for ``node`` not yet taken off the bus (its host, waiting until it is
        idle, reads it; asynchronous, as a bus between processes has to ask)."""
        ...

    async def report(self, outcome: CommandOutcome) -> None:
        """The consumer tells what became of a command."""
        ...

    async def wait_outcome(self, command_id: str) -> CommandOutcome:
        """The outcome of ``command_id`` once reported (bound the wait with
        ``asyncio.timeout``).

        An outcome reported shortly before the call is found too (a bus keeps the recent
        ones); an older one is the store's business.
        """
        ...

    async def request(self, message: RuntimeRequest) -> RuntimeAnswer:
        """Ask the node(s) holding the request's chargers and return their answer (merged
        when it was split among nodes). Bound the wait with ``asyncio.timeout``: a node that
        does not answer is never waited for past it.

        Raises:
            BusUnreachable: the request could not be handed over.
        """
        ...

    def requests(self, node: str) -> AsyncIterator[RuntimeRequest]:
        """The runtime requests for ``node``, as they come (its fleet host iterates it)."""
        ...

    async def answer(self, answer: RuntimeAnswer) -> None:
        """A node answers a request it took (an answer nobody waits for any more is
        dropped)."""
        ...

    async def hold(self, node: str, charger_ids: Sequence[str]) -> None:
        """From now on, the commands and requests for ``charger_ids`` go to ``node``."""
        ...

    async def release(self, node: str, charger_ids: Sequence[str]) -> None:
        """``node`` no longer hosts ``charger_ids`` (those another node holds are left)."""
        ...

    async def leave(self, node: str) -> None:
        """``node`` stops taking messages (its fleet host is closing): what it held is released,
        and what waits for it and was not yet taken goes where it would have gone had the node
        never been (another holder cannot have it: the placement node's, or the backlog a
        later node takes). Its :meth:`consume` and :meth:`requests` iterators end. A node that
        left may come back with :meth:`hold` or by consuming again."""
        ...

    async def close(self) -> None:
        """Stop delivering: :meth:`consume` and :meth:`requests` iterators end."""
        ...
