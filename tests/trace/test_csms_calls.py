"""The central system's CALLs during a replay: answered with the station's recorded answer to
the same action when the trace holds one, else by a simulated station of the trace's version,
which hears every CALL (what one changes, the next reads)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from chargeyard.protocol import V16
from chargeyard.trace import loads
from chargeyard.trace.replay import ReplayTarget, replay

TRACE = "\n".join(
    (
        '{"trace":"chargeyard","format":1,"ocpp":"ocpp1.6","identity":"CP-1"}',
        '{"direction":"cp_to_csms","at":"2026-01-01T10:00:00Z","frame":[2,"1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]}',
        '{"direction":"csms_to_cp","at":"2026-01-01T10:00:01Z","frame":[3,"1",{"status":"Accepted","currentTime":"2026-01-01T10:00:01Z","interval":60}]}',
        '{"direction":"csms_to_cp","at":"2026-01-01T10:00:02Z","frame":[2,"c","GetConfiguration",{}]}',
        '{"direction":"cp_to_csms","at":"2026-01-01T10:00:03Z","frame":[3,"c",{"configurationKey":[{"key":"K","readonly":true,"value":"1"}]}]}',
        '{"direction":"cp_to_csms","at":"2026-01-01T10:00:04Z","frame":[2,"2","Heartbeat",{}]}',
        # The simulator's network sent it twice: the replay sends what the station sent, once.
        '{"direction":"cp_to_csms","at":"2026-01-01T10:00:04Z","frame":[2,"2","Heartbeat",{}],'
        '"fault":"frame_duplicated"}',
        '{"direction":"csms_to_cp","at":"2026-01-01T10:00:05Z","frame":[3,"2",{"currentTime":"2026-01-01T10:00:05Z"}]}',
    )
)

ASKED = [
    [2, "a1", "GetConfiguration", {}],
    [2, "a2", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "123"}],
    [2, "a3", "GetConfiguration", {"key": ["HeartbeatInterval", "X"]}],
    [2, "a4", "GetCertificate", {}],
]

_NOW = "2026-11-26T10:00:00Z"


@contextlib.asynccontextmanager
async def _asking_csms(answers: list[Any]) -> AsyncIterator[str]:
    """A CSMS that, after answering the boot, sends :data:`ASKED` one by one (each once the
    previous is answered), and answers the station's other CALLs after; what the station
    answered goes to ``answers``."""

    async def station(socket: ServerConnection) -> None:
        asking = iter(ASKED)
        held: list[str] = []  # the station's CALLs, answered once every question is asked
        async for text in socket:
            message = json.loads(text)
            if message[0] != 2:
                answers.append(message)
            elif message[2] == "BootNotification":
                boot = {"status": "Accepted", "currentTime": _NOW, "interval": 60}
                await socket.send(json.dumps([3, message[1], boot]))
            else:
                held.append(json.dumps([3, message[1], {"currentTime": _NOW}]))
            ask = next(asking, None)
            if ask is not None:
                await socket.send(json.dumps(ask))
            else:
                for answer in held:
                    await socket.send(answer)
                held.clear()

    async with serve(station, "127.0.0.1", 0, subprotocols=[Subprotocol("ocpp1.6")]) as server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ocpp"


async def test_the_csms_s_calls_are_answered_from_the_trace_then_generically() -> None:
    answers: list[Any] = []
    async with _asking_csms(answers) as url:
        result = await replay(loads(TRACE), ReplayTarget(url, speed=None))
    assert answers == [
        # The recorded answer, once; then the simulated station's, which kept the change.
        [3, "a1", {"configurationKey": [{"key": "K", "readonly": True, "value": "1"}]}],
        [3, "a2", {"status": "Accepted"}],
        [
            3,
            "a3",
            {
                "configurationKey": [
                    {"key": "HeartbeatInterval", "readonly": False, "value": "123"}
                ],
                "unknownKey": ["X"],
            },
        ],
        [
            4,
            "a4",
            "NotImplemented",
            "GetCertificate is not an action of OCPP 1.6",
            {"action": "GetCertificate"},
        ],
    ]
    assert (result.differences, result.comparison.compared) == ([], 2)
    assert result.csms_calls == [call[2] for call in ASKED]
    assert result.recorded_csms_calls == ["GetConfiguration"]
    assert result.trace.header.version is V16
    sent = [r.message[2] for r in result.trace.records if r.message and r.message[0] == 2]
    assert sent.count("Heartbeat") == 1
