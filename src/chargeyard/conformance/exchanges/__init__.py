"""The suite's moves typed by action: what a case sends with an action is that action's
generated request type, and what comes back its response type (``protocol/messages``), so the
type checker holds ``answer["idTagInfo"]["status"]`` to the official schemas.

``v16.py`` and ``v201.py`` are written by ``generate.py``: one ``Protocol`` per move, with an
overload per action of the version. A version's case class declares its moves with these types
(the base class, which every version shares, takes any action and a plain dict). Nothing of
this runs: the payloads stay the dicts the peers decoded, checked against the schemas, and what
the system under test may leave out of them stays a ``.get`` (a ``NotRequired`` key), its
absence a verdict.

The views below are what a case reads of a frame it holds, with the payload typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

P = TypeVar("P")
P_co = TypeVar("P_co", covariant=True)


class CallView(Protocol[P_co]):
    """A CALL of the system under test (a :class:`~chargeyard.protocol.frames.Call`) whose
    payload is ``P_co``."""

    @property
    def unique_id(self) -> str: ...

    @property
    def action(self) -> str: ...

    @property
    def payload(self) -> P_co: ...


class AnswerView(Protocol[P_co]):
    """An answer to a CALL of the suite (:class:`~chargeyard.conformance.answer.Answer`)
    whose CALLRESULT payload is ``P_co``."""

    @property
    def payload(self) -> P_co | None: ...

    @property
    def error_code(self) -> str | None: ...

    @property
    def error_description(self) -> str | None: ...

    @property
    def is_error(self) -> bool: ...


class ReceivedView(Protocol[P_co]):
    """A CALL of the station under test as the suite keeps it (the station wing's
    ``Received``) whose payload is ``P_co``."""

    @property
    def call(self) -> CallView[P_co]: ...

    @property
    def connection(self) -> int: ...

    @property
    def at(self) -> float: ...

    @property
    def answer(self) -> dict[str, Any] | None: ...

    @property
    def schema_error(self) -> str | None: ...

    @property
    def expected(self) -> bool: ...

    @property
    def action(self) -> str: ...

    @property
    def payload(self) -> P_co: ...


def present(value: P | None) -> P | dict[str, Any]:
    """``value``, or an empty dict in its stead where the system under test left it out or
    sent it empty (``payload.get("x") or {}``, typed): a read of the result is checked
    against ``P``'s keys, and finds nothing where nothing came."""
    return value or {}


def first(items: list[P] | None) -> P | dict[str, Any]:
    """The first of ``items``, or an empty dict where the list is left out or empty
    (``(payload.get("x") or [{}])[0]``, typed)."""
    return items[0] if items else {}


Where = Callable[[ReceivedView[P]], bool]
"""Which of the station's CALLs of an action a case waits for."""
