"""The table of written cases, by id, and the decorator that fills it."""

from __future__ import annotations

from collections.abc import Callable

from chargeyard.conformance.csms_under_test.case import CaseFunction

CASES: dict[str, CaseFunction] = {}


def case(case_id: str) -> Callable[[CaseFunction], CaseFunction]:
    """Register the decorated function as the case ``case_id``."""

    def register(function: CaseFunction) -> CaseFunction:
        CASES[case_id] = function
        return function

    return register
