"""The fleet host's side of the runtime requests: take each request the bus brings to this
host, act on it where the stations run, and answer with plain data.

Each request is served in a task of its own, as the API's requests were served side by side:
a restart that drains its station for seconds does not hold up the precheck of a command.
What a verb answers (``result``) is what :mod:`chargeyard.gateway.runtime_client` reads:

* ``start``, ``stop``, ``restart``: ``{"report": RuntimeReport}``;
* ``start_many``: per charger id, ``{"report": ...}`` or ``{"error": why}``;
* ``apply_changes``: ``{"action": RuntimeAction}`` (the changed row is read from the store,
  which every process shares);
* ``remove``: ``{}``;
* ``precheck``: per charger id, why it cannot take the command now, or None (``NOT_RUNNING``
  for one this host does not run: the placement node answers for chargers no host runs);
* ``status``: per charger id of a hosted station, its ``StationStatus``;
* ``chaos``: per charger id, the network faults it has now and their seed, or ``{"error":
  why}`` (``NOT_RUNNING`` for one this host does not run).

A missing charger answers ``not_found`` (with the store error's kind and key), a row that
cannot run ``cannot_run``; anything else ``internal``, logged here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest
from chargeyard.gateway.runtimes import ChargerRuntimeError, status_to_dict
from chargeyard.store import NotFoundError

if TYPE_CHECKING:
    from chargeyard.gateway.host import FleetHost

logger = logging.getLogger(__name__)


class RuntimeService:
    """Serves the bus's runtime requests for ``host`` (:meth:`start` / :meth:`close`, which
    the host calls)."""

    def __init__(self, host: FleetHost) -> None:
        self.host = host
        self._reader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._reader = asyncio.get_running_loop().create_task(
            self._read(), name=f"runtime-requests-{self.host.node}"
        )

    async def close(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _read(self) -> None:
        async for request in self.host.bus.requests(self.host.node):
            task = asyncio.get_running_loop().create_task(self._serve(request))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _serve(self, request: RuntimeRequest) -> None:
        try:
            result = await self._act(request)
            answer = RuntimeAnswer(request.request_id, True, result)
        except NotFoundError as error:
            detail = {"kind": error.kind, "key": str(error.key), "message": str(error)}
            answer = RuntimeAnswer(request.request_id, False, None, str(error), "not_found", detail)
        except ChargerRuntimeError as error:
            answer = RuntimeAnswer(request.request_id, False, None, str(error), "cannot_run")
        except Exception as error:  # a bug must not leave the asker waiting
            logger.exception("serving %s %s failed", request.verb, request.charger_ids)
            answer = RuntimeAnswer(request.request_id, False, None, repr(error), "internal")
        await self.host.bus.answer(answer)

    async def _act(self, request: RuntimeRequest) -> dict[str, Any]:
        host, organization_id = self.host, request.organization_id
        verb, ids = request.verb, request.charger_ids
        if verb == "precheck":
            event_type, payload = request.data["event_type"], request.data["payload"]
            return {i: host.precheck(organization_id, i, event_type, payload) for i in ids}
        if verb == "chaos":
            faults, seed = request.data.get("faults"), request.data.get("seed")
            return {i: host.chaos(organization_id, i, faults, seed) for i in ids}
        if verb == "status":
            statuses = {i: host.station_status(i) for i in ids}
            return {i: status_to_dict(s) for i, s in statuses.items() if s is not None}
        if verb == "start_many":
            reports = await host.start_chargers(organization_id, ids)
            return {
                i: {"error": report} if isinstance(report, str) else {"report": report.to_dict()}
                for i, report in reports.items()
            }
        (charger_id,) = ids
        if verb == "start":
            report = await host.start_charger(organization_id, charger_id)
        elif verb == "stop":
            report = await host.stop_charger(organization_id, charger_id)
        elif verb == "restart":
            report = await host.restart_charger(organization_id, charger_id)
        elif verb == "apply_changes":
            charger = await host.store.chargers.get(organization_id, charger_id)
            if charger is None:
                raise NotFoundError("charger", charger_id)
            return {"action": await host.apply_changes(charger)}
        else:  # "remove"
            await host.remove_charger(organization_id, charger_id)
            return {}
        return {"report": report.to_dict()}
