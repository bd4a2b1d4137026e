"""A run's reports: JSON (everything), JUnit XML (for CI: a case failing either verdict is a
failure, a case not run is skipped) and a self-contained HTML page (the summary, each case's
steps and checks with the expected and the observed side by side, and its frames)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from chargeyard.conformance.runner import CaseResult, RunResult
from chargeyard.conformance.verdicts import Verdict


def as_json(run: RunResult) -> dict[str, Any]:
    return {
        "underTest": run.under_test.value,
        "target": run.target,
        "ocppVersion": run.version,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat() if run.finished else None,
        "summary": summary(run),
        "cases": [_case_json(result) for result in run.results],
    }


def summary(run: RunResult) -> dict[str, dict[str, int]]:
    """How many cases got each verdict, per verdict kind."""
    counts: dict[str, dict[str, int]] = {
        "conformance": {verdict.value: 0 for verdict in Verdict},
        "compatibility": {verdict.value: 0 for verdict in Verdict},
    }
    for result in run.results:
        counts["conformance"][result.conformance.value] += 1
        counts["compatibility"][result.compatibility.value] += 1
    return counts


def _case_json(result: CaseResult) -> dict[str, Any]:
    return {
        "id": result.info.id,
        "title": result.info.title,
        "module": result.info.module,
        "conformance": result.conformance.value,
        "compatibility": result.compatibility.value,
        "ran": result.ran,
        "reason": result.reason,
        "seconds": result.seconds,
        "steps": [
            {
                "title": step.title,
                "checks": [
                    {
                        "rule": check.rule,
                        "passed": check.passed,
                        "weight": check.weight.value,
                        "expected": _plain(check.expected),
                        "observed": _plain(check.observed),
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


def junit_xml(run: RunResult) -> str:
    """JUnit XML: one testcase per case; a failure names the failed checks."""
    cases = run.results
    suite = ElementTree.Element(
        "testsuite",
        name=f"chargeyard conformance ({run.under_test.value}, OCPP {run.version})",
        tests=str(len(cases)),
        failures=str(sum(_failed(result) for result in cases)),
        skipped=str(sum(not _failed(result) and _skipped(result) for result in cases)),
        timestamp=run.started.isoformat(),
    )
    for result in cases:
        element = ElementTree.SubElement(
            suite,
            "testcase",
            classname=f"{result.info.module}",
            name=f"{result.info.id} {result.info.title}",
            time=f"{result.seconds:.3f}",
        )
        if _failed(result):
            failure = ElementTree.SubElement(
                element,
                "failure",
                message=f"conformance {result.conformance}, compatibility {result.compatibility}",
            )
            failure.text = "\n".join(_failed_checks(result)) or (result.reason or "")
        elif _skipped(result):
            ElementTree.SubElement(element, "skipped", message=result.reason or "")
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


def _failed(result: CaseResult) -> bool:
    return Verdict.FAIL in (result.conformance, result.compatibility)


def _skipped(result: CaseResult) -> bool:
    return result.conformance in (Verdict.NOT_APPLICABLE, Verdict.INCONCLUSIVE)


def cause(result: CaseResult) -> str | None:
    """Why a case did not pass, in one line: the reason it stopped early, else its first failed
    check (a case that ran to its end and found the CSMS wrong has no other reason)."""
    if result.reason or Verdict.FAIL not in (result.conformance, result.compatibility):
        return result.reason
    failed = _failed_checks(result)
    return failed[0] if failed else None


def _failed_checks(result: CaseResult) -> list[str]:
    return [
        f"[{check.weight}] {check.rule}: expected {_shown(check.expected)},"
        f" observed {_shown(check.observed)}"
        for step in result.steps
        for check in step.checks
        if not check.passed
    ]


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(_plain(value), default=str)


def _plain(value: Any) -> Any:
    """``value`` as JSON can hold it: a mapping's keys as text (a check may key what it
    observed by a tuple, such as a component and a variable), whatever the nesting."""
    if isinstance(value, dict):
        return {
            key if isinstance(key, str) else _key_text(key): _plain(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _key_text(key: Any) -> str:
    return ".".join(map(str, key)) if isinstance(key, tuple) else str(key)


def html_page(run: RunResult) -> str:
    """A self-contained page (no script, no outside resource)."""
    counts = summary(run)
    rows = "".join(
        f"<tr class='{result.conformance}'><td><a href='#{result.info.id}'>{result.info.id}</a>"
        f"</td><td>{_e(result.info.title)}</td><td>{_e(result.info.module)}</td>"
        f"<td class='v {result.conformance}'>{result.conformance}</td>"
        f"<td class='v {result.compatibility}'>{result.compatibility}</td>"
        f"<td>{_e(cause(result) or '')}</td></tr>"
        for result in run.results
    )
    totals = " · ".join(
        f"{kind}: " + ", ".join(f"{n} {verdict}" for verdict, n in verdicts.items() if n)
        for kind, verdicts in counts.items()
    )
    details = "".join(_case_html(result) for result in run.results if result.ran)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chargeyard conformance report</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1d2330}}
table{{border-collapse:collapse;width:100%;margin:1em 0}}
td,th{{border:1px solid #d5d9e0;padding:4px 8px;text-align:left;vertical-align:top}}
.v.pass{{background:#dff3e3}}.v.fail{{background:#f9dcdc}}
.v.inconclusive{{background:#fff1cc}}.v.not_applicable{{color:#6b7280}}
.ok{{color:#1e7b34}}.bad{{color:#b42318;font-weight:600}}
pre{{white-space:pre-wrap;word-break:break-all;margin:0;font-size:12px}}
section{{border-top:2px solid #d5d9e0;margin-top:2em}}
</style></head><body>
<h1>Conformance report: {_e(run.under_test.value.upper())} under test, OCPP {_e(run.version)}</h1>
<p>Target {_e(run.target)} · started {_e(run.started.isoformat())}</p>
<p>{_e(totals)}</p>
<table><tr><th>Case</th><th>Title</th><th>Profile</th><th>Conformance</th>
<th>Compatibility</th><th>Reason</th></tr>{rows}</table>
{details}
</body></html>
"""


def _case_html(result: CaseResult) -> str:
    steps = "".join(
        f"<h3>{_e(step.title)}</h3><table><tr><th></th><th>Rule</th><th>Weight</th>"
        "<th>Expected</th><th>Observed</th></tr>"
        + "".join(
            f"<tr><td class='{'ok' if check.passed else 'bad'}'>"
            f"{'pass' if check.passed else 'FAIL'}</td><td>{_e(check.rule)}</td>"
            f"<td>{check.weight}</td><td><pre>{_e(_shown(check.expected))}</pre></td>"
            f"<td><pre>{_e(_shown(check.observed))}</pre></td></tr>"
            for check in step.checks
        )
        + "</table>"
        for step in result.steps
    )
    frames = "".join(
        f"<tr><td>{frame.at:.3f}</td><td>{frame.direction}</td>"
        f"<td><pre>{_e(frame.text)}</pre></td></tr>"
        for frame in result.frames
    )
    return (
        f"<section id='{result.info.id}'><h2>{result.info.id} {_e(result.info.title)}</h2>"
        f"<p>conformance <b>{result.conformance}</b>, compatibility"
        f" <b>{result.compatibility}</b>{' · ' + _e(result.reason) if result.reason else ''}"
        f" · {result.seconds:.2f} s</p>{steps}<h3>Frames</h3><table><tr><th>s</th>"
        f"<th>direction</th><th>frame</th></tr>{frames}</table></section>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


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
