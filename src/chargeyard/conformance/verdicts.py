"""What a test case finds: checks, and the two verdicts they make.

Theory of operation
-------------------
A case runs steps; each step records checks. A check names the rule it applies (the spec's
words, in short), what was expected and what was observed, and how much its failure weighs:

* :attr:`Weight.SPEC` — the spec says so, but a real charger would work anyway (an answer
  with an extra field, a timestamp without a zone, an interval of 0). Its failure fails the
  **conformance** verdict only.
* :attr:`Weight.INTEROP` — a real charger would not work (no transactionId, a CALLERROR
  where an answer is due, no answer at all). Its failure fails **both** verdicts.

So a case can fail conformance and pass compatibility, and its report says which check made
the difference. A case that could not run to its end because the operator (or the trigger)
did not make the system under test act is **inconclusive**; one outside the profile and
features chosen is **not applicable**; a check that failed makes the verdict **fail** whatever
came after it. A case the suite does not have (not written, or needing what chargeyard lacks) is
**not available**.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    NOT_APPLICABLE = "not_applicable"
    NOT_AVAILABLE = "not_available"

    @property
    def words(self) -> str:
        """The verdict as a report's text says it (``not applicable``)."""
        return self.value.replace("_", " ")


class Weight(StrEnum):
    SPEC = "spec"
    INTEROP = "interop"


@dataclass(frozen=True, slots=True)
class Check:
    """One rule applied to what was observed.

    Attributes:
        rule: what the rule says, short ("the answer has a transactionId").
        passed: whether what was observed keeps it.
        weight: which verdicts its failure fails (module docstring).
        expected: what the rule asks for, as shown in a report.
        observed: what came, as shown in a report (None: nothing came).
    """

    rule: str
    passed: bool
    weight: Weight = Weight.INTEROP
    expected: Any = None
    observed: Any = None


def verdicts(checks: list[Check], *, inconclusive: bool = False) -> tuple[Verdict, Verdict]:
    """The conformance and compatibility verdicts of a case's checks; ``inconclusive``: the
    case stopped before its end because the system under test was not made to act."""
    failed = [check for check in checks if not check.passed]
    conformance = Verdict.FAIL if failed else Verdict.PASS
    compatibility = (
        Verdict.FAIL if any(c.weight is Weight.INTEROP for c in failed) else Verdict.PASS
    )
    if inconclusive:
        conformance = Verdict.FAIL if conformance is Verdict.FAIL else Verdict.INCONCLUSIVE
        compatibility = Verdict.FAIL if compatibility is Verdict.FAIL else Verdict.INCONCLUSIVE
    return conformance, compatibility
