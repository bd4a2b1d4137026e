"""Where a dynamic charging profile stands after the calls the central system made
(``csms/v21/dynamic_schedules.py``), which PullDynamicScheduleUpdate answers from (2.1 K28);
and the VAT number rule VatNumberValidation answers by (block C)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from chargeyard.csms.v21.dynamic_schedules import UNKNOWN, Standing, standing
from chargeyard.csms.v21.vat_numbers import vat_number_problem

PERIOD = {"startPeriod": 0, "limit": 32.0, "limit_L2": 16.0, "numberPhases": 3}
DYNAMIC = {
    "id": 5,
    "stackLevel": 2,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Dynamic",
    "chargingSchedule": [{"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [PERIOD]}],
}
SET = ("SetChargingProfile", {"evseId": 1, "chargingProfile": DYNAMIC})


def _calls(*calls: tuple[str, Any]) -> list[tuple[str, str]]:
    """(action, request JSON), newest first, as the command history hands them."""
    return [
        (action, request if isinstance(request, str) else orjson.dumps(request).decode())
        for action, request in calls
    ]


def test_a_dynamic_profile_stands_with_its_first_periods_limits() -> None:
    assert standing(5, _calls(SET)) == Standing("Dynamic", {"limit": 32.0, "limit_L2": 16.0})


def test_the_newest_update_of_that_profile_wins() -> None:
    calls = _calls(
        ("UpdateDynamicSchedule", {"chargingProfileId": 6, "scheduleUpdate": {"limit": 1.0}}),
        ("UpdateDynamicSchedule", {"chargingProfileId": 5, "scheduleUpdate": {"limit": 10.0}}),
        ("UpdateDynamicSchedule", {"chargingProfileId": 5, "scheduleUpdate": {"limit": 20.0}}),
        SET,
    )
    assert standing(5, calls) == Standing("Dynamic", {"limit": 10.0})


def test_an_update_sent_before_the_profile_was_set_again_is_not_its() -> None:
    calls = _calls(
        SET,
        ("UpdateDynamicSchedule", {"chargingProfileId": 5, "scheduleUpdate": {"limit": 10.0}}),
        SET,
    )
    assert standing(5, calls) == Standing("Dynamic", {"limit": 32.0, "limit_L2": 16.0})


@pytest.mark.parametrize(
    ("clear", "removed"),
    [
        ({"chargingProfileId": 5}, True),
        ({"chargingProfileId": 4}, False),
        ({}, True),  # every profile
        ({"chargingProfileCriteria": {"evseId": 1}}, True),
        ({"chargingProfileCriteria": {"evseId": 2}}, False),
        ({"chargingProfileCriteria": {"chargingProfilePurpose": "TxProfile"}}, False),
        ({"chargingProfileCriteria": {"stackLevel": 2, "evseId": 1}}, True),
        ({"chargingProfileCriteria": {"stackLevel": 3}}, False),
    ],
)
def test_k10_a_clear_since_removes_the_profiles_it_names(
    clear: dict[str, Any], removed: bool
) -> None:
    found = standing(5, _calls(("ClearChargingProfile", clear), SET))
    assert (found == UNKNOWN) is removed


def test_a_profile_of_another_kind_stands_without_an_update() -> None:
    absolute = {**DYNAMIC, "chargingProfileKind": "Absolute"}
    assert standing(5, _calls(("SetChargingProfile", {"chargingProfile": absolute}))) == Standing(
        "Absolute"
    )


def test_a_request_the_store_cut_or_that_is_no_object_is_passed_over() -> None:
    calls = _calls(
        ("SetChargingProfile", '{"chargingProfile": {"id": 5, "chargingP'),
        ("SetChargingProfile", "[]"),
        SET,
    )
    assert standing(5, calls).kind == "Dynamic"
    assert standing(5, _calls(("SetChargingProfile", '{"chargingProfile": {"id": 5'))) == UNKNOWN


def test_no_call_no_profile() -> None:
    assert standing(5, []) == UNKNOWN


@pytest.mark.parametrize(
    "number",
    ["DE123456789", "de 123.456.789", "RO12", "NL123456789B01", "XI-123-4567-89", "EL094014201"],
)
def test_c_written_as_a_vat_number(number: str) -> None:
    assert vat_number_problem(number) is None


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("", "the VAT number is empty"),
        ("- .", "the VAT number is empty"),
        ("12345678", "a VAT number starts with its two-letter country prefix"),
        ("ÄB12345678", "a VAT number starts with its two-letter country prefix"),
        ("DE1", "after its country prefix a VAT number has 2 to 12 letters and digits"),
        ("DE1234567890123", "after its country prefix a VAT number has 2 to 12 letters and digits"),
        ("DE12345/678", "after its country prefix a VAT number has 2 to 12 letters and digits"),
    ],
)
def test_c_not_written_as_a_vat_number(number: str, problem: str) -> None:
    assert vat_number_problem(number) == problem
