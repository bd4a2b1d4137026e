"""OCPP 2.0.1 charging-station cases of the device model (block B): variables read (B06) and
set (B05), unknown components, variables and attribute types, values of the wrong format or
read-only, the base reports (B07: ConfigurationInventory, FullInventory, SummaryInventory) and
custom reports (B08: by component criteria, by component and variable)."""

from __future__ import annotations

from collections.abc import Iterable

from chargeyard.conformance.cases_v201_station._registry import case
from chargeyard.conformance.csms_answers import wire_now
from chargeyard.conformance.station_case import NotApplicable
from chargeyard.conformance.station_case_v201 import StationCaseV201
from chargeyard.conformance.station_device_v201 import Var, result_for
from chargeyard.conformance.verdicts import Weight

Payload = dict[str, object]

OFFLINE_THRESHOLD = Var("OCPPCommCtrlr", "OfflineThreshold")
LOCAL_AUTHORIZE_OFFLINE = Var("AuthCtrlr", "LocalAuthorizeOffline")
LIST_TYPES = ("OptionList", "SequenceList", "MemberList")

# The variables part 2's appendix requires of each controller a Core station has, and of the
# others where the station reports the controller (B07.FR.08: "relevant to each functional
# block that has been implemented").
REQUIRED: dict[str, tuple[tuple[str, str | None], ...]] = {
    "AlignedDataCtrlr": (
        ("Interval", None),
        ("Measurands", None),
        ("TxEndedInterval", None),
        ("TxEndedMeasurands", None),
    ),
    "AuthCtrlr": (
        ("AuthorizeRemoteStart", None),
        ("LocalAuthorizeOffline", None),
        ("LocalPreAuthorize", None),
    ),
    "ChargingStation": (("AvailabilityState", None), ("Available", None), ("SupplyPhases", None)),
    "ClockCtrlr": (("DateTime", None), ("TimeSource", None)),
    "Connector": (("Available", None), ("ConnectorType", None), ("SupplyPhases", None)),
    "DeviceDataCtrlr": tuple(
        (name, instance)
        for name in ("BytesPerMessage", "ItemsPerMessage")
        for instance in ("GetReport", "GetVariables", "SetVariables")
    ),
    "EVSE": (
        ("AvailabilityState", None),
        ("Available", None),
        ("Power", None),
        ("SupplyPhases", None),
    ),
    "OCPPCommCtrlr": (
        ("FileTransferProtocols", None),
        ("MessageTimeout", "Default"),
        ("MessageAttemptInterval", "TransactionEvent"),
        ("MessageAttempts", "TransactionEvent"),
        ("NetworkConfigurationPriority", None),
        ("NetworkProfileConnectionAttempts", None),
        ("OfflineThreshold", None),
        ("ResetRetries", None),
        ("UnlockOnEVSideDisconnect", None),
        # Part 4 section 8 (reconnecting):
        ("RetryBackOffRandomRange", None),
        ("RetryBackOffRepeatTimes", None),
        ("RetryBackOffWaitMinimum", None),
    ),
    "SampledDataCtrlr": (
        ("TxEndedInterval", None),
        ("TxEndedMeasurands", None),
        ("TxStartedMeasurands", None),
        ("TxUpdatedInterval", None),
        ("TxUpdatedMeasurands", None),
    ),
    "SecurityCtrlr": (
        ("CertificateEntries", None),
        ("OrganizationName", None),
        ("SecurityProfile", None),
    ),
    "TxCtrlr": (
        ("EVConnectionTimeOut", None),
        ("StopTxOnEVSideDisconnect", None),
        ("StopTxOnInvalidId", None),
        ("TxStartPoint", None),
        ("TxStopPoint", None),
    ),
    # Where implemented (the station reports the controller):
    "DisplayMessageCtrlr": (
        ("DisplayMessages", None),
        ("SupportedFormats", None),
        ("SupportedPriorities", None),
    ),
    "LocalAuthListCtrlr": (("BytesPerMessage", None), ("Entries", None), ("ItemsPerMessage", None)),
    "MonitoringCtrlr": (
        ("BytesPerMessage", "SetVariableMonitoring"),
        ("ItemsPerMessage", "SetVariableMonitoring"),
    ),
    "SmartChargingCtrlr": (
        ("Entries", "ChargingProfiles"),
        ("LimitChangeSignificance", None),
        ("PeriodsPerSchedule", None),
        ("ProfileStackLevel", None),
        ("RateUnit", None),
    ),
    "TariffCostCtrlr": (
        ("Currency", None),
        ("TariffFallbackMessage", None),
        ("TotalCostFallbackMessage", None),
    ),
}
CORE_CONTROLLERS = frozenset(
    {
        "AlignedDataCtrlr",
        "AuthCtrlr",
        "ChargingStation",
        "ClockCtrlr",
        "DeviceDataCtrlr",
        "OCPPCommCtrlr",
        "SampledDataCtrlr",
        "SecurityCtrlr",
        "TxCtrlr",
    }
)


def _name(entry: Payload) -> tuple[str, str, str | None]:
    component = entry.get("component")
    variable = entry.get("variable")
    if not isinstance(component, dict) or not isinstance(variable, dict):
        return "", "", None  # (a schema error, which the part's schema check reports)
    instance = variable.get("instance")
    return str(component.get("name")), str(variable.get("name")), instance if instance else None


def _evse_of(entry: Payload) -> object:
    component = entry.get("component")
    evse = component.get("evse") if isinstance(component, dict) else None
    return evse.get("id") if isinstance(evse, dict) else None


def _attributes(entry: Payload) -> list[dict[str, object]]:
    attributes = entry.get("variableAttribute")
    return [a for a in attributes if isinstance(a, dict)] if isinstance(attributes, list) else []


def _characteristics(entry: Payload) -> dict[str, object]:
    found = entry.get("variableCharacteristics")
    return found if isinstance(found, dict) else {}


def _values_list(entry: Payload) -> list[str]:
    listed = _characteristics(entry).get("valuesList")
    return [v.strip() for v in str(listed).split(",") if v.strip()] if listed else []


# -- B06 GetVariables -------------------------------------------------------------------------


async def _threshold_is_300(run: StationCaseV201) -> None:
    run.step("OfflineThreshold is 300 (set by the CSMS for the case)")
    await run.set_variable(OFFLINE_THRESHOLD, "300")


def _accepted_value(
    run: StationCaseV201, result: Payload | None, var: Var, value: str, attribute: str = "Actual"
) -> None:
    run.result_is(result, "attributeStatus", "Accepted", weight=Weight.INTEROP)
    run.result_is(result, "attributeType", attribute, weight=Weight.SPEC)
    run.log.check(
        f"{var} is {value!r}",
        (result or {}).get("attributeValue") == value,
        expected=value,
        observed=(result or {}).get("attributeValue"),
    )
    run.no_error_or(result)


@case("TC_B_06_CS")
async def get_variables_single(run: StationCaseV201) -> None:
    """GetVariables of OCPPCommCtrlr.OfflineThreshold, Actual: Accepted, "300", the item
    echoed (B06.FR.01-04)."""
    await run.ready()
    await _threshold_is_300(run)
    run.step("GetVariables OCPPCommCtrlr.OfflineThreshold (Actual): Accepted, 300")
    results = await run.get_variables(OFFLINE_THRESHOLD, attribute="Actual")
    _accepted_value(run, result_for(results, OFFLINE_THRESHOLD), OFFLINE_THRESHOLD, "300")


@case("TC_B_07_CS")
async def get_variables_multiple(run: StationCaseV201) -> None:
    """GetVariables of two variables at once: each answered, in any order (B06.FR.01)."""
    await run.ready()
    await _threshold_is_300(run)
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    run.step("GetVariables OfflineThreshold and AuthCtrlr.LocalAuthorizeOffline: both Accepted")
    results = await run.get_variables(
        OFFLINE_THRESHOLD, LOCAL_AUTHORIZE_OFFLINE, attribute="Actual"
    )
    _accepted_value(run, result_for(results, OFFLINE_THRESHOLD), OFFLINE_THRESHOLD, "300")
    _accepted_value(
        run, result_for(results, LOCAL_AUTHORIZE_OFFLINE), LOCAL_AUTHORIZE_OFFLINE, "true"
    )


async def _get_refused(
    run: StationCaseV201, var: Var, status: str, attribute: str | None = None
) -> None:
    run.step(f"GetVariables of {var}: {status}")
    results = await run.get_variables(var, attribute=attribute)
    result = result_for(results, var)
    run.result_is(result, "attributeStatus", status, weight=Weight.INTEROP)
    run.log.check(
        f"a {status} result has no attributeValue (B06)",
        "attributeValue" not in (result or {}),
        weight=Weight.SPEC,
        expected="absent",
        observed=(result or {}).get("attributeValue", "absent"),
    )


@case("TC_B_32_CS")
async def get_variables_unknown_component(run: StationCaseV201) -> None:
    """B06.FR.06: an unknown component is UnknownComponent."""
    await run.ready()
    await _get_refused(run, Var("UnknownComponent", "OfflineThreshold"), "UnknownComponent")


@case("TC_B_33_CS")
async def get_variables_unknown_variable(run: StationCaseV201) -> None:
    """B06.FR.07: an unknown variable of a known component is UnknownVariable."""
    await run.ready()
    await _get_refused(run, Var("OCPPCommCtrlr", "UnknownVariable"), "UnknownVariable")


@case("TC_B_34_CS")
async def get_variables_attribute_not_supported(run: StationCaseV201) -> None:
    """B06.FR.08: an attributeType the variable lacks (Target) is NotSupportedAttributeType,
    echoed."""
    await run.ready()
    await _get_refused(run, OFFLINE_THRESHOLD, "NotSupportedAttributeType", "Target")
    results = await run.get_variables(OFFLINE_THRESHOLD, attribute="Target")
    run.result_is(
        result_for(results, OFFLINE_THRESHOLD), "attributeType", "Target", weight=Weight.SPEC
    )


# -- B05 SetVariables -------------------------------------------------------------------------


def _set_accepted(run: StationCaseV201, result: Payload | None) -> None:
    run.result_is(result, "attributeStatus", "Accepted", weight=Weight.INTEROP)
    run.result_is(result, "attributeType", "Actual", weight=Weight.SPEC)
    run.no_error_or(result)


@case("TC_B_09_CS")
async def set_variables_single(run: StationCaseV201) -> None:
    """SetVariables of OCPPCommCtrlr.OfflineThreshold to "300": Accepted, the item echoed
    (B05.FR.01-03)."""
    await run.ready()
    await run.keep(OFFLINE_THRESHOLD)
    run.step("SetVariables OCPPCommCtrlr.OfflineThreshold = 300: Accepted")
    results = await run.set_variables((OFFLINE_THRESHOLD, "300"))
    _set_accepted(run, result_for(results, OFFLINE_THRESHOLD))


@case("TC_B_10_CS")
async def set_variables_multiple(run: StationCaseV201) -> None:
    """SetVariables of two variables at once: each Accepted, in any order (B05.FR.01)."""
    await run.ready()
    await run.keep(OFFLINE_THRESHOLD)
    await run.keep(LOCAL_AUTHORIZE_OFFLINE)
    run.step("SetVariables OfflineThreshold = 300 and LocalAuthorizeOffline = true: Accepted")
    results = await run.set_variables((OFFLINE_THRESHOLD, "300"), (LOCAL_AUTHORIZE_OFFLINE, "true"))
    _set_accepted(run, result_for(results, OFFLINE_THRESHOLD))
    _set_accepted(run, result_for(results, LOCAL_AUTHORIZE_OFFLINE))


async def _set_refused(run: StationCaseV201, var: Var, status: str) -> Payload | None:
    run.step(f"SetVariables of {var}: {status}")
    results = await run.set_variables((var, "300"))
    result = result_for(results, var)
    run.result_is(result, "attributeStatus", status, weight=Weight.INTEROP)
    return result


@case("TC_B_35_CS")
async def set_variables_unknown_component(run: StationCaseV201) -> None:
    """B05.FR.04: an unknown component is UnknownComponent."""
    await run.ready()
    await _set_refused(run, Var("UnknownComponent", "OfflineThreshold"), "UnknownComponent")


@case("TC_B_36_CS")
async def set_variables_unknown_variable(run: StationCaseV201) -> None:
    """B05.FR.05: an unknown variable of a known component is UnknownVariable."""
    await run.ready()
    await _set_refused(run, Var("OCPPCommCtrlr", "UnknownVariable"), "UnknownVariable")


@case("TC_B_37_CS")
async def set_variables_attribute_not_supported(run: StationCaseV201) -> None:
    """B05.FR.06: an attributeType the variable lacks (Target) is NotSupportedAttributeType,
    echoed."""
    await run.ready()
    await run.keep(OFFLINE_THRESHOLD)
    run.step(f"SetVariables of {OFFLINE_THRESHOLD} (Target): NotSupportedAttributeType")
    item = {**OFFLINE_THRESHOLD.wire(), "attributeValue": "300", "attributeType": "Target"}
    answer = await run.call("SetVariables", {"setVariableData": [item]})
    result = result_for(answer.get("setVariableResult") or [], OFFLINE_THRESHOLD)
    run.result_is(result, "attributeStatus", "NotSupportedAttributeType", weight=Weight.INTEROP)
    run.result_is(result, "attributeType", "Target", weight=Weight.SPEC)


@case("TC_B_39_CS")
async def set_variables_read_only(run: StationCaseV201) -> None:
    """B05.FR.09: a ReadOnly variable (OCPPCommCtrlr.MessageTimeout, instance Default) is
    Rejected."""
    await run.ready()
    await _set_refused(run, Var("OCPPCommCtrlr", "MessageTimeout", "Default"), "Rejected")


# The values TC_B_11_CS sets, and the data types that take each (a value of another type is
# wrongly formatted: B05.FR.07).
_FORMATS: tuple[tuple[str, frozenset[str]], ...] = (
    ("300", frozenset({"integer", "decimal"})),
    ("300.1", frozenset({"decimal"})),
    ("true", frozenset({"boolean"})),
    ("{now}", frozenset({"dateTime"})),
    ("abc", frozenset()),
)
_FORMATTED = (
    (OFFLINE_THRESHOLD, "integer"),
    (Var("SmartChargingCtrlr", "LimitChangeSignificance"), "decimal"),
    (Var("AuthCtrlr", "AuthorizeRemoteStart"), "boolean"),
    (Var("ClockCtrlr", "NextTimeOffsetTransitionDateTime"), "dateTime"),
)


@case("TC_B_11_CS")
async def set_variables_badly_formatted(run: StationCaseV201) -> None:
    """Values of each format set to variables of four data types (integer, decimal,
    boolean, dateTime): one of the wrong format is Rejected (B05.FR.07); one of the right
    format may be Accepted or Rejected (out of range). A variable the station lacks is left
    out, as Part 6 does."""
    await run.ready()
    for var, data_type in _FORMATTED:
        if await run.variable(var) is None:
            run.step(f"{var} is not implemented: left out")
            continue
        await run.keep(var)
        for template, takes in _FORMATS:
            value = template.format(now=wire_now())
            run.step(f"SetVariables {var} ({data_type}) = {value!r}")
            results = await run.set_variables((var, value))
            result = result_for(results, var)
            status = (result or {}).get("attributeStatus")
            if data_type in takes:
                run.log.check(
                    f"a {data_type} value is Accepted or Rejected",
                    status in ("Accepted", "Rejected"),
                    expected="Accepted or Rejected",
                    observed=status,
                )
            else:
                run.result_is(result, "attributeStatus", "Rejected", weight=Weight.INTEROP)
                run.no_error_or(result, "InvalidValue", "NoError", "ValueOutOfRange")
            run.result_is(result, "attributeType", "Actual", weight=Weight.SPEC)


# -- B07 GetBaseReport ------------------------------------------------------------------------


async def base_report(run: StationCaseV201, base: str, request_id: int) -> list[Payload]:
    """GetBaseReport of ``base``: Accepted (statusInfo absent or NoError), then its
    NotifyReport parts; returns every reportData entry."""
    run.step(f"GetBaseReport {base}: Accepted, then NotifyReport")
    answer = await run.order(
        "GetBaseReport", {"requestId": request_id, "reportBase": base}, "Accepted"
    )
    _no_error(run, answer)
    return await run.report(request_id)


def _no_error(run: StationCaseV201, answer: Payload) -> None:
    info = answer.get("statusInfo")
    code = info.get("reasonCode") if isinstance(info, dict) else None
    run.log.check(
        "statusInfo is absent or NoError",
        info is None or str(code).lower() == "noerror",
        weight=Weight.SPEC,
        expected="absent or NoError",
        observed=info or "absent",
    )


def _every_entry_has_characteristics(run: StationCaseV201, entries: Iterable[Payload]) -> None:
    missing = [_name(e) for e in entries if not _characteristics(e)]
    run.log.check(
        "every reported variable has its variableCharacteristics (B07, B08.FR.12)",
        not missing,
        weight=Weight.SPEC,
        expected="none missing",
        observed=missing[:10] or "none missing",
    )
    unlisted = [
        _name(e)
        for e in entries
        if _characteristics(e).get("dataType") in LIST_TYPES and not _values_list(e)
    ]
    run.log.check(
        "every OptionList, SequenceList and MemberList variable has a valuesList",
        not unlisted,
        weight=Weight.SPEC,
        expected="none missing",
        observed=unlisted[:10] or "none missing",
    )


def _required_present(run: StationCaseV201, entries: list[Payload]) -> None:
    reported = {(c, v, i) for c, v, i in map(_name, entries)}
    components = {c for c, _, _ in reported}
    missing = [
        f"{component}.{name}" + (f"[{instance}]" if instance else "")
        for component, variables in REQUIRED.items()
        if component in CORE_CONTROLLERS or component in components
        for name, instance in variables
        if (component, name, instance) not in reported
    ]
    run.log.check(
        "the variables part 2 requires of each implemented controller are reported (B07.FR.08)",
        not missing,
        weight=Weight.SPEC,
        expected="none missing",
        observed=missing or "none missing",
    )


@case("TC_B_12_CS")
async def base_report_configuration(run: StationCaseV201) -> None:
    """ConfigurationInventory: every variable the operator can set, with its characteristics,
    each ReadWrite or WriteOnly (B07.FR.07)."""
    await run.ready()
    entries = await base_report(run, "ConfigurationInventory", 1201)
    _every_entry_has_characteristics(run, entries)
    read_only = [
        _name(e)
        for e in entries
        if not any(a.get("mutability", "ReadWrite") != "ReadOnly" for a in _attributes(e))
    ]
    run.log.check(
        "every variable of a ConfigurationInventory can be set (ReadWrite or WriteOnly)",
        not read_only,
        weight=Weight.SPEC,
        expected="none ReadOnly",
        observed=read_only[:10] or "none ReadOnly",
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
        data_type = _characteristics(entry).get("dataType")
        allowed = set(_values_list(entry))
        for attribute in _attributes(entry):
            value = attribute.get("value")
            if data_type not in LIST_TYPES or not isinstance(value, str) or not value:
                continue
            values = [v.strip() for v in value.split(",")] if data_type != "OptionList" else [value]
            if not set(values) <= allowed:
                outside.append((_name(entry), value))
    run.log.check(
        "a list variable's value is among its valuesList",
        not outside,
        weight=Weight.SPEC,
        expected="within the valuesList",
        observed=outside[:10] or "within the valuesList",
    )
    shown = [
        _name(e)
        for e in entries
        for a in _attributes(e)
        if a.get("mutability") == "WriteOnly" and "value" in a
    ]
    run.log.check(
        "a WriteOnly variable's value is not reported",
        not shown,
        weight=Weight.SPEC,
        expected="no value",
        observed=shown or "no value",
    )


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
        (c, _evse_of(e)) for e in entries for c, v, _ in [_name(e)] if v == "AvailabilityState"
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
) -> list[Payload]:
    answer = await run.order("GetReport", {"requestId": request_id, **payload}, status)
    if status != "Accepted":
        return []
    _no_error(run, answer)
    return await run.report(request_id)


EVSE_1_STATE = {
    "component": {"name": "EVSE", "evse": {"id": 1}},
    "variable": {"name": "AvailabilityState"},
}


def _evse_state_entry(run: StationCaseV201, entries: list[Payload]) -> None:
    found = [e for e in entries if _name(e)[:2] == ("EVSE", "AvailabilityState")]
    entry = found[0] if found else {}
    run.log.check(
        "the report has EVSE 1's AvailabilityState",
        bool(found) and _evse_of(entry) == 1,
        expected="EVSE 1 AvailabilityState",
        observed=[_name(e) for e in entries],
    )
    if not found:
        return
    characteristics = _characteristics(entry)
    run.log.check(
        "its dataType is OptionList",
        characteristics.get("dataType") == "OptionList",
        weight=Weight.SPEC,
        expected="OptionList",
        observed=characteristics.get("dataType"),
    )
    listed = set(_values_list(entry))
    wanted = {"Available", "Occupied", "Reserved", "Unavailable", "Faulted"}
    run.log.check(
        "its valuesList is the ConnectorStatusEnumType's values",
        listed == wanted,
        weight=Weight.SPEC,
        expected=sorted(wanted),
        observed=sorted(listed),
    )
    attributes = _attributes(entry)
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
    enabled = [e for e in entries if _name(e)[1] == "Enabled"]
    disabled = [_name(e) for e in enabled if any(a.get("value") != "true" for a in _attributes(e))]
    run.log.check(
        "every Enabled reported is true",
        not disabled,
        expected="true",
        observed=disabled or "true",
    )
    run.step("GetVariables of each Enabled reported: Accepted, true")
    names = [Var(c, v, i) for c, v, i in map(_name, enabled)]
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
        i for c, v, i in map(_name, entries) if (c, v) == ("DeviceDataCtrlr", "ItemsPerMessage")
    }
    run.log.check(
        "the report has ItemsPerMessage of GetReport and of GetVariables",
        {"GetReport", "GetVariables"} <= instances,
        expected=["GetReport", "GetVariables"],
        observed=sorted(str(i) for i in instances),
    )
    others = [_name(e) for e in entries if _name(e)[:2] != ("DeviceDataCtrlr", "ItemsPerMessage")]
    run.log.check(
        "it has nothing else (B08.FR.11)",
        not others,
        weight=Weight.SPEC,
        expected="nothing else",
        observed=others or "nothing else",
    )


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
        [_name(e) for e in entries] == [("DeviceDataCtrlr", "ItemsPerMessage", "GetReport")],
        expected=[("DeviceDataCtrlr", "ItemsPerMessage", "GetReport")],
        observed=[_name(e) for e in entries],
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
        str(_evse_of(e)) for e in entries if _name(e)[:2] == ("EVSE", "AvailabilityState")
    )
    run.log.check(
        "the report has the AvailabilityState of every EVSE",
        evses == sorted(str(evse) for evse in run.evses()),
        expected=run.evses(),
        observed=evses,
    )
