"""The :class:`StationLink` the API is given: calls as messages on a path, the rest from a
directory of connected stations and the shared state of ``command_state.py``.

Every CALL becomes a :class:`~chargeyard.csms.station_calls.StationRequest` (a fresh id, this
node as the asker, the command's limit and the deadline it implies on the wall clock) and its
answer is read back into the payload or the error the API maps (``station_calls.payload_of``).
Nothing here knows where the station is connected; ``local_calls.py`` builds the link for
stations connected to this process.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Callable, Iterable

from chargeyard.csms.command_state import AwaitedReports, PendingStarts
from chargeyard.csms.station_calls import (
    StationAnswer,
    StationCalls,
    StationRequest,
    payload_of,
    stopping_answer,
)
from chargeyard.csms.station_link import StationDirectory
from chargeyard.protocol import Payload, VersionSpec


def request_ids() -> Callable[[], str]:
    """Request ids for one link: a random prefix, so that ids stay distinct when the node
    restarts and answers to the old ones are still on their way, then a count."""
    prefix = secrets.token_hex(6)
    count = itertools.count(1)
    return lambda: f"{prefix}-{next(count)}"


class LinkedStations:
    """A :class:`~chargeyard.csms.station_link.StationLink` over ``calls``.

    Args:
        stations: who is connected, with which version; disconnects.
        calls: the path requests take to the stations' node.
        asker: this node's name, where answers come back.
        new_id: the request ids (:func:`request_ids` unless given; injected so tests can
            name them).
        clock: the wall clock in seconds since the epoch, which deadlines are read on.
    """

    def __init__(
        self,
        stations: StationDirectory,
        calls: StationCalls,
        *,
        remote_starts: PendingStarts,
        reports: AwaitedReports,
        command_timeout: float,
        asker: str = "api",
        new_id: Callable[[], str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._stations = stations
        self._calls = calls
        self._remote_starts = remote_starts
        self._reports = reports
        self._command_timeout = command_timeout
        self._asker = asker
        self._new_id = new_id if new_id is not None else request_ids()
        self._clock = clock
        self._stopped = False
        self._stops: set[asyncio.Future[None]] = set()  # one per call waiting: abandon() sets it

    @property
    def command_timeout(self) -> float:
        return self._command_timeout

    @property
    def remote_starts(self) -> PendingStarts:
        return self._remote_starts

    @property
    def reports(self) -> AwaitedReports:
        return self._reports

    async def is_connected(self, identity: str) -> bool:
        return await self._stations.is_connected(identity)

    async def version_of(self, identity: str) -> VersionSpec:
        return await self._stations.version_of(identity)

    async def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        return await self._stations.disconnect(identity, code, reason)

    def versions(self) -> Iterable[VersionSpec]:
        return self._stations.versions()

    async def call(
        self,
        identity: str,
        action: str,
        payload: Payload,
        timeout: float | None = None,  # noqa: ASYNC109 - the command's own limit
    ) -> Payload:
        """Send ``action`` as a request on the path and return the answer's payload.

        Raises: what :func:`~chargeyard.csms.station_calls.payload_of` raises.
        """
        limit = self._command_timeout if timeout is None else timeout
        request = StationRequest(
            request_id=self._new_id(),
            asker=self._asker,
            identity=identity,
            action=action,
            payload=payload,
            timeout=limit,
            deadline=self._clock() + limit,
        )
        return payload_of(request, await self._answer(request))

    def abandon(self) -> None:
        """Stop waiting for stations: the calls waiting now are answered at once that this
        node is stopping (503, retry: through another node), and so is every call asked from now on,
        unsent. The process calls it as it stops, before its API waits for the requests in
        flight, so that a stop never waits for a command's timeout."""
        self._stopped = True
        for stop in self._stops:
            if not stop.done():
                stop.set_result(None)

    async def _answer(self, request: StationRequest) -> StationAnswer:
        """The path's answer, or :func:`stopping_answer` once :meth:`abandon` is called."""
        if self._stopped:
            return stopping_answer(request, sent=False)
        stop: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stops.add(stop)
        asking = asyncio.ensure_future(self._calls.request(request))
        try:
            await asyncio.wait((asking, stop), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._stops.discard(stop)
            asking.cancel()  # (a no-op once it is done; the path forgets what it waited for)
        if asking.done() and not asking.cancelled():
            return asking.result()
        return stopping_answer(request, sent=True)
