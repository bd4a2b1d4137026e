"""Running the probe: a station that boots as a real one would, each case's messages sent on
it, the CSMS's answers gathered, and a verdict per case.

How a case ends. After a case's messages (and the answers it awaits, by message id), the probe
sends a Heartbeat, the *barrier*: a CSMS reads a connection's messages in order, so whatever it
answers to the case comes before the barrier's answer, and an answered barrier shows the
connection still serves. A short grace after it catches a late answer. A case that closed the
connection leaves the next one to open a new connection and boot again.

The results are the conformance suite's (``conformance/runner.py``'s ``RunResult``, one
``CaseResult`` per case with its frames and one check), so its reports serve the probe too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from chargeyard import loop_clock
from chargeyard.conformance.catalog import CaseInfo, UnderTest
from chargeyard.conformance.record import CaseLog, Direction
from chargeyard.conformance.results import CaseResult, RunResult
from chargeyard.conformance.verdicts import Verdict
from chargeyard.probe.case import Group, HandshakeTry, Ids, Kind, Out, ProbeCase
from chargeyard.probe.cases import all_cases
from chargeyard.probe.expected import Observation
from chargeyard.probe.payloads import valid_payload
from chargeyard.probe.wire import Refused, Wire
from chargeyard.protocol import ErrorKind, VersionSpec

logger = logging.getLogger(__name__)

ANSWER_WITHIN_S = 5.0
"""How long the probe waits for an answer it awaits (and for the barrier's)."""

GRACE_S = 0.05
"""How long the probe still listens after the barrier's answer."""


# What a refusal of the probe's own station most often means: the CSMS does not know the
# identity (chargeyard's own answers 404 to an unknown one unless run with --auto-register),
# or wants a password.
_REFUSAL_HINTS = {
    401: " (does the CSMS want a password? --password)",
    403: " (is the identity allowed? --identity, --password)",
    404: " (the identity or the path is unknown to the CSMS: register the identity there, or"
    " check --url's path)",
}


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """The CSMS under probe. ``url``: its WebSocket URL without the identity."""

    url: str
    identity: str
    version: VersionSpec
    password: str | None = None
    seed: int = 0
    answer_within: float = ANSWER_WITHIN_S

    @property
    def station_url(self) -> str:
        return f"{self.url.rstrip('/')}/{self.identity}"


@dataclass(slots=True)
class ProbeRun:
    """A whole probe: its target (and seed), the cases, and their results in the same order."""

    target: ProbeTarget
    cases: list[ProbeCase]
    run: RunResult
    observations: dict[str, Observation] = field(default_factory=dict)
    sent: dict[str, list[str]] = field(default_factory=dict)
    stranded: dict[str, str] = field(default_factory=dict)
    """The cases whose station could not connect or boot, with why: no answer of the CSMS's
    to them was seen (an unreachable CSMS, a wrong identity or password)."""

    @property
    def failed(self) -> bool:
        """Whether a case failed, or could not run for want of a station (the command line's
        exit code 1: a probe that reached nothing did not pass)."""
        return self.run.failed or bool(self.stranded)


class Progress:
    """What the probe tells as it goes (the command line's progress bar or lines)."""

    def started(self, total: int) -> None:
        """The run begins with ``total`` cases."""

    def case_done(self, result: CaseResult) -> None:
        """A case ended."""

    def group_done(self, group: Group, results: Sequence[CaseResult], seconds: float) -> None:
        """Every case of ``group`` ended."""


def cases_of(target: ProbeTarget) -> list[ProbeCase]:
    """Every case of a probe of ``target``, in the order they run (its seed picks the same
    payloads and places each time).

    Raises:
        UnknownVersion: no cases are written for the target's version.
    """
    return all_cases(target.version, target.seed, target.password)


async def run_probe(target: ProbeTarget, progress: Progress | None = None) -> ProbeRun:
    """Probe ``target`` with every case, in groups; ``progress`` hears of each case and group."""
    tell = progress or Progress()
    cases = cases_of(target)
    probe = ProbeRun(
        target,
        cases,
        RunResult(UnderTest.CSMS, target.station_url, target.version.name, datetime.now(UTC)),
    )
    tell.started(len(cases))
    station = _Station(target)
    try:
        for group in Group:
            began = loop_clock.monotonic()
            done = []
            for case in (case for case in cases if case.group is group):
                result = await _run_case(case, station, probe)
                probe.run.results.append(result)
                done.append(result)
                tell.case_done(result)
            if done:
                tell.group_done(group, done, loop_clock.monotonic() - began)
            if group is Group.WEBSOCKET:
                await station.close()  # the handshakes open connections of their own
    finally:
        await station.close()
    probe.run.finished = datetime.now(UTC)
    return probe


async def _run_case(case: ProbeCase, station: _Station, probe: ProbeRun) -> CaseResult:
    log = CaseLog(case=case.id)
    log.step(case.title)
    seen = Observation()
    probe.sent[case.id] = [out.shown() for out in case.sends]
    if case.handshake is not None:
        probe.sent[case.id] = [case.handshake.shown()]
    inconclusive = None if case.needs is None else f"needs {case.needs}"
    if inconclusive is None:
        try:
            inconclusive = await _play(case, station, probe, seen, log)
        except Exception as error:  # the probe must report, never crash, whatever it meets
            logger.exception("%s: the probe met an error", case.id)
            inconclusive = f"the probe met an error: {type(error).__name__}: {error}"
            await station.close()  # the next case starts on a fresh connection
        if seen.handshake is not None or seen.answers or seen.closed or seen.open_after:
            probe.observations[case.id] = seen
    info = CaseInfo(case.id, case.title, station.target.version, UnderTest.CSMS, case.group.value)
    if inconclusive is not None:
        return CaseResult(
            info,
            Verdict.INCONCLUSIVE,
            Verdict.INCONCLUSIVE,
            inconclusive,
            log.steps,
            log.frames,
            round(log.elapsed(), 3),
            need=case.needs,
        )
    passed = case.expected.met_by(seen)
    probe.observations[case.id] = seen
    log.check(case.expected.why, passed, expected=str(case.expected), observed=seen.said())
    verdict = Verdict.PASS if passed else Verdict.FAIL
    return CaseResult(info, verdict, verdict, None, log.steps, log.frames, round(log.elapsed(), 3))


async def _play(
    case: ProbeCase, station: _Station, probe: ProbeRun, seen: Observation, log: CaseLog
) -> str | None:
    """Run ``case`` into ``seen``; why it cannot be judged, if so."""
    if case.handshake is not None:
        return await _handshake(case.handshake, station.target, seen, log)
    stranded = await station.ready(log)
    if stranded is not None:
        probe.stranded[case.id] = stranded
        return stranded
    await station.play(case.sends, seen, log)
    if case.expected.unjudged(seen):
        return (
            f"the CSMS does not serve {case.action} (it answered {seen.answers[0][2]}): how it"
            " checks that payload cannot be judged"
        )
    return None


class _Station:
    """The probe's station: one connection at a time, booted before its first case."""

    def __init__(self, target: ProbeTarget) -> None:
        self.target = target
        self._wire: Wire | None = None
        self._barriers = Ids("barrier")
        self._boots = Ids("boot")
        self._own: set[str] = set()  # the barriers' ids

    async def ready(self, log: CaseLog) -> str | None:
        """Open and boot when the last connection is gone; why not, if it cannot."""
        if self._wire is not None and self._wire.closed is None:
            return None
        await self.close()
        try:
            self._wire = await Wire.open(
                self.target.station_url,
                subprotocols=[self.target.version.subprotocol],
                username=self.target.identity,
                password=self.target.password,
            )
        except Refused as refused:
            hint = _REFUSAL_HINTS.get(refused.status or 0, "")
            return f"the station's own handshake was refused: {refused}{hint}"
        boot = self._boots()
        payload = valid_payload(self.target.version, "BootNotification")
        await self._send(Out(orjson.dumps([2, boot, "BootNotification", payload]).decode()), log)
        answer: list[Any] | None = None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.target.answer_within):
                while answer is None:
                    frame = await self._read(log)
                    if frame is None:
                        return "the CSMS closed the connection before answering BootNotification"
                    if isinstance(frame, list) and frame[:2] in ([3, boot], [4, boot]):
                        answer = frame
        if answer is None:
            return "BootNotification went unanswered"
        status = answer[2].get("status") if answer[0] == 3 and isinstance(answer[2], dict) else None
        if status != "Accepted":
            return f"BootNotification was not accepted: {orjson.dumps(answer).decode()}"
        return None

    async def play(self, sends: Sequence[Out], seen: Observation, log: CaseLog) -> None:
        """Send ``sends``, awaiting the answers each names, then the barrier."""
        assert self._wire is not None
        wanted: Counter[str] = Counter()
        got: Counter[str] = Counter()
        for out in sends:
            await self._send(out, log)
            wanted.update(out.awaits)
            if wanted and not await self._gather(seen, log, got, lambda: got >= wanted):
                break
        if seen.closed is None:
            barrier = self._barriers()
            self._own.add(barrier)
            await self._send(Out(orjson.dumps([2, barrier, "Heartbeat", {}]).decode()), log)
            seen.open_after = await self._gather(seen, log, got, lambda: got[barrier] > 0)
        if seen.closed is None:
            await self._gather(seen, log, got, lambda: False, within=GRACE_S)
        if seen.closed is None and self._wire.closed is not None:
            seen.closed = self._wire.closed

    async def _gather(
        self,
        seen: Observation,
        log: CaseLog,
        got: Counter[str],
        enough: Callable[[], bool],
        *,
        within: float | None = None,
    ) -> bool:
        """Read until ``enough()`` (True), the connection closes or ``within`` passes (False)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.target.answer_within if within is None else within):
                while not enough():
                    frame = await self._read(log)
                    if frame is None:
                        assert self._wire is not None
                        seen.closed = self._wire.closed
                        return False
                    answered = _answered(frame)
                    if answered is not None:
                        got[answered] += 1
                    if answered is None or answered not in self._own:
                        seen.answers.append(frame)  # the barrier's answer is the probe's
                return True
        return False

    async def _read(self, log: CaseLog) -> Any:
        """The next frame from the CSMS that is not a CALL of its own (those are refused:
        the probe station serves none), decoded when it is JSON; None once closed."""
        assert self._wire is not None
        while True:
            message = await self._wire.next(self.target.answer_within * 2)
            if message is None:
                return None
            text = message if isinstance(message, str) else message.decode(errors="replace")
            log.frame(Direction.RECEIVED, text)
            try:
                frame = orjson.loads(text)
            except orjson.JSONDecodeError:
                return text
            if isinstance(frame, list) and len(frame) == 4 and frame[0] == 2:
                code = self.target.version.error_code(ErrorKind.NOT_SUPPORTED)
                refusal = [4, frame[1], code, "the probe's station serves no requests", {}]
                await self._send(Out(orjson.dumps(refusal).decode()), log)
                continue
            return frame

    async def _send(self, out: Out, log: CaseLog) -> None:
        assert self._wire is not None
        log.frame(Direction.SENT, out.shown())
        async with asyncio.timeout(self.target.answer_within * 4):
            if out.kind is Kind.BINARY:
                await self._wire.send_binary(_bytes(out.data))
            elif out.kind is Kind.RAW_TEXT:
                await self._wire.send_raw_text(_bytes(out.data))
            else:
                await self._wire.send_text(str(out.data))

    async def close(self) -> None:
        wire, self._wire = self._wire, None  # gone even if closing it fails
        if wire is not None:
            await wire.close()


def _answered(frame: Any) -> str | None:
    """The id a CALLRESULT or CALLERROR answers (None: the frame is neither)."""
    if isinstance(frame, list) and len(frame) >= 3 and frame[0] in (3, 4):
        return str(frame[1])
    return None


def _bytes(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.encode()


async def _handshake(
    attempt: HandshakeTry, target: ProbeTarget, seen: Observation, log: CaseLog
) -> str | None:
    """Try an opening handshake; refused when the CSMS answers with an HTTP status or closes
    the WebSocket before answering a Heartbeat. Returns why it could not be judged, if so."""
    password = target.password if attempt.use_password else attempt.password
    log.frame(Direction.SENT, attempt.shown())
    try:
        wire = await Wire.open(
            target.station_url,
            subprotocols=attempt.subprotocols,
            username=target.identity,
            password=password,
        )
    except Refused as refused:
        if refused.status is None:
            return str(refused)  # no answer at all: nothing to judge
        seen.handshake, seen.refused = str(refused), True
        log.frame(Direction.RECEIVED, str(refused))
        return None
    seen.handshake = f"opened with {wire.subprotocol or 'no subprotocol'}"
    log.frame(Direction.RECEIVED, seen.handshake)
    try:
        heartbeat = orjson.dumps([2, "probe-handshake", "Heartbeat", {}]).decode()
        await wire.send_text(heartbeat)
        log.frame(Direction.SENT, heartbeat)
        with contextlib.suppress(TimeoutError):
            message = await wire.next(target.answer_within)
            if message is not None:
                text = message if isinstance(message, str) else message.decode(errors="replace")
                log.frame(Direction.RECEIVED, text)
                seen.answers.append(text)
        seen.closed = await wire.wait_closed(0 if seen.answers else 0.1)
        seen.refused = not seen.answers and seen.closed is not None
    finally:
        await wire.close()
    return None
