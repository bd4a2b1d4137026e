""":class:`~chargeyard.gateway.runtimes.ChargerRuntimes` over the bus: what the API's routes and
the provisioner get to start, stop, change and look at chargers, wherever they run.

Each call is one :class:`~chargeyard.bus.requests.RuntimeRequest`, answered by the fleet host
that holds the charger (``gateway/runtime_service.py``) within ``deadline_s``, or
:class:`~chargeyard.gateway.runtimes.NoAnswer`. The errors the host answered with are raised
again here as the same domain errors, with the same words, so that the API answers as if it
had called the host itself.

The live status of stations (``GET`` of chargers) is asked the same way, one request for a
page of chargers, rather than read from something the hosts would publish: a station's meters
and connector statuses change many times a second under load, and a snapshot pushed at some
interval would either flood the bus or show stale values, while a read when someone looks
costs one round trip and shows the station as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast
from uuid import uuid4

from chargeyard.bus import CommandBus
from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest, Verb
from chargeyard.fleet.station_status import StationStatus
from chargeyard.gateway.runtimes import (
    ChaosAnswer,
    ChargerRuntimeError,
    HostGone,
    NoAnswer,
    RuntimeAction,
    RuntimeReport,
    status_from_dict,
)
from chargeyard.store import NotFoundError
from chargeyard.store.models import SimulatedCharger

DEADLINE_S = 30.0
"""How long a runtime request may take by default: a restart into a changed row drains the
old station first (``DRAIN_BEFORE_REBOOT_S``), a start of a location writes its rows."""


class RuntimeClient:
    """Asks the fleet hosts over ``bus``; every call waits ``deadline_s`` at most."""

    def __init__(self, bus: CommandBus, *, deadline_s: float = DEADLINE_S) -> None:
        self.bus = bus
        self.deadline_s = deadline_s

    async def start_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        return await self._report("start", organization_id, charger_id)

    async def start_chargers(
        self, organization_id: str, charger_ids: Sequence[str]
    ) -> dict[str, RuntimeReport | str]:
        if not charger_ids:
            return {}
        result = await self._ask("start_many", organization_id, charger_ids)
        answers: dict[str, RuntimeReport | str] = {}
        for charger_id in charger_ids:
            item = result[charger_id]
            answers[charger_id] = (
                str(item["error"]) if "error" in item else RuntimeReport.from_dict(item["report"])
            )
        return answers

    async def stop_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        return await self._report("stop", organization_id, charger_id)

    async def restart_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        return await self._report("restart", organization_id, charger_id)

    async def apply_changes(self, charger: SimulatedCharger) -> RuntimeAction:
        result = await self._ask("apply_changes", charger.organization_id, [charger.id])
        return cast(RuntimeAction, result["action"])

    async def remove_charger(self, organization_id: str, charger_id: str) -> None:
        await self._ask("remove", organization_id, [charger_id])

    async def station_statuses(
        self, organization_id: str, charger_ids: Sequence[str]
    ) -> dict[str, StationStatus]:
        if not charger_ids:
            return {}
        result = await self._ask("status", organization_id, charger_ids)
        return {charger_id: status_from_dict(data) for charger_id, data in result.items()}

    async def precheck(
        self,
        organization_id: str,
        charger_ids: Sequence[str],
        event_type: str,
        payload: dict[str, Any],
    ) -> dict[str, str | None]:
        if not charger_ids:
            return {}
        data = {"event_type": event_type, "payload": payload}
        result = await self._ask("precheck", organization_id, charger_ids, data)
        return {charger_id: result[charger_id] for charger_id in charger_ids}

    async def chaos(
        self,
        organization_id: str,
        charger_ids: Sequence[str],
        faults: Sequence[dict[str, Any]] | None,
        seed: int | None = None,
    ) -> dict[str, ChaosAnswer]:
        if not charger_ids:
            return {}
        data = {"faults": None if faults is None else list(faults), "seed": seed}
        result = await self._ask("chaos", organization_id, charger_ids, data)
        return {charger_id: result[charger_id] for charger_id in charger_ids}

    async def _report(self, verb: Verb, organization_id: str, charger_id: str) -> RuntimeReport:
        result = await self._ask(verb, organization_id, [charger_id])
        return RuntimeReport.from_dict(result["report"])

    async def _ask(
        self,
        verb: Verb,
        organization_id: str,
        charger_ids: Sequence[str],
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The answer's ``result``.

        Raises:
            NoAnswer: none within the deadline.
            HostGone: the node that took the request went away before it answered.
            NotFoundError, ChargerRuntimeError: what the host answered.
            RuntimeError: the host failed otherwise.
        """
        request = RuntimeRequest(uuid4().hex, organization_id, verb, tuple(charger_ids), data or {})
        try:
            async with asyncio.timeout(self.deadline_s):
                answer = await self.bus.request(request)
        except TimeoutError:
            raise NoAnswer(
                f"the charger's host did not answer within {self.deadline_s:g} s"
            ) from None
        if not answer.ok:
            raise _error(answer)
        return answer.result or {}


def _error(answer: RuntimeAnswer) -> Exception:
    message = answer.error or "the charger's host failed"
    if answer.error_kind == "not_found" and answer.detail is not None:
        error = NotFoundError(str(answer.detail["kind"]), answer.detail["key"])
        error.args = (str(answer.detail.get("message", message)),)
        return error
    if answer.error_kind == "cannot_run":
        return ChargerRuntimeError(message)
    if answer.error_kind == "node_gone":
        return HostGone(message)
    return RuntimeError(f"the charger's host failed: {message}")
