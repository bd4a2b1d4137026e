"""The path of ``station_calls.py`` within one process: requests served from this process's
:class:`~chargeyard.csms.registry.Registry`.

A request and its answer each cross ``to_dict``, JSON and ``from_dict`` on the way, as they
would cross a stream between processes: the serving side never sees the asker's objects, nor
the asker the serving side's (a payload changed by one is not changed for the other).
:func:`in_process_link` builds the API's link for the stations connected to this process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from chargeyard.csms.link import LinkedStations
from chargeyard.csms.registry import Registry
from chargeyard.csms.station_calls import (
    AnswerKind,
    StationAnswer,
    StationRequest,
    answer_for,
)
from chargeyard.protocol import VersionSpec


async def serve(
    registry: Registry, request: StationRequest, *, clock: Callable[[], float] = time.time
) -> StationAnswer:
    """Send ``request``'s CALL to a station connected here and answer what came of it.

    A request taken after its deadline is answered ``timeout`` unsent; otherwise the station
    gets the request's ``timeout`` or what is left until its deadline, whichever is less.
    """
    left = request.deadline - clock()
    if left <= 0:
        return StationAnswer(request.request_id, AnswerKind.TIMEOUT)
    try:
        payload = await registry.call(
            request.identity, request.action, request.payload, min(request.timeout, left)
        )
    except Exception as error:  # every error is an answer (station_calls.answer_for)
        return answer_for(request, error)
    return StationAnswer(request.request_id, AnswerKind.RESULT, payload)


class InProcessCalls:
    """:class:`~chargeyard.csms.station_calls.StationCalls` served from ``registry``.

    ``clock``: the wall clock in seconds since the epoch, as the asker's.
    """

    def __init__(self, registry: Registry, *, clock: Callable[[], float] = time.time) -> None:
        self._registry = registry
        self._clock = clock

    async def request(self, request: StationRequest) -> StationAnswer:
        taken = StationRequest.from_dict(_carried(request.to_dict()))
        answer = await serve(self._registry, taken, clock=self._clock)
        return StationAnswer.from_dict(_carried(answer.to_dict()))


class LocalDirectory:
    """:class:`~chargeyard.csms.station_link.StationDirectory` of the stations connected to
    this process (``registry``)."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    async def is_connected(self, identity: str) -> bool:
        return self._registry.is_connected(identity)

    async def version_of(self, identity: str) -> VersionSpec:
        return self._registry.version_of(identity)

    async def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        return self._registry.disconnect(identity, code, reason)

    def versions(self) -> list[VersionSpec]:
        return self._registry.versions()


def _carried(data: dict[str, Any]) -> dict[str, Any]:
    # The standard library's JSON, not orjson: what an API body may hold (an integer past 64
    # bits, NaN) must reach the session's schema check unchanged, to be refused there.
    carried: dict[str, Any] = json.loads(json.dumps(data))
    return carried


def in_process_link(registry: Registry, *, asker: str = "api") -> LinkedStations:
    """The API's link to the stations connected to this process: calls on an
    :class:`InProcessCalls` path, the registry's directory and shared state."""
    return LinkedStations(
        LocalDirectory(registry),
        InProcessCalls(registry),
        remote_starts=registry.remote_starts,
        reports=registry.reports,
        command_timeout=registry.command_timeout,
        asker=asker,
    )
