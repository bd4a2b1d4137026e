"""``/api/v1/webhooks``: register, read, change and delete webhooks; the delivery log; the test
ping; and, end to end, a real station's session reaching a receiver through the sender."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chargeyard.api import ApiSettings
from chargeyard.csms.events import EventHub, EventType
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.webhooks import RetrySchedule, WebhookSender
from chargeyard.outbound import OutboundPolicy
from chargeyard.protocol import V16
from chargeyard.store import Store
from tests.api.apps import api_app
from tests.api.conftest import ApiLab, RecordingRegistry
from tests.csms.webhook_receiver import receiving
from tests.polling import eventually, until
from tests.stack_lab import StackLab

SECRET = "0123456789abcdef-secret"
FAST = RetrySchedule(delays=(0.05,), max_attempts=3, jitter=0.0)


async def _create(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    body = {"url": "https://example.com/hook", "events": ["*"]} | body
    response = await client.post("/api/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _problems(response: httpx.Response) -> list[tuple[list[Any], str]]:
    assert response.status_code == 422, response.text
    return [(problem["loc"], problem["msg"]) for problem in response.json()["detail"]]


async def test_create_generates_a_secret_shown_only_once(lab: ApiLab) -> None:
    created = await _create(
        lab.client, events=["transaction.started", "transaction.stopped", "transaction.started"]
    )
    assert created["id"].startswith("wh_")
    assert created["url"] == "https://example.com/hook"
    assert created["events"] == ["transaction.started", "transaction.stopped"]
    assert created["active"] is True
    assert created["createdAt"].endswith("Z")
    assert len(created["secret"]) >= 32
    stored = await lab.store.webhooks.get(created["id"])
    assert stored is not None
    assert stored.secret == created["secret"]

    fetched = (await lab.client.get(f"/api/v1/webhooks/{created['id']}")).json()
    assert fetched == {key: value for key, value in created.items() if key != "secret"}
    listed = (await lab.client.get("/api/v1/webhooks")).json()
    assert listed == {"data": [fetched], "total": 1, "limit": 50, "offset": 0}


async def test_create_keeps_a_given_secret_and_lists_page_by_page(lab: ApiLab) -> None:
    first = await _create(lab.client, secret=SECRET, active=False)
    assert (first["secret"], first["active"]) == (SECRET, False)
    second = await _create(lab.client, url="http://10.0.0.1:8080/h")
    page = (await lab.client.get("/api/v1/webhooks", params={"limit": 1, "offset": 1})).json()
    assert [w["id"] for w in page["data"]] == [second["id"]]
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)


async def test_create_refuses_bad_bodies_with_clear_details(lab: ApiLab) -> None:
    url = "/api/v1/webhooks"
    ftp = _problems(await lab.client.post(url, json={"url": "ftp://x/h", "events": ["*"]}))
    assert ftp == [(["body", "url"], "Value error, the URL's scheme must be http or https")]
    no_host = _problems(await lab.client.post(url, json={"url": "http:///h", "events": ["*"]}))
    assert no_host == [(["body", "url"], "Value error, the URL must name a host")]

    empty = _problems(await lab.client.post(url, json={"url": "http://a", "events": []}))
    assert [loc for loc, _ in empty] == [["body", "events"]]
    unknown = _problems(await lab.client.post(url, json={"url": "http://a", "events": ["x"]}))
    [(loc, msg)] = unknown
    assert loc == ["body", "events", 0]
    assert msg.startswith("Value error, unknown event; expected one of 'charger.connected', ")
    assert msg.endswith(", 'transaction.stopped', 'charger.notification', '*'")

    short = _problems(
        await lab.client.post(url, json={"url": "http://a", "events": ["*"], "secret": "short"})
    )
    assert short == [(["body", "secret"], "String should have at least 16 characters")]
    extra = _problems(
        await lab.client.post(url, json={"url": "http://a", "events": ["*"], "secrit": SECRET})
    )
    assert extra == [(["body", "secrit"], "Extra inputs are not permitted")]
    assert (await lab.client.get(url)).json()["total"] == 0


async def test_patch_changes_only_the_given_fields(lab: ApiLab) -> None:
    created = await _create(lab.client, secret=SECRET)
    path = f"/api/v1/webhooks/{created['id']}"
    response = await lab.client.patch(
        path, json={"url": "https://other.example/h", "events": ["charger.boot"], "active": False}
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["url"], changed["events"], changed["active"]) == (
        "https://other.example/h",
        ["charger.boot"],
        False,
    )
    assert "secret" not in changed
    assert changed["createdAt"] == created["createdAt"]

    assert (await lab.client.patch(path, json={"secret": SECRET + "-new"})).status_code == 200
    stored = await lab.store.webhooks.get(created["id"])
    assert stored is not None
    assert (stored.secret, stored.url) == (SECRET + "-new", "https://other.example/h")

    nulls = _problems(await lab.client.patch(path, json={"url": None, "active": None}))
    assert nulls == [(["body"], "Value error, may not be null: active, url")]
    bad = _problems(await lab.client.patch(path, json={"url": "mailto:a@b"}))
    assert [loc for loc, _ in bad] == [["body", "url"]]


async def test_unknown_ids_are_404_and_delete_removes(lab: ApiLab) -> None:
    created = await _create(lab.client)
    path = f"/api/v1/webhooks/{created['id']}"
    deleted = await lab.client.delete(path)
    assert (deleted.status_code, deleted.json()) == (
        200,
        {"message": "Webhook deleted", "id": created["id"]},
    )
    for method, suffix, body in (
        ("GET", "", None),
        ("PATCH", "", {"active": True}),
        ("DELETE", "", None),
        ("GET", "/deliveries", None),
        ("POST", "/test", None),
    ):
        response = await lab.client.request(method, path + suffix, json=body)
        assert response.status_code == 404, (method, suffix)
        assert response.json() == {"detail": f"webhook {created['id']!r} not found"}


async def test_the_api_key_is_required(lab: ApiLab) -> None:
    del lab.client.headers["X-API-Key"]
    assert (await lab.client.get("/api/v1/webhooks")).status_code == 401
    assert (await lab.client.post("/api/v1/webhooks", json={})).status_code == 401


async def test_the_test_ping_is_signed_sent_once_and_logged(lab: ApiLab) -> None:
    async with receiving(failures=1) as receiver:
        created = await _create(lab.client, url=receiver.url, events=["charger.boot"])
        path = f"/api/v1/webhooks/{created['id']}"

        failed = await lab.client.post(f"{path}/test")
        assert failed.status_code == 200, failed.text
        assert failed.json() | {"id": 0, "createdAt": ""} == {
            "id": 0,
            "event": "webhook.test",
            "status": "failed",
            "statusCode": 500,
            "attempts": 1,
            "lastError": "HTTP 500: receiver is down",
            "nextAttemptAt": None,
            "createdAt": "",
            "deliveredAt": None,
        }
        delivered = (await lab.client.post(f"{path}/test")).json()
        assert (delivered["status"], delivered["statusCode"], delivered["attempts"]) == (
            "delivered",
            204,
            1,
        )
        assert delivered["deliveredAt"].endswith("Z")

    _, second = receiver.requests
    assert all(request.signed_by(created["secret"]) for request in receiver.requests)
    assert second.headers["x-chargeyard-event"] == "webhook.test"
    assert second.headers["x-chargeyard-delivery"] == str(delivered["id"])
    assert second.json["data"] == {
        "webhookId": created["id"],
        "message": "chargeyard webhook test",
    }
    log = (await lab.client.get(f"{path}/deliveries")).json()
    assert log["webhookId"] == created["id"]
    assert [d["id"] for d in log["data"]] == [delivered["id"], failed.json()["id"]]
    assert log["count"] == 2


@pytest.mark.parametrize(
    "outbound", [None, OutboundPolicy(public=True)], ids=["any address", "public only"]
)
async def test_a_test_ping_to_a_host_that_does_not_resolve_answers_502_with_why(
    store: Store, settings: ApiSettings, outbound: OutboundPolicy | None
) -> None:
    # (.invalid never resolves: RFC 6761 section 6.4.)
    _, key = await store.api_keys.create("tests")
    with api_app(store, in_process_link(RecordingRegistry()), settings) as app:
        app.state.outbound = outbound
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api.test",
            headers={"X-API-Key": key},
        ) as client:
            created = await _create(client, url="https://hook.invalid/x")
            path = f"/api/v1/webhooks/{created['id']}"
            answer = await client.post(f"{path}/test")
            log = (await client.get(f"{path}/deliveries")).json()

    assert answer.status_code == 502, answer.text
    [delivery] = log["data"]
    assert (delivery["status"], delivery["attempts"], delivery["statusCode"]) == ("failed", 1, None)
    assert delivery["lastError"].startswith("ConnectError: ")
    assert answer.json() == {
        "detail": f"the webhook's receiver could not be reached: {delivery['lastError']}"
        f" (delivery {delivery['id']}, in the delivery log)"
    }
    if outbound is not None:  # the policy resolves the name itself, and says which
        assert "hook.invalid does not resolve" in delivery["lastError"]


async def test_the_delivery_log_shows_retries_newest_first(lab: ApiLab) -> None:
    hub = EventHub()
    async with receiving(failures=4) as receiver:
        created = await _create(lab.client, url=receiver.url, secret=SECRET)
        path = f"/api/v1/webhooks/{created['id']}/deliveries"
        async with WebhookSender(lab.store, hub, schedule=FAST):
            hub.emit(EventType.CHARGER_BOOT, "CP-1", organization_id="default")
            await until(lambda: len(receiver.requests) == 3)  # max_attempts: given up
            hub.emit(EventType.CHARGER_CONNECTED, "CP-1", organization_id="default")
            await until(lambda: len(receiver.requests) == 5)

            async def log() -> list[dict[str, Any]]:
                data: list[dict[str, Any]] = (await lab.client.get(path)).json()["data"]
                return data

            async def settled() -> bool:
                return [d["status"] for d in await log()] == ["delivered", "failed"]

            await eventually(settled)

        connected, boot = await log()
    assert (boot["event"], boot["attempts"], boot["statusCode"]) == ("charger.boot", 3, 500)
    assert (boot["lastError"], boot["nextAttemptAt"], boot["deliveredAt"]) == (
        "HTTP 500: receiver is down",
        None,
        None,
    )
    assert (connected["event"], connected["attempts"], connected["statusCode"]) == (
        "charger.connected",
        2,
        204,
    )
    limited = (await lab.client.get(path, params={"limit": 1})).json()
    assert [d["id"] for d in limited["data"]] == [connected["id"]]
    assert (await lab.client.get(path, params={"limit": 0})).status_code == 422


async def test_e2e_a_station_session_reaches_the_receiver(csms_lab: StackLab) -> None:
    async with receiving() as receiver:
        created = await _create(
            csms_lab.client,
            url=receiver.url,
            events=["transaction.started", "transaction.stopped"],
            secret=SECRET,
        )
        await csms_lab.store.id_tags.create("TAG-1")
        async with WebhookSender(csms_lab.store, csms_lab.events, schedule=FAST):
            station = (await csms_lab.station("CP-1", V16)).station
            station.plug(1, 1)
            station.present_id_token("TAG-1")
            await until(lambda: len(receiver.requests) == 1)
            station.unplug(1, 1)  # EVDisconnected ends the session
            path = f"/api/v1/webhooks/{created['id']}/deliveries"

            async def both_delivered() -> bool:
                log = (await csms_lab.client.get(path)).json()
                return [d["status"] for d in log["data"]] == ["delivered", "delivered"]

            await eventually(both_delivered)

    started, stopped = receiver.requests
    assert [r.headers["x-chargeyard-event"] for r in receiver.requests] == [
        "transaction.started",
        "transaction.stopped",
    ]
    assert all(r.signed_by(SECRET) for r in receiver.requests)
    assert started.json["chargeBoxId"] == stopped.json["chargeBoxId"] == "CP-1"


async def test_the_api_documents_the_signature_and_every_event_name(lab: ApiLab) -> None:
    document = (await lab.client.get("/openapi.json")).json()
    create = document["paths"]["/api/v1/webhooks"]["post"]
    assert create["tags"] == ["Webhooks"]
    assert 'HMAC_SHA256(secret, timestamp + "." + body)' in create["description"]
    assert all(f"`{event.value}`" in create["description"] for event in EventType)
