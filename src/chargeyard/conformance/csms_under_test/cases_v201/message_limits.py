"""OCPP 2.0.1 CSMS cases of the limits a station sets on one request's items: the CSMS learns
the station's ItemsPerMessage (with GetVariables) and then, asked for more than that, sends
as many requests as it takes, none over the limit: GetVariables (B06.FR.05, block B) and
ClearVariableMonitoring (N06.FR.04, block N)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.protocol.frames import Call

Payload = dict[str, Any]
Named = tuple[Any, Any, Any]  # a component's name, a variable's name and its instance
GET_VARIABLES_AT_ONCE = 4  # Part 6's value for TC_B_08
CLEAR_MONITORS_AT_ONCE = 2
MONITOR_ID = 9_101


def _variable(component: str, variable: str, instance: str | None = None) -> Payload:
    named: Payload = {"name": variable}
    if instance is not None:
        named["instance"] = instance
    return {"component": {"name": component}, "variable": named}


def _named(item: Any) -> Named:
    if not isinstance(item, dict):
        return (None, None, None)
    component, variable = item.get("component") or {}, item.get("variable") or {}
    return (component.get("name"), variable.get("name"), variable.get("instance"))


def _results(values: dict[Named, str]) -> Callable[[list[Any]], Payload]:
    """A GetVariables answer of ``values`` (UnknownVariable for any other)."""

    def answer(items: list[Any]) -> Payload:
        results = []
        for item in [item for item in items if isinstance(item, dict)]:
            value = values.get(_named(item))
            result: Payload = {
                "attributeStatus": "Accepted" if value is not None else "UnknownVariable",
                "attributeType": item.get("attributeType", "Actual"),
                "component": item.get("component", {}),
                "variable": item.get("variable", {}),
            }
            if value is not None:
                result["attributeValue"] = value
            results.append(result)
        return {"getVariableResult": results}

    return answer


async def _learns(run: CsmsCaseV201, limit: Payload, value: str) -> None:
    """Before: the CSMS reads the station's ``limit`` variable, answered ``value``."""
    component, variable, instance = _named(limit)
    words = f"{component}.{variable}[{instance}]"
    call = await run.ordered(
        "GetVariables", {"getVariableData": [limit]}, f"read the station's {words}"
    )
    asked = [_named(item) for item in call.payload.get("getVariableData", [])]
    run.log.check(
        f"GetVariables asks for {words}",
        _named(limit) in asked,
        expected=words,
        observed=asked,
    )
    await run.answered(call, _results({_named(limit): value})(call.payload["getVariableData"]))


async def _in_parts(
    run: CsmsCaseV201,
    first: Call,
    field: str,
    wanted: list[Any],
    most: int,
    answer: Callable[[list[Any]], Payload],
    key: Callable[[Any], Any] = lambda item: item,
) -> None:
    """The CSMS's requests of ``first``'s action, from ``first`` on, until every one of
    ``wanted`` (by ``key``) was asked, each answered with ``answer`` of its items: none may
    carry more than ``most`` items of ``field``."""
    asked: list[Any] = []
    call, sent = first, 1
    while True:
        items = call.payload.get(field) or []
        run.log.check(
            f"{call.action} carries at most {most} items, as the station takes",
            len(items) <= most,
            expected=f"<= {most}",
            observed=len(items),
        )
        await run.answered(call, answer(items))
        asked += [key(item) for item in items]
        # Each request carries one item at least (the schemas' minItems): len(wanted) at most.
        if all(item in asked for item in wanted) or sent >= len(wanted):
            break
        run.log.step(f"The CSMS sends the next {call.action}")
        call, sent = await run.peer.expect(call.action, within=run.target.step_s), sent + 1
    run.log.check(
        f"the {call.action} requests together ask for every item asked for",
        all(item in asked for item in wanted),
        expected=wanted,
        observed=asked,
    )


@case("TC_B_08_CSMS")
async def get_variables_within_limit(run: CsmsCaseV201) -> None:
    """B06.FR.05: the station takes 4 GetVariableData in one request; asked for 5, the CSMS
    sends two requests (4 and 1, in any order)."""
    await run.booted()
    limit = _variable("DeviceDataCtrlr", "ItemsPerMessage", "GetVariables")
    await _learns(run, limit, str(GET_VARIABLES_AT_ONCE))
    wanted = [
        _variable("DeviceDataCtrlr", "ItemsPerMessage", "GetReport"),
        limit,
        _variable("DeviceDataCtrlr", "BytesPerMessage", "GetReport"),
        _variable("DeviceDataCtrlr", "BytesPerMessage", "GetVariables"),
        _variable("AuthCtrlr", "AuthorizeRemoteStart"),
    ]
    values = dict(
        zip(
            [_named(item) for item in wanted],
            ["10", str(GET_VARIABLES_AT_ONCE), "65000", "65000", "true"],
            strict=True,
        )
    )
    names = ", ".join(f"{c}.{v}" + (f"[{i}]" if i else "") for c, v, i in values)
    first = await run.ordered(
        "GetVariables", {"getVariableData": wanted}, f"read the station's {names}"
    )
    await _in_parts(
        run,
        first,
        "getVariableData",
        [_named(item) for item in wanted],
        GET_VARIABLES_AT_ONCE,
        _results(values),
        key=_named,
    )


@case("TC_N_18_CSMS")
async def clear_monitoring_within_limit(run: CsmsCaseV201) -> None:
    """N06.FR.04: the station takes 2 monitor ids in one ClearVariableMonitoring; asked to
    clear 3, the CSMS sends two requests or more (the monitors need not exist: each is
    answered NotFound, N06.FR.02)."""
    await run.booted()
    limit = _variable("MonitoringCtrlr", "ItemsPerMessage", "ClearVariableMonitoring")
    await _learns(run, limit, str(CLEAR_MONITORS_AT_ONCE))
    ids = [MONITOR_ID + n for n in range(CLEAR_MONITORS_AT_ONCE + 1)]
    first = await run.ordered(
        "ClearVariableMonitoring",
        {"id": ids},
        f"clear monitors {', '.join(map(str, ids))}",
    )

    def not_found(asked: list[Any]) -> Payload:
        return {"clearMonitoringResult": [{"status": "NotFound", "id": n} for n in asked]}

    await _in_parts(run, first, "id", ids, CLEAR_MONITORS_AT_ONCE, not_found)
