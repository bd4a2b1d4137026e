"""One count of a run, which the progress summary, the HTML page, the JSON report and the JUnit
report all show: each case has one **outcome**, the worse of its two verdicts (a fail before
an inconclusive before a pass), and a case not run is not applicable or not available.

JUnit has four kinds of testcase, and the outcomes map onto them one to one, so a CI reads the
same numbers as the console: a fail is a ``failure``, an inconclusive case an ``error`` (the
case could not be judged: JUnit's word for a test that did not run to its end), a case not
applicable or not available ``skipped``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chargeyard.conformance.verdicts import Verdict

if TYPE_CHECKING:
    from chargeyard.conformance.results import CaseResult, RunResult

_WORST_FIRST = (
    Verdict.FAIL,
    Verdict.INCONCLUSIVE,
    Verdict.PASS,
    Verdict.NOT_APPLICABLE,
    Verdict.NOT_AVAILABLE,
)


def outcome(result: CaseResult) -> Verdict:
    """The case's outcome: the first of fail, inconclusive, pass, not applicable, not
    available that either verdict is."""
    mine = (result.conformance, result.compatibility)
    return next(verdict for verdict in _WORST_FIRST if verdict in mine)


def _zero() -> dict[Verdict, int]:
    return dict.fromkeys(Verdict, 0)


@dataclass(slots=True)
class Counts:
    """How many cases got each outcome, and each verdict of each kind."""

    outcomes: dict[Verdict, int] = field(default_factory=_zero)
    conformance: dict[Verdict, int] = field(default_factory=_zero)
    compatibility: dict[Verdict, int] = field(default_factory=_zero)

    @property
    def cases(self) -> int:
        return sum(self.outcomes.values())

    @property
    def judged(self) -> int:
        """Cases that ran to a pass or a fail."""
        return self.outcomes[Verdict.PASS] + self.outcomes[Verdict.FAIL]

    @property
    def skipped(self) -> int:
        """Cases not run: not applicable or not available (JUnit's ``skipped``)."""
        return self.outcomes[Verdict.NOT_APPLICABLE] + self.outcomes[Verdict.NOT_AVAILABLE]

    def line(self) -> str:
        """``77 cases: 71 judged (70 pass, 1 fail), 3 inconclusive, 2 not applicable, 1 not
        available`` (a count of 0 left out, but for the judged)."""
        outcomes = self.outcomes
        passed, failed = outcomes[Verdict.PASS], outcomes[Verdict.FAIL]
        judged = f"{self.judged} judged"
        if self.judged:
            judged += f" ({passed} pass, {failed} fail)"
        rest = [
            f"{outcomes[verdict]} {verdict.words}"
            for verdict in (Verdict.INCONCLUSIVE, Verdict.NOT_APPLICABLE, Verdict.NOT_AVAILABLE)
            if outcomes[verdict]
        ]
        return f"{self.cases} case{'' if self.cases == 1 else 's'}: " + ", ".join([judged, *rest])

    def of(self, kind: str) -> str:
        """One verdict kind's counts (``conformance`` or ``compatibility``) as text."""
        counts = self.conformance if kind == "conformance" else self.compatibility
        return ", ".join(f"{n} {verdict.words}" for verdict, n in counts.items() if n) or "none"


def needs(run: RunResult) -> dict[str, int]:
    """For the cases not judged, what the user can give for them to be judged (the option or
    hook), with how many cases each would let run, most first."""
    wanted: dict[str, int] = {}
    for result in run.results:
        if result.need is not None and outcome(result) in (
            Verdict.INCONCLUSIVE,
            Verdict.NOT_APPLICABLE,
        ):
            wanted[result.need] = wanted.get(result.need, 0) + 1
    return dict(sorted(wanted.items(), key=lambda item: -item[1]))


def count(run: RunResult) -> Counts:
    """The counts of every case of ``run``, run or not."""
    counts = Counts()
    for result in run.results:
        counts.outcomes[outcome(result)] += 1
        counts.conformance[result.conformance] += 1
        counts.compatibility[result.compatibility] += 1
    return counts
