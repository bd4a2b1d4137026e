"""Which cases a version without a test case list of its own runs: another version's cases,
less those whose behaviour it changed.

The Open Charge Alliance publishes no test case list for OCPP 2.1. 2.1 keeps 2.0.1's
functional blocks and use cases and adds to them (2.1 part 2, its introduction lists what is
new), so the suite runs the 2.0.1 cases (Part 6) against a 2.1 system: the suite speaks
``ocpp2.1`` and holds every message to 2.1's schemas. A 2.0.1 case whose behaviour 2.1 changed
is left out of a 2.1 run with the change told, not adapted: an adapted case would be
chargeyard's reading of 2.1, not a case of the list it claims to come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from chargeyard.protocol import V16, V21, V201, VersionSpec, VersionTable


@dataclass(frozen=True, slots=True)
class Borrowed:
    """The cases a version runs of ``source``'s list.

    Attributes:
        source: the version whose cases it runs.
        left_out: the cases of ``source`` it does not run, by id, each with how the version
            changed the behaviour the case checks.
        uncovered: what of the version no case of ``source`` covers, as a report says it.
    """

    source: VersionSpec
    left_out: Mapping[str, str]
    uncovered: str


# N02 Get Monitoring Report: 2.1's VariableMonitoringType requires eventNotificationType
# (whether the monitor is hard-wired, preconfigured or custom: NotifyMonitoringReportRequest in
# 2.1's schemas), which no report of these cases' station holds.
_MONITOR_KIND = (
    "2.1's NotifyMonitoringReport names each monitor's eventNotificationType (required in"
    " 2.1's VariableMonitoringType), which the report this case's station sends (N02, as 2.0.1"
    " has it) lacks"
)

# N05 Set Monitoring Level: 2.1's SetMonitoringLevelRequest has a minimum of 0 for severity, so
# the -1 this case sends is a CALLERROR of the schema, not the Rejected of N05.FR.02 it checks.
_SEVERITY_MINIMUM = (
    "2.1's SetMonitoringLevelRequest schema bounds severity at 0, so the severity -1 this case"
    " sends is refused by the schema (a CALLERROR), not answered Rejected as the case checks"
)

_LEFT_OUT_ON_21: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(
            ("TC_N_01_CSMS", "TC_N_02_CSMS", "TC_N_03_CSMS", "TC_N_47_CSMS", "TC_N_60_CSMS"),
            _MONITOR_KIND,
        ),
        "TC_N_17_CS": _SEVERITY_MINIMUM,
    }
)

_UNCOVERED_ON_21 = (
    "The Open Charge Alliance has published no OCPP 2.1 test cases: this run is the 2.0.1"
    " cases whose behaviour 2.1 left unchanged, spoken in ocpp2.1 and checked against 2.1's"
    " schemas. 2.1's own use cases (bidirectional power transfer and DER control, local"
    " tariffs and cost, periodic event streams, priority charging, dynamic charging profiles,"
    " ad hoc payment, battery swapping, and the others 2.1 adds) are covered by no case."
)

BORROWED: VersionTable[Borrowed] = VersionTable(
    "the cases a version runs of another version's list",
    {V21: Borrowed(V201, _LEFT_OUT_ON_21, _UNCOVERED_ON_21)},
    lacking={
        V16: "runs the Open Charge Alliance's 1.6 test case list",
        V201: "runs the cases of 2.0.1 Part 6",
    },
)


def left_out(version: VersionSpec, case_id: str) -> str | None:
    """Why ``version`` does not run ``case_id`` of the list it borrows (None: it runs it,
    or it borrows no list)."""
    borrowed = BORROWED.get(version)
    if borrowed is None:
        return None
    change = borrowed.left_out.get(case_id)
    if change is None:
        return None
    return f"OCPP {version.name} changed the behaviour: {change}"
