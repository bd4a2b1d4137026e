"""The suite's client of a CSMS's conformance hook (``hook_contract.py``, docs/
conformance-hooks.md): it asks the hook what it supports once, then sends each order and
set-up the cases need, and turns an answer other than ``taken`` into the reason (and, for the
run's summary, the need) of an inconclusive case."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from chargeyard.conformance.csms_under_test.hook_contract import (
    CONTRACT_HEADER,
    CONTRACT_VERSION,
    PLAIN,
    BadCapabilities,
    Capabilities,
    HookAnswer,
    Result,
    SetUp,
    id_tag_body,
    id_tag_path,
    order_path,
    read_answer,
    read_capabilities,
    registration_path,
)
from chargeyard.conformance.csms_under_test.triggers import TAG_OPTIONS, Acting, Payload
from chargeyard.conformance.endings import NotActed
from chargeyard.protocol import VersionSpec
from chargeyard.trust_store import http_trust

HOOK_TIMEOUT_S = 30.0
"""How long a request to the hook may take. An order's answer may come after the CALL (a
hook that waits for the station's answer): the case waits for the CALL, not for this."""


def hook_need(action: str) -> str:
    """What a case lacks when the hook cannot make the CSMS send ``action``."""
    return f"a hook that makes the CSMS send {action} (--trigger-url)"


class HookTrigger:
    """A CSMS's conformance hook at ``url`` (contract version
    :data:`~chargeyard.conformance.csms_under_test.hook_contract.CONTRACT_VERSION`)."""

    interactive = False

    def __init__(self, url: str, *, timeout: float = HOOK_TIMEOUT_S) -> None:
        self._url = url.rstrip("/")
        self._client = httpx.AsyncClient(
            timeout=timeout, headers={CONTRACT_HEADER: str(CONTRACT_VERSION)}, verify=http_trust()
        )
        self._capabilities: Capabilities | None = None
        self._unusable: str | None = None  # why the hook cannot be used, once known
        self._asking = asyncio.Lock()
        self._requests: set[Acting] = set()

    async def capabilities(self) -> Capabilities:
        """What the hook supports, asked once (:data:`PLAIN` when it does not say).

        Raises:
            NotActed: it speaks another contract version, or answered in another shape.
        """
        async with self._asking:
            if self._capabilities is None and self._unusable is None:
                await self._ask_capabilities()
        if self._unusable is not None:
            raise NotActed(self._unusable)
        assert self._capabilities is not None
        return self._capabilities

    async def _ask_capabilities(self) -> None:
        url = f"{self._url}/capabilities"
        try:
            answer = await self._client.get(url)
        except httpx.HTTPError:
            return  # unreachable: each request says so, and asks again next time
        if answer.status_code in (404, 405, 501):
            self._capabilities = PLAIN
            return
        try:
            found = read_capabilities(_json(answer)) if answer.is_success else None
        except BadCapabilities as error:
            self._unusable = f"the hook's GET {url} is not the contract's capabilities: {error}"
            return
        if found is None:
            self._unusable = f"the hook's GET {url} answered HTTP {answer.status_code}"
        elif not found.speaks_ours:
            spoken = ", ".join(str(version) for version in sorted(found.contracts)) or "none"
            self._unusable = (
                f"the hook speaks contract version {spoken}; this suite speaks"
                f" {CONTRACT_VERSION} (docs/conformance-hooks.md)"
            )
        else:
            self._capabilities = found

    def act(
        self, version: VersionSpec, station_id: str, action: str, payload: Payload, words: str
    ) -> Acting:
        task: Acting = asyncio.ensure_future(self._order(version.name, station_id, action, payload))
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)
        return task

    async def _order(
        self, ocpp_version: str, station_id: str, action: str, payload: Payload
    ) -> NotActed | None:
        try:
            capabilities = await self.capabilities()
        except NotActed as why:
            return why
        if not capabilities.takes(ocpp_version, action):
            return NotActed(
                f"the hook does not list {action} among the OCPP {ocpp_version} actions it"
                " takes (its capabilities)",
                need=hook_need(action),
            )
        path = order_path(ocpp_version, station_id, action)
        answer = await self._request("POST", path, payload)
        if answer.taken:
            return None
        return NotActed(
            _told(f"POST {self._url}{path}", answer),
            need=hook_need(action) if answer.result is Result.NOT_SUPPORTED else None,
        )

    async def id_tag(self, tag: str, status: str, *, group: str | None = None) -> None:
        need = TAG_OPTIONS["Grouped" if group is not None else status]
        await self._set_up(SetUp.ID_TAGS, f"id tag {tag}", need)
        path = id_tag_path(tag)
        if status == "Invalid":  # unknown to the CSMS
            answer = await self._request("DELETE", path, None)
        else:
            answer = await self._request("PUT", path, id_tag_body(status, group))
        if not answer.taken:
            method = "DELETE" if status == "Invalid" else "PUT"
            raise NotActed(_told(f"{method} {self._url}{path}", answer), need=need)

    async def registration(self, station_id: str, status: str) -> None:
        await self._set_up(SetUp.REGISTRATION, f"{station_id}'s registration", None)
        path = registration_path(station_id)
        answer = await self._request("PUT", path, {"status": status})
        if not answer.taken:
            raise NotActed(_told(f"PUT {self._url}{path}", answer))

    async def _set_up(self, kind: SetUp, what: str, need: str | None) -> None:
        """Raises NotActed when the hook does not take ``kind`` of set-up."""
        if kind not in (await self.capabilities()).set_up:
            raise NotActed(
                f"the hook does not set up {what} (its capabilities' setUp has no {kind})",
                need=need,
            )

    async def _request(self, method: str, path: str, body: Payload | None) -> HookAnswer:
        url = f"{self._url}{path}"
        try:
            answer = await self._client.request(method, url, json=body)
        except httpx.HTTPError as error:
            return HookAnswer(Result.FAILED, f"unreachable: {str(error) or type(error).__name__}")
        return read_answer(answer.status_code, _json(answer))

    async def close(self) -> None:
        for task in list(self._requests):
            task.cancel()
        await asyncio.gather(*self._requests, return_exceptions=True)
        await self._client.aclose()


def _json(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _told(request: str, answer: HookAnswer) -> str:
    """A hook's refusal, in a case's reason."""
    because = f": {answer.reason}" if answer.reason else ""
    return f"the hook answered {answer.result} to {request}{because}"
