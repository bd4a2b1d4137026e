"""start-session's end: a watcher on the station's own timers.

A session started by the gateway ends ``duration_seconds`` after its transaction started, or
once ``target_energy_kwh`` went into the EV, whichever comes first. The duration counts from
the transaction's start, not from the command: under load the Authorize and the start take
their time, and the caller asked for so long a charge.

Rather than a sleeping task per session, the watcher is one named timer in the station's
:class:`~chargeyard.station.timers.Timers`, run by whatever runs the station (the fleet's single
scheduler): ten thousand sessions cost ten thousand dict entries, not tasks, and a test with a
manual clock steps through them. Energy integrates lazily, so the watcher looks every
``check_s`` seconds (and exactly at the deadline); the stop comes at most ``check_s`` after the
target was reached.

The watch starts once the session's transaction runs with its tag accepted
(``gateway/starts.py``); a session whose tag was refused never gets one. A transaction ended
by someone else (stop-session, an unplug, the central system) ends the watch. The watcher is
lost with the station's timers (a reboot cancels them all): a power cycle ends the session the
way the station's own rules say, nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chargeyard.protocol import OcppError
from chargeyard.station.model.states import IllegalTransition, TransactionPhase
from chargeyard.station.model.station import Transaction
from chargeyard.station.verbs import StationVerbs

logger = logging.getLogger(__name__)

SessionEnded = Callable[[dict[str, Any]], None]
"""Told how a watched session ended: ``{"evse_id", "connector_id", "reason", "energy_wh"}``;
reason ``time``, ``energy`` or ``ended`` (by someone else)."""

_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})


def timer_name(evse_id: int) -> str:
    return f"gateway_session:{evse_id}"


@dataclass(slots=True)
class SessionWatch:
    """Stops ``transaction`` (running on ``evse_id``) ``duration_s`` after it started or past
    ``target_wh``; then unplugs when ``unplug`` (the session plugged the cable itself).

    Args:
        stop: ends the transaction, told why ("time" or "energy").
    """

    station: StationVerbs
    transaction: Transaction
    evse_id: int
    connector_id: int
    duration_s: float | None
    target_wh: float | None
    unplug: bool
    check_s: float
    stop: Callable[[str], None]
    on_end: SessionEnded | None = None
    _deadline: float | None = field(default=None, init=False)

    def start(self) -> None:
        if self.duration_s is not None:
            # From the transaction's start (wall clock), on the monotonic clock.
            station = self.station
            elapsed = (station.clock.now() - self.transaction.started_at).total_seconds()
            self._deadline = station.clock.monotonic() + self.duration_s - max(0.0, elapsed)
        self._schedule()

    def _schedule(self) -> None:
        at = self.station.clock.monotonic() + self.check_s
        if self._deadline is not None:
            at = min(at, self._deadline)
        self.station.timers.set(timer_name(self.evse_id), at, self._check)
        self.station.wake()

    def _check(self) -> None:
        station = self.station
        station.advance()
        now = station.clock.monotonic()
        evse = station.model.evses[self.evse_id]
        transaction = self.transaction
        if evse.transaction is not transaction or transaction.phase not in _RUNNING:
            # Ended by someone else (stop-session, unplug, the CSMS): nothing to watch.
            self._end("ended", 0.0)
            return
        delivered = evse.meter.energy_register_wh - transaction.meter_start_wh
        why = None
        if self.target_wh is not None and delivered >= self.target_wh:
            why = "energy"
        elif self._deadline is not None and now >= self._deadline:
            why = "time"
        if why is None:
            self._schedule()
            return
        try:
            self.stop(why)
        except (OcppError, IllegalTransition, KeyError) as error:
            logger.info("%s: ending a session failed: %s", station.identity, error)
        self._take_cable_back()
        self._end(why, delivered)

    def _take_cable_back(self) -> None:
        connector = self.station.model.evses[self.evse_id].connectors[self.connector_id]
        if not self.unplug or not connector.cable_plugged:
            return
        try:
            self.station.unplug(self.evse_id, self.connector_id)
        except (OcppError, IllegalTransition, KeyError) as error:
            logger.info("%s: unplugging failed: %s", self.station.identity, error)

    def _end(self, reason: str, delivered_wh: float) -> None:
        if self.on_end is not None:
            self.on_end(
                {
                    "evse_id": self.evse_id,
                    "connector_id": self.connector_id,
                    "reason": reason,
                    "energy_wh": round(delivered_wh, 3),
                }
            )
