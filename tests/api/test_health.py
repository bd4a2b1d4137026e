"""``/health``, ``/health/live`` and ``/health/ready`` (``api/health.py``): liveness without
credentials, readiness asking the database and, in a cluster, Redis."""

from __future__ import annotations

from chargeyard.store import Store
from tests.api.gateway_lab import gateway_client


async def test_live_and_ready_need_no_credentials(store: Store) -> None:
    async with gateway_client(store) as client:
        for path in ("/health", "/health/live"):
            response = await client.get(path)
            assert (response.status_code, response.json()) == (200, {"status": "ok"}), path
        ready = await client.get("/health/ready")
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "database": "ok", "redis": "unused", "mqtt": "unused"},
    )


async def test_ready_is_503_naming_what_did_not_answer(store: Store) -> None:
    async def redis_away() -> object:
        raise ConnectionError("Redis refused the connection")

    async with gateway_client(store) as client:
        app = client._transport.app  # type: ignore[attr-defined]
        app.state.readiness = {"redis": redis_away}
        ready = await client.get("/health/ready")
    assert (ready.status_code, ready.json()) == (
        503,
        {"status": "not_ready", "database": "ok", "redis": "error", "mqtt": "unused"},
    )
