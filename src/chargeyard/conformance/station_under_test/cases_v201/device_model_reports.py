"""OCPP 2.0.1 charging-station cases of device model reports: the base reports (B07
GetBaseReport: ConfigurationInventory, FullInventory, SummaryInventory) and custom reports (B08
GetReport: by component criteria, by component and variable). What they share is
``device_model.py``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.device_model import (
    CORE_CONTROLLERS,
    LIST_TYPES,
    REQUIRED,
    Payload,
    entry_attributes,
    entry_characteristics,
    entry_evse,
    entry_name,
    entry_values_list,
)
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

# -- B07 GetBaseReport ------------------------------------------------------------------------


async def base_report(
    run: StationCaseV201, base: v201.ReportBaseEnumType, request_id: int
) -> list[v201.ReportDataType]:
    """GetBaseReport of ``base``: Accepted (statusInfo absent or NoError), then its
    NotifyReport parts; returns every reportData entry."""
    run.step(f"GetBaseReport {base}: Accepted, then NotifyReport")
    answer = await run.order(
        "GetBaseReport", {"requestId": request_id, "reportBase": base}, "Accepted"
    )
    _no_error(run, answer)
    return await run.report(request_id)


def _no_error(run: StationCaseV201, answer: Mapping[str, object]) -> None:
    info = answer.get("statusInfo")
    code = info.get("reasonCode") if isinstance(info, dict) else None
    run.log.check(
        "statusInfo is absent or NoError",
        info is None or str(code).lower() == "noerror",
        weight=Weight.SPEC,
        expected="absent or NoError",
        observed=info or "absent",
    )


def _none(run: StationCaseV201, rule: str, found: Sequence[object], nothing: str) -> None:
    """Check (a requirement of the spec) that nothing was ``found``; the report shows what
    was, or ``nothing``."""
    run.log.check(rule, not found, weight=Weight.SPEC, expected=nothing, observed=found or nothing)


def _every_entry_has_characteristics(
    run: StationCaseV201, entries: Iterable[Mapping[str, object]]
) -> None:
    missing = [entry_name(e) for e in entries if not entry_characteristics(e)]
    _none(
        run,
        "every reported variable has its variableCharacteristics (B07, B08.FR.12)",
        missing[:10],
        "none missing",
    )
    unlisted = [
        entry_name(e)
        for e in entries
        if entry_characteristics(e).get("dataType") in LIST_TYPES and not entry_values_list(e)
    ]
    _none(
        run,
        "every OptionList, SequenceList and MemberList variable has a valuesList",
        unlisted[:10],
        "none missing",
    )


def _required_present(run: StationCaseV201, entries: Sequence[Mapping[str, object]]) -> None:
    reported = {(c, v, i) for c, v, i in map(entry_name, entries)}
    components = {c for c, _, _ in reported}
    missing = [
        f"{component}.{name}" + (f"[{instance}]" if instance else "")
        for component, variables in REQUIRED.items()
        if component in CORE_CONTROLLERS or component in components
        for name, instance in variables
        if (component, name, instance) not in reported
    ]
    _none(
        run,
        "the variables part 2 requires of each implemented controller are reported (B07.FR.08)",
        missing,
        "none missing",
    )


@case("TC_B_12_CS")
async def base_report_configuration(run: StationCaseV201) -> None:
    """ConfigurationInventory: every variable the operator can set, with its characteristics,
    each ReadWrite or WriteOnly (B07.FR.07)."""
    await run.ready()
    entries = await base_report(run, "ConfigurationInventory", 1201)
    _every_entry_has_characteristics(run, entries)
    read_only = [
        entry_name(e)
        for e in entries
        if not any(a.get("mutability", "ReadWrite") != "ReadOnly" for a in entry_attributes(e))
    ]
    _none(
        run,
        "every variable of a ConfigurationInventory can be set (ReadWrite or WriteOnly)",
        read_only[:10],
        "none ReadOnly",
    )


@case("TC_B_13_CS")
async def base_report_full(run: StationCaseV201) -> None:
    """FullInventory: every variable with its characteristics, the required ones among them
    (B07.FR.08)."""
    await run.ready()
    entries = await base_report(run, "FullInventory", 1301)
    _every_entry_has_characteristics(run, entries)
    _required_present(run, entries)


@case("TC_B_53_CS")
async def base_report_required_variables(run: StationCaseV201) -> None:
    """FullInventory: the required variables are there; a list variable's value is among its
    valuesList; a WriteOnly variable's value is left out."""
    await run.ready()
    entries = await base_report(run, "FullInventory", 5301)
    _every_entry_has_characteristics(run, entries)
    _required_present(run, entries)
    outside = []
    for entry in entries:
        data_type = entry_characteristics(entry).get("dataType")
        allowed = set(entry_values_list(entry))
        for attribute in entry_attributes(entry):
            value = attribute.get("value")
            if data_type not in LIST_TYPES or not isinstance(value, str) or not value:
                continue
            values = [v.strip() for v in value.split(",")] if data_type != "OptionList" else [value]
            if not set(values) <= allowed:
                outside.append((entry_name(entry), value))
    _none(
        run,
        "a list variable's value is among its valuesList",
        outside[:10],
        "within the valuesList",
    )
    shown = [
        entry_name(e)
        for e in entries
        for a in entry_attributes(e)
        if a.get("mutability") == "WriteOnly" and "value" in a
    ]
    _none(run, "a WriteOnly variable's value is not reported", shown, "no value")


@case("TC_B_14_CS")
async def base_report_summary(run: StationCaseV201) -> None:
    """SummaryInventory: the AvailabilityState of the station and of each EVSE (B07.FR.09)."""
    await run.ready()
    answer = await run.call("GetBaseReport", {"requestId": 1401, "reportBase": "SummaryInventory"})
    if answer.get("status") == "NotSupported":
        raise NotApplicable("the station does not provide a SummaryInventory (TC_B_15_CS)")
    run.log.check(
        "GetBaseReport SummaryInventory is answered Accepted",
        answer.get("status") == "Accepted",
        expected="Accepted",
        observed=answer.get("status"),
    )
    _no_error(run, answer)
    entries = await run.report(1401)
    _every_entry_has_characteristics(run, entries)
    states = {
        (c, entry_evse(e))
        for e in entries
        for c, v, _ in [entry_name(e)]
        if v == "AvailabilityState"
    }
    wanted = {("ChargingStation", None)} | {("EVSE", evse) for evse in run.evses()}
    run.log.check(
        "the summary has the AvailabilityState of the station and of each EVSE",
        wanted <= states,
        weight=Weight.SPEC,
        expected=sorted(map(str, wanted)),
        observed=sorted(map(str, states)),
    )


@case("TC_B_15_CS")
async def base_report_not_supported(run: StationCaseV201) -> None:
    """A station without a SummaryInventory answers NotSupported (B07.FR.02) and sends no
    NotifyReport."""
    await run.ready()
    run.step("GetBaseReport SummaryInventory: NotSupported, no NotifyReport")
    answer = await run.call("GetBaseReport", {"requestId": 1501, "reportBase": "SummaryInventory"})
    if answer.get("status") == "Accepted":
        await run.report(1501)
        raise NotApplicable("the station provides a SummaryInventory (TC_B_14_CS)")
    run.log.check(
        "GetBaseReport SummaryInventory is answered NotSupported",
        answer.get("status") == "NotSupported",
        expected="NotSupported",
        observed=answer.get("status"),
    )
    await run.absent(
        "NotifyReport",
        run.step_s / 3,
        "no NotifyReport follows a NotSupported",
        where=lambda r: r.payload.get("requestId") == 1501,
        since=run.step_began,
    )


# -- B08 GetReport ----------------------------------------------------------------------------


async def custom_report(
    run: StationCaseV201, request_id: int, payload: Payload, status: str = "Accepted"
) -> list[v201.ReportDataType]:
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.order(run, "GetReport", {"requestId": request_id, **payload}, status)
    if status != "Accepted":
        return []
    _no_error(run, answer)
    return await run.report(request_id)


EVSE_1_STATE = {
    "component": {"name": "EVSE", "evse": {"id": 1}},
    "variable": {"name": "AvailabilityState"},
}


def _evse_state_entry(run: StationCaseV201, entries: Sequence[Mapping[str, object]]) -> None:
    found = [e for e in entries if entry_name(e)[:2] == ("EVSE", "AvailabilityState")]
    entry = found[0] if found else {}
    run.log.check(
        "the report has EVSE 1's AvailabilityState",
        bool(found) and entry_evse(entry) == 1,
        expected="EVSE 1 AvailabilityState",
        observed=[entry_name(e) for e in entries],
    )
    if not found:
        return
    characteristics = entry_characteristics(entry)
    run.log.check(
        "its dataType is OptionList",
        characteristics.get("dataType") == "OptionList",
        weight=Weight.SPEC,
        expected="OptionList",
        observed=characteristics.get("dataType"),
    )
    listed = set(entry_values_list(entry))
    wanted = {"Available", "Occupied", "Reserved", "Unavailable", "Faulted"}
    run.log.check(
        "its valuesList is the ConnectorStatusEnumType's values",
        listed == wanted,
        weight=Weight.SPEC,
        expected=sorted(wanted),
        observed=sorted(listed),
    )
    attributes = entry_attributes(entry)
    run.log.check(
        "it has one attribute, Actual and ReadOnly",
        [(a.get("type", "Actual"), a.get("mutability")) for a in attributes]
        == [("Actual", "ReadOnly")],
        weight=Weight.SPEC,
        expected=[("Actual", "ReadOnly")],
        observed=[(a.get("type"), a.get("mutability")) for a in attributes],
    )


@case("TC_B_16_CS")
async def custom_report_enabled(run: StationCaseV201) -> None:
    """componentCriteria Enabled: every component reported has Enabled true, or no Enabled
    (B08.FR.09); each Enabled read back is "true"."""
    await run.ready()
    run.step("GetReport componentCriteria Enabled: Accepted, then NotifyReport")
    entries = await custom_report(run, 1601, {"componentCriteria": ["Enabled"]})
    _every_entry_has_characteristics(run, entries)
    enabled = [e for e in entries if entry_name(e)[1] == "Enabled"]
    disabled = [
        entry_name(e) for e in enabled if any(a.get("value") != "true" for a in entry_attributes(e))
    ]
    run.log.check(
        "every Enabled reported is true",
        not disabled,
        expected="true",
        observed=disabled or "true",
    )
    run.step("GetVariables of each Enabled reported: Accepted, true")
    names = [Var(c, v, i) for c, v, i in map(entry_name, enabled)]
    for var in names:
        value = await run.variable(var)
        run.log.check(f"{var} reads true", value == "true", expected="true", observed=value)


@case("TC_B_17_CS")
async def custom_report_component_variable(run: StationCaseV201) -> None:
    """componentVariable EVSE 1 AvailabilityState: that variable alone (B08.FR.11), an
    OptionList of the connector states, ReadOnly."""
    await run.ready()
    run.step("GetReport EVSE 1's AvailabilityState: Accepted, then NotifyReport")
    entries = await custom_report(run, 1701, {"componentVariable": [EVSE_1_STATE]})
    _evse_state_entry(run, entries)


@case("TC_B_18_CS")
async def custom_report_criteria_and_variable(run: StationCaseV201) -> None:
    """Criteria and componentVariable together (B08.FR.05): Available and EVSE 1's
    AvailabilityState reports it; Problem and the same is an EmptyResultSet (B08.FR.15)."""
    await run.ready()
    run.step("GetReport Available + EVSE 1's AvailabilityState: Accepted, then NotifyReport")
    entries = await custom_report(
        run, 1801, {"componentCriteria": ["Available"], "componentVariable": [EVSE_1_STATE]}
    )
    _evse_state_entry(run, entries)
    run.step("GetReport Problem + EVSE 1's AvailabilityState: EmptyResultSet")
    await custom_report(
        run,
        1802,
        {"componentCriteria": ["Problem"], "componentVariable": [EVSE_1_STATE]},
        "EmptyResultSet",
    )


@case("TC_B_54_CS")
async def custom_report_every_instance(run: StationCaseV201) -> None:
    """componentVariable without an instance: every instance of the variable (B08:
    ItemsPerMessage of DeviceDataCtrlr, GetReport and GetVariables among them)."""
    await run.ready()
    run.step("GetReport DeviceDataCtrlr.ItemsPerMessage: every instance")
    entries = await custom_report(
        run,
        5401,
        {
            "componentVariable": [
                {"component": {"name": "DeviceDataCtrlr"}, "variable": {"name": "ItemsPerMessage"}}
            ]
        },
    )
    instances = {
        i
        for c, v, i in map(entry_name, entries)
        if (c, v) == ("DeviceDataCtrlr", "ItemsPerMessage")
    }
    run.log.check(
        "the report has ItemsPerMessage of GetReport and of GetVariables",
        {"GetReport", "GetVariables"} <= instances,
        expected=["GetReport", "GetVariables"],
        observed=sorted(str(i) for i in instances),
    )
    others = [
        entry_name(e)
        for e in entries
        if entry_name(e)[:2] != ("DeviceDataCtrlr", "ItemsPerMessage")
    ]
    _none(run, "it has nothing else (B08.FR.11)", others, "nothing else")


@case("TC_B_55_CS")
async def custom_report_one_instance(run: StationCaseV201) -> None:
    """componentVariable with an instance: that instance alone."""
    await run.ready()
    run.step("GetReport DeviceDataCtrlr.ItemsPerMessage[GetReport]: that one")
    entries = await custom_report(
        run,
        5501,
        {
            "componentVariable": [
                {
                    "component": {"name": "DeviceDataCtrlr"},
                    "variable": {"name": "ItemsPerMessage", "instance": "GetReport"},
                }
            ]
        },
    )
    run.log.check(
        "the report is ItemsPerMessage[GetReport] alone",
        [entry_name(e) for e in entries] == [("DeviceDataCtrlr", "ItemsPerMessage", "GetReport")],
        expected=[("DeviceDataCtrlr", "ItemsPerMessage", "GetReport")],
        observed=[entry_name(e) for e in entries],
    )


@case("TC_B_56_CS")
async def custom_report_every_evse(run: StationCaseV201) -> None:
    """componentVariable EVSE without an id: the AvailabilityState of every EVSE."""
    await run.ready()
    run.step("GetReport EVSE AvailabilityState, no EVSE named: one per EVSE")
    entries = await custom_report(
        run,
        5601,
        {
            "componentVariable": [
                {"component": {"name": "EVSE"}, "variable": {"name": "AvailabilityState"}}
            ]
        },
    )
    evses = sorted(
        str(entry_evse(e)) for e in entries if entry_name(e)[:2] == ("EVSE", "AvailabilityState")
    )
    run.log.check(
        "the report has the AvailabilityState of every EVSE",
        evses == sorted(str(evse) for evse in run.evses()),
        expected=run.evses(),
        observed=evses,
    )
