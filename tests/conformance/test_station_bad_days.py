"""The charging-station suite on a bad day: whatever the station under test does — never
connecting, presenting the wrong credentials, sending what is not OCPP-J, closing the socket
mid-case, never answering, or nobody there to plug a cable — each case ends with a verdict and
the observed reason, and the run goes on to the next; nothing hangs (every wait has a deadline)
and nothing crashes."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from chargeyard.conformance import (
    PromptStationTrigger,
    RunResult,
    StationTarget,
    Verdict,
    run_station,
)
from chargeyard.conformance.counts import needs
from chargeyard.conformance.station_under_test.case import STATION_TRIGGER_NEED
from chargeyard.protocol import V16

Script = Callable[[ClientConnection], Awaitable[None]]

# Every wait here is on the loop's clock (its deadlines are what it tests): they pass at once.
pytestmark = pytest.mark.virtual_time


def _reason(result: Any) -> str:
    assert result.reason is not None
    return str(result.reason)


async def _run(
    script: Script | None,
    ids: list[str],
    *,
    offered: list[str] | None = None,
    user: str = "CP-1",
    presenting: str | None = None,
    **options: Any,
) -> RunResult:
    """Run ``ids`` while a scripted station (``script``, None: none) connects as ``user``,
    offering ``offered`` subprotocols and presenting the password ``presenting``."""
    tasks: list[asyncio.Task[None]] = []

    async def station(url: str) -> None:
        headers = {}
        if presenting is not None:
            secret = base64.b64encode(f"{user}:{presenting}".encode()).decode()
            headers["Authorization"] = f"Basic {secret}"
        async with connect(
            url.replace("<identity>", user),
            subprotocols=[Subprotocol(name) for name in offered or ["ocpp1.6"]],
            additional_headers=headers,
        ) as socket:
            assert script is not None
            await script(socket)

    def listening(url: str) -> None:
        if script is not None:
            tasks.append(asyncio.get_running_loop().create_task(_quietly(station(url))))

    settings: dict[str, Any] = {"step_s": 0.3, "connect_s": 1.0, **options}
    target = StationTarget("127.0.0.1", 0, V16, identity="CP-1", **settings)
    try:
        async with asyncio.timeout(30):
            return await run_station(target, ids=ids, listening=listening)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _quietly(work: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await work


async def _boot(socket: ClientConnection) -> None:
    """A station's first words: BootNotification, then connector 0 and 1 Available, each
    sent once the one before is answered."""
    now = datetime.now(UTC).isoformat()
    boot = {"chargePointVendor": "X", "chargePointModel": "Y"}
    await _said(socket, "b1", "BootNotification", boot)
    for connector in (0, 1):
        status = {"connectorId": connector, "errorCode": "NoError", "status": "Available"}
        await _said(socket, f"s{connector}", "StatusNotification", {**status, "timestamp": now})


async def _said(socket: ClientConnection, unique_id: str, action: str, payload: Any) -> None:
    """Send a CALL and wait for its answer, answering the CALLs that come meanwhile."""
    await socket.send(json.dumps([2, unique_id, action, payload]))
    while (frame := json.loads(await socket.recv()))[1] != unique_id:
        await _answer(socket, frame)


async def _answer(socket: ClientConnection, frame: list[Any]) -> None:
    """Answer a CALL of the central system as a station with one connector would."""
    if frame[0] != 2:
        return
    answer: dict[str, Any] = {}
    if frame[2] == "GetConfiguration":
        answer = {
            "configurationKey": [{"key": "NumberOfConnectors", "readonly": True, "value": "1"}]
        }
    await socket.send(json.dumps([3, frame[1], answer]))


async def _next_call(socket: ClientConnection) -> list[Any]:
    while (frame := json.loads(await socket.recv()))[0] != 2:
        pass
    return list(frame)


@contextlib.asynccontextmanager
async def _deadline(seconds: float) -> AsyncIterator[None]:
    async with asyncio.timeout(seconds):
        yield


async def test_a_station_that_never_connects_fails_each_case_with_the_reason() -> None:
    async with _deadline(5):
        run = await _run(None, ["TC_001_CS", "TC_019_CS"])
    assert [(r.info.id, r.conformance, r.compatibility) for r in run.results] == [
        ("TC_001_CS", Verdict.FAIL, Verdict.FAIL),
        ("TC_019_CS", Verdict.FAIL, Verdict.FAIL),
    ]
    # The second case does not wait a whole connection timeout again: a step's time.
    assert _reason(run.results[0]) == "no station connected within 1 s"
    assert _reason(run.results[1]) == "no station connected within 0.3 s"
    assert run.failed


async def test_a_refused_handshake_is_told_with_its_reason() -> None:
    async def idle(socket: ClientConnection) -> None:
        await asyncio.sleep(10)

    run = await _run(idle, ["TC_085_CS"], presenting="wrong", password="right")
    assert _reason(run.results[0]) == (
        "no station connected within 1 s; its handshakes were refused:"
        " the Basic password is not the station's"
    )


async def test_a_station_without_the_version_s_subprotocol_fails_its_first_check() -> None:
    run = await _run(_boot, ["TC_019_CS"], offered=["ocpp2.0.1"])
    [result] = run.results
    assert (result.conformance, result.compatibility) == (Verdict.FAIL, Verdict.FAIL)
    assert _reason(result) == "the station did not offer ocpp1.6 (it offered ('ocpp2.0.1',))"


async def test_text_that_is_not_json_and_a_socket_closed_mid_case_end_their_cases() -> None:
    connections = 0

    async def rude(socket: ClientConnection) -> None:
        nonlocal connections
        connections += 1
        await _boot(socket)
        await _next_call(socket)  # the first case's
        await socket.send("this is not JSON")
        await asyncio.sleep(10)

    run = await _run(rude, ["TC_019_CS", "TC_021_CS"])
    assert [(r.conformance, _reason(r)) for r in run.results] == [
        (
            Verdict.FAIL,
            "the station sent what is not an OCPP-J frame: message is not valid JSON",
        ),
        # The socket is closed after the garbage and this station does not come back.
        (
            Verdict.FAIL,
            "the station's connection ended (the station sent what is not an OCPP-J frame:"
            " message is not valid JSON) and it did not connect again within 1 s",
        ),
    ]


async def test_a_station_that_closes_mid_case_ends_the_case_and_the_run_goes_on() -> None:
    async def leaving(socket: ClientConnection) -> None:
        await _boot(socket)
        await _next_call(socket)  # the case's
        await socket.close(1011, "going away mid-case")

    run = await _run(leaving, ["TC_019_CS", "TC_062_CS"])
    assert [r.conformance for r in run.results] == [Verdict.FAIL, Verdict.FAIL]
    assert _reason(run.results[0]) == (
        "the station closed the connection (1011 (internal error) going away mid-case)"
    )
    assert _reason(run.results[1]) == (
        "the station's connection ended (the station closed the connection (1011 (internal"
        " error) going away mid-case)) and it did not connect again within 1 s"
    )


async def test_a_station_that_never_answers_meets_the_step_deadline() -> None:
    async def silent(socket: ClientConnection) -> None:
        await _boot(socket)
        async for _ in socket:
            pass

    run = await _run(silent, ["TC_019_CS", "TC_040_1_CS"])
    assert [(r.conformance, _reason(r)) for r in run.results] == [
        (Verdict.FAIL, "the station did not answer GetConfiguration within 0.3 s"),
        (Verdict.FAIL, "the station did not answer ChangeConfiguration within 0.3 s"),
    ]


async def test_nobody_at_the_prompt_makes_the_case_inconclusive() -> None:
    said: list[str] = []

    async def booted_and_idle(socket: ClientConnection) -> None:
        await _boot(socket)
        async for text in socket:  # answers what it is asked, but nobody plugs a cable
            await _answer(socket, json.loads(text))

    trigger = PromptStationTrigger(0.2, say=said.append, read_line=lambda: "")
    run = await _run(booted_and_idle, ["TC_003_CS"], trigger=trigger)
    [result] = run.results
    assert (result.conformance, result.compatibility) == (Verdict.INCONCLUSIVE,) * 2
    assert _reason(result) == (
        "the station sent no StatusNotification of connector 1 Preparing within 0.3 s"
        " (was the station made to plug a cable with an EV into connector 1?)"
    )
    assert said == ["Now plug a cable with an EV into connector 1 (CP-1), within 0.2 s."]
    assert not run.failed


@pytest.mark.parametrize("ids", [["TC_001_CS"], ["TC_041_CS"]])
async def test_without_a_trigger_a_case_that_needs_the_station_to_act_is_inconclusive(
    ids: list[str],
) -> None:
    run = await _run(_station_that_answers, ids)
    [result] = run.results
    assert result.conformance is Verdict.INCONCLUSIVE
    assert _reason(result).startswith("no trigger to ")
    # The run's summary says what would let it be judged.
    assert result.need == STATION_TRIGGER_NEED
    assert needs(run) == {STATION_TRIGGER_NEED: 1}


async def _station_that_answers(socket: ClientConnection) -> None:
    await _boot(socket)
    async for text in socket:
        await _answer(socket, json.loads(text))
