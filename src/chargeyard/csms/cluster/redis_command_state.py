"""What a command shares with the station's handlers (``csms/command_state.py``), when the
command runs on one node and the station is connected to another.

The asking side keeps, per station, the expectations a command registered before it sends its
request: a remote start (:class:`RidingStarts`, a ``PendingStarts``) and a device-model report
(:class:`RidingReports`, an ``AwaitedReports``). They ride on the next request to that station
(:meth:`RedisCommandState.riders`, read by ``RedisStations.request``), so the node holding the
station records them before it serves the request, in the order the command made them, the
way one process does. There, the start joins that node's own table, where the station's
StartTransaction or TransactionEvent claims it; the report's parts gather in that node's
``DeviceReports``, and once the last part came the whole report goes back to the asker's
answers list (:meth:`RidingReports.came`) and completes the command's future.

A start withdrawn after its request went (the station refused, or did not answer) is sent to
the holding node as a message of its own; one not sent yet is just dropped. Nothing is kept
past the command: a report's future is forgotten with its command, a start with its node's
table (``csms/remote_starts.py``: ten minutes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from chargeyard.csms.remote_starts import RemoteStart
from chargeyard.protocol import Payload

Riders = dict[str, Any]
"""What rides on a request to a station: ``{"starts": [...], "reports": [...]}``."""


class RidingStarts:
    """The asking node's ``PendingStarts``.

    Args:
        send_withdrawal: sends a start's withdrawal to the node holding its station (called
            without waiting; it schedules the message).
    """

    def __init__(self, send_withdrawal: Callable[[RemoteStart], None]) -> None:
        self._send_withdrawal = send_withdrawal
        self._unsent: dict[str, list[RemoteStart]] = {}

    def expect(self, start: RemoteStart) -> None:
        self._unsent.setdefault(start.identity, []).append(start)

    def withdraw(self, start: RemoteStart) -> None:
        unsent = self._unsent.get(start.identity, [])
        if start in unsent:
            unsent.remove(start)
        else:
            self._send_withdrawal(start)

    def claim(
        self,
        identity: str,
        *,
        connector_id: int,
        id_tag: str | None,
        remote_start_id: int | None = None,
    ) -> bool:
        """Never a match here: a station's transactions begin at the node holding it, which
        claims from its own table."""
        return False

    def take(self, identity: str) -> list[RemoteStart]:
        """The starts still to send with the next request to ``identity`` (each once)."""
        return self._unsent.pop(identity, [])

    def __len__(self) -> int:
        return sum(len(starts) for starts in self._unsent.values())


class RidingReports:
    """The asking node's ``AwaitedReports``."""

    def __init__(self) -> None:
        self._futures: dict[tuple[str, int], asyncio.Future[list[Payload]]] = {}
        self._unsent: dict[str, list[int]] = {}

    def expect(self, identity: str, request_id: int) -> asyncio.Future[list[Payload]]:
        future: asyncio.Future[list[Payload]] = asyncio.get_running_loop().create_future()
        self._futures[(identity, request_id)] = future
        self._unsent.setdefault(identity, []).append(request_id)
        return future

    def forget(self, identity: str, request_id: int) -> None:
        future = self._futures.pop((identity, request_id), None)
        if future is not None and not future.done():
            future.cancel()
        unsent = self._unsent.get(identity, [])
        if request_id in unsent:
            unsent.remove(request_id)

    def add_part(self, identity: str, report: Mapping[str, Any]) -> None:
        """Never called here: the parts reach the node holding the station."""

    def take(self, identity: str) -> list[int]:
        """The requestIds still to send with the next request to ``identity`` (each once)."""
        return self._unsent.pop(identity, [])

    def came(self, identity: str, request_id: int, data: list[Payload]) -> None:
        """The whole report ``request_id`` of ``identity``, from the node holding it."""
        future = self._futures.get((identity, request_id))
        if future is not None and not future.done():
            future.set_result(data)

    def __len__(self) -> int:
        return len(self._futures)


class RedisCommandState:
    """The asking node's shared state: its starts and reports, and what rides on a request."""

    def __init__(self, send_withdrawal: Callable[[RemoteStart], None]) -> None:
        self.starts = RidingStarts(send_withdrawal)
        self.reports = RidingReports()

    def riders(self, identity: str) -> Riders:
        """The expectations to send with the next request to ``identity``."""
        riders: Riders = {}
        if starts := self.starts.take(identity):
            riders["starts"] = [asdict(start) for start in starts]
        if reports := self.reports.take(identity):
            riders["reports"] = reports
        return riders

    def __len__(self) -> int:
        return len(self.starts) + len(self.reports)
