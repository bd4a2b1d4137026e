"""The whole stack as ``chargeyard up`` assembles it (``stack.assemble``), in this process: the
API starts a durable charger, which boots against the stack's own CSMS, takes a command and
shows its live runtime, all through the bus; ``chargeyard csms``'s stack has no gateway."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
from pydantic import SecretStr

from chargeyard.api.settings import ApiSettings
from chargeyard.api.tokens import Role
from chargeyard.csms.server import CsmsSettings
from chargeyard.gateway.executor import Executor
from chargeyard.protocol import V16
from chargeyard.stack import ApiOptions, GatewayOptions, assemble
from chargeyard.station.model.states import Registration
from tests.api.gateway_lab import SECRET, as_role
from tests.migrated import migrated_sqlite_url
from tests.polling import until
from tests.stack_lab import TEMPLATE, fast_fleet

ORG = "org-a"  # the organization of as_role's token


def _csms() -> CsmsSettings:
    return CsmsSettings(host="127.0.0.1", port=0, auto_register=True, accept_unknown_tags=True)


async def test_the_assembled_stack_runs_a_charger_the_api_starts(tmp_path: Path) -> None:
    async with contextlib.AsyncExitStack() as running:
        stack = await assemble(
            running,
            database_url=migrated_sqlite_url(tmp_path, "lab.db"),
            settings=_csms(),
            max_payload_chars=10_000,
            webhook_outbound=None,
            gateway=GatewayOptions(
                fleet_factory=fast_fleet, executor=Executor(session_check_s=0.05), deadline_s=5
            ),
            api=ApiOptions(ApiSettings(jwt_secret=SecretStr(SECRET)), serve=False),
        )
        assert stack.app is not None
        assert stack.host is not None
        assert stack.bus is not None
        assert stack.api_port is None  # made, not served
        host = stack.host
        await stack.store.organizations.create("A", organization_id=ORG)
        charger = await stack.store.chargers.create(
            ORG,
            identity="CP-1",
            ocpp_version=V16,
            csms_url=f"ws://127.0.0.1:{stack.central.server.port}/ocpp",
            template=TEMPLATE,
        )
        transport = httpx.ASGITransport(app=stack.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://api.test", headers=as_role(Role.OPERATOR)
        ) as api:
            started = await api.post(f"/ocpp/chargers/{charger.id}/start-charger")
            assert started.status_code == 200, started.text
            assert started.json()["payload"]["status"] == "ACTIVE"

            def booted() -> bool:
                station = host.station(charger.id)
                return station is not None and station.registration is Registration.ACCEPTED

            await until(booted)
            assert "CP-1" in stack.central.server.registry
            sent = await api.post(
                "/ocpp/commands/plug-connector",
                json={
                    "target": {"charger_id": charger.id},
                    "event": {"evse_id": 1, "connector_id": 1},
                },
            )
            assert sent.status_code == 202, sent.text
            command_id = sent.json()["results"][0]["command"]["id"]
            async with asyncio.timeout(5):
                outcome = await stack.bus.wait_outcome(command_id)
            assert outcome.ok, outcome
            shown = (await api.get(f"/ocpp/chargers/{charger.id}")).json()
            assert shown["runtime"]["registration"] == "Accepted"
            assert shown["runtime"]["connectors"] == [
                {"evse_id": 1, "connector_id": 1, "status": "Preparing"}
            ]
    # Closed: the stations went down with the host, the row still wants it running.
    assert not host.is_running(charger.id)


async def test_a_central_system_alone_has_no_gateway(tmp_path: Path) -> None:
    async with contextlib.AsyncExitStack() as running:
        stack = await assemble(
            running,
            database_url=migrated_sqlite_url(tmp_path, "csms.db"),
            settings=_csms(),
            max_payload_chars=10_000,
            webhook_outbound=None,
            api=ApiOptions(ApiSettings(jwt_secret=SecretStr(SECRET))),
        )
        assert (stack.bus, stack.host, stack.runtimes) == (None, None, None)
        assert stack.api_port is not None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.api_port}") as api:
            response = await api.post(
                "/ocpp/chargers/dep-1/start-charger", headers=as_role(Role.OPERATOR)
            )
        assert response.status_code == 503
        assert response.json() == {"detail": "the simulator gateway is not running in this process"}
