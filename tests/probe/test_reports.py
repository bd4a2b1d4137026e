"""The probe's reports (``probe/report.py``): text, JSON and JUnit XML say, case by case, what
was sent, what came back, what OCPP-J expects and the verdict, and end on the same summary."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from chargeyard.probe import ProbeRun, ProbeTarget, run_probe
from chargeyard.probe.report import Format, rendered, summary_line, tally
from chargeyard.protocol import V16
from tests.conformance.tag_knowing_csms import tag_knowing_csms

pytestmark = pytest.mark.virtual_time  # the probe's waits for a CSMS's silence pass at once


async def _probe() -> ProbeRun:
    async with tag_knowing_csms(V16) as url:
        return await run_probe(ProbeTarget(url, "CP-LIB", V16, seed=5))


async def test_the_three_reports_tell_the_same_cases_and_counts() -> None:
    probe = await _probe()
    counts = tally(probe.run.results)
    total = len(probe.run.results)
    line = summary_line(probe.run.results)
    share = 100 * counts["passed"] / total
    assert line == (
        f"{total} cases: {counts['passed']} passed, {counts['failed']} failed,"
        f" {counts['inconclusive']} inconclusive ({share:.1f}% passed)"
    )

    text = rendered(probe, Format.TEXT)
    assert text.startswith(f"chargeyard probe of {probe.target.station_url} (OCPP 1.6, seed 5)")
    assert text.endswith(line + "\n")
    assert "== frames (" in text
    binary = text[text.index("[failed] frame-binary: a Heartbeat CALL in a binary frame") :]
    binary_lines = binary.splitlines()[1:4]
    assert binary_lines[0].startswith('    sent:     binary: [2,"probe-')
    assert binary_lines[1].startswith('    received: [3,"probe-')
    assert binary_lines[2].startswith("    expected: no answer, the connection open | the")
    # Without a password the wrong-password case says what it needs.
    assert "    why:      needs --password (the station's Basic password)" in text

    report = json.loads(rendered(probe, Format.JSON))
    assert report["tool"] == "chargeyard probe"
    assert report["seed"] == 5
    assert report["summaryLine"] == line
    assert report["verdicts"] == counts
    [extra] = [case for case in report["cases"] if case["id"] == "payload-Heartbeat-extra-field"]
    assert extra["verdict"] == "failed"
    assert extra["group"] == "payloads"
    assert extra["acceptedCodes"] == ["FormationViolation"]
    [sent] = extra["sent"]
    unique_id = json.loads(sent)[1]
    assert json.loads(sent) == [2, unique_id, "Heartbeat", {"probeExtraField": "probe"}]
    assert json.loads(extra["received"].split("; ")[0])[:3] == [4, unique_id, "FormatViolation"]
    assert [frame["direction"] for frame in extra["frames"]][:2] == ["sent", "received"]

    suite = ElementTree.fromstring(rendered(probe, Format.JUNIT))
    assert suite.get("name") == "chargeyard probe (csms, OCPP 1.6)"
    assert suite.get("tests") == str(total)
    assert suite.get("failures") == str(counts["failed"])
    assert suite.get("errors") == str(counts["inconclusive"])
    [case] = [c for c in suite.iter("testcase") if c.get("name", "").startswith("frame-binary ")]
    failure = case.find("failure")
    assert failure is not None
    assert "expected no answer, the connection open" in (failure.text or "")
