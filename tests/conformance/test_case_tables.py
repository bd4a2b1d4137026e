"""Cases as rows of a table (conformance/case_tables.py): each row a case like a written one."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

import pytest

from chargeyard.conformance.case_tables import CaseTable, Doc, register, register_rows
from chargeyard.conformance.station_under_test.cases_v16 import CASES as STATION_V16


async def _version(run: list[object], version: int, note: str | None) -> None:
    run.append((version, note))


async def test_each_row_is_a_named_documented_case_calling_the_helper() -> None:
    cases: dict[str, Callable[[list[object]], Awaitable[None]]] = {}
    register_rows(cases, _version, {"TC_1": (-1, None), "TC_2": Doc("G03: empty.", 0, "x")})

    assert list(cases) == ["TC_1", "TC_2"]
    first, second = cases.values()
    assert (first.__name__, first.__qualname__) == ("_version[TC_1]", "_version[TC_1]")
    assert (first.__module__, first.__doc__, second.__doc__) == (__name__, None, "G03: empty.")
    assert inspect.iscoroutinefunction(second)
    run: list[object] = []
    await first(run)
    await second(run)
    assert run == [(-1, None), (0, "x")]


def test_an_id_registered_twice_is_refused() -> None:
    cases: dict[str, Callable[[list[object]], Awaitable[None]]] = {}
    register_rows(cases, _version, {"TC_1": (-1, None)})
    with pytest.raises(ValueError, match="TC_1 is registered twice"):
        register(cases, "TC_1", cases["TC_1"])


def test_a_suites_row_is_named_after_its_helper_in_the_helpers_module() -> None:
    case = STATION_V16["TC_013_CS"]  # a row of lifecycle.py's _reset table
    assert case.__name__ == "_reset[TC_013_CS]"
    assert case.__module__ == "chargeyard.conformance.station_under_test.cases_v16.lifecycle"


async def test_a_case_table_holds_written_cases_and_rows_in_the_order_registered() -> None:
    written = CaseTable[list[object]]()

    @written.case("TC_0")
    async def _boot(run: list[object]) -> None:
        run.append("boot")

    written.table(_version)({"TC_1": (-1, None)})

    assert list(written.cases) == ["TC_0", "TC_1"]
    assert written.cases["TC_0"] is _boot
    run: list[object] = []
    for case in written.cases.values():
        await case(run)
    assert run == ["boot", (-1, None)]
    with pytest.raises(ValueError, match="TC_0 is registered twice"):
        written.case("TC_0")(_boot)
