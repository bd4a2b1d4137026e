"""Cases as rows of a table: when several cases are one helper called with different
arguments, each is a row of that helper's table, not a function of one line.

Each wing's ``cases_*/_registry.py`` holds one :class:`CaseTable` of its context and hands
out its ``case`` decorator and its ``table(helper)(rows)``; :func:`register_rows` does the work.
The type checker holds every row to the helper's signature. A row is the helper's arguments
after the context, as a tuple, or :class:`Doc` of them with the docstring the case would have
had: the report reads the use cases, requirements and sections a case follows from its
docstring (``references.py``).

Each row becomes a coroutine function like a written case: named after its helper and its id
(``_reset[TC_013_CSMS]``), in the helper's module, with the row's docstring.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Generic, TypeVar, TypeVarTuple

Context = TypeVar("Context")
Args = TypeVarTuple("Args")


class Doc(Generic[*Args]):
    """A row with a docstring: ``Doc("G03: EVSE 1's connector 1.", 1, 1)``."""

    __slots__ = ("args", "doc")

    def __init__(self, doc: str, *args: *Args) -> None:
        self.doc = doc
        self.args: tuple[*Args] = args

    def __repr__(self) -> str:
        return f"Doc({', '.join(repr(value) for value in (self.doc, *self.args))})"


Row = tuple[*Args] | Doc[*Args]
"""One case of a table: the helper's arguments after the context."""


class CaseTable(Generic[Context]):
    """The written cases of one wing and version, by id, and the two ways to fill it: the
    decorator :meth:`case` for a case written as a function, :meth:`table` for cases that are
    one helper called with different arguments."""

    __slots__ = ("cases",)

    def __init__(self) -> None:
        self.cases: dict[str, Callable[[Context], Awaitable[None]]] = {}

    def case(
        self, case_id: str
    ) -> Callable[[Callable[[Context], Awaitable[None]]], Callable[[Context], Awaitable[None]]]:
        """Register the decorated function as the case ``case_id``."""

        def register_function(
            function: Callable[[Context], Awaitable[None]],
        ) -> Callable[[Context], Awaitable[None]]:
            register(self.cases, case_id, function)
            return function

        return register_function

    def table(
        self, helper: Callable[[Context, *Args], Awaitable[None]]
    ) -> Callable[[Mapping[str, Row[*Args]]], None]:
        """``table(helper)(rows)``: register one case per row of ``rows``, by id, ``helper``
        called with the row's arguments (a tuple, or :class:`Doc` of them with the case's
        docstring).

        Two calls, so that the helper alone says what a row holds: a row's ``"Hard"`` is then
        the helper's ``Literal`` (a message type's enumeration), where one call would read it
        as ``str`` and refuse the helper."""

        def register_table(rows: Mapping[str, Row[*Args]]) -> None:
            register_rows(self.cases, helper, rows)

        return register_table


def register(
    cases: MutableMapping[str, Callable[[Context], Awaitable[None]]],
    case_id: str,
    function: Callable[[Context], Awaitable[None]],
) -> None:
    """Register ``function`` in ``cases`` as the case ``case_id``.

    Raises:
        ValueError: ``case_id`` is registered already.
    """
    if case_id in cases:
        raise ValueError(f"{case_id} is registered twice")
    cases[case_id] = function


def register_rows(
    cases: MutableMapping[str, Callable[[Context], Awaitable[None]]],
    helper: Callable[[Context, *Args], Awaitable[None]],
    rows: Mapping[str, Row[*Args]],
) -> None:
    """Register in ``cases``, in the order of ``rows``, one case per row: ``helper`` called
    with the context and the row's arguments.

    Raises:
        ValueError: a case id of ``rows`` is registered already.
    """
    for case_id, row in rows.items():
        if isinstance(row, Doc):
            register(cases, case_id, _case(case_id, helper, row.args, row.doc))
        else:
            register(cases, case_id, _case(case_id, helper, row, None))


def _case(
    case_id: str,
    helper: Callable[[Context, *Args], Awaitable[None]],
    args: tuple[*Args],
    doc: str | None,
) -> Callable[[Context], Awaitable[None]]:
    async def table_row(run: Context) -> None:
        await helper(run, *args)

    # What a listing, a report or a traceback's reader sees of the case.
    table_row.__name__ = f"{getattr(helper, '__name__', 'helper')}[{case_id}]"
    table_row.__qualname__ = f"{getattr(helper, '__qualname__', 'helper')}[{case_id}]"
    table_row.__module__ = getattr(helper, "__module__", __name__)
    table_row.__doc__ = doc
    return table_row
