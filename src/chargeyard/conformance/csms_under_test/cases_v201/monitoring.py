"""OCPP 2.0.1 CSMS cases of block N that the Advanced Device Management profile adds to
Diagnostics: the monitoring report (N02), the monitoring base (N03), monitors set (N04), the
monitoring level (N05), monitors cleared (N06) and the events the monitors raise (N07, N08).

The station plays one with monitoring enabled (MonitoringCtrlr.Enabled) whose monitors are
those each case's scenario implies: a report asked is answered with the monitors that match it
(N02.FR.05), or EmptyResultSet when none does (N02.FR.10).
"""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase, now
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.frames import Call
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
REQUEST_ID = 8_001
MONITOR_ID = 8_101
STATION = {"name": "ChargingStation"}
EVSE_1 = {"name": "EVSE", "evse": {"id": 1}}
AVAILABILITY = {"name": "AvailabilityState"}
POWER = {"name": "Power"}


def _variable(component: Payload, variable: Payload) -> Payload:
    """A ComponentVariableType."""
    return {"component": component, "variable": variable}


# -- the monitoring report (N02) ------------------------------------------------------------------


async def _monitoring_report(
    run: CsmsCaseV201, criteria: list[str], variables: list[Payload], answer: str, words: str
) -> int | None:
    """GetMonitoringReport of the monitors of ``criteria`` (MonitoringCriterionEnumType) on
    ``variables`` (none: every monitor), answered ``answer``; what was not asked for is
    omitted. Returns its requestId."""
    payload: Payload = {"requestId": REQUEST_ID}
    if criteria:
        payload["monitoringCriteria"] = criteria
    if variables:
        payload["componentVariable"] = variables
    call = await run.ordered("GetMonitoringReport", payload, words, {"status": answer})
    run.field_is(call, "monitoringCriteria", criteria or None)
    run.field_is(call, "componentVariable", variables or None)
    request_id = call.payload.get("requestId")
    run.log.check(
        "GetMonitoringReport has a requestId",
        isinstance(request_id, int),
        weight=Weight.SPEC,
        expected="an integer",
        observed=request_id,
    )
    return request_id if isinstance(request_id, int) else None


def _monitor(component: Payload, variable: Payload, kind: str, value: float) -> Payload:
    """A MonitoringDataType: one monitor of ``kind`` on ``component``'s ``variable``."""
    return {
        **_variable(component, variable),
        "variableMonitoring": [
            {
                "id": MONITOR_ID,
                "transaction": False,
                "value": value,
                "type": kind,
                "severity": 8,
            }
        ],
    }


DELTAS = [_monitor(STATION, AVAILABILITY, "Delta", 1), _monitor(EVSE_1, AVAILABILITY, "Delta", 1)]
THRESHOLD = [_monitor(STATION, POWER, "UpperThreshold", 22_000)]


async def _monitors_reported(
    run: CsmsCaseV201, request_id: int | None, monitors: list[Payload]
) -> None:
    """NotifyMonitoringReport of ``monitors`` (N02.FR.03, N02.FR.04), each its own id."""
    run.log.step("The station reports its monitors: NotifyMonitoringReport")
    numbered = [
        {
            **monitor,
            "variableMonitoring": [
                {**item, "id": MONITOR_ID + number} for item in monitor["variableMonitoring"]
            ],
        }
        for number, monitor in enumerate(monitors)
    ]
    # CsmsCaseBase's call, untyped: the payload is a plain dict the case assembles.
    await CsmsCaseBase.call(
        run,
        "NotifyMonitoringReport",
        {
            "requestId": request_id if request_id is not None else REQUEST_ID,
            "seqNo": 0,
            "generatedAt": now(),
            "tbc": False,
            "monitor": numbered,
        },
    )


Asked = tuple[list[str], list[Payload], str]
"""A monitoring report asked for: its criteria, its variables and the same in words."""


async def _empty_then_reported(
    run: CsmsCaseV201, empty: Asked, reported: Asked, monitors: list[Payload]
) -> None:
    """A monitoring report asked that is empty (N02.FR.10), then one asked that the station
    reports with ``monitors`` (N02.FR.05)."""
    await run.booted()
    await _monitoring_report(run, *empty[:2], "EmptyResultSet", empty[2])
    request_id = await _monitoring_report(run, *reported[:2], "Accepted", reported[2])
    await _monitors_reported(run, request_id, monitors)


_POWERS = [_variable(STATION, POWER), _variable(EVSE_1, POWER)]
_AVAILABILITIES = [_variable(STATION, AVAILABILITY), _variable(EVSE_1, AVAILABILITY)]

table(_empty_then_reported)(
    {
        "TC_N_01_CSMS": Doc(
            "N02.FR.05, N02.FR.10: the Delta monitors (none), then the Threshold monitors.",
            (["DeltaMonitoring"], [], "ask for a report of every delta monitor"),
            (["ThresholdMonitoring"], [], "ask for a report of every threshold monitor"),
            THRESHOLD,
        ),
        "TC_N_02_CSMS": Doc(
            "N02.FR.05, N02.FR.10: the monitors of the station's Power (none), then of EVSE"
            " 1's AvailabilityState.",
            (
                [],
                [_variable(STATION, POWER)],
                "ask for a report of the monitors of the station's Power",
            ),
            (
                [],
                [_variable(EVSE_1, AVAILABILITY)],
                "ask for a report of the monitors of EVSE 1's AvailabilityState",
            ),
            DELTAS[1:],
        ),
        "TC_N_03_CSMS": Doc(
            "N02.FR.05, N02.FR.10: the Delta monitors of EVSE 1's AvailabilityState (none),"
            " then the Threshold monitors of the station's Power.",
            (
                ["DeltaMonitoring"],
                [_variable(EVSE_1, AVAILABILITY)],
                "ask for a report of the delta monitors of EVSE 1's AvailabilityState",
            ),
            (
                ["ThresholdMonitoring"],
                [_variable(STATION, POWER)],
                "ask for a report of the threshold monitors of the station's Power",
            ),
            THRESHOLD,
        ),
        "TC_N_60_CSMS": Doc(
            "N02.FR.05, N02.FR.10: the Threshold monitors of the Power of the station and of"
            " EVSE 1 (none), then the Delta monitors of their AvailabilityState (Part 6's"
            " scenario; its tool validations list the two requests the other way round).",
            (
                ["ThresholdMonitoring"],
                _POWERS,
                "ask for a report of the threshold monitors of the Power of the station and EVSE 1",
            ),
            (
                ["DeltaMonitoring"],
                _AVAILABILITIES,
                "ask for a report of the delta monitors of the AvailabilityState of the"
                " station and EVSE 1",
            ),
            DELTAS,
        ),
    },
)


@case("TC_N_47_CSMS")
async def monitoring_report_of_everything(run: CsmsCaseV201) -> None:
    """N02.FR.01: every monitor, neither criteria nor variables named."""
    await run.booted()
    request_id = await _monitoring_report(
        run, [], [], "Accepted", "ask for a report of every monitor"
    )
    await _monitors_reported(run, request_id, DELTAS + THRESHOLD)


# -- the monitoring base, monitors and level (N03-N06) ------------------------------------------


@case("TC_N_05_CSMS")
async def monitoring_base(run: CsmsCaseV201) -> None:
    """N03.FR.03-N03.FR.05: the monitoring base All, FactoryDefault, then HardWiredOnly."""
    await run.booted()
    for base in ("All", "FactoryDefault", "HardWiredOnly"):
        call = await run.ordered(
            "SetMonitoringBase",
            {"monitoringBase": base},
            f"set the station's monitoring base to {base}",
            {"status": "Accepted"},
        )
        run.field_is(call, "monitoringBase", base)


def _delta_monitor(component: Payload) -> Payload:
    """A SetMonitoringDataType: a Delta monitor of severity 8 on ``component``'s
    AvailabilityState, its value 1 (N04.FR.17: a delta on a value that is not a number)."""
    return {"value": 1, "type": "Delta", "severity": 8, **_variable(component, AVAILABILITY)}


async def _set_monitors(run: CsmsCaseV201, components: list[Payload], words: str) -> Call:
    """SetVariableMonitoring of a Delta monitor on each of ``components``' AvailabilityState,
    each Accepted (N04.FR.01, N04.FR.02): the monitors sent must be those asked for."""
    wanted = [_delta_monitor(component) for component in components]
    call = await run.ordered("SetVariableMonitoring", {"setMonitoringData": wanted}, words)
    sent = call.payload.get("setMonitoringData", [])
    fields = ("value", "type", "severity", "component", "variable")
    observed = [{name: item.get(name) for name in fields} for item in sent]
    run.log.check(
        "SetVariableMonitoring sets the monitors asked for, in order",
        observed == wanted,
        expected=wanted,
        observed=sent,
    )
    results = [
        {
            "status": "Accepted",
            "id": MONITOR_ID + number,
            "type": item.get("type", "Delta"),
            "severity": item.get("severity", 8),
            "component": item.get("component", {}),
            "variable": item.get("variable", {}),
        }
        for number, item in enumerate(sent)
    ]
    await run.answered(call, {"setMonitoringResult": results})
    return call


@case("TC_N_08_CSMS")
async def set_one_monitor(run: CsmsCaseV201) -> None:
    """N04.FR.01, N04.FR.02, N04.FR.17: a Delta monitor on EVSE 1's AvailabilityState."""
    await run.booted()
    await _set_monitors(
        run, [EVSE_1], "install a Delta monitor (severity 8) on EVSE 1's AvailabilityState"
    )


@case("TC_N_09_CSMS")
async def set_two_monitors(run: CsmsCaseV201) -> None:
    """N04.FR.01, N04.FR.02, N04.FR.17: Delta monitors on the AvailabilityState of EVSE 1
    and of the station, in one request."""
    await run.booted()
    await _set_monitors(
        run,
        [EVSE_1, STATION],
        "install Delta monitors (severity 8) on the AvailabilityState of EVSE 1 and of the"
        " station, in one request",
    )


async def _monitoring_level(run: CsmsCaseV201, answer: str) -> None:
    await run.booted()
    call = await run.ordered(
        "SetMonitoringLevel",
        {"severity": 4},
        "set the station's monitoring level to severity 4",
        {"status": answer},
    )
    run.field_is(call, "severity", 4)


table(_monitoring_level)(
    {
        "TC_N_16_CSMS": Doc("N05.FR.01: severity 4, Accepted.", "Accepted"),
        "TC_N_17_CSMS": Doc(
            "N05.FR.02: severity 4, Rejected as out of the station's range.", "Rejected"
        ),
    },
)


@case("TC_N_44_CSMS")
async def clear_monitor_rejected(run: CsmsCaseV201) -> None:
    """N06: a monitor the station may not clear (a hard-wired one), Rejected."""
    await run.booted()
    call = await run.ordered(
        "ClearVariableMonitoring",
        {"id": [MONITOR_ID]},
        f"clear monitor {MONITOR_ID}",
    )
    run.field_is(call, "id", [MONITOR_ID])
    ids = call.payload.get("id") or [MONITOR_ID]
    results = [{"status": "Rejected", "id": monitor} for monitor in ids]
    await run.answered(call, {"clearMonitoringResult": results})


# -- the events monitors raise (N07, N08) --------------------------------------------------------


class _EventOptions(TypedDict, total=False):
    """What a case adds to an EventDataType of :func:`_event`."""

    cleared: bool
    cause: int
    techCode: str
    techInfo: str
    transactionId: str


def _event(
    trigger: v201.EventTriggerEnumType, actual: str, **extra: Unpack[_EventOptions]
) -> Payload:
    """An EventDataType of the station's Delta monitor on EVSE 1's AvailabilityState."""
    return {
        "timestamp": now(),
        "trigger": trigger,
        "actualValue": actual,
        "eventNotificationType": "CustomMonitor",
        "variableMonitoringId": MONITOR_ID + 1,
        **_variable(EVSE_1, AVAILABILITY),
        **extra,
    }


async def _events(run: CsmsCaseV201, events: list[Payload], words: str) -> None:
    """NotifyEvent of each of ``events``, each answered with an empty body (N07.FR.03,
    N08.FR.02)."""
    await run.booted()
    run.log.step(words)
    for seq_no, event in enumerate(events):
        # CsmsCaseBase's call, untyped: the payload is a plain dict the case assembles.
        answer = await CsmsCaseBase.call(
            run,
            "NotifyEvent",
            {"generatedAt": now(), "seqNo": seq_no, "eventData": [{"eventId": seq_no, **event}]},
        )
        run.log.check(
            "NotifyEventResponse has an empty body",
            not answer,
            weight=Weight.SPEC,
            expected={},
            observed=answer,
        )


@case("TC_N_24_CSMS")
async def periodic_events(run: CsmsCaseV201) -> None:
    """N08.FR.02: a periodic monitor's events, one after the other."""
    events = [_event("Periodic", "Available") for _ in range(3)]
    await _events(run, events, "The station's periodic monitor reports: NotifyEvent, 3 times")


@case("TC_N_48_CSMS")
async def event_of_a_write_only_variable(run: CsmsCaseV201) -> None:
    """N07: an event of a monitor on a write-only variable, whose value is not told (an
    empty actualValue)."""
    password = _variable({"name": "SecurityCtrlr"}, {"name": "BasicAuthPassword"})
    event = {**_event("Delta", ""), **password}
    await _events(run, [event], "A write-only variable changed: NotifyEvent, no value")


@case("TC_N_49_CSMS")
async def event_cleared(run: CsmsCaseV201) -> None:
    """N07.FR.02: a threshold monitor's alert cleared (cleared true) once the value is back
    within its bounds, here after a reboot."""
    power = _variable({"name": "EVSE", "evse": {"id": 1}}, {"name": "Power"})
    event = {**_event("Alerting", "7000", cleared=True), **power}
    await _events(run, [event], "The value is back within its threshold: NotifyEvent, cleared")


@case("TC_N_50_CSMS")
async def periodic_event(run: CsmsCaseV201) -> None:
    """N07: an event of a periodic monitor (trigger Periodic)."""
    await _events(run, [_event("Periodic", "Available")], "A periodic monitor: NotifyEvent")
