"""What the charging station under test sent: one stream of its CALLs, across connections,
and a case's expectations of it (``peer.py`` fills it and asks it).

Every CALL is kept, answered or not, so a message that came before a step looked for it is
not missed; an expectation takes the first CALL that fits and no expectation took yet, from
where the step began (:meth:`Inbox.begin_step`) or from a position the case marked
(:meth:`Inbox.mark`). Whoever waits for the stream (a CALL, a connection) waits on one
:class:`Changes` signal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chargeyard.conformance.endings import CaseEnded, NothingCame
from chargeyard.protocol.frames import Call

Payload = dict[str, Any]


class Changes:
    """Something changed (a CALL came, a connection opened or ended): whoever waits looks
    again. Read :attr:`event` before looking, then wait on it."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def notify(self) -> None:
        changed, self.event = self.event, asyncio.Event()
        changed.set()


@dataclass(slots=True)
class Received:
    """A CALL of the station and what became of it.

    Attributes:
        connection: the number of the connection it came on.
        at: seconds (monotonic) when it came.
        answer: the CALLRESULT's payload the central system gave (None: another answer).
        schema_error: why its payload breaks the official schema (None: it keeps it).
        expected: a step took it (its schema check is then that step's).
    """

    call: Call
    connection: int
    at: float
    answer: Payload | None = None
    schema_error: str | None = None
    expected: bool = False

    @property
    def action(self) -> str:
        return self.call.action

    @property
    def payload(self) -> Payload:
        return self.call.payload


Where = Callable[[Received], bool]


class Inbox:
    """The stream of the station's CALLs (see the module docstring)."""

    def __init__(self, changes: Changes) -> None:
        self._changes = changes
        self._items: list[Received] = []
        self._cursor = 0

    def add(self, item: Received) -> None:
        self._items.append(item)
        self._changes.notify()

    def mark(self) -> int:
        """A position in the stream: everything from now on."""
        return len(self._items)

    @property
    def step_began(self) -> int:
        return self._cursor

    def begin_step(self) -> None:
        """A step begins: what it expects comes from now on (by default)."""
        self._cursor = len(self._items)

    def received(
        self, action: str | None = None, *, since: int | None = None, where: Where | None = None
    ) -> list[Received]:
        """The CALLs from ``since`` (default: the step's beginning) of ``action`` (None:
        any) that ``where`` accepts."""
        start = self._cursor if since is None else since
        return [
            item
            for item in self._items[start:]
            if (action is None or item.action == action) and (where is None or where(item))
        ]

    def unchecked(self, since: int) -> list[Received]:
        """The CALLs from ``since`` no expectation took whose payload broke the schema."""
        return [
            item
            for item in self._items[since:]
            if not item.expected and item.schema_error is not None
        ]

    async def expect(
        self,
        action: str,
        *,
        within: float,
        where: Where | None = None,
        since: int | None = None,
        what: str | None = None,
        gone: Callable[[], str | None] = lambda: None,
    ) -> Received:
        """The first CALL of ``action`` that ``where`` accepts and no expectation took yet,
        from ``since`` (default: the step's beginning), within ``within`` seconds; it is
        taken. ``gone``: why waiting is pointless now (the connection ended), or None.

        Raises:
            NothingCame: none came in time.
            CaseEnded: ``gone`` said why.
        """
        words = what or action
        start = self._cursor if since is None else since
        try:
            async with asyncio.timeout(within):
                while True:
                    changed = self._changes.event
                    for item in self._items[start:]:
                        if (
                            not item.expected
                            and item.action == action
                            and (where is None or where(item))
                        ):
                            item.expected = True
                            return item
                    if (why := gone()) is not None:
                        raise CaseEnded(f"{why}; no {words} came")
                    await changed.wait()
        except TimeoutError:
            raise NothingCame(f"the station sent no {words} within {within:g} s") from None
