"""Organizations across the lab: a simulated charger that dials the lab's own central system is
its organization's charger there (seen and commanded with that organization's API keys only),
and an identity another organization registered there is refused for it (409)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from chargeyard.api.settings import ApiSettings
from chargeyard.api.tokens import Role
from chargeyard.csms.server import CsmsSettings
from chargeyard.gateway.host import FleetHost
from chargeyard.gateway.provisioning import Provisioner
from chargeyard.protocol import V16
from chargeyard.stack import ApiOptions, Stack, assemble
from chargeyard.station.model.states import Registration
from tests.api.gateway_lab import SECRET, as_role
from tests.migrated import migrated_sqlite_url
from tests.polling import until
from tests.stack_lab import fast_gateway

ORG_A, ORG_B = "org-a", "org-b"


class _Lab:
    def __init__(self, stack: Stack, api: httpx.AsyncClient, keys: dict[str, str]) -> None:
        self.stack = stack
        self.api = api
        self.keys = keys

    def key(self, org: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[org]}

    async def provisioned(self) -> None:
        assert self.stack.app is not None
        provisioner: Provisioner | None = getattr(self.stack.app.state, "provisioner", None)
        if provisioner is not None:
            async with asyncio.timeout(10):
                await provisioner.wait_idle()


def _accepted(host: FleetHost, charger_id: str) -> bool:
    station = host.station(charger_id)
    return station is not None and station.registration is Registration.ACCEPTED


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[_Lab]:
    async with contextlib.AsyncExitStack() as running:
        stack = await assemble(
            running,
            database_url=migrated_sqlite_url(tmp_path, "lab.db"),
            # As `chargeyard up`'s: any station let in, into the default organization.
            settings=CsmsSettings(host="127.0.0.1", port=0, auto_register=True),
            max_payload_chars=10_000,
            webhook_outbound=None,
            gateway=fast_gateway(),
            # The API names the listener it runs beside (ApiSettings.for_listener).
            api=ApiOptions(
                ApiSettings(jwt_secret=SecretStr(SECRET), command_timeout=5.0), serve=False
            ),
        )
        assert stack.app is not None
        keys = {}
        for org in (ORG_A, ORG_B):
            await stack.store.organizations.create(org, organization_id=org)
            _, keys[org] = await stack.store.api_keys.create(org, organization_id=org)
        transport = httpx.ASGITransport(app=stack.app)
        api = await running.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://api.test")
        )
        lab = _Lab(stack, api, keys)
        yield lab
        await lab.provisioned()


def _charger(identity: str, ws_url: str) -> dict[str, Any]:
    return {
        "identity": identity,
        "brand_slug": "alfen",
        "model_slug": "eve-single-pro-line",
        "connector_type": "sType2",
        "ws_url": ws_url,
        "ocpp_version": "ocpp1.6",
    }


async def test_a_simulated_charger_is_its_organization_s_at_the_built_in_csms(lab: _Lab) -> None:
    # Where the API tells stations to connect: the built-in central system.
    registered = await lab.api.post(
        "/api/v1/chargers", json={"chargeBoxId": "CP-A"}, headers=lab.key(ORG_A)
    )
    assert registered.status_code == 201, registered.text
    built_in = registered.json()["connectionUrl"].removesuffix("/CP-A")
    assert built_in == f"ws://127.0.0.1:{lab.stack.central.server.port}/ocpp"

    made = await lab.api.post(
        "/ocpp/chargers", json=_charger("CP-B", built_in), headers=as_role(Role.OPERATOR, ORG_B)
    )
    assert made.status_code == 202, made.text
    await lab.provisioned()
    registry = lab.stack.central.server.registry
    await until(lambda: registry.is_connected("CP-B"))
    # Connected is not yet booted: commands wait for the boot's answer (the CSMS's 409 rule),
    # which the station has once it knows itself Accepted.
    host = lab.stack.host
    assert host is not None
    charger = await lab.stack.store.chargers.get_by_identity(ORG_B, "CP-B")
    assert charger is not None
    await until(lambda: _accepted(host, charger.id))

    seen = await lab.api.get("/api/v1/chargers/CP-B", headers=lab.key(ORG_B))
    assert seen.status_code == 200, seen.text
    assert (seen.json()["chargeBoxId"], seen.json()["isOnline"]) == ("CP-B", True)
    cleared = await lab.api.post("/api/v1/chargers/CP-B/cache/clear", headers=lab.key(ORG_B))
    assert cleared.status_code == 200, cleared.text
    # Organization A neither sees nor commands it.
    theirs = await lab.api.get("/api/v1/chargers/CP-B", headers=lab.key(ORG_A))
    assert (theirs.status_code, theirs.json()) == (404, {"detail": "charger CP-B not found"})
    refused = await lab.api.post("/api/v1/chargers/CP-B/cache/clear", headers=lab.key(ORG_A))
    assert refused.status_code == 404
    listed = await lab.api.get("/api/v1/chargers", headers=lab.key(ORG_A))
    assert [c["chargeBoxId"] for c in listed.json()["data"]] == ["CP-A"]


async def test_an_identity_another_organization_registered_there_is_refused(lab: _Lab) -> None:
    registered = await lab.api.post(
        "/api/v1/chargers", json={"chargeBoxId": "CP-A"}, headers=lab.key(ORG_A)
    )
    assert registered.status_code == 201, registered.text
    port = lab.stack.central.server.port
    for ws_url in (f"ws://127.0.0.1:{port}/ocpp", f"ws://localhost:{port}/ocpp/"):
        refused = await lab.api.post(
            "/ocpp/chargers", json=_charger("CP-A", ws_url), headers=as_role(Role.OPERATOR, ORG_B)
        )
        assert refused.status_code == 409, refused.text
        assert refused.json() == {
            "detail": "identity 'CP-A' is a charger of another organization at the built-in"
            f" central system ({ws_url}): a central system knows a station by its identity"
            " alone, so this charger would be taken for that one there; choose another identity"
        }
    # Against another central system the identity is free.
    elsewhere = await lab.api.post(
        "/ocpp/chargers",
        json={**_charger("CP-A", "ws://127.0.0.1:9/ocpp"), "start": False},
        headers=as_role(Role.OPERATOR, ORG_B),
    )
    assert elsewhere.status_code == 202, elsewhere.text
    station = await lab.stack.store.stations.get("CP-A")
    assert station is not None
    assert station.organization_id == ORG_A


def _spellings(port: int) -> list[tuple[str, str]]:
    """(identity, ws_url) of a charger that the lab's listener (on 127.0.0.1) would know as
    CP-A, each URL spelt otherwise."""
    return [
        ("CP-A", f"ws://127.1:{port}/ocpp"),
        ("CP-A", f"ws://0x7f.1:{port}/ocpp"),
        ("CP-A", f"ws://2130706433:{port}/ocpp"),
        ("CP-A", f"ws://[::ffff:127.0.0.1]:{port}/ocpp"),
        ("CP-A", f"ws://localhost.:{port}/ocpp"),
        ("CP-A", f"ws://LOCALHOST:{port}/ocpp"),
        ("CP-A", f"ws://127.0.0.1.:{port}/ocpp/"),
        # The station appends "/CP-B" after the query: the listener reads CP-A from the path.
        ("CP-B", f"ws://127.0.0.1:{port}/ocpp/CP-A?"),
    ]


async def test_no_spelling_of_the_built_in_csms_s_url_takes_another_organization_s_identity(
    lab: _Lab,
) -> None:
    registered = await lab.api.post(
        "/api/v1/chargers", json={"chargeBoxId": "CP-A"}, headers=lab.key(ORG_A)
    )
    assert registered.status_code == 201, registered.text
    org_b = as_role(Role.OPERATOR, ORG_B)
    spellings = _spellings(lab.stack.central.server.port)
    for identity, ws_url in spellings:
        made = await lab.api.post(
            "/ocpp/chargers",
            json={**_charger(identity, ws_url), "start": False},
            headers=org_b,
        )
        assert made.status_code == 409, (ws_url, made.text)
        assert (
            "'CP-A' is a charger of another organization at the built-in" in (made.json()["detail"])
        )
    # Changed onto the identity there: a new URL, or a new identity at such a URL.
    elsewhere = await lab.api.post(
        "/ocpp/chargers",
        json={**_charger("CP-A", "ws://127.0.0.1:9/ocpp"), "start": False},
        headers=org_b,
    )
    assert elsewhere.status_code == 202, elsewhere.text
    moving = f"/ocpp/chargers/{elsewhere.json()['charger_id']}"
    for _, ws_url in spellings:
        moved = await lab.api.put(moving, json={"ws_url": ws_url}, headers=org_b)
        assert moved.status_code == 409, (ws_url, moved.text)
    there = await lab.api.post(
        "/ocpp/chargers",
        json={**_charger("CP-C", spellings[0][1]), "start": False},
        headers=org_b,
    )
    assert there.status_code == 202, there.text
    renamed = await lab.api.put(
        f"/ocpp/chargers/{there.json()['charger_id']}", json={"identity": "CP-A"}, headers=org_b
    )
    assert renamed.status_code == 409, renamed.text
    owners = {s.charge_box_id: s.organization_id for s in await lab.stack.store.stations.list()}
    assert owners == {"CP-A": ORG_A, "CP-C": ORG_B}
    unchanged = await lab.api.get(moving, headers=org_b)
    assert unchanged.json()["ws_url"] == "ws://127.0.0.1:9/ocpp"


async def test_the_built_in_csms_refuses_a_charger_that_dials_in_as_another_organization_s(
    lab: _Lab,
) -> None:
    # However its URL got past the gateway's check (a name that resolved elsewhere then, a
    # network profile that moved it here), a charger of B never becomes A's station.
    await lab.stack.store.stations.register("CP-A", organization_id=ORG_A)
    charger = await lab.stack.store.chargers.create(
        ORG_B,
        identity="CP-A",
        ocpp_version=V16,
        csms_url=f"ws://127.0.0.1:{lab.stack.central.server.port}/ocpp",
        template="alfen/eve-single-pro-line",
    )
    host = lab.stack.host
    assert host is not None
    await host.start_charger(ORG_B, charger.id)
    fleet = host.fleet_of(ORG_B)
    assert fleet is not None
    runtime = fleet.runtime("CP-A")
    await until(lambda: "403" in (runtime.last_error or ""))
    assert not lab.stack.central.server.registry.is_connected("CP-A")
    owners = {s.charge_box_id: s.organization_id for s in await lab.stack.store.stations.list()}
    assert owners == {"CP-A": ORG_A}
