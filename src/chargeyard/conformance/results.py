"""What a run found: each case's result, and the run's (what the reports read). Apart from
the runner so that a report, or another tool that writes its findings as cases (``chargeyard
probe``), needs none of the suite's wings to read or write them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from chargeyard.conformance.catalog import CaseInfo, UnderTest
from chargeyard.conformance.catalog.borrowed import left_out
from chargeyard.conformance.record import FrameRecord, Step
from chargeyard.conformance.references import References
from chargeyard.conformance.verdicts import Verdict


@dataclass(slots=True)
class CaseResult:
    """How one case ended. ``reason``: why it stopped early, or why it was not run."""

    info: CaseInfo
    conformance: Verdict
    compatibility: Verdict
    reason: str | None = None
    steps: list[Step] = field(default_factory=list)
    frames: list[FrameRecord] = field(default_factory=list)
    seconds: float = 0.0
    ran: bool = True
    references: References = field(default_factory=References)
    need: str | None = None
    """What the user can give for an inconclusive or not-applicable case to be judged."""


@dataclass(slots=True)
class RunResult:
    """A whole run: what was under test and each case's result, in the catalog's order."""

    under_test: UnderTest
    target: str
    version: str
    started: datetime
    results: list[CaseResult] = field(default_factory=list)
    finished: datetime | None = None
    uncovered: str | None = None
    """What of the version no case of the run covers, where the suite knows (a version that
    runs another version's cases: ``catalog/borrowed.py``)."""

    @property
    def left_out(self) -> list[CaseResult]:
        """The cases not run because the version changed what they check."""
        return [
            result
            for result in self.results
            if left_out(result.info.version, result.info.id) is not None
        ]

    @property
    def failed(self) -> bool:
        """Whether a case that ran failed either verdict (the exit code says so)."""
        return any(
            Verdict.FAIL in (result.conformance, result.compatibility) for result in self.results
        )

    @property
    def inconclusive(self) -> bool:
        """Whether a case could not be judged (a strict run's exit code says so)."""
        return any(
            Verdict.INCONCLUSIVE in (result.conformance, result.compatibility)
            for result in self.results
        )
