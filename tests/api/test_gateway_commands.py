"""``POST /ocpp/commands/...`` and ``GET /ocpp/commands/{id}`` over HTTP, against real
simulated chargers connected to chargeyard's own CSMS (the gateway API reference's "Unplug
connector"): the reference's example replayed, targeting and its errors, roles, tenants,
refusals in ``failed``, what became of a command, and the OpenAPI document's names."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, get_args

import pytest

from chargeyard.api.gateway.routes.commands import DOCS
from chargeyard.api.gateway.schemas.commands import (
    CommandState,
    CommandStatusWord,
    LocationCommandResponse,
    request_model,
    state_word,
    status_word,
)
from chargeyard.api.tokens import Role
from chargeyard.gateway.commands import COMMANDS, COMMANDS_BY_PATH
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.station.model.states import Registration
from chargeyard.store import Store
from chargeyard.store.models import CommandStatus, SimulatedCharger
from tests.api.gateway_fleet import ORG, fleet_lab
from tests.api.gateway_lab import as_role, gateway_client
from tests.polling import eventually, until
from tests.stack_lab import TEMPLATE, StackLab

UNPLUG = "/ocpp/commands/unplug-connector"
PLUG = "/ocpp/commands/plug-connector"
COMMAND_ID = re.compile(r"^[0-9a-f]{12}$")

# The API reference's example: "Unplug queued for one targeted charger".
SEED_REQUEST: dict[str, Any] = {
    "target": {"charger_id": "dep-789"},
    "event": {"evse_id": 2, "connector_id": 1},
}
SEED_RESPONSE: dict[str, Any] = {
    "targeted_count": 1,
    "queued_count": 1,
    "failed_count": 0,
    "results": [
        {
            "charger_id": "dep-789",
            "identity": "CP-CHARGER-789",
            "command": {
                "id": "f7e8d9c0b1a2",
                "event_type": "unplug",
                "ocpp_version": "ocpp1.6",
                "payload": {"evse_id": 2, "connector_id": 1},
            },
        }
    ],
    "failed": [],
}


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with fleet_lab(tmp_path) as lab:
        # The operator's first request creates org-a; chargers need it before that.
        await lab.store.organizations.create(ORG, organization_id=ORG)
        yield lab


async def _charger(
    lab: StackLab,
    identity: str,
    *,
    version: VersionSpec = V16,
    template: str = TEMPLATE,
    location_id: str | None = None,
    charger_id: str | None = None,
    org: str = ORG,
) -> SimulatedCharger:
    return await lab.store.chargers.create(
        org,
        identity=identity,
        ocpp_version=version,
        csms_url=lab.csms_url,
        template=template,
        location_id=location_id,
        charger_id=charger_id,
    )


async def _running(lab: StackLab, charger: SimulatedCharger) -> SimulatedCharger:
    """Started and Accepted by the CSMS."""
    await lab.host.start_charger(charger.organization_id, charger.id)

    def booted() -> bool:
        station = lab.host.station(charger.id)
        return station is not None and station.registration is Registration.ACCEPTED

    await until(booted)
    return charger


async def _outcome(lab: StackLab, command_id: str) -> dict[str, Any]:
    """The command as GET /ocpp/commands/{id} shows it once the fleet decided."""
    async with asyncio.timeout(5):
        await lab.bus.wait_outcome(command_id)
    response = await lab.client.get(f"/ocpp/commands/{command_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _plugged(lab: StackLab, charger: SimulatedCharger, evse_id: int = 1) -> bool:
    station: Any = lab.host.station(charger.id)
    return bool(station.model.evses[evse_id].connectors[1].cable_plugged)


# -- the API reference's example ------------------------------------------------------------------


async def test_the_seed_example_replayed_answers_the_seed_response(lab: StackLab) -> None:
    charger = await _charger(
        lab, "CP-CHARGER-789", template="alfen-eve-double-pro-line", charger_id="dep-789"
    )
    await _running(lab, charger)
    station: Any = lab.host.station(charger.id)
    station.plug(2, 1)

    response = await lab.client.post(UNPLUG, json=SEED_REQUEST)

    assert response.status_code == 202, response.text
    body = response.json()
    LocationCommandResponse.model_validate(body, strict=True)
    command_id = body["results"][0]["command"]["id"]
    assert COMMAND_ID.match(command_id)
    body["results"][0]["command"]["id"] = SEED_RESPONSE["results"][0]["command"]["id"]
    assert body == SEED_RESPONSE
    outcome = await _outcome(lab, command_id)
    assert outcome["status"] == "applied"
    assert outcome["result"] == {"evse_id": 2, "connector_id": 1, "transaction_ended": False}
    assert not _plugged(lab, charger, 2)


async def test_get_command_says_what_became_of_it(lab: StackLab) -> None:
    charger = await _running(lab, await _charger(lab, "CP-1"))
    sent = await lab.client.post(PLUG, json={"target": {"charger_id": charger.id}, "event": {}})
    assert sent.status_code == 202, sent.text
    command_id = sent.json()["results"][0]["command"]["id"]

    outcome = await _outcome(lab, command_id)

    created = outcome.pop("created_at")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", outcome.pop("updated_at"))
    assert outcome == {
        "id": command_id,
        "charger_id": charger.id,
        "event_type": "plug",
        "ocpp_version": "ocpp1.6",
        "payload": {"evse_id": 1, "connector_id": 1},
        "status": "applied",
        "state": "succeeded",
        "result": {"evse_id": 1, "connector_id": 1},
        "error": None,
        # The same body in OCPPLab's words (its SDK's CommandResultResponse).
        "command_id": command_id,
        "deployment_id": charger.id,
        "identity": "CP-1",
        "detail": None,
        "enqueued_at": created,
        "received_at": created,
    }
    assert _plugged(lab, charger)
    viewer = await lab.client.get(f"/ocpp/commands/{command_id}", headers=as_role(Role.VIEWER))
    assert viewer.status_code == 200


async def test_a_command_the_station_refuses_on_arrival_is_rejected_with_the_reason(
    lab: StackLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API's precheck let it through (the station may move on before the command
    arrives; here the precheck is skipped), the station refuses it: GET says why."""
    charger = await _running(lab, await _charger(lab, "CP-1"))
    monkeypatch.setattr(lab.host, "precheck", lambda *args: None)
    sent = await lab.client.post(UNPLUG, json={"target": {"charger_id": charger.id}, "event": {}})
    assert sent.json()["queued_count"] == 1

    outcome = await _outcome(lab, sent.json()["results"][0]["command"]["id"])

    assert (outcome["status"], outcome["state"], outcome["result"]) == ("rejected", "failed", None)
    assert outcome["detail"] == outcome["error"] == "no cable is plugged in EVSE 1 connector 1"


async def test_a_2_0_1_charger_is_queued_with_its_version(lab: StackLab) -> None:
    charger = await _running(lab, await _charger(lab, "CP-201", version=V201))
    body = {"target": {"charger_id": charger.id}, "event": {"id_tag": "TAG-1"}}
    response = await lab.client.post("/ocpp/commands/authorize", json=body)
    assert response.status_code == 202, response.text
    command = response.json()["results"][0]["command"]
    assert (command["event_type"], command["ocpp_version"]) == ("authorize", "ocpp2.0.1")
    assert command["payload"] == {"id_tag": "TAG-1", "evse_id": None}
    assert (await _outcome(lab, command["id"]))["status"] == "applied"


# -- locations -----------------------------------------------------------------------------------


async def test_a_location_command_reaches_every_charger_and_lists_those_that_cannot(
    lab: StackLab,
) -> None:
    location = await lab.store.locations.create(ORG, "Depot")
    running = [
        await _running(lab, await _charger(lab, f"CP-{n}", location_id=location.id))
        for n in range(3)
    ]
    stopped = await _charger(lab, "CP-OFF", location_id=location.id)
    elsewhere = await _running(lab, await _charger(lab, "CP-ELSEWHERE"))
    station: Any = lab.host.station(running[2].id)
    station.plug(1, 1)  # already plugged: cannot take a plug

    response = await lab.client.post(
        PLUG, json={"target": {"location_id": location.id}, "event": {"evse_id": 1}}
    )

    assert response.status_code == 202, response.text
    body = response.json()
    LocationCommandResponse.model_validate(body, strict=True)
    assert (body["targeted_count"], body["queued_count"], body["failed_count"]) == (4, 2, 2)
    assert [r["charger_id"] for r in body["results"]] == sorted(c.id for c in running[:2])
    assert sorted(body["failed"], key=lambda f: f["identity"]) == [
        {"identity": "CP-2", "error": "a cable is already plugged in EVSE 1 connector 1"},
        {"identity": "CP-OFF", "error": "charger is not running"},
    ]
    for result in body["results"]:
        assert (await _outcome(lab, result["command"]["id"]))["status"] == "applied"
    assert all(_plugged(lab, charger) for charger in running)
    assert not _plugged(lab, elsewhere)
    assert lab.host.station(stopped.id) is None


async def test_charger_ids_selects_a_subset_of_the_location(lab: StackLab) -> None:
    location = await lab.store.locations.create(ORG, "Depot")
    chargers = [
        await _running(lab, await _charger(lab, f"CP-{n}", location_id=location.id))
        for n in range(3)
    ]
    chosen = [chargers[2].id, chargers[0].id, chargers[2].id]  # a repeat counts once

    response = await lab.client.post(
        PLUG,
        json={
            "target": {"location_id": location.id, "charger_ids": chosen},
            "event": {"evse_id": 1, "connector_id": 1},
        },
    )

    assert response.status_code == 202, response.text
    body = response.json()
    assert [r["charger_id"] for r in body["results"]] == [chargers[2].id, chargers[0].id]
    async with asyncio.timeout(5):
        for result in body["results"]:
            await lab.bus.wait_outcome(result["command"]["id"])
    assert [_plugged(lab, c) for c in chargers] == [True, False, True]


async def test_an_empty_location_targets_nobody(lab: StackLab) -> None:
    location = await lab.store.locations.create(ORG, "Empty")
    response = await lab.client.post(
        PLUG, json={"target": {"location_id": location.id}, "event": {}}
    )
    assert (response.status_code, response.json()) == (
        202,
        {"targeted_count": 0, "queued_count": 0, "failed_count": 0, "results": [], "failed": []},
    )


# -- what a charger cannot take lands in failed --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "event", "reason"),
    [
        (UNPLUG, {}, "no cable is plugged in EVSE 1 connector 1"),
        (PLUG, {"evse_id": 3}, "no EVSE 3 (the station has 1)"),
        (PLUG, {"evse_id": 1, "connector_id": 2}, "no connector 2 on EVSE 1"),
        (PLUG, {"connector_id": 2}, "no connector 2 (the station has 1)"),  # a 1.6 number
        (
            "/ocpp/commands/stop-session",
            {},
            "no session on EVSE 1 connector 1: nothing to stop",
        ),
    ],
)
async def test_a_charger_in_the_wrong_state_is_failed_with_the_reason(
    lab: StackLab, path: str, event: dict[str, Any], reason: str
) -> None:
    charger = await _running(lab, await _charger(lab, "CP-1"))
    response = await lab.client.post(
        path, json={"target": {"charger_id": charger.id}, "event": event}
    )
    assert (response.status_code, response.json()) == (
        202,
        {
            "targeted_count": 1,
            "queued_count": 0,
            "failed_count": 1,
            "results": [],
            "failed": [{"identity": "CP-1", "error": reason}],
        },
    )
    assert await lab.store.commands.list(ORG) == []


async def test_a_charger_not_running_is_failed(lab: StackLab) -> None:
    charger = await _charger(lab, "CP-1")
    response = await lab.client.post(PLUG, json={"target": {"charger_id": charger.id}, "event": {}})
    assert response.status_code == 202
    assert response.json()["failed"] == [{"identity": "CP-1", "error": "charger is not running"}]


# -- targeting errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"charger_id": "dep-1", "location_id": "loc-1"}, "provide either charger_id or"),
        ({}, "provide either charger_id or location_id"),
        ({"charger_id": "dep-1", "charger_ids": ["dep-1"]}, "charger_ids is only valid with"),
        ({"charger_ids": ["dep-1"]}, "provide either charger_id or location_id"),
        ({"location_id": "loc-1", "charger_ids": []}, "charger_ids must name at least one"),
        ({"charger_id": "dep-1", "chargers": ["dep-1"]}, "Extra inputs are not permitted"),
        ({"charger_id": "dep-\x00"}, "String should match pattern"),
        ({"location_id": "loc-1", "charger_ids": [""]}, "at least 1 character"),
    ],
)
async def test_an_invalid_target_is_422(
    lab: StackLab, target: dict[str, Any], message: str
) -> None:
    response = await lab.client.post(UNPLUG, json={"target": target, "event": {}})
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"][:2] == ["body", "target"]
    assert message in problem["msg"]


@pytest.mark.parametrize(
    "body",
    [
        {"event": {}},
        {"target": {"charger_id": "dep-1"}, "event": {"evse_id": 0}},
        {"target": {"charger_id": "dep-1"}, "event": {"evse_id": 1, "colour": "red"}},
    ],
)
async def test_an_invalid_body_is_422(lab: StackLab, body: dict[str, Any]) -> None:
    response = await lab.client.post(UNPLUG, json=body)
    assert response.status_code == 422, response.text


async def test_an_invalid_payload_of_another_command_is_422(lab: StackLab) -> None:
    response = await lab.client.post(
        "/ocpp/commands/start-session",
        json={"target": {"charger_id": "dep-1"}, "event": {"duration_seconds": 5}},
    )
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [["body", "event", "id_tag"]]


async def test_an_infinite_number_is_422_not_null(lab: StackLab) -> None:
    # Python's JSON reader takes Infinity; queued, it would have been null ("no limit").
    response = await lab.client.post(
        "/ocpp/commands/power-update",
        content=b'{"target": {"charger_id": "dep-1"}, "event": {"power_w": Infinity}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert [p["loc"] for p in response.json()["detail"]] == [["body", "event", "power_w"]]


async def test_an_unknown_charger_or_location_is_404(lab: StackLab) -> None:
    for target, detail in [
        ({"charger_id": "dep-nope"}, "charger 'dep-nope' not found"),
        ({"location_id": "loc-nope"}, "location 'loc-nope' not found"),
    ]:
        response = await lab.client.post(UNPLUG, json={"target": target, "event": {}})
        assert (response.status_code, response.json()) == (404, {"detail": detail})


async def test_a_charger_ids_entry_outside_the_location_is_failed_naming_it(
    lab: StackLab,
) -> None:
    location = await lab.store.locations.create(ORG, "Depot")
    inside = await _running(lab, await _charger(lab, "CP-IN", location_id=location.id))
    outside = await _charger(lab, "CP-OUT")
    response = await lab.client.post(
        PLUG,
        json={
            "target": {
                "location_id": location.id,
                "charger_ids": [inside.id, outside.id, "dep-nope"],
            },
            "event": {},
        },
    )
    assert response.status_code == 202, response.text
    body = response.json()
    LocationCommandResponse.model_validate(body, strict=True)
    assert (body["targeted_count"], body["queued_count"], body["failed_count"]) == (3, 1, 2)
    assert [r["charger_id"] for r in body["results"]] == [inside.id]
    assert body["failed"] == [
        {
            "identity": None,
            "error": f"charger {outside.id!r} not found in location {location.id!r}",
        },
        {"identity": None, "error": f"charger 'dep-nope' not found in location {location.id!r}"},
    ]
    assert len(await lab.store.commands.list(ORG)) == 1


async def test_a_parameter_the_chargers_version_cannot_carry_is_failed_and_nothing_happens(
    lab: StackLab,
) -> None:
    charger = await _running(lab, await _charger(lab, "CP-1"))
    station: Any = lab.host.station(charger.id)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    await until(lambda: station.model.evses[1].transaction is not None)
    stop = "/ocpp/commands/stop-transaction"
    response = await lab.client.post(
        stop, json={"target": {"charger_id": charger.id}, "event": {"reason": "NotARealReason"}}
    )
    assert response.status_code == 202, response.text
    assert response.json()["failed"] == [
        {
            "identity": "CP-1",
            "error": "OCPP 1.6: reason 'NotARealReason' is not allowed in StopTransaction.reason: "
            "one of EmergencyStop, EVDisconnected, HardReset, Local, Other, PowerLoss, Reboot, "
            "Remote, SoftReset, UnlockCommand, DeAuthorized",
        }
    ]
    assert await lab.store.commands.list(ORG) == []
    assert station.model.evses[1].transaction is not None


async def test_an_unknown_command_is_404_and_a_wrong_method_405(lab: StackLab) -> None:
    for path in ("no-such-thing", "cache/nothing"):
        response = await lab.client.post(
            f"/ocpp/commands/{path}", json={"target": {"charger_id": "dep-1"}, "event": {}}
        )
        assert response.status_code == 404, path
        assert response.json()["detail"].startswith(
            f"no command {path!r} under /ocpp/commands (known: plug-connector, "
        )
    for method, path in [("GET", PLUG), ("PUT", PLUG), ("GET", "/ocpp/commands/cache/reset")]:
        response = await lab.client.request(method, path)
        assert (response.status_code, response.headers.get("allow")) == (405, "POST"), path
    unauthenticated = await lab.client.post(
        "/ocpp/commands/no-such-thing", json={}, headers={"Authorization": ""}
    )
    assert unauthenticated.status_code == 401


async def test_the_catalogue_lists_each_command_with_the_body_it_takes(store: Store) -> None:
    async with gateway_client(store) as client:
        response = await client.get("/ocpp/commands/catalog", headers=as_role(Role.VIEWER))
        second = await client.get(
            "/ocpp/commands/catalog",
            params={"page": 2, "limit": 10},
            headers=as_role(Role.VIEWER),
        )

    assert response.status_code == 200, response.text  # at once: no redirect to a 405
    body = response.json()
    assert (body["total"], body["page"], body["limit"]) == (len(COMMANDS), 1, 50)
    assert [item["path"] for item in body["data"]] == list(COMMANDS_BY_PATH)
    for item in body["data"]:
        spec = COMMANDS_BY_PATH[item["path"]]
        assert (item["method"], item["event_type"]) == ("POST", spec.event_type)
        assert item["event"] == spec.payload.model_json_schema()
        request_model(spec).model_validate(item["example"])  # a body the command takes
    start = next(item for item in body["data"] if item["path"] == "start-session")
    assert start["example"] == {
        "target": {"charger_id": "dep-123"},
        "event": {
            "evse_id": 1,
            "connector_id": 1,
            "id_tag": "04A1B2C3D4",
            "duration_seconds": 600,
            "target_energy_kwh": 5,
        },
    }
    assert [item["path"] for item in second.json()["data"]] == list(COMMANDS_BY_PATH)[10:20]


async def test_commands_without_a_command_path_allow_get_or_are_404(store: Store) -> None:
    """POST to the listing is 405 naming GET; a trailing slash after a command's path (which
    the catch-all for unknown commands matches) is 404, never a 405 that allows nothing."""
    async with gateway_client(store) as client:
        headers = as_role(Role.OPERATOR)
        listing = await client.post("/ocpp/commands", json={}, headers=headers)
        slashed = [
            await client.request(method, path, headers=headers)
            for method, path in [("GET", "/ocpp/commands/"), ("GET", f"{PLUG}/")]
        ]

    assert (listing.status_code, listing.headers["allow"]) == (405, "GET")
    assert listing.json() == {"detail": "POST is not allowed here; allowed: GET"}
    assert [(r.status_code, r.json()) for r in slashed] == [(404, {"detail": "Not Found"})] * 2


# -- roles and tenants ---------------------------------------------------------------------------


async def test_a_viewer_may_not_send_commands(lab: StackLab) -> None:
    charger = await _charger(lab, "CP-1")
    response = await lab.client.post(
        PLUG,
        json={"target": {"charger_id": charger.id}, "event": {}},
        headers=as_role(Role.VIEWER),
    )
    assert response.status_code == 403
    assert "operator" in response.json()["detail"]


async def test_without_a_token_it_is_401(lab: StackLab) -> None:
    response = await lab.client.post(
        PLUG, json={"target": {"charger_id": "dep-1"}, "event": {}}, headers={"Authorization": ""}
    )
    assert response.status_code == 401
    missing = await lab.client.get("/ocpp/commands/abc", headers={"Authorization": ""})
    assert missing.status_code == 401


async def test_another_organizations_charger_location_and_command_are_404(lab: StackLab) -> None:
    await lab.store.organizations.create("org-b", organization_id="org-b")
    theirs = await _running(lab, await _charger(lab, "CP-B", org="org-b"))
    their_location = await lab.store.locations.create("org-b", "Their depot")
    b = as_role(Role.OPERATOR, org="org-b")
    sent = await lab.client.post(
        PLUG, json={"target": {"charger_id": theirs.id}, "event": {}}, headers=b
    )
    assert sent.status_code == 202
    their_command = sent.json()["results"][0]["command"]["id"]

    for target in ({"charger_id": theirs.id}, {"location_id": their_location.id}):
        response = await lab.client.post(PLUG, json={"target": target, "event": {}})
        assert response.status_code == 404, target
    response = await lab.client.get(f"/ocpp/commands/{their_command}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"command {their_command!r} not found"}
    own = await lab.client.get(f"/ocpp/commands/{their_command}", headers=b)
    assert own.status_code == 200


async def test_an_unknown_command_id_is_404(lab: StackLab) -> None:
    response = await lab.client.get("/ocpp/commands/0123456789ab")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "command '0123456789ab' not found"},
    )


async def test_without_the_fleet_host_commands_answer_503(store: Store) -> None:
    async with gateway_client(store) as client:
        response = await client.post(UNPLUG, json=SEED_REQUEST, headers=as_role(Role.OPERATOR))
    assert response.status_code == 503
    assert response.json() == {"detail": "the simulator gateway is not running in this process"}


# -- the OpenAPI document -----------------------------------------------------------------------

# The API reference's components: each one's description, its properties and what it requires.
SEED_COMPONENTS: dict[str, tuple[str, list[str], list[str]]] = {
    "CommandTarget": (
        "Target for a unified command.\n\nProvide exactly one of ``charger_id`` or "
        "``location_id``.\n``charger_ids`` is an optional subset filter — only valid with "
        '``location_id``.\n\nExamples::\n\n    {"charger_id": "dep-123"}\n    '
        '{"location_id": "loc-456"}\n    '
        '{"location_id": "loc-456", "charger_ids": ["dep-1", "dep-2"]}',
        ["charger_id", "location_id", "charger_ids"],
        [],
    ),
    "ConnectorCommandEvent": (
        "Command payload for connector-scoped actions.",
        ["evse_id", "connector_id"],
        [],
    ),
    "UnifiedConnectorRequest": (
        "Request for plug / unplug / unlock / EV-energy commands.",
        ["target", "event"],
        ["target", "event"],
    ),
    "QueuedCommandResponse": (
        "Queued command payload returned by simulator action endpoints.",
        ["id", "event_type", "ocpp_version", "payload"],
        ["id", "event_type", "ocpp_version", "payload"],
    ),
    "LocationQueuedCommandResult": (
        "One queued command result item for a location-scoped command request.",
        ["charger_id", "identity", "command"],
        ["charger_id", "identity", "command"],
    ),
    "LocationCommandFailure": (
        "Failed charger result returned by location command endpoints.",
        ["identity", "error"],
        ["error"],
    ),
    "LocationCommandResponse": (
        "Response body returned by location-scoped charger command endpoints.",
        ["targeted_count", "queued_count", "failed_count", "results", "failed"],
        ["targeted_count", "queued_count", "failed_count", "results", "failed"],
    ),
    "HttpErrorResponse": (
        "Standard HTTP error payload returned by the API.",
        ["detail"],
        ["detail"],
    ),
}


async def test_the_openapi_document_has_the_seeds_components(lab: StackLab) -> None:
    schemas = (await lab.client.get("/openapi.json")).json()["components"]["schemas"]
    for name, (description, properties, required) in SEED_COMPONENTS.items():
        schema = schemas[name]
        assert schema["title"] == name
        assert schema["description"] == description, name
        assert list(schema["properties"]) == properties, name
        assert schema.get("required", []) == required, name
    target = schemas["CommandTarget"]["properties"]
    assert target["charger_id"]["description"] == "Target a single charger by deployment ID."
    assert target["location_id"]["description"] == "Target all or selected chargers in a location."
    assert target["charger_ids"]["description"] == (
        "Subset of chargers within the location. Null = all chargers. Only valid with location_id."
    )
    event = schemas["ConnectorCommandEvent"]["properties"]
    assert (event["evse_id"]["default"], event["connector_id"]["default"]) == (1, 1)
    payload = schemas["QueuedCommandResponse"]["properties"]["payload"]
    assert payload["description"] == "Command payload sent to the simulator queue."
    assert schemas["UnifiedConnectorRequest"]["examples"] == [SEED_REQUEST]
    assert schemas["LocationCommandResponse"]["examples"] == [SEED_RESPONSE]


async def test_the_unplug_operation_is_the_seeds(lab: StackLab) -> None:
    document = (await lab.client.get("/openapi.json")).json()
    operation = document["paths"][UNPLUG]["post"]
    assert operation["operationId"] == "unplug-connector"
    assert operation["summary"] == "Unplug connector"
    assert operation["description"] == (
        "Simulate physical cable unplug on the specified connector. The charger returns to "
        "`Available` once the cable is removed. Targets a single charger, selected chargers "
        "in a location, or all chargers in a location."
    )
    assert operation["security"] == [{"HTTPBearer": []}]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/UnifiedConnectorRequest"}
    responses = operation["responses"]
    descriptions = {code: responses[code]["description"] for code in responses}
    assert descriptions == {
        "202": "Command accepted and queued for the target charger(s)",
        "401": "Missing or invalid bearer token",
        "403": "Insufficient permissions or missing required claims",
        "404": "Charger or location not found",
        "422": "Invalid target — provide either charger_id or location_id, not both",
        "500": "Internal server error",
        "503": "The simulator gateway is not running in this process, or cannot reach its"
        " fleet hosts (Redis), or the charger's host went away before it answered (retry after"
        " Retry-After)",
        "504": "The charger's host did not answer in time",
    }
    ok = responses["202"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/LocationCommandResponse"}
    assert ok["example"] == SEED_RESPONSE
    for code in ("401", "403"):
        error = responses[code]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/HttpErrorResponse"}
    for code in ("404", "422", "500"):
        any_type = responses[code]["content"]["application/json"]["schema"]
        assert any_type == {"description": "Any type"}


async def test_every_command_of_the_catalogue_has_its_documented_route(lab: StackLab) -> None:
    assert set(DOCS) == set(COMMANDS_BY_PATH)
    document = (await lab.client.get("/openapi.json")).json()
    for spec in COMMANDS.values():
        operation = document["paths"][f"/ocpp/commands/{spec.path}"]["post"]
        assert operation["operationId"] == spec.path.replace("/", "-")
        assert (operation["summary"], operation["description"]) == DOCS[spec.path]
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        name = body.rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
        assert list(schema["properties"]) == ["target", "event"], name
        assert schema["properties"]["target"] == {"$ref": "#/components/schemas/CommandTarget"}
    start = document["paths"]["/ocpp/commands/start-session"]["post"]
    assert start["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StartSessionRequest"
    }
    get = document["paths"]["/ocpp/commands/{command_id}"]["get"]
    assert (get["operationId"], get["summary"]) == ("get-command", "Get command")


async def test_a_command_without_parameters_needs_no_event(lab: StackLab) -> None:
    charger = await _running(lab, await _charger(lab, "CP-1"))
    response = await lab.client.post(
        "/ocpp/commands/cache/reset", json={"target": {"charger_id": charger.id}}
    )
    assert response.status_code == 202, response.text
    command = response.json()["results"][0]["command"]
    assert (command["event_type"], command["payload"]) == ("reset_cache", {})
    outcome = await _outcome(lab, command["id"])
    assert outcome["status"] == "applied", outcome


async def test_unplug_ends_the_running_session_and_the_csms_sees_available(
    lab: StackLab,
) -> None:
    charger = await _running(lab, await _charger(lab, "CP-1"))
    start = await lab.client.post(
        "/ocpp/commands/start-session",
        json={"target": {"charger_id": charger.id}, "event": {"id_tag": "TAG-1"}},
    )
    assert start.status_code == 202, start.text

    async def charging() -> bool:
        return await lab.csms.store.transactions.count(status="active") == 1

    await eventually(charging, every=0.1)
    unplug = await lab.client.post(UNPLUG, json={"target": {"charger_id": charger.id}, "event": {}})
    outcome = await _outcome(lab, unplug.json()["results"][0]["command"]["id"])
    assert outcome["result"] == {"evse_id": 1, "connector_id": 1, "transaction_ended": True}

    async def stopped() -> bool:
        return await lab.csms.store.transactions.count(status="completed") == 1

    await eventually(stopped, every=0.1)


async def test_get_command_shows_what_became_of_each_chargers_start_session(
    lab: StackLab,
) -> None:
    # One request to two chargers: the accepted tag's command names its transaction, the
    # blocked one's says why nothing charges, and that charger's cable is out again.
    location = await lab.store.locations.create(ORG, "Depot")
    first = await _running(lab, await _charger(lab, "CP-1", location_id=location.id))
    second = await _running(lab, await _charger(lab, "CP-2", location_id=location.id))
    # The tags of the chargers' organization, whose stations they are at the central system.
    await lab.csms.store.id_tags.create("FLEET", status="Blocked", organization_id=ORG)
    await lab.csms.store.id_tags.create("DRIVER", parent_id_tag="FLEET", organization_id=ORG)
    await lab.csms.store.id_tags.create("GOOD", organization_id=ORG)

    async def start(charger: SimulatedCharger, id_tag: str) -> dict[str, Any]:
        response = await lab.client.post(
            "/ocpp/commands/start-session",
            json={"target": {"charger_id": charger.id}, "event": {"id_tag": id_tag}},
        )
        assert response.status_code == 202, response.text
        return await _outcome(lab, response.json()["results"][0]["command"]["id"])

    accepted = await start(first, "GOOD")
    refused = await start(second, "DRIVER")

    active = await lab.csms.store.transactions.list(charge_box_id="CP-1", status="active")
    assert (accepted["charger_id"], accepted["status"], accepted["detail"]) == (
        first.id,
        "applied",
        None,
    )
    assert accepted["result"] == {
        "evse_id": 1,
        "connector_id": 1,
        "id_tag": "GOOD",
        "plugged": True,
        "authorization": {"status": "Accepted", "source": "CentralSystem"},
        "transaction_id": active[0].transaction_id,
        "duration_seconds": None,
        "target_energy_kwh": None,
    }
    assert (refused["charger_id"], refused["status"], refused["detail"]) == (
        second.id,
        "rejected",
        "the central system answered Authorize with Blocked",
    )
    assert refused["result"]["authorization"] == {"status": "Blocked", "source": "CentralSystem"}
    assert refused["result"]["transaction_id"] is None
    assert not _plugged(lab, second)
    assert await lab.csms.store.transactions.count(charge_box_id="CP-2") == 0


def test_every_stored_status_is_said_in_both_vocabularies() -> None:
    # OCPPLab's CommandResultResponse.status, and chargeyard's own words; each word used.
    assert {status_word(status) for status in CommandStatus} == set(get_args(CommandStatusWord))
    assert {state_word(status) for status in CommandStatus} == set(get_args(CommandState))
