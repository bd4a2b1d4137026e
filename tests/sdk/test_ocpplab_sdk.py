"""The contract with OCPPLab's users: its official Python SDK, as published on PyPI (``ocpplab``
0.3.2 and 0.2.4, pinned), drives a running chargeyard with nothing changed but ``base_url``.

Every method of the SDK's gateway modules (0.3: ``client.evcharger``; 0.2:
``client.ocpp``) and of its ``health`` module is called, with the sync and the async client,
against chargers of both OCPP versions. Each call must answer 2xx and parse into the SDK's own
response type (the worker reports the class it parsed into), and each command must have its
effect on the station, seen where a central system sees it: a plug as a StatusNotification at
the built-in CSMS, a session as a transaction there, and so on.

Methods left out, each with its reason, are in :data:`NOT_CALLED`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chargeyard.store.models import SimulatedCharger
from tests.polling import eventually, polled, until
from tests.sdk.sdk_lab import SDK_VERSIONS, Answer, Sdk, operator_token, sdk, served_lab, typed
from tests.stack_lab import StackLab

pytestmark = pytest.mark.slow

NOT_CALLED: dict[str, str] = {
    # The SDK's other modules (cpo, emsp, ocpi, booking, energy, proxy, webhooks) are OCPI
    # roaming, bookings and a charge-point proxy: chargeyard has no OCPI part, so they are not
    # called (docs/ocpplab-compatibility.md lists them).
    "ocpi.*, cpo.*, emsp.*, booking.*, energy.*, proxy.*, webhooks.*": "no OCPI part",
}

MODEL = "alfen-eve-single-pro-line"  # speaks 1.6 and 2.0.1; one EVSE, a Type 2 socket
PLUGGED = {"ocpp1.6": "Preparing", "ocpp2.0.1": "Occupied"}
CHARGING = {"ocpp1.6": "Charging", "ocpp2.0.1": "Occupied"}


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with served_lab(tmp_path) as lab:
        yield lab


def _sdk_type(answer: Answer, name: str) -> None:
    assert (answer.type, answer.module.split(".")[0]) == (name, "ocpplab"), answer


async def _deploy(client: Sdk, kind: str, lab: StackLab, identity: str, version: str) -> str:
    """A charger made through the SDK (its own words for each line); its deployment id."""
    if client.version.startswith("0.3"):
        answer = await client.call(
            "deployment.create",
            kind,
            identity=identity,
            model=MODEL,
            ws_url=lab.csms_url,
            ocpp_version=version,
            charger_name=f"{identity} bay",
            security_profile=1,
            authorization_key="sdk-basic-password-1",
        )
    else:
        answer = await client.call(
            "deployment.create",
            kind,
            identity=identity,
            brand_slug="alfen",
            model_slug="eve-single-pro-line",
            connector_type="Type2",
            ws_url=lab.csms_url,
            ocpp_version=version,
            security_profile=1,
            authorization_key="sdk-basic-password-1",
            charge_point_name=f"{identity} bay",
        )
    _sdk_type(answer, "OcppVirtualDeploymentResponse")
    assert (answer.data["identity"], answer.data["ocpp_version"]) == (identity, version)
    deployment_id: str = answer.data["deployment_id"]
    await until(lambda: lab.booted(deployment_id), within=15)
    await eventually(lambda: lab.has_status(identity, "Available"), within=10)
    return deployment_id


async def _command(
    lab: StackLab, client: Sdk, kind: str, method: str, target: dict[str, Any], **payload: Any
) -> dict[str, Any]:
    """Send a command through the SDK; once the fleet applied it, its outcome."""
    kwargs: dict[str, Any] = {"target": target}
    if payload:
        kwargs["payload"] = payload.pop("_typed")
    answer = await client.call(f"commands.{method}", kind, **kwargs)
    _sdk_type(answer, "OcppLocationCommandResponse")
    assert (answer.data["queued_count"], answer.data["failed"]) == (1, []), answer
    command_id = answer.data["results"][0]["command"]["id"]
    await lab.bus.wait_outcome(command_id)
    if client.version.startswith("0.3"):
        status = await client.call("commands.get_status", kind, command_id=command_id)
        _sdk_type(status, "CommandResultResponse")
        outcome: dict[str, Any] = status.data
    else:  # 0.2 has no command status method: the same route, read plainly
        outcome = (await lab.client.get(f"/ocpp/commands/{command_id}")).json()
    assert (outcome["status"], outcome["state"]) == ("applied", "succeeded"), outcome
    return outcome


async def _commands_on(
    lab: StackLab, client: Sdk, kind: str, deployment_id: str, identity: str, version: str
) -> None:
    """Every command of the SDK on one charger, each seen at the station or the CSMS."""
    by_id = typed("CommandTarget", deployment_id=deployment_id)
    by_identity = typed("CommandTarget", identity=identity)
    connector = typed("ConnectorPayload", evse_id=1, connector_id=1)

    await _command(lab, client, kind, "plug_connector", by_id, _typed=connector)
    await eventually(lambda: lab.has_status(identity, PLUGGED[version]))
    await _command(lab, client, kind, "unplug_connector", by_identity)
    await eventually(lambda: lab.has_status(identity, "Available"))

    fault = typed("FaultInjectionPayload", fault_type="GroundFailure", evse_id=1, connector_id=1)
    await _command(lab, client, kind, "inject_fault", by_id, _typed=fault)
    await eventually(lambda: lab.has_status(identity, "Faulted"))
    await _command(lab, client, kind, "clear_fault", by_id, _typed=typed("FaultClearPayload"))
    await eventually(lambda: lab.has_status(identity, "Available"))

    authorized = await _command(
        lab,
        client,
        kind,
        "authorize_id_tag",
        by_id,
        _typed=typed("AuthorizeIdTagPayload", id_tag="SDK-TAG-1"),
    )
    assert authorized["result"]["authorization"]["status"] == "Accepted", authorized

    session = await _command(
        lab,
        client,
        kind,
        "start_session",
        by_id,
        _typed=typed("StartSessionPayload", id_tag="SDK-TAG-1", connector_id=1),
    )
    transaction_id = session["result"]["transaction_id"]
    await eventually(lambda: lab.has_status(identity, CHARGING[version]))
    assert await lab.store.transactions.get(identity, transaction_id) is not None
    await _command(lab, client, kind, "ev_stops_energy", by_id, _typed=connector)
    if version == "ocpp1.6":
        await eventually(lambda: lab.has_status(identity, "SuspendedEV"))
    await _command(lab, client, kind, "ev_requests_energy", by_id, _typed=connector)
    if version == "ocpp1.6":
        await eventually(lambda: lab.has_status(identity, "Charging"))
    power = typed("PowerUpdatePayload", power_w=3000, evse_id=1, connector_id=1)
    await _command(lab, client, kind, "power_update", by_id, _typed=power)
    await _command(
        lab, client, kind, "stop_session", by_id, _typed=typed("StopSessionPayload", connector_id=1)
    )
    await eventually(lambda: lab.has_status(identity, "Available"))

    async def ended() -> bool:
        transaction = await lab.store.transactions.get(identity, transaction_id)
        return transaction is not None and transaction.stopped_at is not None

    await eventually(ended)

    configured = await _command(
        lab,
        client,
        kind,
        "change_configuration",
        by_id,
        _typed=typed("ConfigurationChangePayload", key="HeartbeatInterval", value="123"),
    )
    assert configured["result"], configured
    await _command(lab, client, kind, "reset_cache", by_id)
    listed = typed(
        "LocalAuthListPayload",
        list_version=7,
        update_type="Full",
        entries=[typed("LocalAuthListEntry", id_tag="SDK-LOCAL-1")],
    )
    await _command(lab, client, kind, "send_local_list", by_id, _typed=listed)
    await _command(lab, client, kind, "clear_local_list", by_id)
    heartbeats = await lab.store.frames.count(identity)
    proxied = await _command(
        lab,
        client,
        kind,
        "proxy_message",
        by_id,
        _typed=typed("ProxyMessagePayload", action="Heartbeat", payload={}),
    )
    assert "currentTime" in proxied["result"]["response"]

    async def seen_at_the_csms() -> bool:  # (its frame log is written in batches)
        return await lab.store.frames.count(identity) > heartbeats

    await eventually(seen_at_the_csms)


async def _reads(lab: StackLab, client: Sdk, kind: str, deployment_id: str, identity: str) -> None:
    """The catalog, templates, logs, command results and deployment status."""
    brands = await client.call("catalog.list_brands", kind, page=1, limit=3)
    _sdk_type(brands, "OcppBrandListResponse")
    assert (brands.data["page"], brands.data["limit"], len(brands.data["data"])) == (1, 3, 3)
    models = await client.call("catalog.list_models", kind, brand_slug="alfen")
    _sdk_type(models, "OcppModelListResponse")
    assert "eve-single-pro-line" in [model["slug"] for model in models.data["data"]]
    model_argument = "model" if client.version.startswith("0.3") else "model_slug"
    model = await client.call(
        "catalog.get_model", kind, brand_slug="alfen", **{model_argument: "eve-single-pro-line"}
    )
    _sdk_type(model, "OcppModelResponse")
    templates = await client.call(
        "templates.list", kind, ocpp_version="ocpp2.0.1", connector_type="cCCS2"
    )
    _sdk_type(templates, "OcppLocationTemplateListResponse")
    assert templates.data["count"] == len(templates.data["templates"]) > 0
    for template in templates.data["templates"]:
        chargers = template["body"]["chargers"]
        assert {c["connector_type"] for c in chargers} == {"cCCS2"}
        assert {c["ocpp_version"] for c in chargers} == {"ocpp2.0.1"}

    if client.version.startswith("0.3"):
        logs = await client.call("logs.list", kind, identity=identity, page=1, page_size=5)
        results = await client.call("commands.list_results", kind, identity=identity, limit=5)
        _sdk_type(results, "CommandResultListResponse")
        assert len(results.data["data"]) == 5
        assert {r["identity"] for r in results.data["data"]} == {identity}
        status = await client.call("deployment_runtime_ops.status", kind, identity=identity)
        _sdk_type(status, "DeploymentStageStatusResponse")
        assert [(i["stage"], i["outcome"]) for i in status.data["items"]] == [
            ("online", "succeeded")
        ]
        events = await client.call("deployment_runtime_ops.events", kind, identity=identity)
        _sdk_type(events, "DeploymentStageEventsResponse")
        assert "online" in [event["stage"] for event in events.data["events"]]
        diagnostics = await client.call(
            "deployment_runtime_ops.diagnostics", kind, deployment_id=deployment_id
        )
        _sdk_type(diagnostics, "OcppDeploymentDiagnosticsResponse")
        assert diagnostics.data["verdict"]["code"] == "connected"
    else:
        logs = await client.call(
            "logs.list",
            kind,
            deployment_id=deployment_id,
            date_start={"__datetime__": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
            action=["BootNotification", "StatusNotification"],
            page=1,
            page_size=5,
        )
    _sdk_type(logs, "OcppLogListResponse")
    assert logs.data["total"] > 0
    assert 0 < len(logs.data["data"]) <= 5


async def _runtime_and_removal(
    lab: StackLab, client: Sdk, kind: str, deployment_id: str, identity: str
) -> None:
    stopped = await client.call(
        "deployment_runtime_ops.operate", kind, action="stop", deployment_id=deployment_id
    )
    _sdk_type(stopped, "OcppDeploymentRuntimeOpsResponse")
    assert (stopped.data["accepted_count"], stopped.data["failed_count"]) == (1, 0)
    await until(lambda: not lab.booted(deployment_id))
    restarted = await client.call(
        "deployment_runtime_ops.operate", kind, action="restart", deployment_id=deployment_id
    )
    _sdk_type(restarted, "OcppDeploymentRuntimeOpsResponse")
    await until(lambda: lab.booted(deployment_id), within=15)
    await lab.host.stop_charger(lab.org, deployment_id)  # it says nothing more
    frame_log = lab.host._frame_log
    assert frame_log is not None
    await frame_log.flush()
    assert await lab.store.frames.count(deployment_id) > 0
    if client.version.startswith("0.3"):
        await client.call("logs.delete", kind, identity=identity)
    else:
        await client.call("logs.delete", kind, deployment_id=deployment_id)
    assert await lab.store.frames.count(deployment_id) == 0
    await client.call("deployment.delete", kind, deployment_id=deployment_id)
    assert await lab.store.chargers.get(lab.org, deployment_id) is None


async def _location(lab: StackLab, client: Sdk, kind: str, suffix: str) -> None:
    """A location with its chargers inline, a background runtime op, and its deletion."""
    # Its charger item names the model by brand_slug and model (0.3) or model_slug (0.2).
    model_name = "model" if client.version.startswith("0.3") else "model_slug"
    model_field = {"brand_slug": "alfen", model_name: "eve-single-pro-line"}
    identities = [f"LOC-{suffix}-1", f"LOC-{suffix}-2"]
    chargers = [
        typed(
            "VirtualLocationChargerItem",
            identity=identity,
            connector_type="Type2",
            ws_url=lab.csms_url,
            ocpp_version=version,
            **model_field,
        )
        for identity, version in zip(identities, ("ocpp1.6", "ocpp2.0.1"), strict=True)
    ]
    created = await client.call(
        "location.create",
        kind,
        name=f"SDK depot {suffix}",
        address="1 Quai de la Gare",
        city="Paris",
        country="FR",
        coordinates=typed("VirtualLocationCoordinates", lat=48.83, lng=2.37),
        chargers=chargers,
    )
    expected = (
        "LocationAcceptedResponse" if client.version.startswith("0.3") else "AcceptedResponse"
    )
    _sdk_type(created, expected)
    location = await _location_named(lab, f"SDK depot {suffix}")
    rows = await _chargers_of(lab, location.id, len(identities))
    for row in rows:
        await until(lambda row=row: lab.booted(row.id), within=15)
    accepted = await client.call(
        "deployment_runtime_ops.operate", kind, action="stop", location_id=location.id
    )
    _sdk_type(accepted, "AcceptedResponse")
    for row in rows:
        await until(lambda row=row: not lab.booted(row.id), within=15)
    if client.version.startswith("0.3"):
        await client.call("location.delete", kind, location_id=location.id)
    else:
        await client.call("location.delete", kind, slug=location.slug)
    assert await lab.store.locations.get(lab.org, location.id) is None
    assert [await lab.store.chargers.get(lab.org, row.id) for row in rows] == [None, None]


async def _location_named(lab: StackLab, name: str) -> Any:
    rows = await lab.store.locations.list(lab.org, limit=100)
    [location] = [row for row in rows if row.name == name]
    return location


async def _chargers_of(lab: StackLab, location_id: str, count: int) -> list[SimulatedCharger]:
    async def made() -> bool:
        rows = await lab.store.chargers.list(lab.org, location_id=location_id)
        return len(rows) == count

    await eventually(made, within=15)
    return list(await lab.store.chargers.list(lab.org, location_id=location_id))


async def _health(client: Sdk, kind: str) -> None:
    if client.version.startswith("0.3"):
        for method, name in (("check", "HealthLiveResponse"), ("live", "HealthLiveResponse")):
            _sdk_type(await client.call(f"health.{method}", kind), name)
        ready = await client.call("health.ready", kind)
        _sdk_type(ready, "HealthReadyResponse")
        assert (ready.data["status"], ready.data["database"]) == ("ok", "ok")
    else:
        assert (await client.call("health.health_check", kind)).data == {"status": "ok"}
        landing = await client.call("health.landing_page", kind)
        assert landing.type == "str"


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("version", SDK_VERSIONS)
async def test_every_gateway_method_of_the_official_sdk(
    lab: StackLab, tmp_path: Path, version: str, kind: str
) -> None:
    base_url = f"http://127.0.0.1:{lab.stack.api_port}"
    async with sdk(version, base_url, operator_token()) as client:
        await _health(client, kind)
        for ocpp_version in ("ocpp1.6", "ocpp2.0.1"):
            identity = f"SDK-{kind.upper()}-{ocpp_version[4:].replace('.', '')}"
            deployment_id = await _deploy(client, kind, lab, identity, ocpp_version)
            await _commands_on(lab, client, kind, deployment_id, identity, ocpp_version)
            await _reads(lab, client, kind, deployment_id, identity)
            await _runtime_and_removal(lab, client, kind, deployment_id, identity)
        await _location(lab, client, kind, kind.upper())


async def _status(client: Sdk, kind: str, command_id: str) -> dict[str, Any]:
    """``commands.get_status``, parsed into the SDK's CommandResultResponse."""
    answer = await client.call("commands.get_status", kind, command_id=command_id)
    _sdk_type(answer, "CommandResultResponse")
    data: dict[str, Any] = answer.data
    return data


async def _sent_by_sdk(client: Sdk, kind: str, method: str, target: Any, payload: Any) -> str:
    answer = await client.call(f"commands.{method}", kind, target=target, payload=payload)
    assert (answer.data["queued_count"], answer.data["failed"]) == (1, []), answer
    command_id: str = answer.data["results"][0]["command"]["id"]
    return command_id


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_an_sdk_script_polls_its_commands_to_their_final_status(
    lab: StackLab, kind: str
) -> None:
    """As a script written for OCPPLab does: send a command, then poll ``get_status`` until
    the status is final, in the SDK's words (0.3.2's CommandResultResponseStatus) — a plug
    ``applied``, a blocked tag ``rejected`` with the reason, and a plug at a station whose
    network is down ``deferred`` until it is back, then ``applied``."""
    base_url = f"http://127.0.0.1:{lab.stack.api_port}"
    async with sdk("0.3.2", base_url, operator_token()) as client:
        words = await client.words("CommandResultResponseStatus")
        assert words == ["received", "deferred", "applied", "rejected", "expired", "failed"]
        identity = f"SDK-POLL-{kind.upper()}"
        deployment_id = await _deploy(client, kind, lab, identity, "ocpp1.6")
        target = typed("CommandTarget", identity=identity)
        connector = typed("ConnectorPayload", connector_id=1)

        async def final(command_id: str) -> dict[str, Any]:
            return await polled(
                lambda: _status(client, kind, command_id),
                lambda status: status["status"] not in ("received", "deferred"),
                within=10,
            )

        plug = await _sent_by_sdk(client, kind, "plug_connector", target, connector)
        applied = await final(plug)
        assert (applied["status"], applied["detail"]) == ("applied", None), applied
        assert (applied["command_id"], applied["identity"]) == (plug, identity)
        assert applied["deployment_id"] == deployment_id
        await _sent_by_sdk(client, kind, "unplug_connector", target, connector)

        await lab.store.id_tags.create("SDK-BLOCKED", status="Blocked", organization_id=lab.org)
        tag = typed("AuthorizeIdTagPayload", id_tag="SDK-BLOCKED")
        rejected = await final(await _sent_by_sdk(client, kind, "authorize_id_tag", target, tag))
        assert (rejected["status"], rejected["detail"]) == (
            "rejected",
            "the central system answered Authorize with Blocked",
        )

        station = lab.hosted(deployment_id)
        station.go_offline()
        await until(lambda: not station.connected)
        offline_plug = await _sent_by_sdk(client, kind, "plug_connector", target, connector)
        deferred = await polled(
            lambda: _status(client, kind, offline_plug),
            lambda status: status["status"] != "received",
        )
        assert deferred["status"] == "deferred", deferred
        station.come_online()
        back = await final(offline_plug)
        assert back["status"] == "applied", back
        await eventually(lambda: lab.has_status(identity, "Preparing"))
        for status in (applied, rejected, deferred, back):
            assert status["status"] in words
