"""The conformance suite's HTML report in a real browser, opened from the file system as a user
opens it: the outcome boxes and the search box filter the cases, and a passing case's details
(packed in the page) appear when it is opened."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chargeyard.conformance import RunResult, Verdict, write
from chargeyard.conformance.catalog import BY_ID, UnderTest
from chargeyard.conformance.record import Direction, FrameRecord, Step
from chargeyard.conformance.references import References
from chargeyard.conformance.runner import CaseResult
from chargeyard.conformance.verdicts import Check

pytestmark = pytest.mark.slow

BOOT = '[2,"1","BootNotification",{"reason":"PowerUp"}]'


def _report(directory: Path) -> Path:
    started = datetime(2026, 1, 1, tzinfo=UTC)
    passed = CaseResult(
        BY_ID["TC_B_01_CSMS"],
        Verdict.PASS,
        Verdict.PASS,
        steps=[Step("The station boots", [Check("BootNotification is answered Accepted", True)])],
        frames=[FrameRecord(0.5, Direction.SENT, BOOT)],
        references=References(("B01",), ("B01.FR.02",)),
    )
    failed = CaseResult(
        BY_ID["TC_B_09_CSMS"],
        Verdict.FAIL,
        Verdict.FAIL,
        steps=[Step("The CSMS sets a variable", [Check("SetVariables sets the value", False)])],
    )
    run = RunResult(UnderTest.CSMS, "ws://csms", "2.0.1", started, [passed, failed], started)
    write(run, directory)
    return directory / "report.html"


def test_the_report_filters_by_outcome_and_text_and_unpacks_a_passing_case(
    page: Page, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(_report(tmp_path).as_uri())
    passing_row = page.locator("tr[data-c='TC_B_01_CSMS']")
    failing_row = page.locator("tr[data-c='TC_B_09_CSMS']")

    page.get_by_label("pass (1)").uncheck()
    expect(passing_row).to_be_hidden()
    expect(page.locator("details#TC_B_01_CSMS")).to_be_hidden()
    expect(failing_row).to_be_visible()
    page.get_by_label("pass (1)").check()

    page.locator("#q").fill("b01.fr.02")  # a requirement the passing case cites
    expect(passing_row).to_be_visible()
    expect(failing_row).to_be_hidden()
    page.locator("#q").fill("")

    passing = page.locator("details#TC_B_01_CSMS")
    expect(passing.get_by_text("BootNotification is answered Accepted")).to_have_count(0)
    passing_row.get_by_role("link").click()  # the table's link opens the case
    expect(passing.get_by_text("BootNotification is answered Accepted")).to_be_visible()
    passing.get_by_text("1 frames").click()
    expect(passing.locator("pre").last).to_contain_text(BOOT)
    assert errors == []
