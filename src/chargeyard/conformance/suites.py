"""Which cases the suite can run, per OCPP version and system under test: the written cases
of each (a wing's ``cases_*`` package's table, by id) and how a case's context opens on a target.

A catalog case is *available* when it is written and needs nothing chargeyard lacks;
:func:`why_not_available` says why another is not, in the words a report shows. A version
that borrows another's list (``catalog/borrowed.py``: 2.1 runs the 2.0.1 cases) runs that
version's written cases, in the same contexts, less those it changed: the cases are not
copied, and the context speaks the target's version.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from chargeyard.conformance.catalog import CaseInfo, UnderTest
from chargeyard.conformance.catalog.borrowed import BORROWED, left_out
from chargeyard.conformance.csms_under_test import cases_v16 as cases_v16_csms
from chargeyard.conformance.csms_under_test import cases_v201 as cases_v201_csms
from chargeyard.conformance.csms_under_test.case import CsmsCase
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.record import CaseLog
from chargeyard.conformance.station_under_test import cases_v16 as cases_v16_station
from chargeyard.conformance.station_under_test import cases_v201 as cases_v201_station
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.protocol import V16, V201, VersionSpec

NOT_WRITTEN = "not written yet"


class CaseContext(Protocol):
    """What a case runs in: its connection to the system under test, closed after it."""

    async def close(self) -> None: ...


TargetT = TypeVar("TargetT", contravariant=True)
ContextT = TypeVar("ContextT", bound=CaseContext)


@dataclass(frozen=True, slots=True)
class Suite(Generic[TargetT, ContextT]):
    """The written cases of one version and role, and how each case's context opens."""

    version: VersionSpec
    under_test: UnderTest
    cases: Mapping[str, Callable[[ContextT], Awaitable[None]]]
    open: Callable[[TargetT, CaseLog], ContextT]


_OWN_SUITES: dict[tuple[VersionSpec, UnderTest], Suite[Any, Any]] = {
    (V16, UnderTest.CSMS): Suite(V16, UnderTest.CSMS, cases_v16_csms.CASES, CsmsCase),
    (V16, UnderTest.STATION): Suite(
        V16, UnderTest.STATION, cases_v16_station.CASES, StationCaseV16
    ),
    (V201, UnderTest.CSMS): Suite(V201, UnderTest.CSMS, cases_v201_csms.CASES, CsmsCaseV201),
    (V201, UnderTest.STATION): Suite(
        V201, UnderTest.STATION, cases_v201_station.CASES, StationCaseV201
    ),
}


def _borrowed_suites() -> dict[tuple[VersionSpec, UnderTest], Suite[Any, Any]]:
    """The suites of the versions that borrow another's list: the source's cases but those
    the version left out, opened the source's way on a target of the version."""
    suites: dict[tuple[VersionSpec, UnderTest], Suite[Any, Any]] = {}
    for version, borrowed in BORROWED.items():
        for (source, under_test), suite in _OWN_SUITES.items():
            if source is borrowed.source:
                cases = {
                    case_id: case
                    for case_id, case in suite.cases.items()
                    if case_id not in borrowed.left_out
                }
                suites[version, under_test] = Suite(version, under_test, cases, suite.open)
    return suites


SUITES: dict[tuple[VersionSpec, UnderTest], Suite[Any, Any]] = {
    **_OWN_SUITES,
    **_borrowed_suites(),
}


class NoSuite(LookupError):
    """No case of this version and role is written yet."""


def suite_for(version: VersionSpec, under_test: UnderTest) -> Suite[Any, Any]:
    """The suite of ``version`` with ``under_test`` under test.

    Raises:
        NoSuite: none is written yet.
    """
    suite = SUITES.get((version, under_test))
    if suite is None:
        role = "Central System" if under_test is UnderTest.CSMS else "charging station"
        raise NoSuite(f"the OCPP {version.name} {role} cases are not written yet")
    return suite


def written(info: CaseInfo) -> bool:
    suite = SUITES.get((info.version, info.under_test))
    return suite is not None and info.id in suite.cases


def why_not_available(info: CaseInfo) -> str | None:
    """Why ``info`` cannot be run (None: it can)."""
    changed = left_out(info.version, info.id)
    if changed is not None:
        return changed
    if info.needs is not None:
        return info.needs.value
    return None if written(info) else NOT_WRITTEN
