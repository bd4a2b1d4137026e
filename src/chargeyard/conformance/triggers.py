"""How the suite makes the CSMS under test act, when a case needs it to (a RemoteStart, a
Reset, a ChangeConfiguration...), and set up what only the CSMS can (an id tag it knows).

* :class:`ChargeyardTrigger` — the CSMS under test is chargeyard: its ``/api/v1`` sends the
  action (``POST /chargers/{id}/call``, the raw call, so every action goes the same way; a
  request whose items the station limits goes through the command that sends them in as many
  requests as the station takes, as a user of chargeyard would: the raw call sends one CALL
  as written or refuses it; certificate management goes through its commands,
  ``/chargers/{id}/certificates/...``, which read what is installed and name uses in one
  vocabulary for both versions, and the renewal of a station's own certificate through
  ``/chargers/{id}/trigger``, which words it for the version) and keeps the id tags a case
  needs.
* :class:`HookTrigger` — any CSMS with an HTTP hook: ``POST {url}/{ocpp_version}/{station_id}/
  {action}`` with the action's payload as the body, the convention an existing open test tool
  uses; a 2xx answer means the CSMS took the order. Set-up it cannot do: the id tags come from
  the command line (``--id-tag`` and the like) and are trusted to exist.
* :class:`PromptTrigger` — a person: the suite says exactly what to do. For an action, the
  CALL arriving is the confirmation; for a set-up, Enter is. Nothing within the deadline: the
  case is inconclusive (an automatic trigger's CSMS that took the order and sent nothing
  fails instead).

A trigger's request runs beside the case: the CSMS sends the CALL while the request is still
open (chargeyard's API, and a hook that forwards to one, wait for the station's answer), so
:meth:`Trigger.act` starts it and returns it as a task; the case waits for the CALL on the
socket, with its own deadline, and if none comes asks the task what went wrong (a hook that
answered 404 means the order never reached the CSMS: inconclusive, not a failure of it).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx

from chargeyard.protocol import VersionSpec

Payload = dict[str, Any]
HOOK_TIMEOUT_S = 10.0
# chargeyard's commands that cut a request to the station's ItemsPerMessage and BytesPerMessage
# (B06.FR.05, B05.FR.11, N06.FR.04), by action: their body is the request's payload.
CUT_TO_FIT = {
    "GetVariables": "variables/get",
    "SetVariables": "variables/set",
    "ClearVariableMonitoring": "monitoring/clear",
}


# chargeyard's certificate commands, by action: the route, and the body its vocabulary of
# certificate uses (2.0.1's) makes of the request's payload in either version.
CERTIFICATE_ROUTES = {
    "InstallCertificate": "certificates/install",
    "GetInstalledCertificateIds": "certificates/installed",
    "DeleteCertificate": "certificates/delete",
}
# The renewal of a station's own certificate (1.6 ExtendedTriggerMessage, 2.0.1 TriggerMessage
# A02), which chargeyard's trigger command asks in either version's words.
RENEWALS = {
    ("ExtendedTriggerMessage", "SignChargePointCertificate"),
    ("TriggerMessage", "SignChargingStationCertificate"),
}
# 1.6's name (security extension) of a use the API names as 2.0.1 does.
_API_USE = {"CentralSystemRootCertificate": "CSMSRootCertificate"}


def certificate_body(action: str, payload: Payload) -> Payload:
    """The body of chargeyard's certificate command for the request ``payload`` of
    ``action`` (one of :data:`CERTIFICATE_ROUTES`)."""
    if action == "InstallCertificate":
        use = str(payload.get("certificateType"))
        return {
            "certificateType": _API_USE.get(use, use),
            "certificate": payload.get("certificate"),
        }
    if action == "GetInstalledCertificateIds":
        uses = payload.get("certificateType")  # 1.6: one use; 2.0.1: a list, or none for every one
        named = [uses] if isinstance(uses, str) else list(uses or [])
        return {"certificateTypes": [_API_USE.get(str(use), str(use)) for use in named]}
    return {"certificateHashData": payload.get("certificateHashData")}


class NotActed(Exception):
    """The system under test was not made to act (no trigger, or nobody did it in time).
    ``need``: what the user can give for the case to run, in the command line's words (the
    run's summary groups inconclusive cases by it), if the user can give it."""

    def __init__(self, message: str, *, need: str | None = None) -> None:
        super().__init__(message)
        self.need = need


TRIGGER_NEED = (
    "a trigger for CSMS-initiated actions (--trigger-url, --chargeyard-api or --interactive)"
)
TAG_OPTIONS = {
    "Accepted": "a valid id tag (--id-tag)",
    "Invalid": "an id tag unknown to the CSMS (--invalid-id-tag)",
    "Expired": "an expired id tag (--expired-id-tag)",
    "Blocked": "a blocked id tag (--blocked-id-tag)",
    "Grouped": "two valid id tags with one parent (--id-tag, --grouped-id-tag, --parent-id-tag)",
}
"""What a case needing a tag of each status lacks, with the option that states it."""


Acting = asyncio.Task[str | None]
"""An order on its way; its result is why it did not reach the system under test, or None."""


def _done(problem: str | None = None) -> Acting:
    async def settled() -> str | None:
        return problem

    return asyncio.ensure_future(settled())


class Trigger(Protocol):
    """What makes the CSMS under test act. ``interactive``: a person does it, so a CALL that
    does not come means nobody acted (inconclusive), not that the CSMS failed."""

    interactive: bool

    def act(
        self, version: VersionSpec, station_id: str, action: str, payload: Payload, words: str
    ) -> Acting:
        """Have the CSMS send ``action`` with ``payload`` to ``station_id`` (``words``: the
        same, for a person): the order, on its way (its result: why it failed, or None)."""
        ...

    async def id_tag(self, tag: str, status: str, *, group: str | None = None) -> None:
        """Have the CSMS know ``tag`` with ``status`` (Accepted, Blocked, Expired, Invalid:
        unknown) and, if given, ``group`` as its group id (2.0.1 groupIdToken, 1.6
        parentIdTag).

        Raises:
            NotActed: it cannot be done.
        """
        ...

    async def registration(self, station_id: str, status: str) -> None:
        """Have the CSMS answer ``station_id``'s next BootNotification ``status`` (Pending:
        B02, Rejected: B03), a Pending station being Accepted at the boot after.

        Raises:
            NotActed: it cannot be done.
        """
        ...

    async def close(self) -> None: ...


class ChargeyardTrigger:
    """chargeyard's own ``/api/v1`` (``api_url`` like ``http://127.0.0.1:8000``)."""

    interactive = False

    def __init__(self, api_url: str, api_key: str, *, timeout: float = 60.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=api_url.rstrip("/") + "/api/v1",
            headers={"X-API-Key": api_key},
            timeout=timeout,
        )
        self._requests: set[Acting] = set()

    def act(
        self, version: VersionSpec, station_id: str, action: str, payload: Payload, words: str
    ) -> Acting:
        route = CUT_TO_FIT.get(action)
        if route is not None:
            return self._start(_posted(self._client, f"/chargers/{station_id}/{route}", payload))
        route = CERTIFICATE_ROUTES.get(action)
        if route is not None:
            body = certificate_body(action, payload)
            return self._start(_posted(self._client, f"/chargers/{station_id}/{route}", body))
        if (action, payload.get("requestedMessage")) in RENEWALS:
            body = {"requestedMessage": payload["requestedMessage"]}
            return self._start(_posted(self._client, f"/chargers/{station_id}/trigger", body))
        body = {"action": action, "payload": payload}
        return self._start(_posted(self._client, f"/chargers/{station_id}/call", body))

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
        if status == "Invalid":  # unknown to the CSMS
            answer = await self._client.delete(f"/id-tags/{tag}")
            if answer.status_code not in (200, 404):
                raise NotActed(f"could not remove id tag {tag}: HTTP {answer.status_code}")
            return
        body: Payload = {"status": status}
        if status == "Expired":
            # Expired by its date (OCPP 1.6 section 7.14), as a real tag expires.
            body = {"status": "Accepted", "expiryDate": "2020-01-01T00:00:00Z"}
        if group is not None:
            # The group a 2.0.1 answer names as groupIdToken (C09) is the tag's parent.
            body["parentIdTag"] = group
        answer = await self._client.patch(f"/id-tags/{tag}", json=body)
        if answer.status_code == 404:
            answer = await self._client.post("/id-tags", json={"idTag": tag, **body})
        if answer.status_code >= 300:
            raise NotActed(f"could not set id tag {tag}: HTTP {answer.status_code}")

    async def registration(self, station_id: str, status: str) -> None:
        # The station's own registration (PUT .../registration): Pending without pending
        # calls, so its next boot is Accepted.
        try:
            answer = await self._client.put(
                f"/chargers/{station_id}/registration", json={"status": status}
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

    def _start(self, request: Awaitable[str | None]) -> Acting:
        task: Acting = asyncio.ensure_future(request)
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)
        return task

    async def close(self) -> None:
        for task in list(self._requests):
            task.cancel()
        await asyncio.gather(*self._requests, return_exceptions=True)
        await self._client.aclose()


class HookTrigger:
    """An HTTP hook of the CSMS under test (module docstring); ``id_tags``: the tags the
    command line says the CSMS knows, by status."""

    interactive = False

    def __init__(self, url: str, id_tags: dict[str, str] | None = None) -> None:
        self._url = url.rstrip("/")
        self._tags = dict(id_tags or {})
        self._client = httpx.AsyncClient(timeout=HOOK_TIMEOUT_S)
        self._requests: set[Acting] = set()

    def act(
        self, version: VersionSpec, station_id: str, action: str, payload: Payload, words: str
    ) -> Acting:
        url = f"{self._url}/{version.name}/{station_id}/{action}"
        task: Acting = asyncio.ensure_future(_posted(self._client, url, payload))
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)
        return task

    async def id_tag(self, tag: str, status: str, *, group: str | None = None) -> None:
        if self._tags.get(tag) != status:
            raise NotActed(f"no id tag given whose status is {status} (--id-tag options)")
        if group is not None:
            raise NotActed(f"a hook cannot put id tag {tag} in group {group}")

    async def registration(self, station_id: str, status: str) -> None:
        raise NotActed(
            f"a hook cannot make the CSMS answer {station_id}'s boot {status}: configure it"
            " so before the case"
        )

    async def close(self) -> None:
        for task in list(self._requests):
            task.cancel()
        await asyncio.gather(*self._requests, return_exceptions=True)
        await self._client.aclose()


async def _posted(client: httpx.AsyncClient, url: str, body: Payload) -> str | None:
    """POST ``body``; why it did not go through, or None."""
    try:
        answer = await client.post(url, json=body)
    except httpx.HTTPError as error:
        return f"the trigger's POST {url} failed: {str(error) or type(error).__name__}"
    if not answer.is_success:
        return f"the trigger's POST {url} answered HTTP {answer.status_code}: {answer.text[:200]}"
    return None


class PromptTrigger:
    """A person at the terminal, given ``wait_s`` seconds a step."""

    interactive = True

    def __init__(
        self,
        wait_s: float = 120.0,
        *,
        say: Callable[[str], None] | None = None,
        read_line: Callable[[], str] | None = None,
    ) -> None:
        self._wait_s = wait_s
        self._say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self._read_line = read_line or sys.stdin.readline

    def act(
        self, version: VersionSpec, station_id: str, action: str, payload: Payload, words: str
    ) -> Acting:
        self._say(
            f"Make the CSMS {words} (OCPP {action} to {station_id}: {payload}) within"
            f" {self._wait_s:g} s."
        )
        return _done()

    async def id_tag(self, tag: str, status: str, *, group: str | None = None) -> None:
        wanted = "unknown to it" if status == "Invalid" else f"known with status {status}"
        if group is not None:
            wanted += f" and group id {group}"
        await self._ask(f"Make id tag {tag} {wanted} in the CSMS")

    async def registration(self, station_id: str, status: str) -> None:
        await self._ask(
            f"Make the CSMS answer {station_id}'s next BootNotification {status}, and the one"
            " after it Accepted"
        )

    async def _ask(self, words: str) -> None:
        self._say(f"{words}, then press Enter (within {self._wait_s:g} s).")
        try:
            async with asyncio.timeout(self._wait_s):
                await asyncio.to_thread(self._read_line)
        except TimeoutError:
            raise NotActed(f"nobody confirmed within {self._wait_s:g} s: {words}") from None

    async def close(self) -> None:
        return None
