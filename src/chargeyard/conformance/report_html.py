"""A run's HTML report: one self-contained page (no outside resource) that a browser opens from
the file system.

The summary counts the cases as every report does (``counts.py``); a table lists each case with
what it follows in the specification (``references.py``), its verdicts and why it did not
pass. A few lines of script filter the table and the cases' details by outcome and search them
by any text (an id, a title, a use case, a requirement, a reason).

Each case that ran has its details (steps, checks with the expected and the observed side by
side, frames, a line each) in a collapsible block. A case that did not pass has them in the
page, open. A passing case's are loaded when its block is opened: they travel in one
deflate-compressed, base64 block that the script unpacks (``DecompressionStream``) the first
time one is opened, so a run of hundreds of passing cases, megabytes of frames, stays a page
of a few hundred kilobytes that a browser opens at once. Without script the page still shows
the table and every case that did not pass; ``report.json`` holds everything.
"""

from __future__ import annotations

import base64
import html
import json
import zlib
from importlib import resources

from chargeyard.conformance.counts import count, outcome
from chargeyard.conformance.record import Direction, FrameRecord, Step
from chargeyard.conformance.results import CaseResult, RunResult
from chargeyard.conformance.shown import cause, shown
from chargeyard.conformance.verdicts import Verdict

_ARROW = {Direction.SENT: "→", Direction.RECEIVED: "←"}

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1d2330}
table{border-collapse:collapse;width:100%;margin:.5em 0}
td,th{border:1px solid #d5d9e0;padding:3px 6px;text-align:left;vertical-align:top}
.pass{background:#dff3e3}.fail{background:#f9dcdc}.inconclusive{background:#fff1cc}
.not_applicable,.not_available{color:#6b7280}
.ok{color:#1e7b34}.bad{color:#b42318;font-weight:600}
pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:12px}
details.case{border-top:2px solid #d5d9e0;margin-top:1em;padding-top:.3em}
details.case>summary{font-size:1.1em;font-weight:600;cursor:pointer}
#filter{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #d5d9e0}
#filter label{margin-right:1em}
.refs{color:#4b5563;font-size:12px}
"""

_SCRIPT = resources.files(__package__).joinpath("report_page.js").read_text(encoding="utf-8")
"""Filters the page and fills a passing case's details (``report_page.js``)."""


def html_page(run: RunResult) -> str:
    """The report page of ``run`` (module docstring)."""
    counts = count(run)
    boxes = "".join(
        f"<label class='{verdict}'><input type='checkbox' value='{verdict}' checked>"
        f" {verdict.words} ({n})</label>"
        for verdict, n in counts.outcomes.items()
        if n
    )
    rows = "".join(_row(result) for result in run.results)
    ran = [result for result in run.results if result.ran]
    details = "".join(_case(result) for result in ran)
    packed = _packed([result for result in ran if outcome(result) is Verdict.PASS])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chargeyard conformance report</title>
<style>{_STYLE}</style></head><body>
<h1>Conformance report: {_e(run.under_test.value.upper())} under test, OCPP {_e(run.version)}</h1>
<p>Target {_e(run.target)} · started {_e(run.started.isoformat())}</p>{_scope(run)}
<p><b>{_e(counts.line())}</b> · conformance: {_e(counts.of("conformance"))} · compatibility:
{_e(counts.of("compatibility"))}</p>
<div id="filter">{boxes}<input id="q" type="search" size="40"
placeholder="search: an id, a title, a use case (B01), a requirement (B01.FR.02), a reason"></div>
<table><tr><th>Case</th><th>Title</th><th>Profile</th><th>Follows</th><th>Conformance</th>
<th>Compatibility</th><th>Reason</th></tr>{rows}</table>
<p class="refs">Frames: → sent by the suite, ← from the system under test; seconds since the
case began.</p>
{details}
<script type="text/plain" id="packed">{packed}</script>
<script>{_SCRIPT}</script>
</body></html>
"""


def _scope(run: RunResult) -> str:
    """What the run does not cover, and the cases it left out because the version changed
    them, where the suite knows (``catalog/borrowed.py``)."""
    if run.uncovered is None:
        return ""
    left_out = "".join(
        f"<li>{_e(result.info.id)}: {_e(result.reason or '')}</li>" for result in run.left_out
    )
    listed = f"<ul id='left-out'>{left_out}</ul>" if left_out else ""
    return f"\n<p id='uncovered'><b>Not covered:</b> {_e(run.uncovered)}</p>{listed}"


def _row(result: CaseResult) -> str:
    info = result.info
    why = cause(result) or ""
    follows = _follows(result)
    link = f"<a href='#{info.id}'>{info.id}</a>" if result.ran else info.id
    requirements = " ".join(result.references.requirements)
    return (
        f"<tr data-o='{outcome(result)}' data-c='{info.id}' data-r='{requirements}'>"
        f"<td>{link}</td><td>{_e(info.title)}</td><td>{_e(info.module)}</td>"
        f"<td class='refs'>{_e(follows)}</td>"
        f"<td class='{result.conformance}'>{result.conformance.words}</td>"
        f"<td class='{result.compatibility}'>{result.compatibility.words}</td>"
        f"<td>{_e(why)}</td></tr>"
    )


def _follows(result: CaseResult) -> str:
    """The use cases (2.0.1) or sections (1.6) a case follows, in a few words."""
    refs = result.references
    sections = ", ".join(f"§{section}" for section in refs.sections)
    return ", ".join(part for part in (", ".join(refs.use_cases), sections) if part)


def _case(result: CaseResult) -> str:
    refs = result.references
    follows = [
        f"{label}: {', '.join(values)}"
        for label, values in (
            ("use cases", refs.use_cases),
            ("requirements", refs.requirements),
            ("OCPP 1.6 sections", refs.sections),
        )
        if values
    ]
    verdict = outcome(result)
    passed = verdict is Verdict.PASS
    reason = f" · {_e(result.reason)}" if result.reason else ""
    inline = "" if passed else "".join(_step(step) for step in result.steps) + _frames(result)
    return (
        f"<details class='case' id='{result.info.id}'{' data-packed' if passed else ' open'}>"
        f"<summary>{result.info.id}"
        f" {_e(result.info.title)} — <span class='{verdict}'>{verdict.words}</span></summary>"
        f"<p>conformance <b>{result.conformance.words}</b>, compatibility"
        f" <b>{result.compatibility.words}</b>{reason} · {result.seconds:.2f} s</p>"
        f"<p class='refs'>{_e(' · '.join(follows) or 'no use case or requirement cited')}</p>"
        f"{inline}</details>"
    )


def _step(step: Step) -> str:
    checks = "".join(
        f"<tr><td class='{'ok' if check.passed else 'bad'}'>"
        f"{'pass' if check.passed else 'FAIL'}</td><td>{_e(check.rule)}</td>"
        f"<td>{check.weight}</td><td><pre>{_e(shown(check.expected))}</pre></td>"
        f"<td><pre>{_e(shown(check.observed))}</pre></td></tr>"
        for check in step.checks
    )
    table = (
        "<table><tr><th></th><th>Rule</th><th>Weight</th><th>Expected</th><th>Observed</th></tr>"
        f"{checks}</table>"
        if checks
        else ""
    )
    return f"<h4>{_e(step.title)}</h4>{table}"


def _frames(result: CaseResult) -> str:
    if not result.frames:
        return ""
    lines = _e(_frame_lines(result.frames))
    return (
        f"<details open><summary>{len(result.frames)} frames</summary><pre>{lines}</pre></details>"
    )


def _frame_lines(frames: list[FrameRecord]) -> str:
    return "\n".join(f"{frame.at:8.3f} {_ARROW[frame.direction]} {frame.text}" for frame in frames)


def _packed(results: list[CaseResult]) -> str:
    """The details of ``results`` for the script to fill in (module docstring): by case id,
    its steps (title, and each check's rule, passed, weight, expected and observed as shown)
    and its frames' lines, as JSON, deflated (zlib), in base64."""
    details = {
        result.info.id: {
            "s": [
                [
                    step.title,
                    [
                        [
                            c.rule,
                            int(c.passed),
                            c.weight.value,
                            shown(c.expected),
                            shown(c.observed),
                        ]
                        for c in step.checks
                    ],
                ]
                for step in result.steps
            ],
            "n": len(result.frames),
            "f": _frame_lines(result.frames),
        }
        for result in results
    }
    text = json.dumps(details, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(zlib.compress(text.encode(), 9)).decode("ascii")


def _e(text: str) -> str:
    """Text in an element (quotes need no escaping there)."""
    return html.escape(text, quote=False)
