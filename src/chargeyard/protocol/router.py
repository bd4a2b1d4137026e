"""Handlers registered per class: methods marked ``@on(action)`` form the class's table.

Example::

    class CentralSystem16(ActionHandlers):
        @on("Heartbeat")
        def heartbeat(self, payload: Payload) -> Payload:
            return {"currentTime": now_iso()}

    session = Session(V16, Role.CENTRAL_SYSTEM, CentralSystem16().handlers())

A handler takes the request payload (the wire's camelCase dict, already checked against the
schema) and returns the response payload, or an awaitable of it. It may raise
:class:`~chargeyard.protocol.errors.OcppError` to answer with a chosen CALLERROR.

A handler may name its payload and its answer with the generated message types
(``payload: v16.AuthorizeRequest) -> v16.AuthorizeResponse``, ``protocol/messages``); the
payload stays the same dict. The class is then refused when it is created if a handler's types
belong to another action (an ``@on("Heartbeat")`` method taking a ``BootNotificationRequest``):
the types are only as good as the action they are hung on. Its annotations are resolved for
that check, so the names they use must be importable at run time.
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable, Iterator, Mapping
from types import FunctionType, MappingProxyType
from typing import Any, ClassVar, TypeVar

Payload = dict[str, Any]
# A request built to be sent: a plain dict or one of the generated message types
# (``protocol/messages``), which a type checker takes for a Mapping[str, object], never for a
# dict[str, Any]. Either is the same dict at run time.
OutgoingPayload = Mapping[str, object]
HandlerResult = Payload | Awaitable[Payload] | None
Handler = Callable[[Payload], HandlerResult]

_F = TypeVar("_F", bound=Callable[..., Any])
_ACTION_ATTRIBUTE = "__ocpp_action__"
_MESSAGE_MODULES = "chargeyard.protocol.messages."


def on(action: str) -> Callable[[_F], _F]:
    """Mark a method as the handler of ``action`` in its :class:`ActionHandlers` class."""

    def mark(method: _F) -> _F:
        setattr(method, _ACTION_ATTRIBUTE, action)
        return method

    return mark


class ActionHandlers:
    """Base of classes whose ``@on`` methods handle incoming CALLs (and 2.1 SENDs).

    The table is built once per class, when the class is created, and inherited: a subclass
    may add actions or override a handler by marking a method with the same action.
    """

    __slots__ = ()  # (a subclass with slots of its own keeps instances free of a dict)

    _actions: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Walk the whole MRO, base first, so that a class mixing in several handler classes
        # gets all their actions (``cls._actions`` alone is only the first base's table) and
        # the class that Python's attribute lookup would pick wins an action.
        for name, member in vars(cls).items():
            action = getattr(member, _ACTION_ATTRIBUTE, None)
            if isinstance(action, str) and isinstance(member, FunctionType):
                _check_message_types(cls, name, member, action)
        table: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for name, member in vars(klass).items():
                action = getattr(member, _ACTION_ATTRIBUTE, None)
                if isinstance(action, str):
                    table[action] = name
        cls._actions = MappingProxyType(table)

    @classmethod
    def actions(cls) -> frozenset[str]:
        return frozenset(cls._actions)

    @classmethod
    def handler_names(cls) -> Mapping[str, str]:
        """The class's table: each action and the name of the method that handles it."""
        return cls._actions

    def handlers(self) -> Mapping[str, Handler]:
        """This object's handlers, bound, keyed by action (each bound as it is looked up)."""
        return BoundHandlers(self, self._actions)


def _check_message_types(cls: type, name: str, method: FunctionType, action: str) -> None:
    """Refuse a handler of ``action`` whose annotations name another action's messages: every
    generated message type among its parameters' must be ``<action>Request``, among its
    return's ``<action>Response`` (a union lists one per version it serves).

    Raises:
        TypeError: a message type of another action, or annotations that cannot be resolved.
    """
    if not method.__annotations__:
        return
    try:
        hints = typing.get_type_hints(method)
    except (AttributeError, NameError, TypeError) as error:
        raise TypeError(
            f"{cls.__qualname__}.{name} (the handler of {action}): its annotations cannot be "
            f"resolved at class creation, where they are checked against the action: {error}"
        ) from None
    for parameter, hint in hints.items():
        expected = f"{action}Response" if parameter == "return" else f"{action}Request"
        for message in _message_types(hint):
            if message.__name__ != expected:
                where = "answer" if parameter == "return" else parameter
                raise TypeError(
                    f"{cls.__qualname__}.{name} handles {action} but its {where} is annotated "
                    f"{message.__module__.removeprefix(_MESSAGE_MODULES)}.{message.__name__}, "
                    f"not {expected}"
                )


def _message_types(hint: Any) -> Iterator[type]:
    """The generated message types anywhere in a resolved annotation (in unions, awaitables,
    ...)."""
    if isinstance(hint, type) and hint.__module__.startswith(_MESSAGE_MODULES):
        yield hint
    for argument in typing.get_args(hint):
        yield from _message_types(argument)


class BoundHandlers(Mapping[str, Handler]):
    """An object's handlers by action, each method bound when it is looked up: a central
    system makes one handler object per connection, and a table of bound methods made up
    front was a bound method per action for each of thousands of connections, most of whose
    actions never come."""

    __slots__ = ("_names", "_owner")

    def __init__(self, owner: object, names: Mapping[str, str]) -> None:
        self._owner, self._names = owner, names

    def __getitem__(self, action: str) -> Handler:
        handler: Handler = getattr(self._owner, self._names[action])
        return handler

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, action: object) -> bool:
        return action in self._names


class FirstOf(Mapping[str, Handler]):
    """Two handler tables read as one, ``first`` before ``then``, both read at each lookup: a
    table whose owner adds to it while a session runs (a test scripting a station's answers)
    is seen as it is at each incoming CALL."""

    __slots__ = ("_first", "_then")

    def __init__(self, first: Mapping[str, Handler], then: Mapping[str, Handler]) -> None:
        self._first, self._then = first, then

    def __getitem__(self, action: str) -> Handler:
        handler = self._first.get(action)
        return self._then[action] if handler is None else handler

    def __iter__(self) -> Iterator[str]:
        yield from self._first
        yield from (action for action in self._then if action not in self._first)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, action: object) -> bool:
        return action in self._first or action in self._then
