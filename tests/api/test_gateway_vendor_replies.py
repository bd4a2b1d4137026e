"""``data_transfer`` of ``/ocpp/chargers``: a simulated charger answers DataTransfer from its
CSMS (1.6 section 5.6, 2.0.1 P01) as its catalog model declares, or as the gateway sets it on
create and PUT (applied to the running station at once); bad replies are a 422. End to end:
the CSMS API's data-transfer command to such a charger answers Accepted with the data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.apps import api_app
from tests.api.gateway_chargers_lab import (
    CHARGERS,
    accepted_by_csms,
    charger_body,
    charger_lab,
    create_charger,
)
from tests.api.gateway_fleet import ORG
from tests.api.gateway_lab import gateway_settings
from tests.stack_lab import StackLab

ECHO = {"vendor_id": "MyVendor", "message_id": None, "answer": "echo", "data": None}
DISPLAY = {
    "vendor_id": "MyVendor",
    "message_id": "GetDisplayMessage",
    "answer": "accept",
    "data": '{"text": "Hello"}',
}
# The catalog's defaults: every model echoes the simulator's own vendorId.
MODELS = [{"vendor_id": "chargeyard", "message_id": None, "answer": "echo", "data": None}]


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with charger_lab(tmp_path) as lab:
        yield lab


@asynccontextmanager
async def csms_api(lab: StackLab) -> AsyncIterator[httpx.AsyncClient]:
    """The CSMS API (``/api/v1``) over the lab's CSMS, which the chargers connect to, with a
    key of the chargers' organization (the built-in CSMS keeps their stations there)."""
    csms = lab.csms
    _, key = await csms.store.api_keys.create("tests", organization_id=ORG)
    with api_app(csms.store, csms.link, gateway_settings(), events=csms.events) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://api.test", headers={"X-API-Key": key}
        ) as client:
            yield client


async def _json(lab: StackLab, method: str, url: str, status: int, **kwargs: Any) -> Any:
    response = await lab.client.request(method, url, **kwargs)
    assert response.status_code == status, response.text
    return response.json()


def _answer(lab: StackLab, charger_id: str, **request: Any) -> Any:
    """What the charger's station answers a DataTransfer (its own handler, as the CSMS's
    CALL reaches it)."""
    station: Any = lab.host.station(charger_id)
    return station.handlers()["DataTransfer"](request)


@pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])
async def test_the_csms_data_transfer_to_an_echoing_charger_answers_accepted_with_the_data(
    lab: StackLab, version: str
) -> None:
    accepted = await create_charger(lab, "CP-1", ocpp_version=version, data_transfer=[ECHO])
    await accepted_by_csms(lab, accepted["charger_id"])
    send = {"vendorId": "MyVendor", "messageId": "GetDisplayMessage", "data": '{"screen": 1}'}
    async with csms_api(lab) as api:
        response = await api.post("/api/v1/chargers/CP-1/data-transfer", json=send)
        unknown = await api.post("/api/v1/chargers/CP-1/data-transfer", json={"vendorId": "X"})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "DataTransfer accepted by charger",
            "chargeBoxId": "CP-1",
            "vendorId": "MyVendor",
            "messageId": "GetDisplayMessage",
            "status": "Accepted",
            "responseData": '{"screen": 1}',
        },
    )
    assert unknown.json()["status"] == "UnknownVendorId"


async def test_a_charger_answers_as_its_model_declares_until_it_has_its_own(
    lab: StackLab,
) -> None:
    accepted = await create_charger(lab, "CP-1")
    charger_id = accepted["charger_id"]
    url = f"{CHARGERS}/{charger_id}"
    charger = await _json(lab, "GET", url, 200)
    assert (charger["data_transfer"], charger["data_transfer_source"]) == (
        MODELS,
        "template",
    )
    assert _answer(lab, charger_id, vendorId="chargeyard", data="x") == {
        "status": "Accepted",
        "data": "x",
    }

    own = await create_charger(lab, "CP-2", data_transfer=[ECHO, DISPLAY])
    charger = await _json(lab, "GET", f"{CHARGERS}/{own['charger_id']}", 200)
    assert (charger["data_transfer"], charger["data_transfer_source"]) == (
        [ECHO, DISPLAY],
        "charger",
    )
    # Its own replace the model's whole.
    assert _answer(lab, own["charger_id"], vendorId="chargeyard") == {"status": "UnknownVendorId"}
    assert _answer(lab, own["charger_id"], vendorId="MyVendor", messageId="GetDisplayMessage") == {
        "status": "Accepted",
        "data": '{"text": "Hello"}',
    }
    listed = await _json(lab, "GET", CHARGERS, 200)
    assert sorted(c["data_transfer_source"] for c in listed["data"]) == ["charger", "template"]


async def test_put_applies_new_replies_to_the_running_station_without_a_restart(
    lab: StackLab,
) -> None:
    accepted = await create_charger(lab, "CP-1")
    charger_id = accepted["charger_id"]
    await accepted_by_csms(lab, charger_id)
    station = lab.host.station(charger_id)
    url = f"{CHARGERS}/{charger_id}"

    changed = await _json(lab, "PUT", url, 200, json={"data_transfer": [DISPLAY]})
    assert (changed["runtime_action"], changed["data_transfer"]) == ("applied", [DISPLAY])
    assert changed["data_transfer_source"] == "charger"
    assert lab.host.station(charger_id) is station  # the same station, not restarted
    assert _answer(lab, charger_id, vendorId="MyVendor", messageId="GetDisplayMessage") == {
        "status": "Accepted",
        "data": '{"text": "Hello"}',
    }
    again = await _json(lab, "PUT", url, 200, json={"data_transfer": [DISPLAY]})
    assert again["runtime_action"] == "unchanged"

    nothing = await _json(lab, "PUT", url, 200, json={"data_transfer": []})
    assert (nothing["runtime_action"], nothing["data_transfer"]) == ("applied", [])
    assert _answer(lab, charger_id, vendorId="chargeyard") == {"status": "UnknownVendorId"}

    back = await _json(lab, "PUT", url, 200, json={"data_transfer": None})
    assert (back["runtime_action"], back["data_transfer_source"]) == ("applied", "template")
    assert back["data_transfer"] == MODELS
    assert _answer(lab, charger_id, vendorId="chargeyard", data="x") == {
        "status": "Accepted",
        "data": "x",
    }
    assert lab.host.station(charger_id) is station


async def test_replies_set_while_stopped_apply_at_the_next_start(lab: StackLab) -> None:
    accepted = await create_charger(lab, "CP-1")
    charger_id = accepted["charger_id"]
    await accepted_by_csms(lab, charger_id)
    url = f"{CHARGERS}/{charger_id}"
    await _json(lab, "POST", f"{url}/stop-charger", 200)
    changed = await _json(lab, "PUT", url, 200, json={"data_transfer": [ECHO]})
    assert changed["runtime_action"] == "next_start"
    assert _answer(lab, charger_id, vendorId="MyVendor") == {"status": "UnknownVendorId"}
    await _json(lab, "POST", f"{url}/start-charger", 200)
    assert _answer(lab, charger_id, vendorId="MyVendor", data="d") == {
        "status": "Accepted",
        "data": "d",
    }


@pytest.mark.parametrize(
    ("replies", "loc", "message"),
    [
        (
            [{"vendor_id": "V" * 256, "answer": "echo"}],
            ["body", "data_transfer", 0, "vendor_id"],
            "at most 255 characters",
        ),
        (
            [{"vendor_id": "V", "message_id": "M" * 51, "answer": "echo"}],
            ["body", "data_transfer", 0, "message_id"],
            "at most 50 characters",
        ),
        (
            [{"vendor_id": "V", "answer": "pong"}],
            ["body", "data_transfer", 0, "answer"],
            "'echo', 'accept', 'reject' or 'unknown_message_id'",
        ),
        (
            [{"vendor_id": "V", "answer": "echo", "data": "x"}],
            ["body", "data_transfer"],
            "data_transfer[1].data: echo takes no data",
        ),
        (
            [{"vendor_id": "V", "answer": "echo"}, {"vendor_id": "v", "answer": "reject"}],
            ["body", "data_transfer"],
            "data_transfer[2]: a second reply for vendorId 'v' with no messageId",
        ),
        (
            [{"vendor_id": "V", "answer": "echo", "colour": "red"}],
            ["body", "data_transfer", 0, "colour"],
            "Extra inputs are not permitted",
        ),
    ],
)
async def test_a_broken_reply_is_422_naming_it_and_changes_nothing(
    lab: StackLab, replies: list[dict[str, Any]], loc: list[Any], message: str
) -> None:
    body = await _json(
        lab, "POST", CHARGERS, 422, json=charger_body(lab, "CP-1", data_transfer=replies)
    )
    [error] = body["detail"]
    assert (error["loc"], message in error["msg"]) == (loc, True), error

    accepted = await create_charger(lab, "CP-2")
    url = f"{CHARGERS}/{accepted['charger_id']}"
    body = await _json(lab, "PUT", url, 422, json={"data_transfer": replies})
    assert body["detail"][0]["loc"] == loc
    charger = await _json(lab, "GET", url, 200)
    assert charger["data_transfer_source"] == "template"
