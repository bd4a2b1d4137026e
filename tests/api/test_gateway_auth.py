"""Bearer tokens on the simulator gateway: every way a token is refused (401), every way an
authentic token is not enough (403), roles, and an admin picking a tenant."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from chargeyard.api import ApiSettings
from chargeyard.api.gateway.dialects import PATH_ALIASES
from chargeyard.api.gateway.routes.simulator import CALLS
from chargeyard.api.tokens import Role, TokenRejected, parse_ttl, verify_token
from chargeyard.gateway.commands import COMMANDS
from chargeyard.store import Store
from tests.api.gateway_lab import (
    SECRET,
    as_role,
    bearer,
    gateway_client,
    gateway_settings,
    token,
)

LOCATIONS = "/ocpp/locations"


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(store) as client:
        yield client


def _key_pair() -> tuple[str, str]:
    """A fresh RSA key pair as PEM (private, public)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def _claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": "alice",
        "org": "org-a",
        "roles": ["operator"],
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _hs256(claims: dict[str, Any], key: str = SECRET) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def _refused(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": detail}
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


# -- 401: no token, or one that cannot be trusted ------------------------------------------


async def test_missing_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get(LOCATIONS)
    assert (response.status_code, response.json()) == (401, {"detail": "missing bearer token"})
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_other_schemes_and_empty_bearer_are_missing_tokens(
    client: httpx.AsyncClient,
) -> None:
    for header in ("Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer ", token()):
        response = await client.get(LOCATIONS, headers={"Authorization": header})
        assert (response.status_code, response.json()) == (
            401,
            {"detail": "missing bearer token"},
        ), header


async def test_malformed_token_is_401(client: httpx.AsyncClient) -> None:
    for garbage in ("not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30"):
        response = await client.get(LOCATIONS, headers=bearer(garbage))
        await _refused(response, "malformed bearer token")


async def test_expired_token_is_401(client: httpx.AsyncClient) -> None:
    expired = _hs256(_claims(exp=datetime.now(UTC) - timedelta(seconds=5)))
    await _refused(await client.get(LOCATIONS, headers=bearer(expired)), "token has expired")


async def test_token_signed_with_another_secret_is_401(client: httpx.AsyncClient) -> None:
    forged = _hs256(_claims(), key="another-secret-that-is-32-bytes-long!")
    response = await client.get(LOCATIONS, headers=bearer(forged))
    await _refused(response, "token signature is invalid")


async def test_tampered_payload_is_401(client: httpx.AsyncClient) -> None:
    header, _, signature = token(roles=[Role.VIEWER]).split(".")
    promoted = _b64(json.dumps(_claims(roles=["admin"]), default=str).encode())
    response = await client.get(LOCATIONS, headers=bearer(f"{header}.{promoted}.{signature}"))
    assert response.status_code == 401


async def test_unsigned_token_alg_none_is_401(client: httpx.AsyncClient) -> None:
    unsigned = jwt.encode(_claims(), None, algorithm="none")
    response = await client.get(LOCATIONS, headers=bearer(unsigned))
    await _refused(response, "token algorithm 'none' is not accepted")


async def test_algorithm_outside_the_settings_is_401(client: httpx.AsyncClient) -> None:
    # HS512 with the right secret: authentic, but the server only accepts HS256 and RS256.
    strong = jwt.encode(_claims(), SECRET, algorithm="HS512")
    response = await client.get(LOCATIONS, headers=bearer(strong))
    await _refused(response, "token algorithm 'HS512' is not accepted")


async def test_token_without_exp_is_401(client: httpx.AsyncClient) -> None:
    forever = _hs256(_claims(exp=None))
    response = await client.get(LOCATIONS, headers=bearer(forever))
    await _refused(response, "token lacks the 'exp' claim")


async def test_no_configured_key_refuses_every_token(store: Store) -> None:
    async with gateway_client(store, ApiSettings()) as client:
        response = await client.get(LOCATIONS, headers=bearer(token()))
    await _refused(response, "HS256 tokens are not accepted: no secret is configured")


async def test_issuer_and_audience_are_checked_when_configured(store: Store) -> None:
    settings = gateway_settings(jwt_issuer="https://id.example", jwt_audience="chargeyard")
    good = _hs256(_claims(iss="https://id.example", aud=["chargeyard", "other"]))
    async with gateway_client(store, settings) as client:
        assert (await client.get(LOCATIONS, headers=bearer(good))).status_code == 200
        wrong_issuer = _hs256(_claims(iss="https://evil.example", aud="chargeyard"))
        response = await client.get(LOCATIONS, headers=bearer(wrong_issuer))
        await _refused(response, "invalid bearer token: Invalid issuer")
        wrong_audience = _hs256(_claims(iss="https://id.example", aud="someone-else"))
        response = await client.get(LOCATIONS, headers=bearer(wrong_audience))
        await _refused(response, "invalid bearer token: Audience doesn't match")


# -- RS256 --------------------------------------------------------------------------------


async def test_rs256_token_verified_with_the_configured_public_key(store: Store) -> None:
    private_pem, public_pem = _key_pair()
    other_private, _ = _key_pair()
    settings = ApiSettings(jwt_public_key=public_pem)
    async with gateway_client(store, settings) as client:
        good = token(key=private_pem, algorithm="RS256")
        response = await client.get(LOCATIONS, headers=bearer(good))
        assert (response.status_code, response.json()["total"]) == (200, 0)

        forged = token(key=other_private, algorithm="RS256")
        response = await client.get(LOCATIONS, headers=bearer(forged))
        await _refused(response, "token signature is invalid")

        # HS256 is allowed by default, but without a secret nothing can verify it.
        response = await client.get(LOCATIONS, headers=bearer(token()))
        await _refused(response, "HS256 tokens are not accepted: no secret is configured")


async def test_public_key_used_as_an_hmac_secret_is_401(store: Store) -> None:
    # The classic key-confusion attack: sign HS256 with the server's public key, hoping it
    # verifies HMAC with "its key". The key is chosen by algorithm from the settings.
    _, public_pem = _key_pair()
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = _claims(exp=int((datetime.now(UTC) + timedelta(hours=1)).timestamp()))
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(public_pem.encode(), f"{header}.{payload}".encode(), hashlib.sha256)
    confused = f"{header}.{payload}.{_b64(signature.digest())}"
    settings = gateway_settings(jwt_public_key=public_pem)
    async with gateway_client(store, settings) as client:
        response = await client.get(LOCATIONS, headers=bearer(confused))
    await _refused(response, "token signature is invalid")


# -- 403: authentic, but not enough --------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        (_claims(org=None), "token lacks the 'org' claim"),
        (_claims(org=""), "token lacks the 'org' claim"),
        (_claims(org="x" * 65), "token's 'org' claim is not a valid organization id"),
        (_claims(sub=None), "token lacks the 'sub' claim"),
        (
            _claims(roles=None),
            "token lacks a 'roles' claim with one of: platform, admin, operator, viewer",
        ),
        (
            _claims(roles=["superuser", 7]),
            "token lacks a 'roles' claim with one of: platform, admin, operator, viewer",
        ),
    ],
)
async def test_token_lacking_required_claims_is_403(
    client: httpx.AsyncClient, claims: dict[str, Any], detail: str
) -> None:
    response = await client.get(LOCATIONS, headers=bearer(_hs256(claims)))
    assert (response.status_code, response.json()) == (403, {"detail": detail})


async def test_viewer_reads_but_cannot_write(client: httpx.AsyncClient) -> None:
    operator, viewer = as_role(Role.OPERATOR), as_role(Role.VIEWER)
    created = await client.post(LOCATIONS, json={"name": "Depot"}, headers=operator)
    assert created.status_code == 201
    location = f"{LOCATIONS}/{created.json()['id']}"

    assert (await client.get(LOCATIONS, headers=viewer)).json()["total"] == 1
    assert (await client.get(location, headers=viewer)).status_code == 200
    refused = {"detail": "this action needs the operator role; the token has: viewer"}
    for response in (
        await client.post(LOCATIONS, json={"name": "Mine"}, headers=viewer),
        await client.put(location, json={"name": "Mine"}, headers=viewer),
        await client.delete(location, headers=viewer),
    ):
        assert (response.status_code, response.json()) == (403, refused)
    assert (await client.get(location, headers=viewer)).json()["name"] == "Depot"


async def test_a_single_role_string_is_accepted(client: httpx.AsyncClient) -> None:
    viewer = _hs256(_claims(roles="viewer"))
    assert (await client.get(LOCATIONS, headers=bearer(viewer))).status_code == 200
    response = await client.post(LOCATIONS, json={"name": "X"}, headers=bearer(viewer))
    assert response.status_code == 403


async def test_a_platform_operator_acts_in_another_organization_with_the_header(
    client: httpx.AsyncClient, store: Store
) -> None:
    await store.organizations.create("B", organization_id="org-b")
    theirs = await store.locations.create("org-b", "B's depot")
    admin = as_role(Role.PLATFORM, org="org-a")

    in_b = {**admin, "X-Organization-Id": "org-b"}
    listed = await client.get(LOCATIONS, headers=in_b)
    assert [row["id"] for row in listed.json()["data"]] == [theirs.id]
    created = await client.post(LOCATIONS, json={"name": "Made by platform"}, headers=in_b)
    assert created.status_code == 201
    assert await store.locations.get("org-b", created.json()["id"]) is not None

    # Without the header, the platform operator is in its own organization.
    assert (await client.get(LOCATIONS, headers=admin)).json()["total"] == 0
    missing = await client.get(LOCATIONS, headers={**admin, "X-Organization-Id": "org-nope"})
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "organization 'org-nope' not found"},
    )
    # Fuzz test, PostgreSQL: a NUL byte in the header was a 500 there (the query is refused).
    nul = await client.get(LOCATIONS, headers={**admin, "X-Organization-Id": "org\x00b"})
    assert nul.status_code == 404


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OPERATOR, Role.VIEWER])
async def test_only_a_platform_operator_may_name_another_organization(
    client: httpx.AsyncClient, store: Store, role: Role
) -> None:
    # An organization's admin administers its own organization, not another one.
    await store.organizations.create("B", organization_id="org-b")
    await store.locations.create("org-b", "B's depot")
    caller = as_role(role, org="org-a")
    response = await client.get(LOCATIONS, headers={**caller, "X-Organization-Id": "org-b"})
    assert (response.status_code, response.json()) == (
        403,
        {
            "detail": "only a platform operator's token may act in another organization"
            " (X-Organization-Id); an admin administers its own"
        },
    )
    own = await client.get(LOCATIONS, headers={**caller, "X-Organization-Id": "org-a"})
    assert own.status_code == 200


async def test_first_request_of_a_new_organization_creates_it(
    client: httpx.AsyncClient, store: Store
) -> None:
    assert await store.organizations.get("org-new") is None
    headers = as_role(Role.VIEWER, org="org-new")
    assert (await client.get(LOCATIONS, headers=headers)).status_code == 200
    assert (await client.get(LOCATIONS, headers=headers)).status_code == 200  # exists: no-op
    organization = await store.organizations.get("org-new")
    assert organization is not None
    assert organization.name == "org-new"


# -- the pieces ----------------------------------------------------------------------------


def test_settings_refuse_a_short_hmac_secret() -> None:
    with pytest.raises(ValidationError):
        ApiSettings(jwt_secret="short")
    with pytest.raises(ValidationError):
        ApiSettings(jwt_algorithms=("none",))  # type: ignore[arg-type]


def test_verify_token_names_its_claims() -> None:
    claims = verify_token(token("org-z", [Role.ADMIN, "viewer"]), gateway_settings())
    assert (claims.subject, claims.organization_id, claims.roles) == (
        "alice",
        "org-z",
        frozenset({Role.ADMIN, Role.VIEWER}),
    )
    with pytest.raises(TokenRejected):
        verify_token(token(ttl=timedelta(seconds=-1)), gateway_settings())
    # Leeway lets a token a few seconds past its exp through (clock skew).
    late = token(ttl=timedelta(seconds=-2))
    assert verify_token(late, gateway_settings(jwt_leeway=30)).organization_id == "org-a"


def test_parse_ttl() -> None:
    assert parse_ttl("90s") == timedelta(seconds=90)
    assert parse_ttl("30m") == timedelta(minutes=30)
    assert parse_ttl("24h") == timedelta(hours=24)
    assert parse_ttl("7d") == timedelta(days=7)
    for bad in ("", "0h", "1w", "-1h", "h", "1.5h"):
        with pytest.raises(ValueError, match="is not a lifetime"):
            parse_ttl(bad)


async def test_openapi_declares_the_bearer_scheme_on_every_gateway_route(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["HTTPBearer"]["description"],
    }
    gateway = {path: ops for path, ops in document["paths"].items() if path.startswith("/ocpp")}
    assert set(gateway) == {
        "/ocpp/catalog",
        "/ocpp/catalog/brands",
        "/ocpp/catalog/brands/{brand}/models",
        "/ocpp/catalog/brands/{brand}/models/{model}",
        "/ocpp/locations",
        "/ocpp/locations/{location_id}",
        "/ocpp/templates/locations",
        "/ocpp/chargers",
        "/ocpp/chargers/{charger_id}",
        "/ocpp/chargers/{charger_id}/status",
        "/ocpp/chargers/{charger_id}/start-charger",
        "/ocpp/chargers/{charger_id}/stop-charger",
        "/ocpp/chargers/{charger_id}/restart-charger",
        "/ocpp/chargers/{charger_id}/logs",
        "/ocpp/chargers/{charger_id}/logs/{log_id}",
        "/ocpp/chargers/{charger_id}/trace",
        "/ocpp/chaos",
        "/ocpp/locations/{location_id}/chargers",
        "/ocpp/locations/{location_id}/chargers/jobs/{job_id}",
        "/ocpp/commands",
        "/ocpp/commands/catalog",
        "/ocpp/commands/{command_id}",
        *(f"/ocpp/commands/{spec.path}" for spec in COMMANDS.values()),
        # OCPPLab's paths (its Python SDK's; docs/ocpplab-compatibility.md)
        "/ocpp/catalog/{brand}/models",
        "/ocpp/catalog/{brand}/models/{model}",
        *(f"/ocpp/commands/{alias}" for alias in PATH_ALIASES),
        "/ocpp/deployment",
        "/ocpp/location",
        "/ocpp/deployment-runtime-ops",
        "/ocpp/deployment-runtime-ops/status",
        "/ocpp/deployment-runtime-ops/events",
        "/ocpp/deployment-runtime-ops/diagnostics",
        "/ocpp/logs",
        # OCPPLab's per-charger simulator API (routes/simulator.py).
        "/ocpp/simulator/{charger_id}/health",
        *(f"/ocpp/simulator/{{charger_id}}/{call.path}" for call in CALLS),
    }
    for path, operations in gateway.items():
        for method, operation in operations.items():
            assert operation["security"] == [{"HTTPBearer": []}], (path, method)
            assert {"401", "403"} <= set(operation["responses"]), (path, method)
            assert operation["tags"], (path, method)
            error = operation["responses"]["401"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/HttpErrorResponse"}
    assert document["components"]["schemas"]["HttpErrorResponse"]["required"] == ["detail"]
