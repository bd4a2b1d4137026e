"""The gateway's frame log of a hosted charger is the charger's own log: a Basic password the
central system sets in it is kept masked (OCPP 2.0.1 A01.FR.12; the 1.6 whitepaper's
AuthorizationKey alike), every other frame as it passed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from chargeyard.gateway.frames import FrameRecorder, TeeFrameLog
from chargeyard.store import FrameLog
from chargeyard.store.models import Direction

AT = datetime(2026, 1, 1, tzinfo=UTC)
SET_PASSWORD = (
    '[2,"s1","SetVariables",{"setVariableData":[{"component":{"name":"SecurityCtrlr"},'
    '"variable":{"name":"BasicAuthPassword"},"attributeValue":"n3w-s3cret-201"}]}]'
)
SET_KEY = '[2,"s2","ChangeConfiguration",{"key":"AuthorizationKey","value":"0011223344556677"}]'


class _Sink:
    def __init__(self) -> None:
        self.rows: list[tuple[object, ...]] = []

    def record(self, *row: object) -> None:
        self.rows.append(row)


def _logged(*frames: tuple[Direction, str]) -> list[tuple[object, ...]]:
    sink = _Sink()
    recorder = FrameRecorder("dep-1", cast(FrameLog, sink))
    for direction, frame in frames:
        recorder.record(direction, AT, frame)
    return [(direction, action, text) for _, direction, action, _, text, _ in sink.rows]


def test_a01_fr_12_a_password_set_is_kept_masked_and_its_answer_as_it_came() -> None:
    assert _logged(
        (Direction.INCOMING, SET_PASSWORD),
        (Direction.OUTGOING, '[3,"s1",{"setVariableResult":[]}]'),
        (Direction.INCOMING, SET_KEY),
    ) == [
        (
            Direction.INCOMING,
            "SetVariables",
            '[2,"s1","SetVariables",{"setVariableData":[{"component":{"name":"SecurityCtrlr"},'
            '"variable":{"name":"BasicAuthPassword"},"attributeValue":"********"}]}]',
        ),
        (Direction.OUTGOING, "SetVariables", '[3,"s1",{"setVariableResult":[]}]'),
        (
            Direction.INCOMING,
            "ChangeConfiguration",
            '[2,"s2","ChangeConfiguration",{"key":"AuthorizationKey","value":"********"}]',
        ),
    ]


def test_frames_without_a_password_are_kept_as_they_passed() -> None:
    heartbeat = '[2,"s3","ChangeConfiguration",{"key":"HeartbeatInterval","value":"60"}]'
    odd = '[2,"s4","SetVariables",{"setVariableData":[{"component":"SecurityCtrlr"}]}]'
    assert _logged((Direction.INCOMING, heartbeat), (Direction.INCOMING, odd)) == [
        (Direction.INCOMING, "ChangeConfiguration", heartbeat),
        (Direction.INCOMING, "SetVariables", odd),
    ]


def test_the_tee_keeps_the_station_s_log_and_the_gateway_s_masked() -> None:
    sink = _Sink()
    log = TeeFrameLog(8, FrameRecorder("dep-1", cast(FrameLog, sink)))
    log.received(AT, SET_PASSWORD)
    assert "n3w-s3cret-201" not in str(sink.rows)
    assert not any("n3w-s3cret-201" in line for line in log.section())
