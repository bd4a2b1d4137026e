"""Organizations on ``/api/v1`` (``api/tenant.py``): a key sees and commands only its
organization's chargers, id tags, webhooks, transactions, command history and API keys; a row
of another organization answers 404 as one that does not exist; only a platform key acts in
another organization (``X-Organization-Id``).

The matrices ask every operation of the app's route table: each that names one of organization
A's rows, as A's admin, as a platform key acting in A, and as B's admin; each list and the
event stream, as B's admin, their parameters naming A's rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from chargeyard.csms.events import EventType
from chargeyard.store.models import ApiKeyRole
from tests.api.asgi_websocket import AsgiWebSocket
from tests.api.conftest import ApiLab
from tests.api.route_table import WEBSOCKET, app_of, ask, operations

A = "default"  # the lab's own key ("tests") is the default organization's admin
B = "org-b"
PLATFORM_ORG = "platform-ops"
# The path parameters that name one row of an organization; the others (a frame, a data
# transfer, a connector) are named under a charger, whose check answers first.
ROW_PARAMETERS = {"chargeBoxId", "transactionId", "idTag", "webhookId", "keyId", "commandId"}


async def _key(lab: ApiLab, organization_id: str, role: ApiKeyRole) -> dict[str, str]:
    await lab.store.organizations.ensure(organization_id)
    _, key = await lab.store.api_keys.create(
        f"{role.value} of {organization_id}", role, organization_id=organization_id
    )
    return {"X-API-Key": key}


class OrganizationA:
    """Organization A with one row of each kind, named as the paths name them."""

    def __init__(self, rows: dict[str, str]) -> None:
        self.rows = rows

    def fill(self, path: str) -> str:
        return re.sub(r"\{([^}]+)\}", lambda m: self.rows.get(m.group(1), "1"), path)


async def _organization_a(lab: ApiLab) -> OrganizationA:
    await lab.station("CP-A")
    transaction = await lab.store.transactions.start(
        "CP-A", connector_id=1, meter_start_wh=0, started_at=datetime.now(UTC), id_tag="TAG-A"
    )
    tag = await lab.client.post("/api/v1/id-tags", json={"idTag": "TAG-A"})
    webhook = await lab.client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/a", "events": ["*"]}
    )
    viewer, _ = await lab.store.api_keys.create("a's screens", ApiKeyRole.VIEWER)
    assert (await lab.post("CP-A", "cache/clear")).status_code == 200
    commands = (await lab.client.get("/api/v1/commands")).json()["data"]
    assert tag.status_code == webhook.status_code == 201
    return OrganizationA(
        {
            "chargeBoxId": "CP-A",
            "transactionId": str(transaction.transaction_id),
            "idTag": "TAG-A",
            "webhookId": webhook.json()["id"],
            "keyId": viewer.id,
            "commandId": commands[0]["id"],
        }
    )


async def test_every_route_hides_one_organization_s_rows_from_another(lab: ApiLab) -> None:
    a = await _organization_a(lab)
    a_admin = {"X-API-Key": lab.client.headers["X-API-Key"]}
    b_admin = await _key(lab, B, ApiKeyRole.ADMIN)
    platform_in_a = await _key(lab, PLATFORM_ORG, ApiKeyRole.PLATFORM) | {"X-Organization-Id": A}
    routes = operations(app_of(lab.client))
    assert len(routes) > 60  # every route of the API, not a few
    wrong: list[str] = []
    # Reads first, then writes (a DELETE removes what later rows name), each as B first:
    # B's attempts must leave A's rows in place for A's own.
    for route in sorted(routes, key=lambda r: (r.method == "DELETE", r.method, r.template)):
        if not route.names(frozenset(ROW_PARAMETERS)):
            continue
        path = a.fill(route.template)
        answer = await ask(lab.client, route.method, path, b_admin)
        if answer.status != 404:
            wrong.append(f"{route.method} {path} as B's admin: {answer.status}")
        for who, headers in (("A's admin", a_admin), ("a platform key in A", platform_in_a)):
            if route.method == "DELETE" and who == "A's admin":
                continue  # the platform key deletes; A's admin reads what is left
            answer = await ask(lab.client, route.method, path, headers)
            shown_missing = answer.status == 404 and "frame" not in route.template
            # A station that lacks an operation refuses it with a CALLERROR (OCPP-J 1.6
            # section 4.2.3: NotImplemented, NotSupported): a 502 naming that code shows the
            # command reached A's charger, which is all A's keys must achieve here.
            # A test ping to A's webhook, whose receiver does not listen here, is a 502 that
            # says so: A's webhook was found and tried.
            reached = (
                answer.status == 502
                and isinstance(answer.body, dict)
                and answer.body.get("errorCode") in ("NotImplemented", "NotSupported")
            ) or (
                answer.status == 502
                and route.template.endswith("/test")
                and "receiver could not be reached" in answer.text
            )
            if (
                answer.status in (401, 403)
                or (answer.status >= 500 and not reached)
                or (shown_missing and "transfer" not in route.template)
            ):
                wrong.append(f"{route.method} {path} as {who}: {answer.status} {answer.text}")
    assert wrong == []


async def test_no_list_and_no_stream_shows_another_organization_s_rows(lab: ApiLab) -> None:
    a = await _organization_a(lab)
    # What names A's rows in an answer (a transaction id is a number: its row names CP-A).
    shown = [a.rows[name] for name in ROW_PARAMETERS - {"transactionId"}]
    b_admin = await _key(lab, B, ApiKeyRole.ADMIN)
    await lab.client.post("/api/v1/chargers", json={"chargeBoxId": "CP-B"}, headers=b_admin)
    events = app_of(lab.client).state.events
    lists = [
        route
        for route in operations(app_of(lab.client))
        if route.method in ("GET", WEBSOCKET)
        and not route.names(frozenset(ROW_PARAMETERS))
        # The recording proxy's, relayed from a proxy whose chargers are no organization's
        # (managers only, test_proxy_relay.py); this lab relays none.
        and not route.template.startswith("/api/v1/proxy")
    ]
    assert {"/api/v1/commands", "/api/v1/transactions", "/api/v1/events"} <= {
        route.template for route in lists
    }
    wrong: list[str] = []
    for route in lists:
        if route.method == WEBSOCKET:
            continue
        listed = await ask(lab.client, route.method, route.template, b_admin)
        if listed.status != 200 or [row for row in shown if row in listed.text]:
            wrong.append(f"{route} as B's admin: {listed.status} {listed.text}")
        # Filtered by a parameter that names A's row: as if the row did not exist.
        for name in (name for name in route.query if name in ROW_PARAMETERS):
            value = a.rows[name]
            answer = await ask(lab.client, route.method, route.template, b_admin, {name: value})
            absent = await ask(lab.client, route.method, route.template, b_admin, {name: "NOPE"})
            if (answer.status, answer.text) != (absent.status, absent.text.replace("NOPE", value)):
                wrong.append(f"{route}?{name}={value} as B's admin: {answer.status} {answer.text}")
    for route in lists:
        if route.method != WEBSOCKET:
            continue
        # Every parameter that names a row names A's; the stream reads those it knows.
        query = {name: a.rows[name] for name in sorted(ROW_PARAMETERS)}
        async with AsgiWebSocket(
            app_of(lab.client),
            route.template,
            query=str(httpx.QueryParams(query)),
            headers=b_admin,
        ) as stream:
            assert stream.status == 101, stream.body
            assert (await stream.receive())["event"] == "stream.ready"
            events.emit(EventType.CHARGER_BOOT, "CP-A", organization_id=A)
            # B's own event of that name comes next; A's, published first, never does.
            own = events.emit(EventType.CHARGER_BOOT, "CP-A", organization_id=B)
            if (told := await stream.receive()) != own.as_json():
                wrong.append(f"{route} {query} as B's admin: {told}")
    assert wrong == []


async def test_listings_show_one_organization_s_rows_only(lab: ApiLab) -> None:
    await _organization_a(lab)
    b_admin = await _key(lab, B, ApiKeyRole.ADMIN)
    await lab.client.post("/api/v1/chargers", json={"chargeBoxId": "CP-B"}, headers=b_admin)
    for path, field in (
        ("/api/v1/chargers", "chargeBoxId"),
        ("/api/v1/transactions", "chargeBoxId"),
        ("/api/v1/id-tags", "idTag"),
        ("/api/v1/webhooks", "url"),
        ("/api/v1/commands", "chargeBoxId"),
    ):
        as_b = (await lab.client.get(path, headers=b_admin)).json()
        as_a = (await lab.client.get(path)).json()
        assert "CP-A" not in str(as_b), path
        assert as_a["total"] >= 1, path
        assert [row[field] for row in as_b["data"]] == (
            ["CP-B"] if path.endswith("chargers") else []
        )
    keys = (await lab.client.get("/api/v1/api-keys", headers=b_admin)).json()
    assert [(k["name"], k["organizationId"]) for k in keys] == [("admin of org-b", B)]


async def test_only_a_platform_key_acts_in_another_organization(lab: ApiLab) -> None:
    await lab.station("CP-A")
    b_admin = await _key(lab, B, ApiKeyRole.ADMIN)
    refused = await lab.client.get("/api/v1/chargers", headers=b_admin | {"X-Organization-Id": A})
    assert (refused.status_code, refused.json()) == (
        403,
        {
            "detail": "API key 'admin of org-b' acts in its organization 'org-b' only:"
            " X-Organization-Id may name another with a platform key"
        },
    )
    platform = await _key(lab, PLATFORM_ORG, ApiKeyRole.PLATFORM)
    own = await lab.client.get("/api/v1/chargers", headers=platform)
    assert own.json()["total"] == 0
    in_a = await lab.client.get("/api/v1/chargers", headers=platform | {"X-Organization-Id": A})
    assert [c["chargeBoxId"] for c in in_a.json()["data"]] == ["CP-A"]
    nowhere = await lab.client.get(
        "/api/v1/chargers", headers=platform | {"X-Organization-Id": "org-none"}
    )
    assert (nowhere.status_code, nowhere.json()) == (
        404,
        {"detail": "organization 'org-none' not found"},
    )
    # Naming its own organization is no crossing: any key may.
    mine = await lab.client.get("/api/v1/chargers", headers=b_admin | {"X-Organization-Id": B})
    assert mine.status_code == 200


async def test_a_command_to_another_organization_s_charger_sends_nothing(lab: ApiLab) -> None:
    await lab.station("CP-A")
    lab.registry.sent.clear()
    b_operator = await _key(lab, B, ApiKeyRole.OPERATOR)
    for path, body in (("reset", {"type": "Hard"}), ("call", {"action": "Reset", "payload": {}})):
        answer = await lab.client.post(
            f"/api/v1/chargers/CP-A/{path}", json=body, headers=b_operator
        )
        assert (answer.status_code, answer.json()) == (404, {"detail": "charger CP-A not found"})
    stop = await lab.client.post("/api/v1/transactions/1/stop", headers=b_operator)
    assert stop.status_code == 404
    assert lab.registry.sent == []


async def test_a_charger_identity_is_one_organization_s(lab: ApiLab) -> None:
    """A station names itself in its connection URL: B cannot register A's identity, and the
    answer does not say whose it is."""
    await lab.client.post("/api/v1/chargers", json={"chargeBoxId": "CP-1"})
    b_admin = await _key(lab, B, ApiKeyRole.ADMIN)
    taken = await lab.client.post("/api/v1/chargers", json={"chargeBoxId": "CP-1"}, headers=b_admin)
    assert (taken.status_code, taken.json()) == (409, {"detail": "charger CP-1 already exists"})
    station = await lab.store.stations.get("CP-1")
    assert station is not None
    assert station.organization_id == A


async def test_two_organizations_may_have_the_same_id_tag(lab: ApiLab) -> None:
    b_admin = await _key(lab, B, ApiKeyRole.ADMIN)
    ours = await lab.client.post("/api/v1/id-tags", json={"idTag": "CARD-1", "status": "Blocked"})
    theirs = await lab.client.post("/api/v1/id-tags", json={"idTag": "CARD-1"}, headers=b_admin)
    assert ours.status_code == theirs.status_code == 201
    assert (await lab.client.get("/api/v1/id-tags/CARD-1")).json()["status"] == "Blocked"
    assert (await lab.client.get("/api/v1/id-tags/CARD-1", headers=b_admin)).json()[
        "status"
    ] == "Accepted"
    await lab.client.delete("/api/v1/id-tags/CARD-1", headers=b_admin)
    assert (await lab.client.get("/api/v1/id-tags/CARD-1")).status_code == 200
    assert (await lab.client.get("/api/v1/id-tags/CARD-1", headers=b_admin)).status_code == 404


async def test_an_organization_s_admin_manages_its_own_keys_only(lab: ApiLab) -> None:
    b_admin = await _key(lab, B, ApiKeyRole.ADMIN)
    made = await lab.client.post(
        "/api/v1/api-keys", json={"name": "b screens", "role": "viewer"}, headers=b_admin
    )
    assert (made.status_code, made.json()["organizationId"]) == (201, B)
    a_keys = (await lab.client.get("/api/v1/api-keys")).json()
    assert "b screens" not in [k["name"] for k in a_keys]
    a_key_id = a_keys[0]["id"]
    gone = await lab.client.delete(f"/api/v1/api-keys/{a_key_id}", headers=b_admin)
    assert gone.status_code == 404
    assert await lab.store.api_keys.get(a_key_id) is not None
    escalate = await lab.client.post(
        "/api/v1/api-keys", json={"name": "root", "role": "platform"}, headers=b_admin
    )
    assert (escalate.status_code, escalate.json()) == (
        403,
        {
            "detail": "API key 'admin of org-b' is an admin of its organization: only a platform"
            " key makes a platform key"
        },
    )
    platform = await _key(lab, PLATFORM_ORG, ApiKeyRole.PLATFORM)
    for_b = await lab.client.post(
        "/api/v1/api-keys",
        json={"name": "b ops", "role": "operator"},
        headers=platform | {"X-Organization-Id": B},
    )
    assert (for_b.status_code, for_b.json()["organizationId"]) == (201, B)
