"""The in-process bus: a queue per node each way, futures for what comes back.

Each node (a fleet host) has an inbox of commands and one of runtime requests; a charger's
messages go to the node that holds it (:meth:`InMemoryBus.hold`), those of a charger no node
holds to the placement node, the first node that took messages. Until a node takes messages,
what is published waits in a backlog that the first node gets. A node that leaves hands what
it had not taken to where it would go without it.

Everything is copied on the way in and out, through ``to_dict`` and JSON, as a bus between
processes would carry it: nobody can rely on the publisher's objects, and what cannot travel
(a value JSON has no word for) fails here, at once, rather than on a networked bus later.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

import orjson

from chargeyard.bus.base import CommandMessage, CommandOutcome
from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest, merged
from chargeyard.bus.waiters import OutcomeWaiters

_CLOSED = None

RECENT_OUTCOMES = 10_000
"""Outcomes kept for a waiter that comes after them (:meth:`InMemoryBus.wait_outcome`)."""


class _Wire(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


_T = TypeVar("_T")


def _over_the_wire(item: _Wire, rebuild: Callable[[dict[str, Any]], _T]) -> _T:
    """``item`` as the other end of a bus between processes gets it."""
    data: dict[str, Any] = orjson.loads(orjson.dumps(item.to_dict()))
    return rebuild(data)


def _drained(queue: asyncio.Queue[_T | None]) -> list[_T]:
    """What ``queue`` holds, taken out (a close marker in it is dropped)."""
    items: list[_T] = []
    while not queue.empty():
        item = queue.get_nowait()
        if item is not _CLOSED:
            items.append(item)
    return items


@dataclass(slots=True)
class _Inbox:
    commands: asyncio.Queue[CommandMessage | None] = field(default_factory=asyncio.Queue)
    requests: asyncio.Queue[RuntimeRequest | None] = field(default_factory=asyncio.Queue)


class InMemoryBus:
    """A :class:`~chargeyard.bus.CommandBus` within one event loop."""

    def __init__(self) -> None:
        self._inboxes: dict[str, _Inbox] = {}
        self._backlog = _Inbox()
        self._holders: dict[str, str] = {}
        self._waiters = OutcomeWaiters()
        self._recent: OrderedDict[str, CommandOutcome] = OrderedDict()
        self._answers: dict[str, asyncio.Future[RuntimeAnswer]] = {}
        self._ids = itertools.count(1)
        self._closed = False

    # -- routing ----------------------------------------------------------------------------------

    def _inbox(self, node: str) -> _Inbox:
        inbox = self._inboxes.get(node)
        if inbox is None:
            inbox = self._inboxes[node] = _Inbox()
            if len(self._inboxes) == 1:  # the placement node takes what waited for one
                inbox.commands, self._backlog.commands = self._backlog.commands, inbox.commands
                inbox.requests, self._backlog.requests = self._backlog.requests, inbox.requests
        return inbox

    def _route(self, charger_id: str) -> _Inbox:
        node = self._holders.get(charger_id)
        if node is not None:
            return self._inboxes[node]
        return next(iter(self._inboxes.values()), self._backlog)

    async def hold(self, node: str, charger_ids: Sequence[str]) -> None:
        self._inbox(node)
        for charger_id in charger_ids:
            self._holders[charger_id] = node

    async def release(self, node: str, charger_ids: Sequence[str]) -> None:
        for charger_id in charger_ids:
            if self._holders.get(charger_id) == node:
                del self._holders[charger_id]

    async def leave(self, node: str) -> None:
        for charger_id in [c for c, holder in self._holders.items() if holder == node]:
            del self._holders[charger_id]
        inbox = self._inboxes.pop(node, None)
        if inbox is None:
            return
        # Never taken, so never delivered: handing them on keeps delivery at most once.
        for message in _drained(inbox.commands):
            self._route(message.charger_id).commands.put_nowait(message)
        for request in _drained(inbox.requests):
            self._route(request.charger_ids[0] if request.charger_ids else "").requests.put_nowait(
                request
            )
        inbox.commands.put_nowait(_CLOSED)
        inbox.requests.put_nowait(_CLOSED)

    # -- commands -------------------------------------------------------------------------------

    async def publish(self, message: CommandMessage) -> None:
        if self._closed:
            raise RuntimeError("the bus is closed")
        self._route(message.charger_id).commands.put_nowait(
            _over_the_wire(message, CommandMessage.from_dict)
        )

    async def publish_many(self, messages: list[CommandMessage]) -> None:
        for message in messages:
            await self.publish(message)

    async def consume(self, node: str) -> AsyncIterator[CommandMessage]:
        inbox = self._inbox(node)
        while True:
            message = await inbox.commands.get()
            if message is _CLOSED:
                return
            yield message

    async def pending(self, node: str) -> int:
        inbox = self._inboxes.get(node)
        return 0 if inbox is None else inbox.commands.qsize()

    async def report(self, outcome: CommandOutcome) -> None:
        outcome = _over_the_wire(outcome, CommandOutcome.from_dict)
        self._recent[outcome.command_id] = outcome
        if len(self._recent) > RECENT_OUTCOMES:
            self._recent.popitem(last=False)
        self._waiters.deliver(outcome)

    async def wait_outcome(self, command_id: str) -> CommandOutcome:
        if (known := self._recent.get(command_id)) is not None:
            return known
        with self._waiters.waiting_for(command_id) as waiter:
            return await waiter

    def waiting(self) -> int:
        """Waiters for outcomes and answers not yet come (a cancelled wait leaves none)."""
        return len(self._waiters) + len(self._answers)

    # -- runtime requests -----------------------------------------------------------------------

    async def request(self, message: RuntimeRequest) -> RuntimeAnswer:
        if self._closed:
            raise RuntimeError("the bus is closed")
        parts: dict[int, tuple[_Inbox, list[str]]] = {}
        for charger_id in message.charger_ids:
            inbox = self._route(charger_id)
            parts.setdefault(id(inbox), (inbox, []))[1].append(charger_id)
        if not parts:  # (a request about no charger: the placement node's)
            parts[0] = (self._route(""), [])
        loop = asyncio.get_running_loop()
        sent: list[tuple[str, asyncio.Future[RuntimeAnswer]]] = []
        try:
            for inbox, charger_ids in parts.values():
                part = message
                if len(parts) > 1:
                    part = replace(
                        message,
                        request_id=f"{message.request_id}.{next(self._ids)}",
                        charger_ids=tuple(charger_ids),
                    )
                future: asyncio.Future[RuntimeAnswer] = loop.create_future()
                self._answers[part.request_id] = future
                sent.append((part.request_id, future))
                inbox.requests.put_nowait(_over_the_wire(part, RuntimeRequest.from_dict))
            answers = list(await asyncio.gather(*(future for _, future in sent)))
        finally:
            for request_id, _ in sent:
                self._answers.pop(request_id, None)
        if len(answers) == 1:
            return replace(answers[0], request_id=message.request_id)
        return merged(message.request_id, answers)

    async def requests(self, node: str) -> AsyncIterator[RuntimeRequest]:
        inbox = self._inbox(node)
        while True:
            message = await inbox.requests.get()
            if message is _CLOSED:
                return
            yield message

    async def answer(self, answer: RuntimeAnswer) -> None:
        future = self._answers.pop(answer.request_id, None)
        if future is not None and not future.done():
            future.set_result(_over_the_wire(answer, RuntimeAnswer.from_dict))

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            for inbox in (self._backlog, *self._inboxes.values()):
                inbox.commands.put_nowait(_CLOSED)
                inbox.requests.put_nowait(_CLOSED)
