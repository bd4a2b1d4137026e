"""API keys carry a role: a viewer reads, an operator also sends commands and writes, an admin
(and a platform key) also manages the keys. The matrix asks every ``/api/v1`` route with no
key, a wrong key and a key of each role; then the key management itself. The organizations'
columns (another organization's admin, a platform key acting in one) are in
``test_organizations.py``."""

from __future__ import annotations

import re

import pytest

from chargeyard.store.models import ApiKeyRole
from tests.api.conftest import ApiLab

READS = {"GET", "HEAD"}
MANAGERS = {ApiKeyRole.ADMIN, ApiKeyRole.PLATFORM}


async def _routes(lab: ApiLab) -> list[tuple[str, str]]:
    """Every operation of /api/v1 the OpenAPI document lists, its path ids filled in."""
    document = (await lab.client.get("/openapi.json")).json()
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "NOPE", path))
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
    ]


async def _key(lab: ApiLab, role: ApiKeyRole) -> str:
    _, key = await lab.store.api_keys.create(f"a {role.value}", role)
    return key


async def _ask(lab: ApiLab, method: str, path: str, key: str | None) -> int:
    headers = {"X-API-Key": key or ""}
    body = None if method in READS or method == "DELETE" else {}
    response = await lab.client.request(method, path, headers=headers, json=body)
    return response.status_code


async def test_every_route_answers_each_key_as_its_role_allows(lab: ApiLab) -> None:
    keys = {role: await _key(lab, role) for role in ApiKeyRole}
    routes = await _routes(lab)
    assert len(routes) > 60  # every route of the API, not a few
    wrong: list[str] = []
    for method, path in routes:
        for who, key in (("no key", None), ("a wrong key", "cy_00000000_nope")):
            if (status := await _ask(lab, method, path, key)) != 401:
                wrong.append(f"{method} {path} with {who}: {status}")
        for role, key in keys.items():
            status = await _ask(lab, method, path, key)
            refused = (role is ApiKeyRole.VIEWER and method not in READS) or (
                role not in MANAGERS and path.startswith("/api/v1/api-keys")
            )
            if (status == 403) != refused or status == 401:
                wrong.append(f"{method} {path} with {role.value}: {status}")
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
