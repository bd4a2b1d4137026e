"""A case's result in a line of text: why it did not pass, and what a check expected and
observed, as the progress lines and every report show them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chargeyard.conformance.verdicts import Check, Verdict

if TYPE_CHECKING:
    from chargeyard.conformance.results import CaseResult


def cause(result: CaseResult) -> str | None:
    """Why a case did not pass, in one line: the reason it stopped early when that stop is
    what failed it (no answer, a CALLERROR: the runner records it as a failed check), else
    its first failed check, followed by the reason it stopped early if any (a case that
    failed a check, then found no trigger for its next step, failed by that check)."""
    if Verdict.FAIL not in (result.conformance, result.compatibility):
        return result.reason
    failed = [
        (check.rule, _told(check))
        for step in result.steps
        for check in step.checks
        if not check.passed
    ]
    if result.reason is None or not failed:
        return failed[0][1] if failed else result.reason
    if any(rule == result.reason for rule, _ in failed):
        return result.reason
    return f"{failed[0][1]}; then {result.reason}"


def failed_checks(result: CaseResult) -> list[str]:
    return [_told(check) for step in result.steps for check in step.checks if not check.passed]


def _told(check: Check) -> str:
    expected, observed = shown(check.expected), shown(check.observed)
    return f"[{check.weight}] {check.rule}: expected {expected}, observed {observed}"


def shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(plain(value), default=str)


def plain(value: Any) -> Any:
    """``value`` as JSON can hold it: a mapping's keys as text (a check may key what it
    observed by a tuple, such as a component and a variable), whatever the nesting."""
    if isinstance(value, dict):
        return {
            key if isinstance(key, str) else _key_text(key): plain(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _key_text(key: Any) -> str:
    return ".".join(map(str, key)) if isinstance(key, tuple) else str(key)
