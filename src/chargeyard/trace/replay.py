"""``chargeyard replay``: the station's side of a trace played against any central system,
and the central system's answers compared with the recorded ones (``diff.py``).

One WebSocket, one reader task that owns its receiving side (it matches answers to the
replay's CALLs by unique id and answers the central system's CALLs); the replay sends the
station's CALLs of the trace in order, one in flight at a time (OCPP-J 4.1.1), each no earlier
than its recorded time after the first (divided by ``speed``), and the next once the previous
is answered or ``answer_within`` passed. The station's messages are rewritten by
``rewrite.py``. A CALL of the central system is answered with the station's recorded answer
to the next recorded CALL of the same action when the trace holds one, otherwise by a
simulated station of the trace's version (``station_answers.py``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from chargeyard.trace.diff import Answer, Comparison, Difference
from chargeyard.trace.format import Direction, Trace, TraceHeader, TraceRecord
from chargeyard.trace.rewrite import Rewriter
from chargeyard.trace.station_answers import StationAnswers

OPEN_TIMEOUT_S = 10.0


class ReplayRefused(Exception):
    """The central system could not be reached or refused the WebSocket."""


@dataclass(frozen=True, slots=True)
class ReplayTarget:
    """Where and how to replay: ``speed`` None is as fast as answered, otherwise the
    recorded spacing divided by it (1: the original timing)."""

    url: str
    identity: str | None = None
    password: str | None = None
    speed: float | None = 1.0
    answer_within: float = 10.0


@dataclass(slots=True)
class ReplayResult:
    comparison: Comparison
    trace: Trace  # what passed in the replay, as a trace
    csms_calls: list[str] = field(default_factory=list)  # actions the CSMS sent in the replay
    recorded_csms_calls: list[str] = field(default_factory=list)
    ended: str | None = None  # why the replay stopped short, if it did

    @property
    def differences(self) -> list[Difference]:
        return self.comparison.differences

    @property
    def failed(self) -> bool:
        return bool(self.comparison.differences) or self.ended is not None


@dataclass(frozen=True, slots=True)
class _StationCall:
    index: int
    at: datetime
    message: list[Any]
    recorded: Answer | None


def plan(trace: Trace) -> tuple[list[_StationCall], dict[str, deque[list[Any]]], list[str]]:
    """The station's CALLs with their recorded answers, the station's recorded answers to
    the central system's CALLs by action, and the actions of those CALLs in order. A line
    marking what a network fault did to a frame is not played: the station's own line is."""
    answers: dict[str, list[Any]] = {}  # unique id -> the CSMS's answer
    csms_calls: dict[str, str] = {}  # unique id -> action of a CSMS CALL
    station_answers: dict[str, deque[list[Any]]] = defaultdict(deque)
    played = [record for record in trace.records if record.fault is None]
    for record in played:
        message = record.message
        if message is None or len(message) < 3 or message[0] not in (2, 3, 4):
            continue
        unique_id = str(message[1])
        if record.direction is Direction.CSMS_TO_STATION:
            if message[0] == 2:
                csms_calls[unique_id] = str(message[2])
            else:
                answers.setdefault(unique_id, message)
        elif message[0] != 2 and unique_id in csms_calls:
            station_answers[csms_calls.pop(unique_id)].append(message)
    calls: list[_StationCall] = []
    for record in played:
        message = record.message
        if record.direction is Direction.STATION_TO_CSMS and message and message[0] == 2:
            answer = answers.get(str(message[1]))
            calls.append(
                _StationCall(
                    len(calls) + 1,
                    record.at,
                    message,
                    None if answer is None else Answer.of(answer),
                )
            )
    recorded_calls = [
        str(r.message[2])
        for r in played
        if r.direction is Direction.CSMS_TO_STATION and r.message and r.message[0] == 2
    ]
    return calls, station_answers, recorded_calls


async def replay(
    trace: Trace,
    target: ReplayTarget,
    *,
    on_difference: Callable[[Difference], None] = lambda difference: None,
) -> ReplayResult:
    """Play ``trace``'s station side against ``target`` and compare the answers.

    Raises:
        ReplayRefused: the WebSocket could not be opened.
    """
    version = trace.header.version
    identity = target.identity or trace.header.identity
    calls, station_answers, recorded_csms_calls = plan(trace)
    started = datetime.now(UTC)
    first = trace.records[0].at if trace.records else started
    rewriter = Rewriter(version, started - first)
    boots = [c.message[3] for c in calls if c.message[2] == "BootNotification"]
    simulated = StationAnswers(version, identity, boots[0] if boots else {})
    passed: list[TraceRecord] = []
    pending: dict[str, asyncio.Future[list[Any]]] = {}
    result = ReplayResult(
        Comparison(),
        Trace(TraceHeader(version, identity, "replay", started), ()),
        recorded_csms_calls=recorded_csms_calls,
    )
    socket = await _open(
        target.url.rstrip("/") + "/" + identity, version.subprotocol, identity, target.password
    )

    async def send(message: list[Any]) -> None:
        text = orjson.dumps(message).decode()
        passed.append(TraceRecord(Direction.STATION_TO_CSMS, datetime.now(UTC), message))
        await socket.send(text)

    async def read() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for data in socket:
                record = TraceRecord.of_text(
                    Direction.CSMS_TO_STATION,
                    datetime.now(UTC),
                    data if isinstance(data, str) else data.decode(),
                )
                passed.append(record)
                message = record.message
                if message is None or len(message) < 3:
                    continue
                if message[0] == 2:
                    action = str(message[2])
                    result.csms_calls.append(action)
                    await send(_answer(message, station_answers, simulated))
                elif message[0] in (3, 4):
                    future = pending.pop(str(message[1]), None)
                    if future is not None and not future.done():
                        future.set_result(message)

    reader = asyncio.get_running_loop().create_task(read())
    loop = asyncio.get_running_loop()
    began = loop.time()
    try:
        for call in calls:
            if target.speed is not None:
                due = began + (call.at - first).total_seconds() / target.speed
                await asyncio.sleep(max(0.0, due - loop.time()))
            if reader.done():
                result.ended = f"the central system closed the connection before call {call.index}"
                break
            unique_id, message = rewriter.call(call.message)
            future: asyncio.Future[list[Any]] = loop.create_future()
            pending[unique_id] = future
            await send(message)
            try:
                async with asyncio.timeout(target.answer_within):
                    answer: list[Any] | None = await asyncio.shield(future)
            except TimeoutError:
                answer = None
                pending.pop(unique_id, None)
            live = None if answer is None else Answer.of(answer)
            if live is not None and call.recorded is not None:
                rewriter.answered(str(message[2]), call.recorded.payload, live.payload)
            for difference in result.comparison.compare(
                call.index, str(message[2]), call.recorded, live
            ):
                on_difference(difference)
    except ConnectionClosed:
        result.ended = "the central system closed the connection"
    finally:
        await socket.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(OPEN_TIMEOUT_S):
                await asyncio.shield(reader)
        reader.cancel()
    result.trace = Trace(result.trace.header, tuple(passed))
    return result


def _answer(
    call: list[Any],
    recorded: dict[str, deque[list[Any]]],
    simulated: StationAnswers,
) -> list[Any]:
    """The station's answer to the central system's CALL: the recorded one for its action,
    else the simulated station's (which hears every CALL)."""
    unique_id, action = call[1], str(call[2])
    payload = call[3] if len(call) > 3 and isinstance(call[3], dict) else {}
    live = simulated.answer([2, unique_id, action, payload])
    if recorded.get(action):
        answer = recorded[action].popleft()
        return [answer[0], unique_id, *answer[2:]]
    if live is not None:
        return live
    # The simulated station answers every CALL at once; this is for one it left waiting.
    return [4, unique_id, "InternalError", f"the replay has no answer to {action}", {}]


async def _open(
    url: str, subprotocol: str, identity: str, password: str | None
) -> ClientConnection:
    headers = {}
    if password is not None:
        secret = base64.b64encode(f"{identity}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {secret}"
    try:
        return await connect(
            url,
            subprotocols=[Subprotocol(subprotocol)],
            additional_headers=headers,
            open_timeout=OPEN_TIMEOUT_S,
            ping_interval=None,
            max_size=None,
        )
    except InvalidStatus as refused:
        raise ReplayRefused(f"{url}: HTTP {refused.response.status_code}") from None
    except (OSError, InvalidHandshake, TimeoutError) as error:
        raise ReplayRefused(
            f"could not connect to {url}: {str(error) or type(error).__name__}"
        ) from None
