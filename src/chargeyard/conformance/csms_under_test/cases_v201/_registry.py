"""The table of written cases, by id, and the decorator that fills it."""

from __future__ import annotations

from collections.abc import Callable

from chargeyard.conformance.csms_under_test.case_v201 import CaseFunctionV201

CASES: dict[str, CaseFunctionV201] = {}


def case(case_id: str) -> Callable[[CaseFunctionV201], CaseFunctionV201]:
    """Register the decorated function as the case ``case_id``."""

    def register(function: CaseFunctionV201) -> CaseFunctionV201:
        CASES[case_id] = function
        return function

    return register
