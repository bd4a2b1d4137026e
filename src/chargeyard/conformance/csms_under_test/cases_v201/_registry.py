"""The table of written cases, by id, and the two ways to fill it: the decorator ``case`` for a
case written as a function, ``table`` for cases that are one helper called with different
arguments (``case_tables.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVarTuple

from chargeyard.conformance.case_tables import Doc, Row, register, register_rows
from chargeyard.conformance.csms_under_test.case_v201 import CaseFunctionV201, CsmsCaseV201

Args = TypeVarTuple("Args")

CASES: dict[str, CaseFunctionV201] = {}


def case(case_id: str) -> Callable[[CaseFunctionV201], CaseFunctionV201]:
    """Register the decorated function as the case ``case_id``."""

    def register_function(function: CaseFunctionV201) -> CaseFunctionV201:
        register(CASES, case_id, function)
        return function

    return register_function


def table(
    helper: Callable[[CsmsCaseV201, *Args], Awaitable[None]], rows: Mapping[str, Row[*Args]]
) -> None:
    """Register one case per row of ``rows``, by id: ``helper`` called with the row's
    arguments (a tuple, or :class:`Doc` of them with the case's docstring)."""
    register_rows(CASES, helper, rows)


__all__ = ["CASES", "Doc", "case", "table"]
