"""Running the cases: one connection each, a deadline each, a verdict each, whatever the system
under test does (a case that cannot go on ends as a fail with its reason; the run moves on)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chargeyard.conformance.cases_v16_csms import CASES as V16_CSMS
from chargeyard.conformance.catalog import CASES, CaseInfo, UnderTest
from chargeyard.conformance.csms_case import CsmsCase, CsmsTarget
from chargeyard.conformance.record import CaseLog, FrameRecord, Step
from chargeyard.conformance.station_peer import CaseEnded
from chargeyard.conformance.triggers import NotActed
from chargeyard.conformance.verdicts import Verdict, verdicts

logger = logging.getLogger(__name__)

CASE_DEADLINE_S = 300.0
"""The most one case may take, whatever its steps wait for."""


class UnknownCases(ValueError):
    """Case ids the catalog does not have."""


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


@dataclass(slots=True)
class RunResult:
    """A whole run: what was under test and each case's result, in the catalog's order."""

    under_test: UnderTest
    target: str
    version: str
    started: datetime
    results: list[CaseResult] = field(default_factory=list)
    finished: datetime | None = None

    @property
    def failed(self) -> bool:
        """Whether a case that ran failed either verdict (the exit code says so)."""
        return any(
            Verdict.FAIL in (result.conformance, result.compatibility) for result in self.results
        )


def select(
    ids: Sequence[str] | None, modules: Sequence[str] | None, under_test: UnderTest
) -> list[tuple[CaseInfo, str | None]]:
    """The catalog's cases for ``under_test`` with, for each, why it will not run (None: it
    will): not in the ``ids`` asked for (left out), outside the ``modules`` asked for (not
    applicable), or not available.

    Raises:
        UnknownCases: an id the catalog does not have.
    """
    catalog = [info for info in CASES if info.under_test is under_test]
    known = {info.id for info in catalog}
    unknown = sorted(set(ids or ()) - known)
    if unknown:
        raise UnknownCases(f"unknown case ids: {', '.join(unknown)}")
    chosen: list[tuple[CaseInfo, str | None]] = []
    for info in catalog:
        if ids and info.id not in ids:
            continue
        if modules and info.module not in modules:
            chosen.append((info, f"not applicable: outside the profiles chosen ({info.module})"))
        elif info.lacking is not None:
            chosen.append((info, f"not available: {info.lacking}"))
        else:
            chosen.append((info, None))
    return chosen


async def run_csms(
    target: CsmsTarget,
    *,
    ids: Sequence[str] | None = None,
    modules: Sequence[str] | None = None,
    case_deadline_s: float = CASE_DEADLINE_S,
    progress: Callable[[CaseResult], None] | None = None,
) -> RunResult:
    """Run the CSMS cases against ``target`` (chargeyard plays the station)."""
    run = RunResult(UnderTest.CSMS, target.url, target.version.name, datetime.now(UTC))
    for info, skipped in select(ids, modules, UnderTest.CSMS):
        if skipped is not None:
            result = CaseResult(
                info, Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE, skipped, ran=False
            )
        else:
            result = await _run_case(info, target, case_deadline_s)
        run.results.append(result)
        if progress is not None:
            progress(result)
    run.finished = datetime.now(UTC)
    return run


async def _run_case(info: CaseInfo, target: CsmsTarget, deadline_s: float) -> CaseResult:
    log = CaseLog()
    context = CsmsCase(target, log)
    reason: str | None = None
    inconclusive = False
    try:
        async with asyncio.timeout(deadline_s):
            await V16_CSMS[info.id](context)
    except NotActed as why:
        inconclusive, reason = True, str(why)
    except CaseEnded as why:
        reason = str(why)
        log.check(reason, False, expected="the case's next step", observed=reason)
    except TimeoutError:
        reason = f"the case did not end within {deadline_s:g} s"
        log.check(reason, False)
    except Exception as error:  # the suite must report, never crash, whatever it meets
        logger.exception("%s: the suite met an error", info.id)
        reason = f"the suite met an error: {type(error).__name__}: {error}"
        log.check(reason, False)
    finally:
        await context.close()
    conformance, compatibility = verdicts(log.checks, inconclusive=inconclusive)
    return CaseResult(
        info, conformance, compatibility, reason, log.steps, log.frames, round(log.elapsed(), 3)
    )
