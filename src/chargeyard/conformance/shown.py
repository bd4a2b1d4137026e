"""A case's result in a line of text: why it did not pass, and what a check expected and
observed, as the progress lines and every report show them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chargeyard.conformance.verdicts import Verdict

if TYPE_CHECKING:
    from chargeyard.conformance.runner import CaseResult


def cause(result: CaseResult) -> str | None:
    """Why a case did not pass, in one line: the reason it stopped early, else its first failed
    check (a case that ran to its end and found the CSMS wrong has no other reason)."""
    if result.reason or Verdict.FAIL not in (result.conformance, result.compatibility):
        return result.reason
    failed = failed_checks(result)
    return failed[0] if failed else None


def failed_checks(result: CaseResult) -> list[str]:
    return [
        f"[{check.weight}] {check.rule}: expected {shown(check.expected)},"
        f" observed {shown(check.observed)}"
        for step in result.steps
        for check in step.checks
        if not check.passed
    ]


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
