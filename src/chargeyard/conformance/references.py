"""What a case follows in the specification, as its report names it: the use cases (2.0.1
Part 2 ids such as ``B01``, which the 1.6 security extension shares), the requirements
(``B01.FR.02``) and, for OCPP 1.6, the sections of its specification (``4.2``).

They are read from the case itself: the catalog's use cases (Part 6 names them per case), and the
ids its function's docstring and its checks' rules cite (every case cites what it applies,
``src/chargeyard/conformance/*_under_test/cases_*``), so a report can be searched for a requirement
and shows which cases test it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from chargeyard.conformance.catalog import CaseInfo
from chargeyard.conformance.record import Step
from chargeyard.protocol import V16

_REQUIREMENT = re.compile(r"\b([A-P]\d{2})\.FR\.(\d+)\b")
_USE_CASE = re.compile(r"\b[A-P]\d{2}\b(?!\.)")
_SECTIONS = re.compile(r"\bsections? (\d+(?:\.\d+)*(?:(?:, | and )\d+(?:\.\d+)*)*)")


@dataclass(frozen=True, slots=True)
class References:
    use_cases: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.use_cases or self.requirements or self.sections)


def references(info: CaseInfo, doc: str | None, steps: Iterable[Step] = ()) -> References:
    """What ``info`` follows: its catalog use cases and the ids cited by ``doc`` (its case
    function's docstring) and by the rules of its ``steps``' checks."""
    doc = " ".join((doc or "").split())  # a docstring's lines as one
    text = "\n".join([doc, *(check.rule for step in steps for check in step.checks)])
    requirements = {f"{block}.FR.{n}": None for block, n in _REQUIREMENT.findall(text)}
    use_cases = {
        **dict.fromkeys(part.strip() for part in info.use_cases.split(",") if part.strip()),
        **dict.fromkeys(_USE_CASE.findall(_REQUIREMENT.sub("", doc))),
        **dict.fromkeys(requirement.split(".")[0] for requirement in requirements),
    }
    # A 1.6 case cites sections of the 1.6 specification; a 2.0.1 case's "section" is of one
    # of its parts, which its use cases and requirements name better.
    sections = {
        section: None
        for found in (_SECTIONS.findall(doc) if info.version is V16 else ())
        for section in re.split(r", | and ", found)
    }
    return References(
        tuple(sorted(use_cases)), tuple(sorted(requirements, key=_order)), tuple(sections)
    )


def _order(requirement: str) -> tuple[str, int]:
    block, _, number = requirement.split(".")
    return block, int(number)
