"""Every path of both APIs, with and without a trailing slash, and each of its parents
(``/ocpp/commands``, ``/ocpp/catalog``), asked with GET and POST: a redirect leads to an answer,
and a 405 names the methods the path is served with (RFC 9110 section 15.5.6), never none."""

from __future__ import annotations

import re

from chargeyard.api.tokens import Role
from chargeyard.store import Store
from tests.api.gateway_lab import as_role, gateway_client


async def test_no_path_answers_a_405_that_allows_nothing(store: Store) -> None:
    _, key = await store.api_keys.create("tests")
    async with gateway_client(store) as client:
        headers = {**as_role(Role.ADMIN), "X-API-Key": key}
        document = (await client.get("/openapi.json")).json()
        paths: set[str] = set()
        for path in document["paths"]:
            parts = re.sub(r"\{[^}]+\}", "x", path).split("/")
            paths.update("/".join(parts[:end]) for end in range(3, len(parts) + 1))
        refused = []
        for path in sorted(paths):
            for asked in (path, f"{path}/"):
                for method in ("GET", "POST"):
                    response = await client.request(
                        method, asked, headers=headers, follow_redirects=True
                    )
                    if response.status_code == 405 and not response.headers.get("allow"):
                        refused.append(f"{method} {asked}")

    assert len(paths) > 50
    assert refused == []
