"""Feature blocks: how a station version is put together (composition, not inheritance order).

Theory of operation
-------------------
A station version (``StationV16``, ``StationV201``) is one class over
:class:`~chargeyard.station.core.SimulatedStation` that *owns* its feature blocks (OCPP 1.6
feature profiles, OCPP 2.0.1 functional blocks) as objects. A block keeps its own state and its
``@on`` handlers; it reaches the station it belongs to, and through it the other blocks, as
``self.station``. The station's handler table is the union of its blocks' tables
(:func:`merge_handlers`); two blocks claiming one action is a programming error caught when the
station is built. Which block and method handle an action is worked out once per station class;
a station's table only points at its blocks and binds a handler when its action comes in, so a
fleet of tens of thousands does not hold a bound method per action per station.

Lifecycle events (power on, accepted, reconnected, going down, an EVSE idle, a status set, ...)
are :class:`Hook` objects that the version's station class builds in one place, naming in order
the block methods that hear each event, so what happens at power-on is read on one screen, as
h11's ``_state.py`` keeps every reaction together. Questions every block may veto ("may this
EVSE take a session?") are :class:`Gate` objects: the answer is yes when every listener says
yes, asked in the order written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, ParamSpec, TypeVar

from chargeyard.protocol import ActionHandlers
from chargeyard.protocol.router import Handler

S = TypeVar("S")
P = ParamSpec("P")


class Block(ActionHandlers, Generic[S]):
    """One feature block of a station: its own state and ``@on`` handlers.

    Args:
        station: the station the block belongs to (``self.station``).
    """

    # Slots, here and in every block: a station owns a dozen blocks, and a fleet holds tens of
    # thousands of stations (a dict per block would be about a kilobyte a station).
    __slots__ = ("station",)

    def __init__(self, station: S) -> None:
        self.station = station


def merge_handlers(*tables: ActionHandlers) -> MergedHandlers:
    """The handlers of every table (a station's own, then its blocks'), keyed by action.

    Raises:
        ValueError: two tables handle the same action.
    """
    return MergedHandlers(tables)


class MergedHandlers(Mapping[str, Handler]):
    """Several tables' handlers keyed by action, bound when looked up.

    Which table handles an action, and with which method, is the tables' classes' (shared by
    every station of a version); an instance holds only the tables, about 200 bytes where a
    dict of bound methods would be about 2.5 KB.

    Raises:
        ValueError: two tables handle the same action (when built).
    """

    __slots__ = ("_names", "_tables")

    def __init__(self, tables: tuple[ActionHandlers, ...]) -> None:
        self._tables = tables
        self._names = _merged_names(tuple(type(table) for table in tables))

    def __getitem__(self, action: str) -> Handler:
        index, name = self._names[action]
        handler: Handler = getattr(self._tables[index], name)
        return handler

    def __contains__(self, action: object) -> bool:
        return action in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def check_handlers(*tables: ActionHandlers) -> None:
    """Fail now if two tables handle the same action (asked as a station is built: the answer
    is its class's, worked out for the first station of it).

    Raises:
        ValueError: two tables handle the same action.
    """
    _merged_names(tuple(type(table) for table in tables))


@functools.cache
def _merged_names(kinds: tuple[type[ActionHandlers], ...]) -> dict[str, tuple[int, str]]:
    """Per action, which of ``kinds`` handles it (its index) and with which method; the same
    for every station of a version, so worked out once."""
    merged: dict[str, tuple[int, str]] = {}
    for index, kind in enumerate(kinds):
        for action, name in kind.handler_names().items():
            if action in merged:
                owner = kinds[merged[action][0]].__name__
                raise ValueError(f"{action} is handled by both {owner} and {kind.__name__}")
            merged[action] = (index, name)
    return merged


class Hook(Generic[P]):
    """A lifecycle event and, in order, the callables that hear it."""

    __slots__ = ("_listeners",)

    def __init__(self, *listeners: Callable[P, None]) -> None:
        self._listeners = listeners

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for listener in self._listeners:
            listener(*args, **kwargs)

    @property
    def listeners(self) -> tuple[Callable[P, None], ...]:
        return self._listeners


class Gate(Generic[P]):
    """A question every listener may veto: True when all say yes (asked in order, the first
    no ends the asking)."""

    __slots__ = ("_listeners",)

    def __init__(self, *listeners: Callable[P, bool]) -> None:
        self._listeners = listeners

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> bool:
        return all(listener(*args, **kwargs) for listener in self._listeners)

    @property
    def listeners(self) -> tuple[Callable[P, bool], ...]:
        return self._listeners
