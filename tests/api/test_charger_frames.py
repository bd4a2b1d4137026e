"""``GET /chargers/{chargeBoxId}/frames``: the central system's OCPP frame log of a charger,
newest first, filtered by action, polled with ``after``."""

from __future__ import annotations

import json
from typing import Any

import httpx

from chargeyard.api.v1.routes.charger_frames import MAX_FRAMES
from tests.polling import polled
from tests.stack_lab import StackLab


async def frames_until(
    client: httpx.AsyncClient, identity: str, enough: int, **query: Any
) -> list[dict[str, Any]]:
    """The frames once at least ``enough`` are logged (the log is written in short batches)."""

    async def listed() -> dict[str, Any]:
        response = await client.get(f"/api/v1/chargers/{identity}/frames", params=query)
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        assert body["chargeBoxId"] == identity
        assert body["count"] == len(body["frames"])
        return body

    body = await polled(listed, lambda body: body["count"] >= enough)
    return list(body["frames"])


async def test_the_boot_notification_and_its_answer_newest_first(csms_lab: StackLab) -> None:
    await csms_lab.station("CP-1")

    frames = await frames_until(csms_lab.client, "CP-1", 2, action="BootNotification")

    answer, call = frames[-2], frames[-1]  # the oldest two: the boot comes first
    assert [call["direction"], call["action"]] == ["incoming", "BootNotification"]
    assert [answer["direction"], answer["action"]] == ["outgoing", "BootNotification"]
    sent, answered = json.loads(call["message"]), json.loads(answer["message"])
    assert (sent[0], sent[2], sent[3]["chargePointVendor"]) == (2, "BootNotification", "Alfen BV")
    assert (answered[0], answered[1], answered[2]["status"]) == (3, sent[1], "Accepted")
    assert call["uniqueId"] == answer["uniqueId"] == sent[1]
    assert call["timestamp"].endswith("Z")
    assert answer["id"] > call["id"]


async def test_frames_are_listed_newest_first(csms_lab: StackLab) -> None:
    await csms_lab.station("CP-1")

    frames = await frames_until(csms_lab.client, "CP-1", 4)

    ids = [frame["id"] for frame in frames]
    assert ids == sorted(ids, reverse=True)
    assert {frame["action"] for frame in frames} >= {"BootNotification", "StatusNotification"}


async def test_action_filter_keeps_only_that_action(csms_lab: StackLab) -> None:
    await csms_lab.station("CP-1")

    frames = await frames_until(csms_lab.client, "CP-1", 2, action="StatusNotification")

    assert {frame["action"] for frame in frames} == {"StatusNotification"}
    assert {frame["direction"] for frame in frames} == {"incoming", "outgoing"}


async def test_after_gives_only_newer_frames_and_limit_caps(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("CP-1")
    before = await frames_until(csms_lab.client, "CP-1", 4)
    newest = before[0]["id"]

    runtime.station.plug(1, 1)  # a StatusNotification Preparing and its answer
    newer = await frames_until(csms_lab.client, "CP-1", 2, after=newest)

    assert all(frame["id"] > newest for frame in newer)
    assert any('"Preparing"' in frame["message"] for frame in newer)
    capped = await frames_until(csms_lab.client, "CP-1", 1, limit=1)
    assert len(capped) == 1
    assert capped[0]["id"] >= newer[0]["id"]


async def test_a_registered_charger_that_never_connected_has_no_frames(
    csms_lab: StackLab,
) -> None:
    await csms_lab.store.stations.register("CP-QUIET")

    response = await csms_lab.client.get("/api/v1/chargers/CP-QUIET/frames")

    assert response.json() == {"chargeBoxId": "CP-QUIET", "frames": [], "count": 0}


async def test_404_for_an_unknown_charger(csms_lab: StackLab) -> None:
    response = await csms_lab.client.get("/api/v1/chargers/NOPE/frames")

    assert response.status_code == 404
    assert "NOPE" in response.json()["detail"]


async def test_401_without_the_api_key(csms_lab: StackLab) -> None:
    await csms_lab.store.stations.register("CP-1")

    response = await csms_lab.client.get("/api/v1/chargers/CP-1/frames", headers={"X-API-Key": ""})

    assert response.status_code == 401


async def test_422_for_a_limit_out_of_range(csms_lab: StackLab) -> None:
    await csms_lab.store.stations.register("CP-1")

    for limit in (0, MAX_FRAMES + 1):
        response = await csms_lab.client.get(
            "/api/v1/chargers/CP-1/frames", params={"limit": limit}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "limit"]
