"""The simulator gateway (``/ocpp``) under test: the app over a fresh store with a JWT secret,
an httpx client without credentials, and tokens made to order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx

from chargeyard.api import ApiSettings
from chargeyard.api.tokens import Role, issue_token
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.store import Store
from tests.api.apps import api_app

SECRET = "test-secret-" + "0123456789abcdef" * 4  # 75 bytes: long enough for HS512 too


def gateway_settings(**overrides: Any) -> ApiSettings:
    return ApiSettings(jwt_secret=SECRET, **overrides)


def token(
    org: str = "org-a",
    roles: Iterable[Role | str] = (Role.OPERATOR,),
    *,
    subject: str = "alice",
    ttl: timedelta = timedelta(hours=1),
    key: str = SECRET,
    algorithm: str = "HS256",
) -> str:
    return issue_token(
        subject=subject,
        organization_id=org,
        roles=roles,
        key=key,
        algorithm=algorithm,
        ttl=ttl,
    )


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def as_role(role: Role, org: str = "org-a") -> dict[str, str]:
    """Headers of a caller of ``org`` with ``role``."""
    return bearer(token(org, [role]))


@asynccontextmanager
async def gateway_client(
    store: Store, settings: ApiSettings | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    with api_app(store, in_process_link(Registry()), settings or gateway_settings()) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client
