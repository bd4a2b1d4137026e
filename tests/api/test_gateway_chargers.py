"""``/ocpp/chargers``: durable chargers created (202, then provisioned in the background),
read with their live station, changed, deleted; validation, roles and tenant isolation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargeyard.api.tokens import Role
from chargeyard.gateway.provisioning import Provisioner
from chargeyard.protocol import V16
from tests.api.gateway_chargers_lab import (
    CHARGERS,
    OTHER_ORG,
    accepted_by_csms,
    charger_body,
    charger_lab,
    create_charger,
    location,
    provisioner_idle,
)
from tests.api.gateway_fleet import ORG
from tests.polling import eventually, until
from tests.stack_lab import StackLab

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with charger_lab(tmp_path) as lab:
        yield lab


async def _json(lab: StackLab, method: str, url: str, status: int, **kwargs: Any) -> Any:
    response = await lab.client.request(method, url, **kwargs)
    assert response.status_code == status, response.text
    return response.json() if response.content else None


# -- create and provision ------------------------------------------------------------------


async def test_create_answers_202_then_the_charger_runs_and_is_ready(lab: StackLab) -> None:
    response = await lab.client.post(CHARGERS, json=charger_body(lab, "CP-1"))
    assert response.status_code == 202, response.text
    accepted = response.json()
    charger_id = accepted["charger_id"]
    assert re.fullmatch(r"dep-[0-9a-f]{12}", charger_id)
    assert accepted == {
        "charger_id": charger_id,
        "identity": "CP-1",
        "status": "PROVISIONING",
        "status_url": f"/ocpp/chargers/{charger_id}/status",
        "workflow_run_id": accepted["workflow_run_id"],
    }

    await provisioner_idle(lab)
    state = await _json(lab, "GET", accepted["status_url"], 200)
    assert TIMESTAMP.match(state["provisioned_at"])
    assert state == {
        "charger_id": charger_id,
        "status": "READY",
        "workflow_run_id": accepted["workflow_run_id"],
        "error": None,
        "provisioned_at": state["provisioned_at"],
    }

    await accepted_by_csms(lab, charger_id)
    charger = await _json(lab, "GET", f"{CHARGERS}/{charger_id}", 200)
    assert charger["runtime"]["running"] is True
    assert charger["runtime"]["registration"] == "Accepted"
    assert charger["runtime"]["connectors"] == [
        {"evse_id": 1, "connector_id": 1, "status": "Available"}
    ]
    # The station's own meter, read now (the dashboard follows a session with it).
    [meter] = charger["runtime"]["evses"]
    assert meter == {
        "evse_id": 1,
        "energy_wh": meter["energy_wh"],
        "power_w": 0.0,
        "transaction": None,
    }
    assert meter["energy_wh"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", charger["runtime"]["read_at"])
    assert {
        k: v for k, v in charger.items() if k not in ("runtime", "created_at", "updated_at")
    } == {
        "id": charger_id,
        "identity": "CP-1",
        "location_id": None,
        "brand_slug": "alfen",
        "model_slug": "eve-single-pro-line",
        "connector_type": "sType2",
        "charge_point_name": "Bay 1",
        "ws_url": lab.csms_url,
        "ocpp_version": "ocpp1.6",
        "has_password": False,
        "desired_state": "running",
        "runtime_status": "running",
        # Its model's DataTransfer replies (the catalog's defaults).
        "data_transfer": [
            {"vendor_id": "chargeyard", "message_id": None, "answer": "echo", "data": None}
        ],
        "data_transfer_source": "template",
        "drivers": "none",  # nobody comes unless asked (drivers: app)
    }


async def test_a_charger_answered_202_takes_a_command_at_once(lab: StackLab) -> None:
    """Created to run, it wants to run from the 202 on: a command sent at once waits the
    moment its host takes to start it (``gateway/dispatch.py``), then goes."""
    response = await lab.client.post(CHARGERS, json=charger_body(lab, "CP-1"))
    assert response.status_code == 202, response.text
    charger_id = response.json()["charger_id"]
    assert (await _json(lab, "GET", f"{CHARGERS}/{charger_id}", 200))["desired_state"] == "running"

    sent = await _json(
        lab,
        "POST",
        "/ocpp/commands/plug-connector",
        202,
        json={"target": {"charger_id": charger_id}, "event": {}},
    )

    assert (sent["queued_count"], sent["failed"]) == (1, []), sent
    command_url = f"/ocpp/commands/{sent['results'][0]['command']['id']}"

    async def succeeded() -> bool:
        command = await _json(lab, "GET", command_url, 200)
        assert command["status"] not in ("rejected", "failed", "expired"), command
        return bool(command["status"] == "applied")

    await eventually(succeeded)


async def test_the_runtime_follows_a_session_on_the_stations_own_meter(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-METER")
    charger_id = accepted["charger_id"]
    await accepted_by_csms(lab, charger_id)
    event = {"evse_id": 1, "connector_id": 1, "id_tag": "TAG-METER"}
    body = {"target": {"charger_id": charger_id}, "event": event}
    await _json(lab, "POST", "/ocpp/commands/start-session", 202, json=body)

    async def charging_under_the_csms_id() -> bool:
        # Energy may flow before the StartTransaction answer names the id (1.6 section 4.8):
        # until then the runtime shows the station's own id.
        charger = await _json(lab, "GET", f"{CHARGERS}/{charger_id}", 200)
        meter = charger["runtime"]["evses"][0]
        active = await lab.csms.store.transactions.list(charge_box_id="CP-METER")
        return (
            meter["transaction"] is not None
            and meter["power_w"] > 0
            and [str(row.transaction_id) for row in active]
            == [meter["transaction"]["transaction_id"]]
        )

    await eventually(charging_under_the_csms_id)
    charger = await _json(lab, "GET", f"{CHARGERS}/{charger_id}", 200)
    [meter] = charger["runtime"]["evses"]
    transaction = meter["transaction"]
    assert transaction == {
        "transaction_id": transaction["transaction_id"],
        "connector_id": 1,
        "started_at": transaction["started_at"],
        "meter_start_wh": transaction["meter_start_wh"],
    }
    # The id the central system gave, as in the station's MeterValues (1.6 section 6.47).
    active = await lab.csms.store.transactions.list(charge_box_id="CP-METER")
    assert [str(row.transaction_id) for row in active] == [transaction["transaction_id"]]
    assert TIMESTAMP.match(transaction["started_at"])
    assert meter["energy_wh"] >= transaction["meter_start_wh"]


async def test_start_false_provisions_a_stopped_charger(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-IDLE", start=False)
    state = await _json(lab, "GET", accepted["status_url"], 200)
    assert state["status"] == "READY"
    charger = await _json(lab, "GET", f"{CHARGERS}/{accepted['charger_id']}", 200)
    assert (charger["desired_state"], charger["runtime"]) == ("stopped", None)
    assert not lab.host.is_running(accepted["charger_id"])


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("OCPP1.6", "ocpp1.6"),
        ("1.6", "ocpp1.6"),
        ("OCPP2.0.1", "ocpp2.0.1"),
    ],
)
async def test_the_seeds_version_spellings_are_accepted(
    lab: StackLab, sent: str, stored: str
) -> None:
    accepted = await create_charger(lab, "CP-V", ocpp_version=sent, start=False)
    charger = await _json(lab, "GET", f"{CHARGERS}/{accepted['charger_id']}", 200)
    assert charger["ocpp_version"] == stored


@pytest.mark.parametrize("sent", ["OCPP2.1", "2.1", "ocpp2.1"])
async def test_a_2_1_charger_of_a_2_1_model_is_accepted(lab: StackLab, sent: str) -> None:
    # The 2.1 station (station/v21), of a model the catalog lists for 2.1.
    wallbox = {"brand_slug": "chargeyard", "model_slug": "ac-wallbox-21"}
    accepted = await create_charger(lab, "CP-21", ocpp_version=sent, start=False, **wallbox)
    charger = await _json(lab, "GET", f"{CHARGERS}/{accepted['charger_id']}", 200)
    assert charger["ocpp_version"] == "ocpp2.1"


async def test_connector_type_is_matched_to_the_catalogs_spelling(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-T", connector_type="type2", start=False)
    charger = await _json(lab, "GET", f"{CHARGERS}/{accepted['charger_id']}", 200)
    assert charger["connector_type"] == "sType2"


async def test_a_charger_that_cannot_be_built_ends_failed_with_the_reason(lab: StackLab) -> None:
    # The API refuses unknown templates up front; a row made another way can still fail.
    provisioner = Provisioner(lab.store, lab.host)
    charger, _ = await provisioner.create_charger(
        ORG,
        {
            "identity": "CP-BAD",
            "ocpp_version": V16,
            "csms_url": lab.csms_url,
            "template": "nobody/nothing",
        },
        start=True,
    )
    await provisioner.wait_idle()
    state = await _json(lab, "GET", f"{CHARGERS}/{charger.id}/status", 200)
    assert state["status"] == "FAILED"
    assert state["provisioned_at"] is None
    assert state["error"]["code"] == "invalid_definition"
    assert state["error"]["retryable"] is False
    assert "nobody" in state["error"]["message"]
    # Nothing will run it: it no longer wants to run (no command waits for it, no worker
    # takes it up).
    stored = await lab.store.chargers.get(ORG, charger.id)
    assert stored is not None
    assert (stored.desired_state, stored.status) == ("stopped", "failed")


# -- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"brand_slug": "acme"}, "brand_slug", "unknown brand 'acme'"),
        ({"model_slug": "nope"}, "model_slug", "unknown model 'nope'"),
        ({"connector_type": "CHAdeMO"}, "connector_type", "has no 'CHAdeMO' connector"),
        ({"ocpp_version": "ocpp3"}, "ocpp_version", "must be ocpp1.6, ocpp2.0.1 or ocpp2.1"),
        ({"ws_url": "http://csms/ocpp"}, "ws_url", "ws:// or wss://"),
        ({"identity": "CP 1/2"}, "identity", "pattern"),
        ({"identity": "CP:1"}, "identity", "pattern"),
        ({"identity": ".."}, "identity", "dot-segment"),
        ({"surprise": 1}, "surprise", "Extra inputs"),
    ],
)
async def test_an_invalid_body_is_422_naming_the_field(
    lab: StackLab, change: dict[str, Any], field: str, words: str
) -> None:
    body = await _json(lab, "POST", CHARGERS, 422, json={**charger_body(lab), **change})
    [problem] = body["detail"]
    assert problem["loc"][-1] == field
    assert words in problem["msg"]
    assert await lab.store.chargers.count(ORG) == 0


async def test_a_model_that_does_not_speak_the_version_is_422(lab: StackLab) -> None:
    from chargeyard.station.catalog import load_catalog

    only_16 = next(t for t in load_catalog().templates() if "2.0.1" not in t.ocpp_versions)
    body = await _json(
        lab,
        "POST",
        CHARGERS,
        422,
        json=charger_body(
            lab,
            brand_slug=only_16.brand_slug,
            model_slug=only_16.slug,
            connector_type=only_16.connector_types[0],
            ocpp_version="ocpp2.0.1",
        ),
    )
    assert body["detail"][0]["loc"] == ["body", "ocpp_version"]


async def test_a_taken_identity_is_409_and_an_unknown_location_404(lab: StackLab) -> None:
    await create_charger(lab, "CP-1", start=False)
    body = await _json(lab, "POST", CHARGERS, 409, json=charger_body(lab, "CP-1", start=False))
    assert isinstance(body["detail"], str)
    theirs = await location(lab, OTHER_ORG)
    body = await _json(
        lab, "POST", CHARGERS, 404, json=charger_body(lab, "CP-2", location_id=theirs)
    )
    assert theirs in body["detail"]
    # Against the same central system the same identity in another organization would
    # replace this one there: 409. Against another central system it is another charger.
    body = await _json(
        lab,
        "POST",
        CHARGERS,
        409,
        json=charger_body(lab, "CP-1", start=False, ws_url=lab.csms_url + "/"),
        headers=lab.headers(Role.OPERATOR, OTHER_ORG),
    )
    assert body["detail"] == (
        f"identity 'CP-1' is used by another organization's charger against the same central"
        f" system ({lab.csms_url}/): a central system knows a station by its identity alone,"
        " so the two would replace each other there; choose another identity"
    )
    await create_charger(
        lab, "CP-1", org=OTHER_ORG, start=False, ws_url="ws://127.0.0.1:9/elsewhere"
    )


# -- list, update, delete --------------------------------------------------------------------


async def test_list_filters_by_location_and_pages(lab: StackLab) -> None:
    depot = await location(lab)
    for n in range(3):
        await create_charger(lab, f"CP-{n}", location_id=depot, start=False)
    await create_charger(lab, "CP-ELSEWHERE", start=False)

    page = await _json(lab, "GET", CHARGERS, 200, params={"location_id": depot, "limit": 2})
    assert (page["total"], page["page"], page["limit"], len(page["data"])) == (3, 1, 2, 2)
    second = await _json(
        lab, "GET", CHARGERS, 200, params={"location_id": depot, "limit": 2, "page": 2}
    )
    assert len(second["data"]) == 1
    identities = {c["identity"] for c in page["data"] + second["data"]}
    assert identities == {"CP-0", "CP-1", "CP-2"}
    everything = await _json(lab, "GET", CHARGERS, 200)
    assert everything["total"] == 4
    await _json(lab, "GET", CHARGERS, 422, params={"limit": 101})


async def test_put_changes_only_what_is_sent(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-1", start=False, password="secret-1")
    url = f"{CHARGERS}/{accepted['charger_id']}"
    changed = await _json(
        lab,
        "PUT",
        url,
        200,
        json={"ws_url": "wss://csms.example.com/ocpp", "charge_point_name": None},
    )
    assert changed["ws_url"] == "wss://csms.example.com/ocpp"
    assert changed["charge_point_name"] is None
    assert (changed["identity"], changed["has_password"]) == ("CP-1", True)
    changed = await _json(lab, "PUT", url, 200, json={"ocpp_version": "OCPP2.0.1"})
    assert changed["ocpp_version"] == "ocpp2.0.1"
    body = await _json(lab, "PUT", url, 422, json={"identity": None})
    assert "may not be null: identity" in body["detail"][0]["msg"]
    body = await _json(lab, "PUT", url, 422, json={"model_slug": "nope"})
    assert body["detail"][0]["loc"] == ["body", "model_slug"]


async def test_a_changed_ws_url_applies_to_the_running_station_at_once(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-1", ws_url="ws://127.0.0.1:9/ocpp")
    charger_id = accepted["charger_id"]
    assert lab.host.is_running(charger_id)
    url = f"{CHARGERS}/{charger_id}"
    changed = await _json(lab, "PUT", url, 200, json={"ws_url": lab.csms_url})
    assert (changed["runtime_action"], changed["runtime"]["running"]) == ("restarted", True)
    await accepted_by_csms(lab, charger_id)
    unchanged = await _json(lab, "PUT", url, 200, json={"charge_point_name": "Bay 9"})
    assert unchanged["runtime_action"] == "unchanged"


async def test_a_changed_version_restarts_the_station_speaking_it(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-1")
    charger_id = accepted["charger_id"]
    await accepted_by_csms(lab, charger_id)
    url = f"{CHARGERS}/{charger_id}"
    changed = await _json(lab, "PUT", url, 200, json={"ocpp_version": "ocpp2.0.1"})
    station = lab.host.station(charger_id)
    assert station is not None
    assert station.version.name == "2.0.1"  # what the commands now say, the station speaks
    assert (changed["ocpp_version"], changed["runtime_action"]) == ("ocpp2.0.1", "restarted")
    assert changed["runtime_status"] == "running"
    await accepted_by_csms(lab, charger_id)
    stopped = await create_charger(lab, "CP-2", start=False)
    later = await _json(
        lab, "PUT", f"{CHARGERS}/{stopped['charger_id']}", 200, json={"ocpp_version": "2.0.1"}
    )
    assert (later["runtime_action"], later["runtime"]) == ("next_start", None)


async def test_delete_stops_the_station_and_forgets_the_charger(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-1")
    charger_id = accepted["charger_id"]
    await until(lambda: lab.host.is_running(charger_id))
    response = await lab.client.delete(f"{CHARGERS}/{charger_id}")
    assert (response.status_code, response.content) == (204, b"")
    assert charger_id not in lab.host.hosted()
    await _json(lab, "GET", f"{CHARGERS}/{charger_id}", 404)
    await _json(lab, "DELETE", f"{CHARGERS}/{charger_id}", 404)


# -- roles and tenants ---------------------------------------------------------------------


async def test_another_organization_sees_none_of_it(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-1", start=False)
    url = f"{CHARGERS}/{accepted['charger_id']}"
    them = lab.headers(Role.ADMIN, OTHER_ORG)
    for method, path, body in [
        ("GET", url, None),
        ("GET", f"{url}/status", None),
        ("PUT", url, {"charge_point_name": "mine"}),
        ("DELETE", url, None),
    ]:
        response = await lab.client.request(method, path, json=body, headers=them)
        assert response.status_code == 404, (method, path, response.text)
        assert accepted["charger_id"] in response.json()["detail"]
    listing = await _json(lab, "GET", CHARGERS, 200, headers=them)
    assert (listing["total"], listing["data"]) == (0, [])
    assert await lab.store.chargers.get(ORG, accepted["charger_id"]) is not None


async def test_viewers_read_operators_write_strangers_are_401(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-1", start=False)
    url = f"{CHARGERS}/{accepted['charger_id']}"
    viewer = lab.headers(Role.VIEWER)
    for path in (CHARGERS, url, f"{url}/status"):
        await _json(lab, "GET", path, 200, headers=viewer)
    for method, path, body in [
        ("POST", CHARGERS, charger_body(lab, "CP-2")),
        ("PUT", url, {"charge_point_name": "x"}),
        ("DELETE", url, None),
    ]:
        response = await lab.client.request(method, path, json=body, headers=viewer)
        assert response.status_code == 403, response.text
        assert "operator role" in response.json()["detail"]
        response = await lab.client.request(method, path, json=body, headers={"Authorization": ""})
        assert response.status_code == 401
    assert (await _json(lab, "GET", url, 200))["charge_point_name"] == "Bay 1"
