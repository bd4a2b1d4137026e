"""API keys carry a role: a viewer reads, an operator also sends commands and writes, an admin
(and a platform key) also manages the keys. The matrix asks every ``/api/v1`` operation of the
app's route table (the event stream's WebSocket too) with no key, a wrong key and a key of each
role; then the key management itself. The organizations' columns (another organization's
admin, a platform key acting in one) are in ``test_organizations.py``."""

from __future__ import annotations

import pytest

from chargeyard.store.models import ApiKeyRole
from tests.api.conftest import ApiLab
from tests.api.route_table import READS, WEBSOCKET, Answer, Operation, app_of, ask, operations

MANAGERS = {ApiKeyRole.ADMIN, ApiKeyRole.PLATFORM}
WRONG_KEY = "cy_00000000_nope"


async def _key(lab: ApiLab, role: ApiKeyRole) -> str:
    _, key = await lab.store.api_keys.create(f"a {role.value}", role)
    return key


# The recording proxy's routes, relayed from a proxy (test_proxy_relay.py): managers only,
# and 404 in this lab, which is configured with none.
PROXY = "/api/v1/proxy"


def _refused(role: ApiKeyRole, operation: Operation) -> bool:
    return (role is ApiKeyRole.VIEWER and operation.method not in READS) or (
        role not in MANAGERS and operation.template.startswith(("/api/v1/api-keys", PROXY))
    )


def _given(operation: Operation) -> int:
    """What the operation gives a key its role allows, asked as the matrix asks it: a row that
    does not exist (404), a list (200), a write with an empty body (422), the stream (101);
    the proxy's routes without a proxy (404)."""
    if operation.method == WEBSOCKET:
        return 101
    if operation.template.startswith(PROXY):
        return 404
    if "{" in operation.template:
        return 404
    return 200 if operation.method in READS else 422


def _refusal_shown(answer: Answer, status: int) -> bool:
    """A refusal of ``status`` that says why, in the shape of every error of the API."""
    return (
        answer.status == status
        and isinstance(answer.body, dict)
        and isinstance(answer.body.get("detail"), str)
    )


@pytest.mark.slow  # the whole matrix is the full run's; the inner loop has the tests below
async def test_every_route_answers_each_key_as_its_role_allows(lab: ApiLab) -> None:
    keys = {role: await _key(lab, role) for role in ApiKeyRole}
    document = (await lab.client.get("/openapi.json")).json()
    routes = operations(app_of(lab.client))
    assert len(routes) > 60  # every route of the API, not a few
    assert any(route.method == WEBSOCKET for route in routes)  # the stream, outside the document
    wrong: list[str] = []
    for route in routes:
        path = route.path(lambda _name: "NOPE")
        for who, key in (("no key", ""), ("a wrong key", WRONG_KEY)):
            answer = await ask(lab.client, route.method, path, {"X-API-Key": key})
            if not _refusal_shown(answer, 401):
                wrong.append(f"{route} with {who}: {answer.status} {answer.text}")
        given = _given(route)
        documented = document["paths"].get(route.template, {}).get(route.method.lower())
        if documented is not None and str(given) not in documented["responses"]:
            wrong.append(f"{route} gives {given}, which its document does not list")
        for role, key in keys.items():
            answer = await ask(lab.client, route.method, path, {"X-API-Key": key})
            if _refused(role, route):
                if not _refusal_shown(answer, 403):
                    wrong.append(f"{route} with {role.value}: {answer.status} {answer.text}")
            elif answer.status != given:
                wrong.append(f"{route} with {role.value}: {answer.status}, not {given}")
    assert wrong == []


async def test_a_viewer_reads_and_sends_nothing(lab: ApiLab) -> None:
    await lab.station("CP-1")
    lab.registry.sent.clear()
    viewer = await _key(lab, ApiKeyRole.VIEWER)
    headers = {"X-API-Key": viewer}
    listed = await lab.client.get("/api/v1/chargers", headers=headers)
    assert listed.status_code == 200
    refused = await lab.client.post(
        "/api/v1/chargers/CP-1/reset", json={"type": "Hard"}, headers=headers
    )
    assert (refused.status_code, refused.json()) == (
        403,
        {
            "detail": "API key 'a viewer' is a viewer key: it reads, and sends no commands or"
            " changes"
        },
    )
    assert lab.registry.sent == []


async def test_an_admin_makes_lists_and_revokes_keys(lab: ApiLab) -> None:
    created = await lab.client.post("/api/v1/api-keys", json={"name": "screens", "role": "viewer"})
    assert created.status_code == 201
    body = created.json()
    key = body.pop("key")
    assert key.startswith(f"cy_{body['prefix']}_")
    assert (body["name"], body["role"], body["lastUsedAt"]) == ("screens", "viewer", None)

    new_key = {"X-API-Key": key}
    assert (await lab.client.get("/api/v1/chargers", headers=new_key)).status_code == 200
    listed = (await lab.client.get("/api/v1/api-keys")).json()
    assert [(k["name"], k["role"]) for k in listed] == [("tests", "admin"), ("screens", "viewer")]
    assert all("key" not in k for k in listed)

    assert (await lab.client.delete(f"/api/v1/api-keys/{body['id']}")).status_code == 204
    assert (await lab.client.get("/api/v1/chargers", headers=new_key)).status_code == 401
    gone = await lab.client.delete(f"/api/v1/api-keys/{body['id']}")
    assert (gone.status_code, gone.json()) == (404, {"detail": f"api key '{body['id']}' not found"})


async def test_an_operator_commands_but_does_not_manage_keys(lab: ApiLab) -> None:
    await lab.station("CP-1")
    operator = {"X-API-Key": await _key(lab, ApiKeyRole.OPERATOR)}
    sent = await lab.client.post("/api/v1/chargers/CP-1/cache/clear", headers=operator)
    assert sent.status_code == 200
    refused = await lab.client.get("/api/v1/api-keys", headers=operator)
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "API key 'a operator' is a operator key: only an admin key manages API keys"},
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "x", "role": "root"}, "role"), ({"name": "", "role": "viewer"}, "name")],
)
async def test_a_bad_key_body_is_422(lab: ApiLab, body: dict[str, str], field: str) -> None:
    response = await lab.client.post("/api/v1/api-keys", json=body)
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [["body", field]]
