"""``GET /ocpp/chargers/{charger_id}/logs``: the OCPP frames a hosted charger exchanged, as the
station saw them (``cp_to_csms`` / ``csms_to_cp``), filtered by time and action, paged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from chargeyard.api.tokens import Role
from chargeyard.store.models import Direction
from tests.api.gateway_chargers_lab import (
    CHARGERS,
    OTHER_ORG,
    accepted_by_csms,
    charger_lab,
    create_charger,
)
from tests.api.gateway_fleet import ORG
from tests.polling import eventually
from tests.stack_lab import StackLab


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with charger_lab(tmp_path) as lab:
        yield lab


async def _logs(lab: StackLab, charger_id: str, status: int = 200, **params: Any) -> Any:
    response = await lab.client.get(f"{CHARGERS}/{charger_id}/logs", params=params)
    assert response.status_code == status, response.text
    return response.json()


async def _booted_charger(lab: StackLab) -> str:
    """A charger that booted and reported its connectors, each CALL and its answer in the
    frame log, and was then stopped (so that its log no longer grows)."""
    charger_id: str = (await create_charger(lab, "CP-1"))["charger_id"]
    await accepted_by_csms(lab, charger_id)

    async def logged() -> bool:
        data = (await _logs(lab, charger_id))["data"]
        calls = sum(entry["message"].startswith("[2,") for entry in data)
        answers = sum(entry["message"].startswith("[3,") for entry in data)
        statuses = sum(entry["action"] == "StatusNotification" for entry in data)
        return calls == answers and statuses >= 4  # connectors 0 and 1 (1.6 section 4.9)

    await eventually(logged)
    await lab.host.stop_charger(ORG, charger_id)
    return charger_id


async def test_the_boot_conversation_is_logged_raw_in_both_directions(lab: StackLab) -> None:
    charger_id = await _booted_charger(lab)
    body = await _logs(lab, charger_id, event="BootNotification")
    assert (body["total"], body["limit"], body["offset"]) == (2, 1000, 0)
    call, answer = body["data"]
    assert set(call) == {
        "id",
        "direction",
        "action",
        "message",
        "truncated",
        "message_length",
        "timestamp",
        "fault",  # what a network fault did to the frame (/ocpp/chaos): none here
    }
    assert (call["truncated"], call["message_length"]) == (False, len(call["message"]))
    assert (call["direction"], call["action"]) == ("cp_to_csms", "BootNotification")
    assert (answer["direction"], answer["action"]) == ("csms_to_cp", "BootNotification")
    sent = orjson.loads(call["message"])
    assert sent[0] == 2
    assert sent[2] == "BootNotification"
    assert sent[3]["chargePointVendor"]
    replied = orjson.loads(answer["message"])
    assert replied[:2] == [3, sent[1]]
    assert replied[2]["status"] == "Accepted"


async def test_filters_and_paging(lab: StackLab) -> None:
    charger_id = await _booted_charger(lab)
    everything = await _logs(lab, charger_id)
    assert everything["total"] == len(everything["data"]) == 6  # boot, 2 status notifications
    actions = {entry["action"] for entry in everything["data"]}
    assert {"BootNotification", "StatusNotification"} <= actions

    second = await _logs(lab, charger_id, limit=1, offset=1)
    assert second["data"] == everything["data"][1:2]
    assert (second["total"], second["limit"], second["offset"]) == (everything["total"], 1, 1)

    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (await _logs(lab, charger_id, start_date=later))["total"] == 0
    assert (await _logs(lab, charger_id, end_date=later))["total"] == everything["total"]
    assert (await _logs(lab, charger_id, event="Authorize"))["data"] == []


async def test_order_desc_lists_the_newest_first(lab: StackLab) -> None:
    charger_id = await _booted_charger(lab)
    oldest_first = (await _logs(lab, charger_id))["data"]
    newest_first = await _logs(lab, charger_id, order="desc")
    assert newest_first["data"] == oldest_first[::-1]
    assert newest_first["total"] == len(oldest_first)
    # The recent frames without an offset: the last two, newest first.
    recent = await _logs(lab, charger_id, order="desc", limit=2)
    assert recent["data"] == oldest_first[-1:-3:-1]
    second_page = await _logs(lab, charger_id, order="desc", limit=2, offset=2)
    assert second_page["data"] == oldest_first[-3:-5:-1]


async def test_a_long_frame_is_listed_cut_and_read_whole_by_its_id(lab: StackLab) -> None:
    charger_id = (await create_charger(lab, "CP-1", start=False))["charger_id"]
    text = orjson.dumps([2, "u-1", "DataTransfer", {"vendorId": "V", "data": "x" * 10_000}])
    async with lab.store.frame_log() as log:  # as the gateway writes a charger's frames
        log.record(charger_id, Direction.OUTGOING, "DataTransfer", "u-1", text.decode())
    [entry] = (await _logs(lab, charger_id))["data"]
    assert entry == {
        "id": entry["id"],
        "direction": "cp_to_csms",
        "action": "DataTransfer",
        "message": text.decode()[:8192],
        "truncated": True,
        "message_length": len(text),
        "timestamp": entry["timestamp"],
        "fault": None,
    }
    whole = await lab.client.get(f"{CHARGERS}/{charger_id}/logs/{entry['id']}")
    assert (whole.status_code, whole.json()) == (
        200,
        {**entry, "message": text.decode(), "truncated": False},
    )
    # Another organization, another charger, an unknown id: 404.
    other = await create_charger(lab, "CP-2", start=False)
    for url, headers in (
        (f"{CHARGERS}/{charger_id}/logs/{entry['id']}", lab.headers(Role.ADMIN, OTHER_ORG)),
        (f"{CHARGERS}/{other['charger_id']}/logs/{entry['id']}", lab.headers()),
        (f"{CHARGERS}/{charger_id}/logs/{entry['id'] + 1}", lab.headers()),
    ):
        response = await lab.client.get(url, headers=headers)
        assert response.status_code == 404, url


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 1001}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-04-02T09:15:00"}, "start_date"),
        ({"event": "Boot Notification"}, "event"),
        ({"order": "newest"}, "order"),
    ],
)
async def test_invalid_queries_are_422(lab: StackLab, params: dict[str, Any], field: str) -> None:
    charger_id = (await create_charger(lab, "CP-1", start=False))["charger_id"]
    body = await _logs(lab, charger_id, 422, **params)
    assert body["detail"][0]["loc"] == ["query", field]


async def test_only_the_organization_reads_them_viewers_included(lab: StackLab) -> None:
    charger_id = await _booted_charger(lab)
    url = f"{CHARGERS}/{charger_id}/logs"
    response = await lab.client.get(url, headers=lab.headers(Role.VIEWER))
    assert response.status_code == 200
    assert response.json()["total"] >= 2
    response = await lab.client.get(url, headers=lab.headers(Role.ADMIN, OTHER_ORG))
    assert response.status_code == 404
    assert charger_id in response.json()["detail"]
    response = await lab.client.get(url, headers={"Authorization": ""})
    assert response.status_code == 401
    assert (await _logs(lab, "dep-000000000000", 404))["detail"]
