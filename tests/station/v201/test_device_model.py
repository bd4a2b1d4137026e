"""The 2.0.1 device model on its own: lookups, value checks, listeners, persistence, reports."""

from __future__ import annotations

import pytest

from chargeyard.station.v201.device_model import (
    Component,
    DeviceModel,
    GetStatus,
    Refusal,
    ReportBase,
    SetResult,
    SetStatus,
    Variable,
    check_value,
)


def _model() -> tuple[DeviceModel, list[tuple[str, str]]]:
    model = DeviceModel()
    model.add(
        "TestCtrlr",
        Variable("Count", "integer", "5", min_limit=0, max_limit=10),
        Variable("Mode", "OptionList", "A", values_list=("A", "B")),
        Variable("Volatile", "string", "x", persistent=False),
        Variable("Late", "boolean", "false", reboot_required=True),
        Variable("Fixed", "string", "v1", mutability="ReadOnly"),
        Variable("Limit", "decimal", "1.5", extra={"MaxSet": "3.0"}),
    )
    model.add(Component("EVSE", evse=1), Variable("Power", "decimal", live=lambda: "7.0"))
    seen: list[tuple[str, str]] = []
    model.on_change(lambda component, variable: seen.append((variable.name, variable.value)))
    return model, seen


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (Variable("I", "integer"), "12", "12"),
        (Variable("I", "integer"), "1.5", Refusal("InvalidValue")),
        (Variable("I", "integer", max_limit=10), "11", Refusal("OutOfRange")),
        (Variable("D", "decimal", min_limit=0), "-0.1", Refusal("OutOfRange")),
        (Variable("B", "boolean"), "TRUE", "true"),
        (Variable("B", "boolean"), "yes", Refusal("InvalidValue")),
        (Variable("T", "dateTime"), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        (Variable("T", "dateTime"), "2026-01-01T00:00:00", Refusal("InvalidValue")),
        (Variable("O", "OptionList", values_list=("A", "B")), "A,B", Refusal("OutOfRange")),
        (Variable("M", "MemberList", values_list=("A", "B")), "B, A", "B,A"),
        (Variable("M", "MemberList", values_list=("A", "B")), "", ""),
        (Variable("M", "MemberList", values_list=("A", "B")), "A,A", Refusal("InvalidValue")),
        (Variable("S", "SequenceList", values_list=("A", "B")), "B,C", Refusal("OutOfRange")),
        (Variable("S", "string", max_limit=3), "abcd", Refusal("OutOfRange")),
    ],
)
def test_check_value(variable: Variable, value: str, expected: object) -> None:
    assert check_value(variable, value) == expected


def test_set_tells_listeners_only_of_values_that_apply_now() -> None:
    model, seen = _model()
    assert model.set(Component("TestCtrlr"), "Count", None, "Actual", "7") == SetResult(
        SetStatus.ACCEPTED
    )
    assert model.set(Component("TestCtrlr"), "Late", None, "Actual", "True") == SetResult(
        SetStatus.REBOOT_REQUIRED
    )
    assert model.set(Component("TestCtrlr"), "Fixed", None, "Actual", "v2") == SetResult(
        SetStatus.REJECTED, "ReadOnly"
    )
    assert model.set(Component("EVSE", evse=1), "Power", None, "Actual", "1") == SetResult(
        SetStatus.REJECTED, "ReadOnly"
    )
    assert seen == [("Count", "7")]
    assert model.value("TestCtrlr", "Late") == "true"  # stored, in effect after the reboot
    model.write("TestCtrlr", "Count", "9")  # the station's own value: nobody is told
    assert seen == [("Count", "7")]


def test_set_other_attributes() -> None:
    model, _ = _model()
    assert model.set(Component("TestCtrlr"), "Limit", None, "MaxSet", "4") == SetResult(
        SetStatus.ACCEPTED
    )
    assert model.get(Component("TestCtrlr"), "Limit", None, "MaxSet").value == "4"
    assert model.get(Component("TestCtrlr"), "Limit", None, "Target").status is (
        GetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE
    )


def test_lookups_match_the_whole_component() -> None:
    model, _ = _model()
    assert model.get(Component("EVSE", evse=1), "Power", None, "Actual").value == "7.0"
    assert model.get(Component("EVSE"), "Power", None, "Actual").status is (
        GetStatus.UNKNOWN_COMPONENT
    )
    assert model.get(Component("EVSE", evse=1, connector=1), "Power", None, "Actual").status is (
        GetStatus.UNKNOWN_COMPONENT
    )
    assert model.get(Component("TestCtrlr"), "Count", "x", "Actual").status is (
        GetStatus.UNKNOWN_VARIABLE
    )
    assert model.get_int("TestCtrlr", "Nope", default=3) == 3
    assert model.get_list("TestCtrlr", "Mode") == ["A"]


def test_a_reboot_restores_what_does_not_persist() -> None:
    model, _ = _model()
    model.set(Component("TestCtrlr"), "Volatile", None, "Actual", "changed")
    model.set(Component("TestCtrlr"), "Count", None, "Actual", "8")
    model.reset_volatile()
    assert (model.value("TestCtrlr", "Volatile"), model.value("TestCtrlr", "Count")) == ("x", "8")


def test_reports_select_by_base() -> None:
    model, _ = _model()
    bases: tuple[ReportBase, ...] = ("FullInventory", "ConfigurationInventory", "SummaryInventory")
    names = {base: [v.name for _, v in model.report(base)] for base in bases}
    assert names == {
        "FullInventory": ["Count", "Mode", "Volatile", "Late", "Fixed", "Limit", "Power"],
        "ConfigurationInventory": ["Count", "Mode", "Volatile", "Late", "Limit"],
        "SummaryInventory": [],
    }
