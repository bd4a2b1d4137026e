"""``drivers`` of ``/ocpp/chargers``: a simulated charger created with app drivers follows a
remote start of its central system (1.6 section 5.11, 2.0.1 F01/F02): the built-in CSMS's
``/api/v1`` remote start is accepted, a driver plugs in, and the transaction runs, with
nobody sending the gateway a command. A PUT changes a running charger's drivers without a
restart; a kind there is not is a 422."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.gateway_chargers_lab import (
    CHARGERS,
    accepted_by_csms,
    charger_body,
    charger_lab,
    create_charger,
)
from tests.api.gateway_fleet import ORG
from tests.api.test_gateway_vendor_replies import csms_api
from tests.polling import polled
from tests.stack_lab import StackLab


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with charger_lab(tmp_path) as lab:
        yield lab


async def _json(lab: StackLab, method: str, url: str, status: int, **kwargs: Any) -> Any:
    response = await lab.client.request(method, url, **kwargs)
    assert response.status_code == status, response.text
    return response.json()


async def _remote_start(api: httpx.AsyncClient, identity: str, tag: str) -> None:
    """The built-in CSMS's remote start on connector (EVSE) 1, accepted by the station."""
    response = await api.post(
        f"/api/v1/chargers/{identity}/remote-start", json={"connectorId": 1, "idTag": tag}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "accepted"


async def _charging(api: httpx.AsyncClient, identity: str) -> dict[str, Any]:
    """The CSMS's active transaction of ``identity`` once its station reports energy flowing."""

    async def active() -> list[dict[str, Any]]:
        response = await api.get("/api/v1/transactions", params={"chargeBoxId": identity})
        assert response.status_code == 200, response.text
        return [t for t in response.json()["data"] if t["status"] == "active"]

    running = await polled(active, lambda found: len(found) == 1, within=10)
    return running[0]


@pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])
async def test_a_charger_with_app_drivers_follows_a_remote_start_of_the_built_in_csms(
    lab: StackLab, version: str
) -> None:
    accepted = await create_charger(lab, "CP-APP", ocpp_version=version, drivers="app")
    charger_id = accepted["charger_id"]
    shown = await _json(lab, "GET", f"{CHARGERS}/{charger_id}", 200)
    assert shown["drivers"] == "app"
    await accepted_by_csms(lab, charger_id)
    async with csms_api(lab) as api:
        await _remote_start(api, "CP-APP", "APP-1")
        transaction = await _charging(api, "CP-APP")
    assert transaction["idTag"] == "APP-1"

    # The driver's cable is in, and the station's transaction is the one the CSMS keeps.
    async def plugged() -> dict[str, Any]:
        charger: dict[str, Any] = await _json(lab, "GET", f"{CHARGERS}/{charger_id}", 200)
        return charger

    charger = await polled(plugged, lambda c: c["runtime"]["evses"][0]["transaction"] is not None)
    [connector] = charger["runtime"]["connectors"]
    assert connector["status"] == ("Charging" if version == "ocpp1.6" else "Occupied")
    assert (
        charger["runtime"]["evses"][0]["transaction"]["transaction_id"]
        == (transaction["transactionId"])
    )


async def test_a_charger_has_no_drivers_unless_created_or_changed_so(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-1")
    charger_id = accepted["charger_id"]
    url = f"{CHARGERS}/{charger_id}"
    assert (await _json(lab, "GET", url, 200))["drivers"] == "none"
    await accepted_by_csms(lab, charger_id)
    station: Any = lab.host.station(charger_id)
    assert station.remote_start_accepted is None  # nobody is called by a remote start

    # Changed while it runs: the same station takes its drivers, and a remote start is followed.
    changed = await _json(lab, "PUT", url, 200, json={"drivers": "app"})
    assert (changed["runtime_action"], changed["drivers"]) == ("applied", "app")
    assert lab.host.station(charger_id) is station
    again = await _json(lab, "PUT", url, 200, json={"drivers": "app"})
    assert again["runtime_action"] == "unchanged"
    async with csms_api(lab) as api:
        await _remote_start(api, "CP-1", "APP-2")
        assert (await _charging(api, "CP-1"))["idTag"] == "APP-2"

    gone = await _json(lab, "PUT", url, 200, json={"drivers": "none"})
    assert (gone["runtime_action"], gone["drivers"]) == ("applied", "none")
    assert station.remote_start_accepted is None
    assert (await lab.store.chargers.get(ORG, charger_id)).config.get("drivers") is None


@pytest.mark.parametrize(
    ("method", "body"),
    [("POST", {"drivers": "robots"}), ("PUT", {"drivers": "robots"}), ("PUT", {"drivers": None})],
)
async def test_drivers_of_no_kind_there_is_are_422_and_change_nothing(
    lab: StackLab, method: str, body: dict[str, Any]
) -> None:
    accepted = await create_charger(lab, "CP-1")
    url = f"{CHARGERS}/{accepted['charger_id']}"
    if method == "POST":
        response = await lab.client.post(CHARGERS, json=charger_body(lab, "CP-2", **body))
    else:
        response = await lab.client.put(url, json=body)
    assert response.status_code == 422, response.text
    assert "drivers" in response.text
    listed = await _json(lab, "GET", CHARGERS, 200)
    assert [(c["identity"], c["drivers"]) for c in listed["data"]] == [("CP-1", "none")]
