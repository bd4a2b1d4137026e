"""OCPP 2.0.1 charging-station cases of device model variables read (B06 GetVariables) and set
(B05 SetVariables): unknown components, variables and attribute types, values of the wrong
format or read-only. What they share is ``device_model.py``."""

from __future__ import annotations

from chargeyard.conformance.exchanges import present
from chargeyard.conformance.station_under_test.answers import wire_now
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.device_model import (
    LOCAL_AUTHORIZE_OFFLINE,
    OFFLINE_THRESHOLD,
)
from chargeyard.conformance.station_under_test.device_v201 import Var, result_for
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

# -- B06 GetVariables -------------------------------------------------------------------------


async def _threshold_is_300(run: StationCaseV201) -> None:
    run.step("OfflineThreshold is 300 (set by the CSMS for the case)")
    await run.set_variable(OFFLINE_THRESHOLD, "300")


def _accepted_value(
    run: StationCaseV201,
    result: v201.GetVariableResultType | None,
    var: Var,
    value: str,
    attribute: str = "Actual",
) -> None:
    run.result_is(result, "attributeStatus", "Accepted", weight=Weight.INTEROP)
    run.result_is(result, "attributeType", attribute, weight=Weight.SPEC)
    run.log.check(
        f"{var} is {value!r}",
        present(result).get("attributeValue") == value,
        expected=value,
        observed=present(result).get("attributeValue"),
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
    run: StationCaseV201, var: Var, status: str, attribute: v201.AttributeEnumType | None = None
) -> None:
    run.step(f"GetVariables of {var}: {status}")
    results = await run.get_variables(var, attribute=attribute)
    result = result_for(results, var)
    run.result_is(result, "attributeStatus", status, weight=Weight.INTEROP)
    run.log.check(
        f"a {status} result has no attributeValue (B06)",
        "attributeValue" not in present(result),
        weight=Weight.SPEC,
        expected="absent",
        observed=present(result).get("attributeValue", "absent"),
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


def _set_accepted(run: StationCaseV201, result: v201.SetVariableResultType | None) -> None:
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


async def _set_refused(
    run: StationCaseV201, var: Var, status: str
) -> v201.SetVariableResultType | None:
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
    item = OFFLINE_THRESHOLD.setting("300", "Target")
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
            status = present(result).get("attributeStatus")
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
