"""chargeyard's own trigger: when the CSMS under test is chargeyard, its ``/api/v1`` makes it
act, each order through the action's dedicated endpoint as a user of chargeyard sends it
(``chargeyard_routes.py``), and keeps the id tags and registrations the cases need."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import httpx

from chargeyard.conformance.csms_under_test.chargeyard_routes import Route, route
from chargeyard.conformance.csms_under_test.hook_contract import EXPIRED_ON, segment
from chargeyard.conformance.csms_under_test.triggers import Acting, Payload
from chargeyard.conformance.endings import NotActed
from chargeyard.protocol import VersionSpec
from chargeyard.trust_store import http_trust


class ChargeyardTrigger:
    """chargeyard's own ``/api/v1`` (``api_url`` like ``http://127.0.0.1:8000``). ``sent``
    keeps each order's action and route, in order (a listing of which endpoint each case
    used)."""

    interactive = False

    def __init__(self, api_url: str, api_key: str, *, timeout: float = 60.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=api_url.rstrip("/") + "/api/v1",
            headers={"X-API-Key": api_key},
            timeout=timeout,
            verify=http_trust(),
        )
        self._requests: set[Acting] = set()
        self.sent: list[tuple[str, Route]] = []

    def act(
        self, version: VersionSpec, station_id: str, action: str, payload: Payload, words: str
    ) -> Acting:
        chosen = route(version, station_id, action, payload)
        self.sent.append((action, chosen))
        return self._start(self._posted(chosen))

    async def _posted(self, chosen: Route) -> NotActed | None:
        """POST ``chosen``; why it did not go through, or None."""
        url = f"{self._client.base_url}{chosen.path}"
        try:
            answer = await self._client.post(
                chosen.path, json=chosen.body, params=chosen.params or None
            )
        except httpx.HTTPError as error:
            return NotActed(f"chargeyard's POST {url} failed: {str(error) or type(error).__name__}")
        if not answer.is_success:
            return NotActed(
                f"chargeyard's POST {url} answered HTTP {answer.status_code}: {answer.text[:200]}"
            )
        return None

    async def id_tag(self, tag: str, status: str, *, group: str | None = None) -> None:
        try:
            await self._put_id_tag(tag, status, group)
        except httpx.HTTPError as error:
            # The CSMS's API is the trigger: unreachable, it did not act (inconclusive), which
            # says nothing of the CSMS's OCPP.
            raise NotActed(
                f"could not reach chargeyard's API at {self._client.base_url} to set id tag"
                f" {tag}: {str(error) or type(error).__name__}"
            ) from None

    async def _put_id_tag(self, tag: str, status: str, group: str | None) -> None:
        path = f"/id-tags/{segment(tag)}"
        if status == "Invalid":  # unknown to the CSMS
            answer = await self._client.delete(path)
            if answer.status_code not in (200, 404):
                raise NotActed(f"could not remove id tag {tag}: HTTP {answer.status_code}")
            return
        body: Payload = {"status": status}
        if status == "Expired":
            # Expired by its date (OCPP 1.6 section 7.14), as a real tag expires.
            body = {"status": "Accepted", "expiryDate": EXPIRED_ON}
        if group is not None:
            # The group a 2.0.1 answer names as groupIdToken (C09) is the tag's parent.
            body["parentIdTag"] = group
        answer = await self._client.patch(path, json=body)
        if answer.status_code == 404:
            answer = await self._client.post("/id-tags", json={"idTag": tag, **body})
        if answer.status_code >= 300:
            raise NotActed(f"could not set id tag {tag}: HTTP {answer.status_code}")

    async def registration(self, station_id: str, status: str) -> None:
        # The station's own registration (PUT .../registration): Pending without pending
        # calls, so its next boot is Accepted.
        try:
            answer = await self._client.put(
                f"/chargers/{segment(station_id)}/registration", json={"status": status}
            )
        except httpx.HTTPError as error:
            raise NotActed(
                f"could not reach chargeyard's API at {self._client.base_url} to set"
                f" {station_id}'s registration: {str(error) or type(error).__name__}"
            ) from None
        if not answer.is_success:
            raise NotActed(
                f"could not set {station_id}'s registration {status}: HTTP {answer.status_code}"
            )

    def _start(self, request: Awaitable[NotActed | None]) -> Acting:
        task: Acting = asyncio.ensure_future(request)
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)
        return task

    async def close(self) -> None:
        for task in list(self._requests):
            task.cancel()
        await asyncio.gather(*self._requests, return_exceptions=True)
        await self._client.aclose()
