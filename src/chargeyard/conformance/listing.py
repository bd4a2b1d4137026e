"""The catalog as a user reads it: every case with its state (available, or why not), as a
terminal table, Markdown (docs/conformance-cases.md is made so) or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum

from chargeyard.conformance.catalog import CASES, CaseInfo, UnderTest, cases_of
from chargeyard.conformance.suites import why_not_available
from chargeyard.protocol import VersionSpec


class Format(StrEnum):
    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"


def state(info: CaseInfo) -> str:
    """``available``, or ``not available: why``."""
    why = why_not_available(info)
    return "available" if why is None else f"not available: {why}"


def _profiles(info: CaseInfo) -> str:
    return ", ".join(
        membership.profile + ("" if membership.mandatory else " (C)")
        for membership in info.profiles
    )


def chosen(
    version: VersionSpec | None, under_test: UnderTest | None, profiles: Sequence[str]
) -> list[CaseInfo]:
    # A version's cases as cases_of gives them: 2.1's are the 2.0.1 list's (catalog/borrowed.py).
    listed = (
        CASES
        if version is None
        else (*cases_of(version, UnderTest.CSMS), *cases_of(version, UnderTest.STATION))
    )
    return [
        info
        for info in listed
        if (under_test is None or info.under_test is under_test)
        and (not profiles or info.in_profiles(set(profiles)))
    ]


def listing(
    version: VersionSpec | None,
    under_test: UnderTest | None,
    profiles: Sequence[str],
    output: Format,
) -> str:
    """The cases chosen, in ``output``'s form, ending with a newline."""
    infos = chosen(version, under_test, profiles)
    if output is Format.JSON:
        return json.dumps([_as_json(info) for info in infos], indent=2) + "\n"
    if output is Format.MARKDOWN:
        return markdown(infos)
    lines = [
        f"{info.id:<15} {info.version.name:<6} {_profiles(info)[:34]:<34} {state(info)[:40]:<40}"
        f" {info.title}"
        for info in infos
    ]
    available = sum(why_not_available(info) is None for info in infos)
    lines.append(f"{len(infos)} cases, {available} available")
    return "\n".join(lines) + "\n"


def _as_json(info: CaseInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "title": info.title,
        "ocppVersion": info.version.name,
        "underTest": info.under_test.value,
        "block": info.block,
        "useCases": info.use_cases,
        "profiles": [
            {"profile": m.profile, "mandatory": m.mandatory, "condition": m.condition}
            for m in info.profiles
        ],
        "available": why_not_available(info) is None,
        "state": state(info),
    }


def markdown(infos: Sequence[CaseInfo]) -> str:
    """A Markdown section per version and role: a count, then a table of the cases."""
    out: list[str] = []
    groups: dict[tuple[str, UnderTest], list[CaseInfo]] = {}
    for info in infos:
        groups.setdefault((info.version.name, info.under_test), []).append(info)
    for (version, under_test), group in groups.items():
        role = "the CSMS under test" if under_test is UnderTest.CSMS else "the station under test"
        available = sum(why_not_available(info) is None for info in group)
        out.append(f"## OCPP {version}, {role}\n")
        out.append(f"{available} of {len(group)} cases available.\n")
        out.append("| case | title | profiles | state |")
        out.append("|---|---|---|---|")
        out.extend(
            f"| `{info.id}` | {info.title.replace('|', '/')} | {_profiles(info)} | {state(info)} |"
            for info in group
        )
        out.append("")
    return "\n".join(out)
