"""The gateway API when the host of a charger does not answer over the bus in time: a 504 with
the reason for a route about one charger, a ``failed`` entry per charger for a location's
command, and a charger listed without its live runtime; and when the host that took the request
went away before answering (``bus/request_watch.py``), a 503 to retry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from chargeyard.api.tokens import Role
from chargeyard.bus import InMemoryBus
from chargeyard.bus.request_watch import node_gone
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.gateway.runtime_client import RuntimeClient
from chargeyard.protocol import V16
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger
from tests.api.apps import api_app
from tests.api.gateway_lab import as_role, gateway_settings
from tests.migrated import migrated_sqlite_url
from tests.stack_lab import TEMPLATE

ORG = "org-a"
NO_ANSWER = "the charger's host did not answer within 0.1 s"


class Silent:
    def __init__(self, store: Store, bus: InMemoryBus, client: httpx.AsyncClient) -> None:
        self.store = store
        self.bus = bus
        self.client = client

    async def charger(self, identity: str, location_id: str | None = None) -> SimulatedCharger:
        charger = await self.store.chargers.create(
            ORG,
            identity=identity,
            ocpp_version=V16,
            csms_url="ws://127.0.0.1:1/ocpp",
            template=TEMPLATE,
            location_id=location_id,
        )
        # Held by a node that takes no requests: a fleet host that hung.
        await self.bus.hold("hung", [charger.id])
        return charger


@pytest.fixture
async def silent(tmp_path: Path) -> AsyncIterator[Silent]:
    async with await Store.open(migrated_sqlite_url(tmp_path, "gateway.db")) as store:
        await store.organizations.create("A", organization_id=ORG)
        bus = InMemoryBus()
        with api_app(store, in_process_link(Registry()), gateway_settings(), bus=bus) as app:
            app.state.runtimes = RuntimeClient(bus, deadline_s=0.1)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://api.test", headers=as_role(Role.OPERATOR)
            ) as client:
                yield Silent(store, bus, client)
        await bus.close()


async def test_a_runtime_verb_whose_host_went_away_is_503_to_retry(silent: Silent) -> None:
    """What a Redis bus answers for a request taken by a node that died (``node_gone``)."""
    charger = await silent.charger("CP-1")

    async def gone() -> None:
        async for request in silent.bus.requests("hung"):
            await silent.bus.answer(node_gone(request, "hung"))

    host = asyncio.create_task(gone())
    try:
        response = await silent.client.post(f"/ocpp/chargers/{charger.id}/restart-charger")
    finally:
        host.cancel()
    assert (response.status_code, response.headers["retry-after"]) == (503, "2")
    assert response.json() == {
        "detail": f"the node holding charger {charger.id} (hung) went away before it answered;"
        " retry (the request may have reached the charger)"
    }


@pytest.mark.parametrize("verb", ["start-charger", "stop-charger", "restart-charger"])
async def test_a_runtime_verb_unanswered_is_504(silent: Silent, verb: str) -> None:
    charger = await silent.charger("CP-1")
    response = await silent.client.post(f"/ocpp/chargers/{charger.id}/{verb}")
    assert (response.status_code, response.json()) == (504, {"detail": NO_ANSWER})


async def test_a_command_to_one_charger_unanswered_is_504_and_queues_nothing(
    silent: Silent,
) -> None:
    charger = await silent.charger("CP-1")
    response = await silent.client.post(
        "/ocpp/commands/plug-connector",
        json={"target": {"charger_id": charger.id}, "event": {"evse_id": 1, "connector_id": 1}},
    )
    assert (response.status_code, response.json()) == (504, {"detail": NO_ANSWER})
    assert await silent.store.commands.list(ORG) == []


async def test_a_location_command_unanswered_lists_every_charger_as_failed(
    silent: Silent,
) -> None:
    location = await silent.store.locations.create(ORG, "Depot")
    for identity in ("CP-1", "CP-2"):
        await silent.charger(identity, location.id)
    response = await silent.client.post(
        "/ocpp/commands/plug-connector",
        json={"target": {"location_id": location.id}, "event": {"evse_id": 1, "connector_id": 1}},
    )
    assert response.status_code == 202, response.text
    body = response.json()
    body["failed"].sort(key=lambda item: item["identity"])  # (the location's order: by id)
    assert body == {
        "targeted_count": 2,
        "queued_count": 0,
        "failed_count": 2,
        "results": [],
        "failed": [
            {"identity": "CP-1", "error": NO_ANSWER},
            {"identity": "CP-2", "error": NO_ANSWER},
        ],
    }


async def test_a_change_or_a_removal_unanswered_is_504_and_the_charger_stays(
    silent: Silent,
) -> None:
    charger = await silent.charger("CP-1")
    changed = await silent.client.put(
        f"/ocpp/chargers/{charger.id}", json={"charge_point_name": "Bay 1"}
    )
    assert (changed.status_code, changed.json()) == (504, {"detail": NO_ANSWER})
    removed = await silent.client.delete(f"/ocpp/chargers/{charger.id}")
    assert (removed.status_code, removed.json()) == (504, {"detail": NO_ANSWER})
    assert await silent.store.chargers.get(ORG, charger.id) is not None


async def test_a_charger_is_read_without_its_live_runtime(silent: Silent) -> None:
    charger = await silent.charger("CP-1")
    response = await silent.client.get(f"/ocpp/chargers/{charger.id}")
    assert response.status_code == 200, response.text
    assert response.json()["identity"] == "CP-1"
    assert response.json()["runtime"] is None
    listed = await silent.client.get("/ocpp/chargers")
    assert [item["runtime"] for item in listed.json()["data"]] == [None]
