"""What a case did, as its report shows it: its steps with their checks, and every frame that
passed, each stamped with the seconds since the case began."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chargeyard import loop_clock
from chargeyard.conformance.verdicts import Check, Weight


class Direction(StrEnum):
    SENT = "sent"  # by chargeyard, the side the suite plays
    RECEIVED = "received"  # from the system under test


@dataclass(frozen=True, slots=True)
class FrameRecord:
    at: float
    direction: Direction
    text: str


@dataclass(slots=True)
class Step:
    title: str
    checks: list[Check] = field(default_factory=list)


class CaseLog:
    """The steps, checks and frames of one case run.

    Args:
        clock: seconds, monotonic (tests inject theirs).
        case: the id of the case run.
    """

    def __init__(self, clock: Callable[[], float] = loop_clock.monotonic, case: str = "") -> None:
        self.case = case
        self._clock = clock
        self._start = clock()
        self.steps: list[Step] = []
        self.frames: list[FrameRecord] = []

    def elapsed(self) -> float:
        return self._clock() - self._start

    def step(self, title: str) -> None:
        """Begin the next step; the checks that follow belong to it."""
        self.steps.append(Step(title))

    def check(
        self,
        rule: str,
        passed: bool,
        *,
        weight: Weight = Weight.INTEROP,
        expected: Any = None,
        observed: Any = None,
    ) -> bool:
        """Record a check in the current step; returns ``passed``."""
        if not self.steps:
            self.step("Before the first step")
        self.steps[-1].checks.append(Check(rule, passed, weight, expected, observed))
        return passed

    def frame(self, direction: Direction, text: str) -> None:
        self.frames.append(FrameRecord(round(self.elapsed(), 3), direction, text))

    @property
    def checks(self) -> list[Check]:
        return [check for step in self.steps for check in step.checks]
