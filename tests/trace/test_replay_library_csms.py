"""A trace recorded from a chargeyard station against chargeyard's CSMS (the gateway's export),
replayed against a CSMS written with the `ocpp` library and diffed: the library CSMS's other
heartbeat interval is reported, and nothing else (ids, times, the transaction id it assigns)."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.trace import Direction, Trace, loads
from chargeyard.trace.replay import ReplayTarget, replay
from tests.polling import polled, until
from tests.stack_lab import StackLab
from tests.trace.library_csms import INTERVAL, library_csms


def _ended(message: list[Any]) -> bool:
    """The station's CALL that ends a transaction, in either version."""
    action, payload = message[2], message[3]
    return action == "StopTransaction" or (
        action == "TransactionEvent" and payload["eventType"] == "Ended"
    )


async def _gateway_trace(lab: StackLab, charger_id: str) -> Trace:
    """The charger's trace once its transaction's end and every CALL's answer are in the
    frame log."""

    async def exported() -> Trace:
        answer = await lab.client.get(f"/ocpp/chargers/{charger_id}/trace", headers=lab.headers())
        assert answer.status_code == 200, answer.text
        return loads(answer.content)

    def answered(trace: Trace) -> bool:
        sent = [r.message for r in trace.records if r.direction is Direction.STATION_TO_CSMS]
        calls = {m[1] for m in sent if m and m[0] == 2}
        answers = {
            r.message[1]
            for r in trace.records
            if r.direction is Direction.CSMS_TO_STATION and r.message and r.message[0] != 2
        }
        return any(m and m[0] == 2 and _ended(m) for m in sent) and calls <= answers

    return await polled(exported, answered, within=15, every=0.25)


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
async def test_a_session_replayed_against_the_library_csms_differs_in_the_interval_only(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    station = lab.hosted(charger.id)
    await lab.run(charger, "start_session", {"id_tag": "TAG1"})
    await until(lambda: station.model.evses[1].transaction is not None)
    await lab.run(charger, "stop_session")
    await until(lambda: station.model.evses[1].transaction is None)
    trace = await _gateway_trace(lab, charger.id)
    assert trace.header.identity == "CP-1"
    assert trace.header.version is version

    sessions: list[Any] = []
    async with library_csms(version, sessions) as url:
        result = await replay(trace, ReplayTarget(url, "CP-REPLAY", speed=None))

    assert [str(d) for d in result.differences] == [
        f"BootNotification (call 1) /interval: recorded 60, replayed {INTERVAL}"
    ]
    assert result.ended is None
    [session] = sessions
    assert session.id == "CP-REPLAY"
    recorded = [r.message for r in trace.records if r.direction is Direction.STATION_TO_CSMS]
    sent = [r.message for r in result.trace.records if r.direction is Direction.STATION_TO_CSMS]
    assert [m[2] for m in sent] == [m[2] for m in recorded if m and m[0] == 2]
    assert len({m[1] for m in sent}) == len(sent)
    [stop] = [m for m in sent if _ended(m)]
    [recorded_stop] = [m for m in recorded if m[0] == 2 and _ended(m)]
    if version is V16:
        # The library CSMS's transaction id, not the recorded one, went in StopTransaction.
        assert stop[3]["transactionId"] == session.started == session.stopped != 1
    else:  # 2.0.1: the station's own, as recorded
        assert stop[3]["transactionInfo"] == recorded_stop[3]["transactionInfo"]
    # Times moved to the replay's, their spacing kept.
    assert stop[3]["timestamp"] > recorded_stop[3]["timestamp"]
