"""Running the cases: one context each, a deadline each, a verdict each, whatever the system
under test does (a case that cannot go on ends as a fail with its reason; the run moves on)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from chargeyard.conformance.catalog import CaseInfo, UnderTest, cases_of
from chargeyard.conformance.catalog.borrowed import BORROWED
from chargeyard.conformance.csms_under_test.case import CsmsTarget
from chargeyard.conformance.endings import CaseEnded, NotActed, NotApplicable
from chargeyard.conformance.features import applicable
from chargeyard.conformance.record import CaseLog, Step
from chargeyard.conformance.references import References, references
from chargeyard.conformance.results import CaseResult, RunResult
from chargeyard.conformance.station_under_test.answers import CentralBooks
from chargeyard.conformance.station_under_test.case import Bench, StationTarget
from chargeyard.conformance.station_under_test.file_site import FileSite
from chargeyard.conformance.station_under_test.peer import CsmsPeer
from chargeyard.conformance.station_under_test.preconditions import run_order
from chargeyard.conformance.suites import Suite, suite_for, why_not_available
from chargeyard.conformance.verdicts import Verdict, verdicts
from chargeyard.protocol import VersionSpec

logger = logging.getLogger(__name__)

CASE_DEADLINE_S = 300.0
"""The most one case may take, whatever its steps wait for."""


NOT_AVAILABLE = "not available: "
"""How the reason of a case the suite does not have begins."""


class UnknownCases(ValueError):
    """Case ids the catalog does not have (for this version and role)."""


def select(
    version: VersionSpec,
    under_test: UnderTest,
    ids: Sequence[str] | None = None,
    profiles: Sequence[str] | None = None,
    features: Collection[str] | None = None,
) -> list[tuple[CaseInfo, str | None]]:
    """The catalog's cases of ``version`` for ``under_test`` with, for each, why it will not
    run (None: it will): not in the ``ids`` asked for (left out), outside the ``profiles``
    asked for or conditional on an optional feature not among ``features`` (not applicable),
    or not available.

    Raises:
        UnknownCases: an id the catalog does not have.
    """
    catalog = cases_of(version, under_test)
    known = {info.id for info in catalog}
    unknown = sorted(set(ids or ()) - known)
    if unknown:
        raise UnknownCases(f"unknown case ids for OCPP {version.name}: {', '.join(unknown)}")
    chosen: list[tuple[CaseInfo, str | None]] = []
    for info in catalog:
        if ids and info.id not in ids:
            continue
        lacking = why_not_available(info)
        if profiles and not info.in_profiles(set(profiles)):
            in_none = ", ".join(m.profile for m in info.profiles) or "no certification profile"
            chosen.append((info, f"not applicable: outside the profiles chosen ({in_none})"))
        elif (why := applicable(info, profiles, features)) is not None:
            chosen.append((info, f"not applicable: {why}"))
        elif lacking is not None:
            chosen.append((info, f"{NOT_AVAILABLE}{lacking}"))
        else:
            chosen.append((info, None))
    return chosen


async def run_csms(
    target: CsmsTarget,
    *,
    ids: Sequence[str] | None = None,
    modules: Sequence[str] | None = None,
    features: Collection[str] | None = None,
    case_deadline_s: float = CASE_DEADLINE_S,
    progress: Callable[[CaseResult], None] | None = None,
) -> RunResult:
    """Run the CSMS cases of ``target.version`` against ``target`` (chargeyard plays the
    station). ``modules``: the certification profiles to run (the others are not
    applicable); ``features``: the optional features the CSMS has (Part 5 ids such as
    ``C-44``; None: every conditional case applies).

    Raises:
        NoSuite: no case of that version is written.
    """
    suite = suite_for(target.version, UnderTest.CSMS)
    return await run_suite(
        suite,
        target,
        target.url,
        ids=ids,
        profiles=modules,
        features=features,
        case_deadline_s=case_deadline_s,
        progress=progress,
    )


async def run_station(
    target: StationTarget,
    *,
    ids: Sequence[str] | None = None,
    profiles: Sequence[str] | None = None,
    features: Collection[str] | None = None,
    case_deadline_s: float = CASE_DEADLINE_S,
    progress: Callable[[CaseResult], None] | None = None,
    listening: Callable[[str], None] | None = None,
) -> RunResult:
    """Run the charging-station cases of ``target.version`` against the station that
    connects to the suite's listener (chargeyard plays the central system). ``listening``
    is told the URL the station must connect to once the suite listens (the identity last).

    Raises:
        NoSuite: no case of that version is written.
        OSError: the listener's address cannot be bound.
        FileSiteUnavailable: the file site's cannot.
    """
    suite = suite_for(target.version, UnderTest.STATION)
    peer = CsmsPeer(
        target.host,
        target.port,
        target.version,
        identity=target.identity,
        password=target.password,
        books=CentralBooks(),
        tls=target.tls,
    )
    files = FileSite(
        target.host if target.files_host is None else target.files_host,
        target.files_port,
        named=target.files_host,
    )
    await peer.start()
    try:
        await files.start()
        try:
            if listening is not None:
                listening(f"{peer.url}/{target.identity or '<identity>'}")
            return await run_suite(
                suite,
                Bench(target, peer, files),
                target.described(peer.port),
                ids=ids,
                profiles=profiles,
                features=features,
                case_deadline_s=case_deadline_s,
                progress=progress,
            )
        finally:
            await files.stop()
    finally:
        await peer.stop()


async def run(
    target: CsmsTarget | StationTarget,
    *,
    ids: Sequence[str] | None = None,
    profiles: Sequence[str] | None = None,
    features: Collection[str] | None = None,
    progress: Callable[[CaseResult], None] | None = None,
) -> RunResult:
    """Run the suite against ``target``: a CSMS (chargeyard plays the station) or a charging
    station (chargeyard plays the central system); ``progress`` is told each case's result
    as it ends."""
    if isinstance(target, StationTarget):
        return await run_station(
            target, ids=ids, profiles=profiles, features=features, progress=progress
        )
    return await run_csms(target, ids=ids, modules=profiles, features=features, progress=progress)


async def run_suite(
    suite: Suite[Any, Any],
    target: object,
    described: str,
    *,
    ids: Sequence[str] | None = None,
    profiles: Sequence[str] | None = None,
    features: Collection[str] | None = None,
    case_deadline_s: float = CASE_DEADLINE_S,
    progress: Callable[[CaseResult], None] | None = None,
) -> RunResult:
    """Run ``suite``'s cases against ``target`` (``described``: the target in a report's
    words), each after the other, each in a context of its own, in an order that gives each
    case the precondition it states (``station_under_test/preconditions.py``); the results keep
    the catalog's order."""
    borrowed = BORROWED.get(suite.version)
    run = RunResult(
        suite.under_test,
        described,
        suite.version.name,
        datetime.now(UTC),
        uncovered=None if borrowed is None else borrowed.uncovered,
    )
    chosen = {
        info.id: (info, skipped)
        for info, skipped in select(suite.version, suite.under_test, ids, profiles, features)
    }
    results: dict[str, CaseResult] = {}
    for case_id in run_order(list(chosen)):
        info, skipped = chosen[case_id]
        if skipped is not None:
            verdict = (
                Verdict.NOT_AVAILABLE
                if skipped.startswith(NOT_AVAILABLE)
                else Verdict.NOT_APPLICABLE
            )
            result = CaseResult(
                info, verdict, verdict, skipped, ran=False, references=_references(suite, info)
            )
        else:
            result = await _run_case(suite, info, target, case_deadline_s)
        results[case_id] = result
        if progress is not None:
            progress(result)
    run.results = [results[case_id] for case_id in chosen]
    run.finished = datetime.now(UTC)
    return run


async def _run_case(
    suite: Suite[Any, Any], info: CaseInfo, target: object, deadline_s: float
) -> CaseResult:
    log = CaseLog(case=info.id)
    context = suite.open(target, log)
    reason: str | None = None
    need: str | None = None
    inconclusive = not_applicable = False
    try:
        async with asyncio.timeout(deadline_s):
            await suite.cases[info.id](context)
    except NotActed as why:
        inconclusive, reason, need = True, str(why), why.need
    except NotApplicable as why:
        not_applicable, reason, need = True, f"not applicable: {why}", why.need
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
    if not_applicable and conformance is Verdict.PASS:
        conformance = Verdict.NOT_APPLICABLE
    if not_applicable and compatibility is Verdict.PASS:
        compatibility = Verdict.NOT_APPLICABLE
    return CaseResult(
        info,
        conformance,
        compatibility,
        reason,
        log.steps,
        log.frames,
        round(log.elapsed(), 3),
        references=_references(suite, info, log.steps),
        need=need,
    )


def _references(
    suite: Suite[Any, Any], info: CaseInfo, steps: list[Step] | None = None
) -> References:
    function = suite.cases.get(info.id)
    return references(info, None if function is None else function.__doc__, steps or ())
