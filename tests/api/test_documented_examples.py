"""The request bodies the README and the docs print work as printed: the ``curl -d`` example of
each API in the README and in docs/usage.md, docs/api.md's and each row of its command bodies
are posted to the whole stack (the central system with the simulator gateway, over real
WebSockets) and answered as the text says, never 422.

The lab has what the examples name: the demo's site ``loc-demo`` with the station ``DEMO-01``,
its charger's id ``dep-123`` (the placeholder docs/api.md writes for a charger's id)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargeyard.api.gateway.schemas.commands import EVENT_EXAMPLES
from chargeyard.gateway.commands import COMMANDS_BY_PATH
from chargeyard.protocol import V16
from chargeyard.station.model.states import Registration
from tests.api.gateway_fleet import ORG, fleet_lab
from tests.polling import until
from tests.stack_lab import TEMPLATE, StackLab

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
USAGE = ROOT / "docs" / "usage.md"
API_DOC = ROOT / "docs" / "api.md"
API_URL = "http://127.0.0.1:8000"

_CURL = re.compile(
    r"curl [^\n]*?-d '(?P<body>[^']*)'\s+\"?" + re.escape(API_URL) + r"(?P<path>/\S+?)\"?$", re.M
)
_BODIES_ROW = re.compile(r"^\| (?P<paths>`[^|]+`) \| `(?P<event>\{.*\})` \|$", re.M)


def curl_examples(page: Path) -> list[tuple[str, dict[str, Any]]]:
    """(path, body) of every ``curl ... -d '...' URL`` of ``page``, continued lines joined."""
    text = page.read_text(encoding="utf-8").replace("\\\n", " ")
    return [(match["path"], json.loads(match["body"])) for match in _CURL.finditer(text)]


def command_bodies() -> dict[str, dict[str, Any]]:
    """docs/api.md's table of command bodies: the event of each command."""
    text = API_DOC.read_text(encoding="utf-8")
    section = text.split("### Command bodies", 1)[1].split("\n### ", 1)[0]
    return {
        path: json.loads(row["event"])
        for row in _BODIES_ROW.finditer(section)
        for path in re.findall(r"`([^`]+)`", row["paths"])
    }


CONFIG = "/api/v1/chargers/DEMO-01/configuration/get"
SESSION = "/ocpp/commands/start-session"
LOCAL_LIST = "/ocpp/commands/local-auth-list"


# The pages that show a command with a body to each API, with the demo's credentials.
EXAMPLE_PAGES = [README, USAGE]


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=_page_id)
def test_the_pages_have_the_examples_this_file_posts(page: Path) -> None:
    examples = dict(curl_examples(page))
    assert {CONFIG, SESSION} <= set(examples)
    assert set(examples[SESSION]) == {"target", "event"}
    assert examples[SESSION]["event"]["id_tag"]
    assert SESSION in dict(curl_examples(API_DOC))


def test_the_documented_bodies_are_every_command_s_and_the_listing_s() -> None:
    assert command_bodies() == EVENT_EXAMPLES
    assert set(EVENT_EXAMPLES) == set(COMMANDS_BY_PATH)


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with fleet_lab(tmp_path) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        await lab.store.locations.create(ORG, "Demo site", location_id="loc-demo")
        charger = await lab.store.chargers.create(
            ORG,
            identity="DEMO-01",
            ocpp_version=V16,
            csms_url=lab.csms_url,
            template=TEMPLATE,
            location_id="loc-demo",
            charger_id="dep-123",
        )
        await lab.host.start_charger(ORG, charger.id)

        def booted() -> bool:
            station = lab.host.station(charger.id)
            return station is not None and station.registration is Registration.ACCEPTED

        await until(booted)
        yield lab


async def _succeeded(lab: StackLab, answer: dict[str, Any]) -> dict[str, Any]:
    command_id = answer["results"][0]["command"]["id"]
    async with asyncio.timeout(10):
        await lab.bus.wait_outcome(command_id)
    outcome: dict[str, Any] = (await lab.client.get(f"/ocpp/commands/{command_id}")).json()
    return outcome


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=_page_id)
async def test_the_examples_work_as_printed(demo: StackLab, page: Path) -> None:
    examples = dict(curl_examples(page))
    station = await demo.store.stations.get("DEMO-01")
    assert station is not None
    _, key = await demo.store.api_keys.create("readme", organization_id=station.organization_id)

    config = await demo.client.post(CONFIG, json=examples[CONFIG], headers={"X-API-Key": key})
    session = await demo.client.post(SESSION, json=examples[SESSION])

    assert config.status_code == 200, config.text
    assert {item["key"] for item in config.json()["configurationKey"]} == {
        "HeartbeatInterval",
        "MeterValueSampleInterval",
    }
    assert session.status_code == 202, session.text
    assert (session.json()["queued_count"], session.json()["failed"]) == (1, [])
    outcome = await _succeeded(demo, session.json())
    assert outcome["status"] == "applied", outcome
    assert outcome["result"]["authorization"]["status"] == "Accepted"


async def test_every_documented_command_body_is_taken(demo: StackLab) -> None:
    first = await demo.client.post(SESSION, json=dict(curl_examples(API_DOC))[SESSION])
    assert first.status_code == 202, first.text
    assert (await _succeeded(demo, first.json()))["status"] == "applied"
    # The Differential local list, with a parent id tag and a removal.
    listed = await demo.client.post(LOCAL_LIST, json=dict(curl_examples(API_DOC))[LOCAL_LIST])
    assert listed.status_code == 202, listed.text
    outcome = await _succeeded(demo, listed.json())
    assert (outcome["status"], outcome["result"]) == (
        "applied",
        {"list_version": 5, "entries": 2},
    )

    for command, event in command_bodies().items():
        body = {"target": {"charger_id": "dep-123"}, "event": event}
        response = await demo.client.post(f"/ocpp/commands/{command}", json=body)
        # Taken: queued, or refused by the station's state now (a session already running),
        # each with its reason; never a 422.
        assert response.status_code == 202, (command, response.text)
        answer = response.json()
        assert answer["queued_count"] + answer["failed_count"] == 1, (command, answer)
