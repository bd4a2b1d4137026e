"""A run's reports: JSON (everything), JUnit XML (for CI: a case failing either verdict is a
failure, an inconclusive one an error of type ``inconclusive``, a case not run is skipped) and
a self-contained HTML page (``report_html.py``). All three count the cases as ``counts.py``
does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from chargeyard.conformance.counts import count, needs, outcome
from chargeyard.conformance.report_html import html_page
from chargeyard.conformance.results import CaseResult, RunResult
from chargeyard.conformance.shown import cause, failed_checks, plain
from chargeyard.conformance.verdicts import Verdict


def as_json(run: RunResult) -> dict[str, Any]:
    return {
        "underTest": run.under_test.value,
        "target": run.target,
        "ocppVersion": run.version,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat() if run.finished else None,
        "summary": summary(run),
        "needs": needs(run),
        "uncovered": run.uncovered,
        "leftOut": {result.info.id: result.reason for result in run.left_out},
        "cases": [_case_json(result) for result in run.results],
    }


def summary(run: RunResult) -> dict[str, dict[str, int]]:
    """How many cases got each outcome, and each verdict per verdict kind."""
    counts = count(run)
    return {
        kind: {verdict.value: n for verdict, n in tally.items()}
        for kind, tally in (
            ("outcome", counts.outcomes),
            ("conformance", counts.conformance),
            ("compatibility", counts.compatibility),
        )
    }


def _case_json(result: CaseResult) -> dict[str, Any]:
    return {
        "id": result.info.id,
        "title": result.info.title,
        "module": result.info.module,
        "useCases": list(result.references.use_cases),
        "requirements": list(result.references.requirements),
        "sections": list(result.references.sections),
        "outcome": outcome(result).value,
        "conformance": result.conformance.value,
        "compatibility": result.compatibility.value,
        "ran": result.ran,
        "reason": result.reason,
        "need": result.need,
        "seconds": result.seconds,
        "steps": [
            {
                "title": step.title,
                "checks": [
                    {
                        "rule": check.rule,
                        "passed": check.passed,
                        "weight": check.weight.value,
                        "expected": plain(check.expected),
                        "observed": plain(check.observed),
                    }
                    for check in step.checks
                ],
            }
            for step in result.steps
        ],
        "frames": [
            {"at": frame.at, "direction": frame.direction.value, "text": frame.text}
            for frame in result.frames
        ],
    }


def junit_xml(run: RunResult, name: str = "chargeyard conformance") -> str:
    """JUnit XML: one testcase per case; a failure names the failed checks, an error of type
    ``inconclusive`` why the case could not be judged (``counts.py``). ``name`` begins the
    suite's name (``chargeyard probe`` writes its own)."""
    counts = count(run)
    suite = ElementTree.Element(
        "testsuite",
        name=f"{name} ({run.under_test.value}, OCPP {run.version})",
        tests=str(counts.cases),
        failures=str(counts.outcomes[Verdict.FAIL]),
        errors=str(counts.outcomes[Verdict.INCONCLUSIVE]),
        skipped=str(counts.skipped),
        timestamp=run.started.isoformat(),
    )
    for result in run.results:
        element = ElementTree.SubElement(
            suite,
            "testcase",
            classname=f"{result.info.module}",
            name=f"{result.info.id} {result.info.title}",
            time=f"{result.seconds:.3f}",
        )
        properties = ElementTree.SubElement(element, "properties")
        for name, value in (
            ("outcome", outcome(result).value),
            ("conformance", result.conformance.value),
            ("compatibility", result.compatibility.value),
            ("useCases", " ".join(result.references.use_cases)),
            ("requirements", " ".join(result.references.requirements)),
        ):
            ElementTree.SubElement(properties, "property", name=name, value=value)
        verdict = outcome(result)
        verdicts = f"conformance {result.conformance}, compatibility {result.compatibility}"
        if verdict is Verdict.FAIL:
            failure = ElementTree.SubElement(element, "failure", message=verdicts, type="fail")
            failure.text = "\n".join(failed_checks(result)) or (result.reason or "")
        elif verdict is Verdict.INCONCLUSIVE:
            error = ElementTree.SubElement(
                element, "error", message=f"inconclusive: {result.reason or verdicts}"
            )
            error.set("type", "inconclusive")
            error.text = result.reason or ""
        elif verdict in (Verdict.NOT_APPLICABLE, Verdict.NOT_AVAILABLE):
            ElementTree.SubElement(element, "skipped", message=result.reason or verdict.words)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


__all__ = ["as_json", "cause", "junit_xml", "summary", "write"]


def write(run: RunResult, directory: Path) -> list[Path]:
    """Write ``report.json``, ``junit.xml`` and ``report.html`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {
        "report.json": json.dumps(as_json(run), indent=2, default=str),
        "junit.xml": junit_xml(run),
        "report.html": html_page(run),
    }
    paths = []
    for name, text in written.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
