"""The catalog of test cases: every list whole, each case's profiles and needs, which apply
by the optional features a system has, and the cases' list in the docs kept true."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargeyard.cli import app
from chargeyard.conformance.catalog import BY_ID, CASES, Need, UnderTest, cases_of
from chargeyard.conformance.features import applicable, feature_id, meets
from chargeyard.conformance.listing import markdown
from chargeyard.conformance.runner import UnknownCases, select
from chargeyard.conformance.suites import NOT_WRITTEN, why_not_available
from chargeyard.protocol import V16, V201

DOCS = Path(__file__).parents[2] / "docs" / "conformance-cases.md"


def test_each_list_is_whole_and_each_id_is_one_case() -> None:
    counts = {
        (version.name, role): len(cases_of(version, role))
        for version in (V16, V201)
        for role in UnderTest
    }
    # The public 1.6 list (77 Central System, 107 Charge Point cases) and 2.0.1 Part 6.
    assert counts == {
        ("1.6", UnderTest.CSMS): 77,
        ("1.6", UnderTest.STATION): 107,
        ("2.0.1", UnderTest.CSMS): 249,
        ("2.0.1", UnderTest.STATION): 421,
    }
    assert len(BY_ID) == len(CASES)
    for info in cases_of(V201, UnderTest.CSMS):
        assert re.fullmatch(r"TC_[A-P]_\d{2,3}_CSMS", info.id), info.id
    for info in cases_of(V201, UnderTest.STATION):
        assert re.fullmatch(r"TC_[A-P]_\d{2,3}_CS", info.id), info.id


def test_a_2_0_1_case_knows_its_block_use_cases_and_profiles() -> None:
    boot = BY_ID["TC_B_01_CSMS"]
    assert (boot.title, boot.block, boot.use_cases) == (
        "Cold Boot Charging Station - Accepted",
        "Provisioning",
        "B01",
    )
    assert [(m.profile, m.mandatory) for m in boot.profiles] == [("Core", True)]
    pending = BY_ID["TC_B_02_CSMS"]
    assert [(m.profile, m.mandatory, m.condition) for m in pending.profiles] == [
        ("Core", False, "C-44")
    ]
    # A case several profiles list is in each.
    assert {m.profile for m in BY_ID["TC_L_01_CSMS"].profiles} == {
        "Core",
        "Advanced User Interface",
    }


def test_what_chargeyard_lacks_is_a_reason_not_a_missing_case() -> None:
    assert BY_ID["TC_A_19_CSMS"].needs is Need.UPGRADE
    assert BY_ID["TC_M_24_CSMS"].needs is Need.CERTIFICATES
    assert BY_ID["TC_C_50_CSMS"].needs is Need.ISO15118
    assert BY_ID["TC_083_CSMS"].needs is Need.UPGRADE
    assert why_not_available(BY_ID["TC_A_19_CSMS"]) == Need.UPGRADE.value
    assert why_not_available(BY_ID["TC_001_CSMS"]) is None
    unwritten = [info for info in CASES if info.needs is None and why_not_available(info)]
    assert all(why_not_available(info) == NOT_WRITTEN for info in unwritten)


@pytest.mark.parametrize(
    ("condition", "features", "met"),
    [
        ("C-44", ["C-44"], True),
        ("C-44", ["C-45"], False),
        ("C-44 or NOT AQ-6", [], True),
        ("C-44 or NOT AQ-6", ["AQ-6"], False),
        ("(C-30 or C-31 or C-32) and NOT AQ-2", ["C-31"], True),
        ("(C-30 or C-31 or C-32) and NOT AQ-2", ["C-31", "AQ-2"], False),
        ("HFS-8 > 1", ["HFS-8>1"], True),
        ("C-30 - C-35 or ISO 15118 support", ["C35"], True),
        ("C-30 - C-35 or ISO 15118 support", ["C-36"], False),
        ("NOT Smart Charging", ["Smart Charging"], False),
        ("( UI-1.1and UI-1.2) or ( UI-1.2 and UI-1.3)", ["UI-1.2", "UI-1.3"], True),
        ("For CSMS: R-1, For CS: R-2", [], None),
    ],
)
def test_a_condition_is_read_over_the_features_given(
    condition: str, features: list[str], met: bool | None
) -> None:
    assert meets(condition, features) is met


def test_feature_ids_have_one_spelling() -> None:
    assert [feature_id(text) for text in ("C35", "c-35", "C.06.1", "HFS-8 > 1")] == [
        "C-35",
        "C-35",
        "C-06.1",
        "HFS-8>1",
    ]


def test_a_conditional_case_applies_only_when_its_features_are_there() -> None:
    pending = BY_ID["TC_B_02_CSMS"]
    assert applicable(pending, None, None) is None  # no features given: every case applies
    assert applicable(pending, ["Core"], ["C-44"]) is None
    assert applicable(pending, ["Core"], []) == (
        "conditional on optional features the system does not have (C-44)"
    )
    assert applicable(BY_ID["TC_B_01_CSMS"], ["Core"], []) is None  # mandatory
    chosen = dict(select(V201, UnderTest.CSMS, ["TC_B_02_CSMS"], ["Core"], []))
    assert chosen[pending] == (
        "not applicable: conditional on optional features the system does not have (C-44)"
    )


def test_cases_outside_the_profiles_chosen_are_not_applicable() -> None:
    chosen = dict(select(V16, UnderTest.CSMS, ["TC_001_CSMS", "TC_046_CSMS"], ["Core"]))
    assert chosen[BY_ID["TC_001_CSMS"]] is None
    assert chosen[BY_ID["TC_046_CSMS"]] == (
        "not applicable: outside the profiles chosen (Reservation)"
    )
    with pytest.raises(UnknownCases, match=r"unknown case ids for OCPP 1\.6: TC_B_01_CSMS"):
        select(V16, UnderTest.CSMS, ["TC_B_01_CSMS"])


def test_the_docs_list_every_case_with_its_state() -> None:
    # docs/conformance-cases.md is `chargeyard conformance cases --format markdown` under a
    # heading: run that command to refresh it when cases are written.
    expected = DOCS.read_text(encoding="utf-8")
    assert markdown(CASES) in expected, "run: chargeyard conformance cases --format markdown"


def test_the_cases_command_lists_and_filters() -> None:
    result = CliRunner().invoke(
        app, ["conformance", "cases", "--ocpp", "1.6", "--under-test", "csms", "--profile", "Core"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("TC_001_CSMS     1.6    Core")
    assert len(lines) == 34 + 1  # the 1.6 list's Core cases for a Central System, a total
    assert re.fullmatch(r"34 cases, \d+ available", lines[-1])
    refused = CliRunner().invoke(app, ["conformance", "cases", "--under-test", "charger"])
    assert refused.exit_code == 2


def test_the_cases_command_lists_2_1_as_the_201_cases_with_those_2_1_changed() -> None:
    result = CliRunner().invoke(
        app,
        ["conformance", "cases", "--ocpp", "2.1", "--under-test", "station", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    listed = {case["id"]: case for case in json.loads(result.stdout)}
    assert set(listed) == {case.id for case in cases_of(V201, UnderTest.STATION)}
    assert {case["ocppVersion"] for case in listed.values()} == {"2.1"}
    assert listed["TC_B_01_CS"]["state"] == "available"
    assert listed["TC_N_17_CS"]["state"] == (
        "not available: OCPP 2.1 changed the behaviour: 2.1's SetMonitoringLevelRequest schema"
        " bounds severity at 0, so the severity -1 this case sends is refused by the schema (a"
        " CALLERROR), not answered Rejected as the case checks"
    )
