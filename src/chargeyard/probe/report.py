"""The probe's reports: text (for people), JSON and JUnit XML (for CI). JSON and JUnit are the
conformance suite's (``conformance/reports.py``: one testcase per case, a failure with the
check that failed, an inconclusive case an error), each case with what it sent, what the CSMS
answered and what OCPP-J expects, and all three end on the same summary line."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from chargeyard.conformance.counts import outcome
from chargeyard.conformance.reports import as_json, junit_xml
from chargeyard.conformance.results import CaseResult
from chargeyard.conformance.verdicts import Verdict
from chargeyard.probe.case import Group
from chargeyard.probe.runner import ProbeRun

_WORDS = {Verdict.PASS: "passed", Verdict.FAIL: "failed", Verdict.INCONCLUSIVE: "inconclusive"}


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"


def verdict(result: CaseResult) -> str:
    """A case's verdict as the probe says it: passed, failed or inconclusive."""
    return _WORDS[outcome(result)]


def tally(results: list[CaseResult]) -> dict[str, int]:
    """How many of ``results`` passed, failed and were inconclusive."""
    counts = dict.fromkeys(_WORDS.values(), 0)
    for result in results:
        counts[verdict(result)] += 1
    return counts


def summary_line(results: list[CaseResult]) -> str:
    """``80 cases: 78 passed, 1 failed, 1 inconclusive (97.5% passed)``."""
    counts = tally(results)
    share = 100.0 * counts["passed"] / len(results) if results else 0.0
    told = ", ".join(f"{n} {word}" for word, n in counts.items())
    return f"{len(results)} case{'' if len(results) == 1 else 's'}: {told} ({share:.1f}% passed)"


def _details(probe: ProbeRun, result: CaseResult) -> dict[str, Any]:
    case_id = result.info.id
    case = next(case for case in probe.cases if case.id == case_id)
    seen = probe.observations.get(case_id)
    return {
        "sent": probe.sent[case_id],
        "received": None if seen is None else seen.said(),
        "expected": str(case.expected),
        "acceptedCodes": list(case.expected.accepted_codes),
        "verdict": verdict(result),
    }


def as_json_report(probe: ProbeRun) -> dict[str, Any]:
    """The conformance suite's JSON report with the probe's seed and summary, and each case's
    sent, received, expected, accepted codes and verdict."""
    report = as_json(probe.run)
    report["tool"] = "chargeyard probe"
    report["seed"] = probe.target.seed
    report["summaryLine"] = summary_line(probe.run.results)
    report["verdicts"] = tally(probe.run.results)
    for shown, result in zip(report["cases"], probe.run.results, strict=True):
        shown.update(_details(probe, result))
        shown["group"] = shown.pop("module")
    return report


def text_report(probe: ProbeRun) -> str:
    """Every case by group: its verdict, what was sent, received and expected; then the
    summary line."""
    target = probe.target
    lines = [
        f"chargeyard probe of {probe.run.target} (OCPP {target.version.name}, seed {target.seed})",
        "",
    ]
    for group in Group:
        results = [r for r in probe.run.results if r.info.block == group.value]
        if not results:
            continue
        lines.append(f"== {group} ({summary_line(results)})")
        for result in results:
            details = _details(probe, result)
            lines.append(f"[{details['verdict']}] {result.info.id}: {result.info.title}")
            for sent in details["sent"]:
                lines.append(f"    sent:     {sent}")
            if details["received"] is not None:
                lines.append(f"    received: {details['received']}")
            lines.append(f"    expected: {details['expected']}")
            if result.reason:
                lines.append(f"    why:      {result.reason}")
        lines.append("")
    lines.append(summary_line(probe.run.results))
    return "\n".join(lines) + "\n"


def rendered(probe: ProbeRun, form: Format) -> str:
    """The report in ``form``."""
    if form is Format.JSON:
        return json.dumps(as_json_report(probe), indent=2, default=str) + "\n"
    if form is Format.JUNIT:
        return junit_xml(probe.run, name="chargeyard probe")
    return text_report(probe)


def write(probe: ProbeRun, form: Format, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rendered(probe, form), encoding="utf-8")
