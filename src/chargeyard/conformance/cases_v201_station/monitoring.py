"""OCPP 2.0.1 charging-station cases of monitoring (the Advanced Device Management profile,
block N: N02 GetMonitoringReport, N03 SetMonitoringBase, N04 SetVariableMonitoring, N05
SetMonitoringLevel, N06 ClearVariableMonitoring, N07 the events monitors make, N08 periodic
ones).

The monitors are set by the case, as Part 6 allows where none is pre-configured: Delta on the
AvailabilityState of the station and of EVSE 1 (required variables), thresholds and Delta on
EVSE 1's Power, which a transaction moves. Each case clears the monitors it set, and gives
back the monitoring base and level it changed, when it ends (Part 6 section 2.1: no custom
monitor)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

from chargeyard.conformance.cases_v201_station._registry import case
from chargeyard.conformance.cases_v201_station.authorization import quiet
from chargeyard.conformance.csms_inbox import Received
from chargeyard.conformance.station_case import NotApplicable
from chargeyard.conformance.station_case_v201 import StationCaseV201
from chargeyard.conformance.station_device_v201 import Var
from chargeyard.conformance.verdicts import Weight

Payload = dict[str, Any]
ENABLED = Var("MonitoringCtrlr", "Enabled")
OFFLINE_SEVERITY = Var("MonitoringCtrlr", "OfflineQueuingSeverity")
LEVEL = Var("MonitoringCtrlr", "ActiveMonitoringLevel")
STATION: Payload = {"name": "ChargingStation"}
EVSE: Payload = {"name": "EVSE", "evse": {"id": 1}}
SEVERITY = 8
POWER_HIGH_W = 100.0
"""An upper threshold a charging EV's power passes."""
_REQUESTS = itertools.count(9_101)


def data(
    component: Payload,
    variable: str,
    kind: str,
    value: float,
    severity: int = SEVERITY,
    monitor_id: int | None = None,
) -> Payload:
    """A SetMonitoringDataType."""
    item: Payload = {
        "value": value,
        "type": kind,
        "severity": severity,
        "component": component,
        "variable": {"name": variable},
    }
    if monitor_id is not None:
        item["id"] = monitor_id
    return item


async def with_monitoring(run: StationCaseV201) -> None:
    """Part 6's prerequisite: MonitoringCtrlr.Enabled true (where implemented)."""
    await run.ready()
    if await run.learnt(Var("MonitoringCtrlr", "Available")) == "false":
        raise NotApplicable("the station does not monitor its variables")
    await run.set_if_present(ENABLED, "true")


async def set_monitors(run: StationCaseV201, *items: Payload) -> list[Payload]:
    """SetVariableMonitoring of ``items``: the setMonitoringResult entries, in order (each
    one that has an id is cleared when the case ends)."""
    kinds = ", ".join(
        f"{i['type']} on {i['component']['name']}.{i['variable']['name']}" for i in items
    )
    run.step(f"SetVariableMonitoring: {kinds}")
    answer = await run.call("SetVariableMonitoring", {"setMonitoringData": list(items)})
    results: list[Payload] = answer.get("setMonitoringResult") or []
    run.log.check(
        "SetVariableMonitoring answers each item",
        len(results) == len(items),
        expected=len(items),
        observed=len(results),
    )
    for result in results:
        monitor_id = result.get("id")
        if result.get("status") == "Accepted" and isinstance(monitor_id, int):
            run.on_close(f"monitor {monitor_id}", _clearer(run, monitor_id))
    return results


async def set_one(run: StationCaseV201, item: Payload) -> Payload | None:
    """SetVariableMonitoring of one item: its result (None: none came)."""
    results = await set_monitors(run, item)
    return results[0] if results else None


def _clearer(run: StationCaseV201, monitor_id: int) -> Callable[[], Any]:
    async def clear() -> None:
        await run.ask("ClearVariableMonitoring", {"id": [monitor_id]})

    return clear


def result_is(
    run: StationCaseV201, result: Payload | None, status: str | tuple[str, ...], item: Payload
) -> int | None:
    """A setMonitoringResult is ``status`` (one of them) and names what was asked (type,
    severity, component, variable): its monitor id."""
    found = result or {}
    wanted = status if isinstance(status, tuple) else (status,)
    run.log.check(
        f"the result of {item['type']} on {item['component']['name']}.{item['variable']['name']}"
        f" is {' or '.join(wanted)}",
        found.get("status") in wanted,
        expected=" or ".join(wanted),
        observed=found.get("status"),
    )
    for field in ("type", "severity", "component", "variable"):
        run.log.check(
            f"it names the {field} asked",
            found.get(field) == item[field],
            weight=Weight.SPEC,
            expected=item[field],
            observed=found.get(field),
        )
    if "Accepted" not in wanted:
        run.log.check(
            "a refused monitor has no id",
            "id" not in found,
            weight=Weight.SPEC,
            expected="no id",
            observed=found.get("id"),
        )
    monitor_id = found.get("id")
    return monitor_id if isinstance(monitor_id, int) else None


async def monitor(
    run: StationCaseV201,
    component: Payload,
    variable: str,
    kind: str,
    value: float,
    severity: int = SEVERITY,
) -> int:
    """One monitor set, Accepted: its id."""
    item = data(component, variable, kind, value, severity)
    result = await set_one(run, item)
    monitor_id = result_is(run, result, "Accepted", item)
    if monitor_id is None:
        raise NotApplicable(f"the station does not take a {kind} monitor on {variable}")
    return monitor_id


async def report(
    run: StationCaseV201,
    *,
    criteria: list[str] | None = None,
    named: list[Payload] | None = None,
    expected: str = "Accepted",
) -> list[Payload]:
    """GetMonitoringReport of ``criteria`` and ``named`` component variables, answered
    ``expected``; once Accepted, every NotifyMonitoringReport part of its requestId (seqNo
    from 0 up by one, tbc on all but the last: N02.FR.09): the MonitoringDataType entries."""
    request_id = next(_REQUESTS)
    payload: Payload = {"requestId": request_id}
    if criteria:
        payload["monitoringCriteria"] = criteria
    if named:
        payload["componentVariable"] = named
    words = " and ".join(criteria or []) or "every monitor"
    run.step(f"GetMonitoringReport ({words}): {expected}")
    answer = await run.call("GetMonitoringReport", payload)
    run.log.check(
        f"GetMonitoringReport is answered {expected}",
        answer.get("status") == expected,
        expected=expected,
        observed=answer.get("status"),
    )
    info = (answer.get("statusInfo") or {}).get("reasonCode")
    allowed = ("NoError",) if expected == "Accepted" else ("NotFound",)
    run.log.check(
        f"its statusInfo is absent or {allowed[0]}",
        info is None or info in allowed,
        weight=Weight.SPEC,
        expected=f"absent or {allowed[0]}",
        observed=info,
    )
    if answer.get("status") != "Accepted":
        return []
    entries: list[Payload] = []
    number = 0
    while True:
        part = await run.expect(
            "NotifyMonitoringReport",
            where=lambda r: r.payload.get("requestId") == request_id,
            what=f"NotifyMonitoringReport of request {request_id}",
        )
        run.log.check(
            f"part {number}'s seqNo is {number}",
            part.payload.get("seqNo") == number,
            weight=Weight.SPEC,
            expected=number,
            observed=part.payload.get("seqNo"),
        )
        entries.extend(part.payload.get("monitor") or [])
        number += 1
        if not part.payload.get("tbc"):
            return entries


def monitors_on(
    entries: list[Payload], component: Payload, variable: str | None = None
) -> list[Payload]:
    """The VariableMonitoringType entries reported on ``component`` (by name and EVSE) and
    ``variable`` (None: any)."""
    found: list[Payload] = []
    for entry in entries:
        named = entry.get("component") or {}
        if named.get("name") != component["name"]:
            continue
        if "evse" in component and (named.get("evse") or {}).get("id") != component["evse"]["id"]:
            continue
        if variable is not None and (entry.get("variable") or {}).get("name") != variable:
            continue
        found.extend(entry.get("variableMonitoring") or [])
    return found


def has_monitor(
    run: StationCaseV201,
    entries: list[Payload],
    component: Payload,
    variable: str,
    *,
    monitor_id: int | None = None,
    kind: str | None = None,
    severity: int | None = None,
) -> None:
    """The report holds a monitor on ``component``.``variable`` (of that id, type and
    severity where given)."""
    found = [
        item
        for item in monitors_on(entries, component, variable)
        if (monitor_id is None or item.get("id") == monitor_id)
        and (kind is None or item.get("type") == kind)
        and (severity is None or item.get("severity") == severity)
    ]
    what = " ".join(
        str(part)
        for part in (kind, f"monitor {monitor_id}" if monitor_id else "monitor", severity)
        if part is not None
    )
    run.log.check(
        f"the report has the {what} on {component['name']}.{variable}",
        bool(found),
        expected=what,
        observed=monitors_on(entries, component, variable) or "none",
    )


def events_of(item: Received, where: Callable[[Payload], bool]) -> list[Payload]:
    return [event for event in item.payload.get("eventData") or [] if where(event)]


def by_monitor(monitor_id: int) -> Callable[[Payload], bool]:
    return lambda event: event.get("variableMonitoringId") == monitor_id


async def event(
    run: StationCaseV201,
    where: Callable[[Payload], bool],
    what: str,
    *,
    since: int | None = None,
    within: float | None = None,
    reconnects: bool = False,
) -> Payload:
    """The first eventData that ``where`` accepts of a NotifyEvent since ``since`` (default:
    the step's beginning), one already looked at too (one NotifyEvent may carry the events
    of several monitors)."""
    start = run.step_began if since is None else since
    for item in run.peer.received("NotifyEvent", since=start):
        hits = events_of(item, where)
        if hits:
            run.take(item)
            return hits[0]
    item = await run.expect(
        "NotifyEvent",
        where=lambda r: bool(events_of(r, where)),
        what=what,
        since=start,
        within=within,
        reconnects=reconnects,
    )
    return events_of(item, where)[0]


def event_is(run: StationCaseV201, found: Payload, field: str, expected: object) -> None:
    run.log.check(
        f"the event's {field} is {expected}",
        found.get(field) == expected,
        weight=Weight.SPEC,
        expected=expected,
        observed=found.get(field),
    )


async def _level(run: StationCaseV201, severity: int, expected: str = "Accepted") -> None:
    before = await run.variable(LEVEL)

    async def restore() -> None:
        if before is not None and before.isdigit():
            await run.ask("SetMonitoringLevel", {"severity": int(before)})

    run.on_close("monitoring level", restore)
    run.step(f"SetMonitoringLevel {severity}: {expected}")
    await run.order("SetMonitoringLevel", {"severity": severity}, expected)


async def _base(run: StationCaseV201, base: str) -> None:
    async def restore() -> None:
        await run.ask("SetMonitoringBase", {"monitoringBase": "All"})

    run.on_close("monitoring base", restore)
    run.step(f"SetMonitoringBase {base}: Accepted")
    answer = await run.order("SetMonitoringBase", {"monitoringBase": base}, "Accepted")
    info = (answer.get("statusInfo") or {}).get("reasonCode")
    run.log.check(
        "its statusInfo is absent or NoError",
        info in (None, "NoError"),
        weight=Weight.SPEC,
        expected="absent or NoError",
        observed=info,
    )


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
        await _base(run, base)


@case("TC_N_06_CS")
async def hard_wired_only(run: StationCaseV201) -> None:
    """A custom monitor is gone after SetMonitoringBase HardWiredOnly (N03.FR.05)."""
    await with_monitoring(run)
    await monitor(run, STATION, "AvailabilityState", "Delta", 1)
    named = [{"component": STATION, "variable": {"name": "AvailabilityState"}}]
    entries = await report(run, named=named)
    has_monitor(run, entries, STATION, "AvailabilityState", kind="Delta")
    await _base(run, "HardWiredOnly")
    await report(run, named=named, expected="EmptyResultSet")


@case("TC_N_16_CS")
async def level_suppresses(run: StationCaseV201) -> None:
    """SetMonitoringLevel 7: a monitor of severity 8 says nothing when its variable changes
    (N05.FR.01, N05.FR.03, N07.FR.15)."""
    await with_monitoring(run)
    monitor_id = await monitor(run, EVSE, "AvailabilityState", "Delta", 1, 8)
    await _level(run, 7)
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
    await _level(run, 10, "Rejected")
    await _level(run, -1, "Rejected")


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
    maximum = await _max_limit(run)
    if maximum is None:
        raise NotApplicable("EVSE 1's Power tells no maxLimit")
    item = data(EVSE, "Power", "UpperThreshold", maximum + 1000)
    result = await set_one(run, item)
    result_is(run, result, "Rejected", item)


async def _max_limit(run: StationCaseV201) -> float | None:
    request_id = next(_REQUESTS)
    answer = await run.call(
        "GetReport",
        {
            "requestId": request_id,
            "componentVariable": [{"component": EVSE, "variable": {"name": "Power"}}],
        },
    )
    if answer.get("status") != "Accepted":
        return None
    for item in await run.report(request_id):
        limit = (item.get("variableCharacteristics") or {}).get("maxLimit")
        if isinstance(limit, (int, float)):
            return float(limit)
    return None


async def power_max(run: StationCaseV201) -> float:
    """EVSE 1's Power maxLimit: an upper threshold there that charging does not pass."""
    found = await _max_limit(run)
    if found is None:
        raise NotApplicable("EVSE 1's Power tells no maxLimit")
    return found


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
    request_id = next(_REQUESTS)
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
    results = answer.get("clearMonitoringResult") or [{}]
    run.log.check(
        "it is NotFound, with the id",
        (results[0].get("status"), results[0].get("id")) == ("NotFound", unknown),
        expected=("NotFound", unknown),
        observed=(results[0].get("status"), results[0].get("id")),
    )


@case("TC_N_44_CS")
async def clear_hard_wired(run: StationCaseV201) -> None:
    """ClearVariableMonitoring of a hard-wired monitor: Rejected (N06.FR.03)."""
    await with_monitoring(run)
    await _base(run, "HardWiredOnly")
    ids = await _known_ids(run)
    if not ids:
        raise NotApplicable("the station reports no hard-wired monitor")
    run.step(f"ClearVariableMonitoring of the hard-wired monitor {ids[0]}: Rejected")
    answer = await run.call("ClearVariableMonitoring", {"id": [ids[0]]})
    results = answer.get("clearMonitoringResult") or [{}]
    run.log.check(
        "it is Rejected",
        results[0].get("status") == "Rejected",
        expected="Rejected",
        observed=results[0].get("status"),
    )


# -- N07 events ---------------------------------------------------------------------------------


@case("TC_N_20_CS")
async def thresholds_alert(run: StationCaseV201) -> None:
    """An UpperThreshold on EVSE 1's Power alerts when charging passes it, with the
    transaction; a LowerThreshold set then alerts when the power drops, and the upper one
    clears (N07.FR.06, N07.FR.07, N07.FR.16, N07.FR.17)."""
    await with_monitoring(run)
    await _base(run, "All")
    upper = await monitor(run, EVSE, "Power", "UpperThreshold", POWER_HIGH_W)
    began = run.mark()
    session = await run.energy_transfer_started()
    run.step("Power passes the upper threshold: NotifyEvent (Alerting)")
    found = await event(run, by_monitor(upper), "the upper threshold's NotifyEvent", since=began)
    event_is(run, found, "trigger", "Alerting")
    _above(run, found, POWER_HIGH_W)
    event_is(run, found, "transactionId", session.transaction_id)
    run.log.check(
        "it is not cleared",
        not found.get("cleared"),
        weight=Weight.SPEC,
        expected="absent or false",
        observed=found.get("cleared"),
    )
    lower = await monitor(run, EVSE, "Power", "LowerThreshold", 10.0)
    since = run.mark()
    await run.stop_authorized()
    run.step("Power drops: the upper threshold clears, the lower one alerts")
    cleared_event = await event(
        run,
        lambda e: by_monitor(upper)(e) and bool(e.get("cleared")),
        "the upper threshold cleared",
        since=since,
    )
    event_is(run, cleared_event, "eventNotificationType", "CustomMonitor")
    low = await event(run, by_monitor(lower), "the lower threshold's NotifyEvent", since=since)
    event_is(run, low, "trigger", "Alerting")
    event_is(run, low, "eventNotificationType", "CustomMonitor")
    await run.ev_connected_post_session()
    await run.ev_disconnected()


def _above(run: StationCaseV201, found: Payload, threshold: float) -> None:
    try:
        value = float(found.get("actualValue", ""))
    except ValueError:
        value = float("nan")
    run.log.check(
        f"its actualValue is above {threshold:g}",
        value > threshold,
        weight=Weight.SPEC,
        expected=f"> {threshold:g}",
        observed=found.get("actualValue"),
    )


@case("TC_N_45_CS")
async def delta_alerts(run: StationCaseV201) -> None:
    """A Delta monitor on EVSE 1's Power: charging moves it more than the value, a
    NotifyEvent (Delta) names the monitor (N07.FR.06, N07.FR.18)."""
    await with_monitoring(run)
    delta = await monitor(run, EVSE, "Power", "Delta", POWER_HIGH_W)
    began = run.mark()
    await run.energy_transfer_started()
    found = await event(run, by_monitor(delta), "the Delta monitor's NotifyEvent", since=began)
    event_is(run, found, "trigger", "Delta")
    event_is(run, found, "component", EVSE)
    event_is(run, found, "variable", {"name": "Power"})


@case("TC_N_56_CS")
async def delta_not_numeric(run: StationCaseV201) -> None:
    """A Delta monitor on EVSE 1's AvailabilityState: any change is reported (N07.FR.19)."""
    await with_monitoring(run)
    delta = await monitor(run, EVSE, "AvailabilityState", "Delta", 1.0)
    began = run.mark()
    await run.ev_connected_pre_session()
    found = await event(run, by_monitor(delta), "the Delta monitor's NotifyEvent", since=began)
    event_is(run, found, "trigger", "Delta")
    event_is(run, found, "component", EVSE)
    event_is(run, found, "variable", {"name": "AvailabilityState"})


@case("TC_N_48_CS")
async def write_only_monitored(run: StationCaseV201) -> None:
    """A Delta monitor on SecurityCtrlr.BasicAuthPassword: a new password is reported
    without its value (N07.FR.10)."""
    await with_monitoring(run)
    old = run.peer.password
    if old is None:
        raise NotApplicable(
            "the station does not authenticate with a password (security profile 1)"
        )
    delta = await monitor(run, {"name": "SecurityCtrlr"}, "BasicAuthPassword", "Delta", 1, 6)
    new = "N48-" + old[4:] if len(old) > 4 else old + "-N48"
    connection = run.peer.connection
    run.step("SetVariables of a new BasicAuthPassword: Accepted")
    var = Var("SecurityCtrlr", "BasicAuthPassword")
    answer = await run.call(
        "SetVariables", {"setVariableData": [{**var.wire(), "attributeValue": new}]}
    )
    status = ((answer.get("setVariableResult") or [{}])[0]).get("attributeStatus")
    run.log.check(
        "SetVariables of BasicAuthPassword is Accepted or RebootRequired",
        status in ("Accepted", "RebootRequired"),
        expected="Accepted or RebootRequired",
        observed=status,
    )
    if status not in ("Accepted", "RebootRequired"):
        return
    run.peer.password = new

    async def restore() -> None:
        before = run.peer.connections
        back = await run.ask(
            "SetVariables", {"setVariableData": [{**var.wire(), "attributeValue": old}]}
        )
        if back.payload is not None:
            run.peer.password = old
            await run.peer.connected(run.target.connect_s, after=before)

    run.on_close("BasicAuthPassword", restore)
    if status == "RebootRequired":
        await run.booted(reset="OnIdle")
    elif connection is not None:
        await run.connected(after=connection.number)
    found = await event(
        run, by_monitor(delta), "the password monitor's NotifyEvent", reconnects=True
    )
    event_is(run, found, "actualValue", "")


@case("TC_N_61_CS")
async def numeric_delta(run: StationCaseV201) -> None:
    """A Delta monitor of 1 on OCPPCommCtrlr.OfflineThreshold: a change of 1 says nothing, a
    change of 2 is reported with the new value (N07.FR.18)."""
    await with_monitoring(run)
    var = Var("OCPPCommCtrlr", "OfflineThreshold")
    current = await run.keep(var)
    if current is None or not current.isdigit():
        raise NotApplicable("the station has no OCPPCommCtrlr.OfflineThreshold")
    delta = await monitor(run, {"name": "OCPPCommCtrlr"}, "OfflineThreshold", "Delta", 1)
    value = int(current)
    await run.set_variable(var, str(value + 1))
    await run.absent(
        "NotifyEvent",
        quiet(run),
        "a change of 1 does not pass a Delta of 1",
        where=lambda r: bool(events_of(r, by_monitor(delta))),
        since=run.step_began,
        weight=Weight.SPEC,
    )
    await run.set_variable(var, str(value + 2))
    found = await event(run, by_monitor(delta), "the Delta monitor's NotifyEvent")
    event_is(run, found, "actualValue", str(value + 2))


@case("TC_N_51_CS")
async def replaced_threshold_alerts(run: StationCaseV201) -> None:
    """During charging, an UpperThreshold replaced by one the power already passes alerts at
    once (N07.FR.11)."""
    await with_monitoring(run)
    upper = await monitor(run, EVSE, "Power", "UpperThreshold", await power_max(run))
    await run.energy_transfer_started()
    since = run.mark()
    item = data(EVSE, "Power", "UpperThreshold", 0.0, monitor_id=upper)
    result = await set_one(run, item)
    result_is(run, result, "Accepted", item)
    found = await event(run, by_monitor(upper), "the replaced threshold's NotifyEvent", since=since)
    event_is(run, found, "trigger", "Alerting")
    _above(run, found, 0.0)


@case("TC_N_52_CS")
async def cleared_threshold_is_silent(run: StationCaseV201) -> None:
    """A tripped UpperThreshold cleared by ClearVariableMonitoring: gone from the report, and
    no event of it when the power drops (N07.FR.12)."""
    await with_monitoring(run)
    upper = await monitor(run, EVSE, "Power", "UpperThreshold", 0.0)
    began = run.mark()
    await run.energy_transfer_started()
    await event(run, by_monitor(upper), "the threshold's NotifyEvent", since=began)
    run.step("ClearVariableMonitoring of it: Accepted")
    answer = await run.call("ClearVariableMonitoring", {"id": [upper]})
    results = answer.get("clearMonitoringResult") or [{}]
    run.log.check(
        "it is Accepted",
        (results[0].get("status"), results[0].get("id")) == ("Accepted", upper),
        expected=("Accepted", upper),
        observed=(results[0].get("status"), results[0].get("id")),
    )
    run.forget(f"monitor {upper}")
    await report(
        run,
        criteria=["ThresholdMonitoring"],
        named=[{"component": EVSE, "variable": {"name": "Power"}}],
        expected="EmptyResultSet",
    )
    since = run.mark()
    await run.stop_authorized()
    await run.absent(
        "NotifyEvent",
        quiet(run),
        "the cleared monitor sends nothing (N07.FR.12)",
        where=lambda r: bool(events_of(r, by_monitor(upper))),
        since=since,
        weight=Weight.SPEC,
    )


@case("TC_N_53_CS")
async def kept_through_a_reboot(run: StationCaseV201) -> None:
    """A monitor survives a reboot (N07.FR.13)."""
    await with_monitoring(run)
    upper = await monitor(run, EVSE, "Power", "UpperThreshold", await power_max(run))
    await run.booted()
    entries = await report(run, criteria=["ThresholdMonitoring"])
    has_monitor(run, entries, EVSE, "Power", monitor_id=upper, kind="UpperThreshold")


async def _offline_severity(run: StationCaseV201, severity: int) -> None:
    if not await run.set_if_present(OFFLINE_SEVERITY, str(severity)):
        raise NotApplicable("the station has no MonitoringCtrlr.OfflineQueuingSeverity")


@case("TC_N_22_CS")
async def offline_event_queued(run: StationCaseV201) -> None:
    """OfflineQueuingSeverity at the monitor's severity: an event of the offline period is
    sent once back (N07.FR.04)."""
    await with_monitoring(run)
    await _offline_severity(run, SEVERITY)
    delta = await monitor(run, EVSE, "AvailabilityState", "Delta", 1, SEVERITY)
    run.step("Offline, the EV is plugged in; back online, its event comes")
    since = run.mark()
    async with run.offline():
        await run.connect_ev()
        await asyncio.sleep(quiet(run))
    found = await event(run, by_monitor(delta), "the queued NotifyEvent", since=since)
    event_is(run, found, "trigger", "Delta")
    event_is(run, found, "actualValue", "Occupied")
    await run.disconnect_ev()


@case("TC_N_23_CS")
async def offline_event_dropped(run: StationCaseV201) -> None:
    """OfflineQueuingSeverity above the monitor's severity number: what it saw offline is
    not sent once back (N07.FR.04)."""
    await with_monitoring(run)
    await _offline_severity(run, SEVERITY - 1)
    delta = await monitor(run, EVSE, "AvailabilityState", "Delta", 1, SEVERITY)
    run.step("Offline, the EV unplugged and plugged in again; back online, no event of it")
    await run.ev_connected_pre_session()
    since = run.mark()
    async with run.offline():
        await run.disconnect_ev()
        await asyncio.sleep(quiet(run) / 2)
        await run.connect_ev()
        await asyncio.sleep(quiet(run) / 2)
    await run.absent(
        "NotifyEvent",
        quiet(run),
        "an event less severe than OfflineQueuingSeverity is not queued (N07.FR.04)",
        where=lambda r: bool(events_of(r, by_monitor(delta))),
        since=since,
        weight=Weight.SPEC,
    )


# -- N08 periodic events --------------------------------------------------------------------------


@case("TC_N_24_CS")
async def periodic(run: StationCaseV201) -> None:
    """A Periodic monitor: a NotifyEvent (Periodic) every interval (N07.FR.20, N08.FR.01,
    N08.FR.05)."""
    await with_monitoring(run)
    interval = max(2, round(run.step_s / 2))
    periodic_id = await monitor(run, EVSE, "AvailabilityState", "Periodic", interval)
    run.step(f"A NotifyEvent (Periodic) every {interval} s")
    first = await _periodic(run, periodic_id, run.mark(), interval)
    second = await _periodic(run, periodic_id, run.mark(), interval)
    gap = second - first
    run.log.check(
        f"they come {interval} s apart",
        abs(gap - interval) <= max(1.0, interval / 4),
        weight=Weight.SPEC,
        expected=f"{interval} s",
        observed=f"{gap:.1f} s",
    )


async def _periodic(run: StationCaseV201, monitor_id: int, since: int, interval: float) -> float:
    found = await event(
        run,
        by_monitor(monitor_id),
        "a periodic NotifyEvent",
        since=since,
        within=interval + run.step_s,
    )
    event_is(run, found, "trigger", "Periodic")
    return time.monotonic()
