"""What the OCPP 2.0.1 charging-station cases of monitoring share (the Advanced Device
Management profile, block N): setting monitors, reading their reports and the events they
make. The cases are ``monitoring_setup.py`` (N02-N06: reports, bases, levels, monitors set and
cleared) and ``monitoring_events.py`` (N07, N08: the events monitors make).

The monitors are set by the case, as Part 6 allows where none is pre-configured: Delta on the
AvailabilityState of the station and of EVSE 1 (required variables), thresholds and Delta on
EVSE 1's Power, which a transaction moves. Each case clears the monitors it set, and gives
back the monitoring base and level it changed, when it ends (Part 6 section 2.1: no custom
monitor)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.exchanges import present
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.inbox import Received
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
ENABLED = Var("MonitoringCtrlr", "Enabled")
OFFLINE_SEVERITY = Var("MonitoringCtrlr", "OfflineQueuingSeverity")
LEVEL = Var("MonitoringCtrlr", "ActiveMonitoringLevel")
STATION: Payload = {"name": "ChargingStation"}
EVSE: Payload = {"name": "EVSE", "evse": {"id": 1}}
SEVERITY = 8
POWER_HIGH_W = 100.0
"""An upper threshold a charging EV's power passes."""
REQUEST_IDS = itertools.count(9_101)


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
    # StationCase's call: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.call(
        run, "SetVariableMonitoring", {"setMonitoringData": list(items)}
    )
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
) -> list[v201.MonitoringDataType]:
    """GetMonitoringReport of ``criteria`` and ``named`` component variables, answered
    ``expected``; once Accepted, every NotifyMonitoringReport part of its requestId (seqNo
    from 0 up by one, tbc on all but the last: N02.FR.09): the MonitoringDataType entries."""
    request_id = next(REQUEST_IDS)
    payload: Payload = {"requestId": request_id}
    if criteria:
        payload["monitoringCriteria"] = criteria
    if named:
        payload["componentVariable"] = named
    words = " and ".join(criteria or []) or "every monitor"
    run.step(f"GetMonitoringReport ({words}): {expected}")
    # StationCase's call: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.call(run, "GetMonitoringReport", payload)
    run.log.check(
        f"GetMonitoringReport is answered {expected}",
        answer.get("status") == expected,
        expected=expected,
        observed=answer.get("status"),
    )
    info = present(answer.get("statusInfo")).get("reasonCode")
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
    entries: list[v201.MonitoringDataType] = []
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
    entries: list[v201.MonitoringDataType], component: Payload, variable: str | None = None
) -> list[v201.VariableMonitoringType]:
    """The VariableMonitoringType entries reported on ``component`` (by name and EVSE) and
    ``variable`` (None: any)."""
    found: list[v201.VariableMonitoringType] = []
    for entry in entries:
        named = present(entry.get("component"))
        if named.get("name") != component["name"]:
            continue
        if "evse" in component and present(named.get("evse")).get("id") != component["evse"]["id"]:
            continue
        if variable is not None and present(entry.get("variable")).get("name") != variable:
            continue
        found.extend(entry.get("variableMonitoring") or [])
    return found


def has_monitor(
    run: StationCaseV201,
    entries: list[v201.MonitoringDataType],
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
    # StationCase's expect: read as the NotifyEvents peer.received gives, Received.
    item = await StationCase.expect(
        run,
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


async def set_level(run: StationCaseV201, severity: int, expected: str = "Accepted") -> None:
    before = await run.variable(LEVEL)

    async def restore() -> None:
        if before is not None and before.isdigit():
            await run.ask("SetMonitoringLevel", {"severity": int(before)})

    run.on_close("monitoring level", restore)
    run.step(f"SetMonitoringLevel {severity}: {expected}")
    await run.order("SetMonitoringLevel", {"severity": severity}, expected)


async def set_base(run: StationCaseV201, base: str) -> None:
    async def restore() -> None:
        await run.ask("SetMonitoringBase", {"monitoringBase": "All"})

    run.on_close("monitoring base", restore)
    run.step(f"SetMonitoringBase {base}: Accepted")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.order(run, "SetMonitoringBase", {"monitoringBase": base}, "Accepted")
    info = present(answer.get("statusInfo")).get("reasonCode")
    run.log.check(
        "its statusInfo is absent or NoError",
        info in (None, "NoError"),
        weight=Weight.SPEC,
        expected="absent or NoError",
        observed=info,
    )


async def max_limit(run: StationCaseV201) -> float | None:
    request_id = next(REQUEST_IDS)
    # StationCase's call: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.call(
        run,
        "GetReport",
        {
            "requestId": request_id,
            "componentVariable": [{"component": EVSE, "variable": {"name": "Power"}}],
        },
    )
    if answer.get("status") != "Accepted":
        return None
    for item in await run.report(request_id):
        limit = present(item.get("variableCharacteristics")).get("maxLimit")
        if isinstance(limit, (int, float)):
            return float(limit)
    return None


async def power_max(run: StationCaseV201) -> float:
    """EVSE 1's Power maxLimit: an upper threshold there that charging does not pass."""
    found = await max_limit(run)
    if found is None:
        raise NotApplicable("EVSE 1's Power tells no maxLimit")
    return found
