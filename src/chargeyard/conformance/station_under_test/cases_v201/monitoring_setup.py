"""OCPP 2.0.1 charging-station cases of monitors set up and reported (the Advanced Device
Management profile, block N: N02 GetMonitoringReport, N03 SetMonitoringBase, N04
SetVariableMonitoring, N05 SetMonitoringLevel, N06 ClearVariableMonitoring). The monitors each
case sets, and how it leaves the station as it found it, are ``monitoring.py``'s."""

from __future__ import annotations

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.exchanges import first
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.authorization import quiet
from chargeyard.conformance.station_under_test.cases_v201.monitoring import (
    EVSE,
    REQUEST_IDS,
    STATION,
    by_monitor,
    data,
    events_of,
    has_monitor,
    max_limit,
    monitor,
    power_max,
    report,
    result_is,
    set_base,
    set_level,
    set_monitors,
    set_one,
    with_monitoring,
)
from chargeyard.conformance.verdicts import Weight

# -- N02 GetMonitoringReport --------------------------------------------------------------------


@case("TC_N_01_CS")
async def report_by_criteria(run: StationCaseV201) -> None:
    """Monitors of every type set; GetMonitoringReport by criteria reports the types each
    names (N02.FR.01-06, N02.FR.09, N02.FR.12-14)."""
    await with_monitoring(run)
    await monitor(run, EVSE, "Power", "UpperThreshold", await power_max(run))
    await monitor(run, EVSE, "Power", "LowerThreshold", 0.0)
    await monitor(run, EVSE, "AvailabilityState", "Delta", 1)
    await monitor(run, STATION, "AvailabilityState", "Periodic", 3600)
    await monitor(run, STATION, "AvailabilityState", "PeriodicClockAligned", 3600)
    for criteria, kinds in (
        (["ThresholdMonitoring"], {"UpperThreshold", "LowerThreshold"}),
        (["ThresholdMonitoring", "DeltaMonitoring"], {"UpperThreshold", "LowerThreshold", "Delta"}),
        (["DeltaMonitoring", "PeriodicMonitoring"], {"Delta", "Periodic", "PeriodicClockAligned"}),
    ):
        entries = await report(run, criteria=criteria)
        reported = {
            m.get("type") for entry in entries for m in entry.get("variableMonitoring") or []
        }
        run.log.check(
            f"the report holds monitors of {', '.join(sorted(kinds))}, and only those",
            reported == kinds,
            weight=Weight.SPEC,
            expected=sorted(kinds),
            observed=sorted(str(kind) for kind in reported),
        )


async def _availability_monitors(run: StationCaseV201) -> tuple[int, int]:
    """Delta monitors on the AvailabilityState of the station and of EVSE 1."""
    first = await monitor(run, STATION, "AvailabilityState", "Delta", 1)
    second = await monitor(run, EVSE, "AvailabilityState", "Delta", 1)
    return first, second


@case("TC_N_02_CS")
async def report_by_component(run: StationCaseV201) -> None:
    """GetMonitoringReport of the station's AvailabilityState and of all of EVSE 1: their
    Delta monitors (N02.FR.08, N02.FR.09)."""
    await with_monitoring(run)
    await _availability_monitors(run)
    entries = await report(
        run,
        named=[
            {"component": STATION, "variable": {"name": "AvailabilityState"}},
            {"component": EVSE},
        ],
    )
    has_monitor(run, entries, STATION, "AvailabilityState", kind="Delta")
    has_monitor(run, entries, EVSE, "AvailabilityState", kind="Delta")


@case("TC_N_03_CS")
async def report_by_component_and_criteria(run: StationCaseV201) -> None:
    """The same variables filtered by criteria: ThresholdMonitoring finds nothing
    (EmptyResultSet, N02.FR.10), DeltaMonitoring their Delta monitors (N02.FR.13)."""
    await with_monitoring(run)
    await _availability_monitors(run)
    named = [
        {"component": STATION, "variable": {"name": "AvailabilityState"}},
        {"component": EVSE, "variable": {"name": "AvailabilityState"}},
    ]
    await report(run, criteria=["ThresholdMonitoring"], named=named, expected="EmptyResultSet")
    entries = await report(run, criteria=["DeltaMonitoring"], named=named)
    has_monitor(run, entries, STATION, "AvailabilityState", kind="Delta")
    has_monitor(run, entries, EVSE, "AvailabilityState", kind="Delta")


@case("TC_N_47_CS")
async def report_everything(run: StationCaseV201) -> None:
    """GetMonitoringReport without criteria or components: every monitor (N02.FR.11)."""
    await with_monitoring(run)
    await _availability_monitors(run)
    entries = await report(run)
    has_monitor(run, entries, STATION, "AvailabilityState", kind="Delta")
    has_monitor(run, entries, EVSE, "AvailabilityState", kind="Delta")


# -- N03 SetMonitoringBase, N05 SetMonitoringLevel ----------------------------------------------


@case("TC_N_05_CS")
async def monitoring_bases(run: StationCaseV201) -> None:
    """SetMonitoringBase All, FactoryDefault and HardWiredOnly: each Accepted (N03.FR.01,
    N03.FR.03-05)."""
    await with_monitoring(run)
    for base in ("All", "FactoryDefault", "HardWiredOnly"):
        await set_base(run, base)


@case("TC_N_06_CS")
async def hard_wired_only(run: StationCaseV201) -> None:
    """A custom monitor is gone after SetMonitoringBase HardWiredOnly (N03.FR.05)."""
    await with_monitoring(run)
    await monitor(run, STATION, "AvailabilityState", "Delta", 1)
    named = [{"component": STATION, "variable": {"name": "AvailabilityState"}}]
    entries = await report(run, named=named)
    has_monitor(run, entries, STATION, "AvailabilityState", kind="Delta")
    await set_base(run, "HardWiredOnly")
    await report(run, named=named, expected="EmptyResultSet")


@case("TC_N_16_CS")
async def level_suppresses(run: StationCaseV201) -> None:
    """SetMonitoringLevel 7: a monitor of severity 8 says nothing when its variable changes
    (N05.FR.01, N05.FR.03, N07.FR.15)."""
    await with_monitoring(run)
    monitor_id = await monitor(run, EVSE, "AvailabilityState", "Delta", 1, 8)
    await set_level(run, 7)
    await run.ev_connected_pre_session()
    await run.absent(
        "NotifyEvent",
        quiet(run),
        "the monitor of severity 8 sends nothing under level 7",
        where=lambda r: bool(events_of(r, by_monitor(monitor_id))),
        since=run.step_began,
        weight=Weight.SPEC,
    )


@case("TC_N_17_CS")
async def level_out_of_range(run: StationCaseV201) -> None:
    """SetMonitoringLevel 10 and -1: Rejected (N05.FR.02)."""
    await with_monitoring(run)
    await set_level(run, 10, "Rejected")
    await set_level(run, -1, "Rejected")


# -- N04 SetVariableMonitoring ------------------------------------------------------------------


@case("TC_N_08_CS")
async def one_monitor(run: StationCaseV201) -> None:
    """A Delta monitor on EVSE 1's AvailabilityState: Accepted, and reported (N04.FR.01,
    N04.FR.02, N04.FR.08, N04.FR.11)."""
    await with_monitoring(run)
    monitor_id = await monitor(run, EVSE, "AvailabilityState", "Delta", 1)
    entries = await report(
        run, named=[{"component": EVSE, "variable": {"name": "AvailabilityState"}}]
    )
    has_monitor(run, entries, EVSE, "AvailabilityState", monitor_id=monitor_id, kind="Delta")


@case("TC_N_09_CS")
async def monitors_on_two_variables(run: StationCaseV201) -> None:
    """Delta monitors on two variables in one request: each Accepted, both reported."""
    await with_monitoring(run)
    items = (
        data(EVSE, "AvailabilityState", "Delta", 1),
        data(STATION, "AvailabilityState", "Delta", 1),
    )
    results = await set_monitors(run, *items)
    ids = [result_is(run, r, "Accepted", i) for r, i in zip(results, items, strict=False)]
    entries = await report(
        run,
        named=[
            {"component": EVSE, "variable": {"name": "AvailabilityState"}},
            {"component": STATION, "variable": {"name": "AvailabilityState"}},
        ],
    )
    has_monitor(run, entries, EVSE, "AvailabilityState", monitor_id=ids[0])
    has_monitor(run, entries, STATION, "AvailabilityState", monitor_id=ids[-1])


@case("TC_N_10_CS")
async def two_monitors_on_one_variable(run: StationCaseV201) -> None:
    """Two Delta monitors of different severities on one variable: both Accepted."""
    await with_monitoring(run)
    items = (
        data(EVSE, "AvailabilityState", "Delta", 1, 8),
        data(EVSE, "AvailabilityState", "Delta", 1, 7),
    )
    results = await set_monitors(run, *items)
    for result, item in zip(results, items, strict=False):
        result_is(run, result, "Accepted", item)


@case("TC_N_11_CS")
async def unknown_component(run: StationCaseV201) -> None:
    """Monitors on EVSE 99 and on a component the station does not have: UnknownComponent
    (or Rejected, UnknownVariable as Part 6 allows) (N04.FR.03)."""
    await with_monitoring(run)
    items = (
        data({"name": "EVSE", "evse": {"id": 99}}, "AvailabilityState", "Delta", 1),
        data({"name": "NonExistent"}, "Power", "UpperThreshold", 1234.0),
    )
    results = await set_monitors(run, *items)
    allowed = (("UnknownComponent", "Rejected"), ("UnknownComponent", "UnknownVariable"))
    for result, item, statuses in zip(results, items, allowed, strict=False):
        result_is(run, result, statuses, item)


@case("TC_N_12_CS")
async def negative_delta(run: StationCaseV201) -> None:
    """A Delta monitor of a negative value: Rejected (N04.FR.14)."""
    await with_monitoring(run)
    item = data(EVSE, "AvailabilityState", "Delta", -1)
    result = await set_one(run, item)
    result_is(run, result, "Rejected", item)


@case("TC_N_13_CS")
async def threshold_out_of_range(run: StationCaseV201) -> None:
    """An UpperThreshold above the variable's maxLimit: Rejected (N04.FR.13)."""
    await with_monitoring(run)
    maximum = await max_limit(run)
    if maximum is None:
        raise NotApplicable("EVSE 1's Power tells no maxLimit")
    item = data(EVSE, "Power", "UpperThreshold", maximum + 1000)
    result = await set_one(run, item)
    result_is(run, result, "Rejected", item)


@case("TC_N_15_CS")
async def duplicate(run: StationCaseV201) -> None:
    """Two Delta monitors of one severity on one variable: the second is Duplicate
    (N04.FR.10)."""
    await with_monitoring(run)
    items = (
        data(EVSE, "AvailabilityState", "Delta", 1),
        data(EVSE, "AvailabilityState", "Delta", 1),
    )
    results = await set_monitors(run, *items)
    result_is(run, results[0] if results else None, "Accepted", items[0])
    result_is(run, results[1] if len(results) > 1 else None, "Duplicate", items[1])


@case("TC_N_37_CS")
async def unknown_variable(run: StationCaseV201) -> None:
    """A monitor on a variable the EVSE does not have: UnknownVariable (N04.FR.04)."""
    await with_monitoring(run)
    item = data(EVSE, "unknownVariable", "Delta", 1)
    result = await set_one(run, item)
    result_is(run, result, "UnknownVariable", item)


@case("TC_N_38_CS")
async def monitor_type_not_supported(run: StationCaseV201) -> None:
    """An UpperThreshold on a variable that is not a number (AvailabilityState):
    UnsupportedMonitorType or Rejected (N04.FR.05)."""
    await with_monitoring(run)
    item = data(EVSE, "AvailabilityState", "UpperThreshold", 1)
    result = await set_one(run, item)
    result_is(run, result, ("UnsupportedMonitorType", "Rejected"), item)


@case("TC_N_39_CS")
async def replaced_on_another_variable(run: StationCaseV201) -> None:
    """SetVariableMonitoring of a monitor's id on another component and variable: Rejected,
    and the monitor stays (N04.FR.16)."""
    await with_monitoring(run)
    monitor_id = await monitor(run, EVSE, "AvailabilityState", "Delta", 1)
    item = data(STATION, "Power", "UpperThreshold", 1000.0, monitor_id=monitor_id)
    result = await set_one(run, item)
    result_is(run, result, "Rejected", item)
    entries = await report(run)
    has_monitor(run, entries, EVSE, "AvailabilityState", monitor_id=monitor_id, kind="Delta")


@case("TC_N_40_CS")
async def replaced(run: StationCaseV201) -> None:
    """SetVariableMonitoring of a monitor's id on its variable replaces it (N04.FR.12): the
    report shows the new severity."""
    await with_monitoring(run)
    monitor_id = await monitor(run, EVSE, "AvailabilityState", "Delta", 1, 5)
    item = data(EVSE, "AvailabilityState", "Delta", 1, 4, monitor_id=monitor_id)
    result = await set_one(run, item)
    result_is(run, result, "Accepted", item)
    entries = await report(
        run,
        criteria=["DeltaMonitoring"],
        named=[{"component": EVSE, "variable": {"name": "AvailabilityState"}}],
    )
    has_monitor(run, entries, EVSE, "AvailabilityState", monitor_id=monitor_id, severity=4)


@case("TC_N_43_CS")
async def one_of_three_refused(run: StationCaseV201) -> None:
    """Three monitors on EVSE 1's Power, the second a negative Delta: Accepted, Rejected,
    Accepted (each item stands alone)."""
    await with_monitoring(run)
    items = (
        data(EVSE, "Power", "UpperThreshold", await power_max(run)),
        data(EVSE, "Power", "Delta", -1.0),
        data(EVSE, "Power", "LowerThreshold", 0.0),
    )
    results = await set_monitors(run, *items)
    for result, item, status in zip(
        results, items, ("Accepted", "Rejected", "Accepted"), strict=False
    ):
        result_is(run, result, status, item)


# -- N06 ClearVariableMonitoring -----------------------------------------------------------------


@case("TC_N_18_CS")
async def cleared(run: StationCaseV201) -> None:
    """ClearVariableMonitoring of two monitors: Accepted each, and neither is reported
    (N06.FR.01, N06.FR.05)."""
    await with_monitoring(run)
    ids = await _availability_monitors(run)
    run.step("ClearVariableMonitoring of both: Accepted")
    answer = await run.call("ClearVariableMonitoring", {"id": list(ids)})
    results = {r.get("id"): r.get("status") for r in answer.get("clearMonitoringResult") or []}
    run.log.check(
        "each is Accepted",
        results == {ids[0]: "Accepted", ids[1]: "Accepted"},
        expected={ids[0]: "Accepted", ids[1]: "Accepted"},
        observed=results,
    )
    for monitor_id in ids:
        run.forget(f"monitor {monitor_id}")
    await report(
        run,
        named=[
            {"component": STATION, "variable": {"name": "AvailabilityState"}},
            {"component": EVSE, "variable": {"name": "AvailabilityState"}},
        ],
        expected="EmptyResultSet",
    )


async def _known_ids(run: StationCaseV201) -> list[int]:
    """The ids of every monitor the station reports (none: EmptyResultSet)."""
    request_id = next(REQUEST_IDS)
    run.step("GetMonitoringReport of every monitor")
    answer = await run.call("GetMonitoringReport", {"requestId": request_id})
    if answer.get("status") != "Accepted":
        return []
    ids: list[int] = []
    while True:
        part = await run.expect(
            "NotifyMonitoringReport",
            where=lambda r: r.payload.get("requestId") == request_id,
            what=f"NotifyMonitoringReport of request {request_id}",
        )
        for entry in part.payload.get("monitor") or []:
            ids.extend(
                m["id"]
                for m in entry.get("variableMonitoring") or []
                if isinstance(m.get("id"), int)
            )
        if not part.payload.get("tbc"):
            return ids


@case("TC_N_19_CS")
async def clear_unknown(run: StationCaseV201) -> None:
    """ClearVariableMonitoring of an id no monitor has: NotFound (N06.FR.02)."""
    await with_monitoring(run)
    unknown = max([123_455, *await _known_ids(run)]) + 1
    run.step(f"ClearVariableMonitoring of {unknown}: NotFound")
    answer = await run.call("ClearVariableMonitoring", {"id": [unknown]})
    result = first(answer.get("clearMonitoringResult"))
    run.log.check(
        "it is NotFound, with the id",
        (result.get("status"), result.get("id")) == ("NotFound", unknown),
        expected=("NotFound", unknown),
        observed=(result.get("status"), result.get("id")),
    )


@case("TC_N_44_CS")
async def clear_hard_wired(run: StationCaseV201) -> None:
    """ClearVariableMonitoring of a hard-wired monitor: Rejected (N06.FR.03)."""
    await with_monitoring(run)
    await set_base(run, "HardWiredOnly")
    ids = await _known_ids(run)
    if not ids:
        raise NotApplicable("the station reports no hard-wired monitor")
    run.step(f"ClearVariableMonitoring of the hard-wired monitor {ids[0]}: Rejected")
    answer = await run.call("ClearVariableMonitoring", {"id": [ids[0]]})
    result = first(answer.get("clearMonitoringResult"))
    run.log.check(
        "it is Rejected",
        result.get("status") == "Rejected",
        expected="Rejected",
        observed=result.get("status"),
    )
