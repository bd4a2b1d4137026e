"""A replay's report: text for people, JSON for tools (docs/traces.md)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import orjson

from chargeyard.trace.replay import ReplayResult


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def as_json(result: ReplayResult) -> dict[str, Any]:
    return {
        "identity": result.trace.header.identity,
        "ocpp": result.trace.header.version.name,
        "compared": result.comparison.compared,
        "differences": [difference.as_json() for difference in result.differences],
        "csmsCalls": {"recorded": result.recorded_csms_calls, "replayed": result.csms_calls},
        "ended": result.ended,
        "passed": not result.failed,
    }


def as_text(result: ReplayResult) -> str:
    header = result.trace.header
    lines = [f"replay of {header.identity} (OCPP {header.version.name})"]
    lines.extend(f"  {difference}" for difference in result.differences)
    if result.recorded_csms_calls != result.csms_calls:
        lines.append(
            f"  note: the central system's CALLs were {', '.join(result.csms_calls) or 'none'}"
            f" (recorded: {', '.join(result.recorded_csms_calls) or 'none'})"
        )
    if result.ended is not None:
        lines.append(f"  stopped: {result.ended}")
    count = len(result.differences)
    verdict = "no difference" if count == 0 else f"{count} difference{'s' if count > 1 else ''}"
    lines.append(f"{result.comparison.compared} answers compared: {verdict}")
    return "\n".join(lines) + "\n"


def rendered(result: ReplayResult, form: Format) -> str:
    if form is Format.JSON:
        return orjson.dumps(as_json(result), option=orjson.OPT_INDENT_2).decode() + "\n"
    return as_text(result)
