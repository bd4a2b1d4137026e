"""Organizations on ``/api/v1`` (``api/tenant.py``): a key sees and commands only its
organization's chargers, id tags, webhooks, transactions, command history and API keys; a row
of another organization answers 404 as one that does not exist; only a platform key acts in
another organization (``X-Organization-Id``).

The matrix asks every operation of the OpenAPI document, its path naming organization A's
rows, as A's admin, as a platform key acting in A, and as B's admin."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from chargeyard.store.models import ApiKeyRole
from tests.api.conftest import ApiLab

A = "default"  # the lab's own key ("tests") is the default organization's admin
B = "org-b"
PLATFORM_ORG = "platform-ops"
READS = {"GET", "HEAD"}
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


async def _operations(lab: ApiLab) -> list[tuple[str, str]]:
    document = (await lab.client.get("/openapi.json")).json()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
    ]


def _names_a_row(path: str) -> bool:
    return any(f"{{{name}}}" in path for name in ROW_PARAMETERS)


async def _ask(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> httpx.Response:
    body = None if method in READS or method == "DELETE" else {}
    return await client.request(method, path, headers=headers, json=body)


async def test_every_route_hides_one_organization_s_rows_from_another(lab: ApiLab) -> None:
    a = await _organization_a(lab)
    a_admin = {"X-API-Key": lab.client.headers["X-API-Key"]}
    b_admin = await _key(lab, B, ApiKeyRole.ADMIN)
    platform_in_a = await _key(lab, PLATFORM_ORG, ApiKeyRole.PLATFORM) | {"X-Organization-Id": A}
    operations = await _operations(lab)
    assert len(operations) > 60  # every route of the API, not a few
    wrong: list[str] = []
    # Reads first, then writes (a DELETE removes what later rows name), each as B first:
    # B's attempts must leave A's rows in place for A's own.
    for method, template in sorted(operations, key=lambda op: (op[0] == "DELETE", op)):
        if not _names_a_row(template):
            continue
        path = a.fill(template)
        answer = await _ask(lab.client, method, path, b_admin)
        if answer.status_code != 404:
            wrong.append(f"{method} {path} as B's admin: {answer.status_code}")
        for who, headers in (("A's admin", a_admin), ("a platform key in A", platform_in_a)):
            if method == "DELETE" and who == "A's admin":
                continue  # the platform key deletes; A's admin reads what is left
            answer = await _ask(lab.client, method, path, headers)
            shown_missing = answer.status_code == 404 and "frame" not in template
            if answer.status_code in (401, 403) or (shown_missing and "transfer" not in template):
                wrong.append(f"{method} {path} as {who}: {answer.status_code} {answer.text}")
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
