"""A simulated station's non-volatile memory in a file, for ``chargeyard sim --state-dir``.

A real charge point keeps its energy registers and its open transactions across a power loss,
and reports those transactions ended with reason PowerLoss once it has booted again
(``power_loss.py``). ``chargeyard up`` keeps that memory in its database; a ``chargeyard sim``
process has none, so after a crash (``kill -9``, the machine going down) its stations would
come back having forgotten every transaction they had open, and the central system would hold
those transactions open until it notices.

With a state directory, each station's memory is a file there, ``<identity>.json`` holding its
:class:`~chargeyard.station.power_loss.PowerLossSnapshot`. It is written the way a charge
point writes its flash: when what it must survive changes, which is when a transaction message
goes out (a start, an update carrying a register, a stop, a power-loss report; a 2.0.1
``seqNo`` is used) and when one is answered (a power-loss report answered is forgotten). So the
register kept is the one the central system last heard, the ``seqNo`` the next unused, and a
transaction started is in the file before its start leaves the station. Each write replaces
the file whole (a temporary file renamed over it), so a crash leaves the old memory or the
new, never half of one.

When the process starts again with the same directory, each station built with an identity
that has a file gets its memory back before it connects (:meth:`StateFiles.restore`): its
registers go on from there and its open transactions are reported ended with PowerLoss after
its BootNotification is accepted. A graceful stop (Ctrl-C) writes every station's memory
once more, after its socket closed, which is a power loss too.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from chargeyard.station import power_loss
from chargeyard.station.core import SimulatedStation

logger = logging.getLogger(__name__)

SUFFIX = ".json"


class StateFiles:
    """One directory of station memories.

    Args:
        directory: created if missing.
        now: the stations' "now" for a snapshot (each station's clock by default).
    """

    def __init__(
        self, directory: Path, now: Callable[[SimulatedStation], datetime] | None = None
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._now = now or (lambda station: station.clock.now())

    def path(self, identity: str) -> Path:
        # Identities the CSMS accepts are file-name safe already (protocol/identity.py); a
        # station pointed elsewhere may use any, so the name is quoted.
        return self.directory / (quote(identity, safe="") + SUFFIX)

    def restore(self, stations: Iterable[SimulatedStation]) -> int:
        """Give each station the memory its file kept, and write it from now on; returns how
        many open transactions will be reported ended with PowerLoss."""
        reported = 0
        for station in stations:
            reporting = power_loss.reporting(station)
            if reporting is None:
                continue
            snapshot = self._read(station.identity)
            if snapshot is not None:
                power_loss.restore(reporting, snapshot)
                reported += len(snapshot.transactions)
            station.on_memory_changed = self._writer(station)
        if reported:
            logger.warning(
                "%d transactions open when the stations last lost power: reported ended"
                " (PowerLoss) once each station has booted",
                reported,
            )
        return reported

    def save(self, stations: Iterable[SimulatedStation]) -> None:
        """Write every station's memory now (the power going for all of them)."""
        for station in stations:
            self.write(station)

    def write(self, station: SimulatedStation) -> None:
        reporting = power_loss.reporting(station)
        if reporting is None:
            return
        snapshot = power_loss.take(reporting, self._now(station))
        path = self.path(station.identity)
        temporary = path.with_name(path.name + ".tmp")
        try:
            temporary.write_text(json.dumps(snapshot.to_json()), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as error:
            logger.error("%s: could not keep its memory in %s: %s", station.identity, path, error)

    def _writer(self, station: SimulatedStation) -> Callable[[], None]:
        return lambda: self.write(station)

    def _read(self, identity: str) -> power_loss.PowerLossSnapshot | None:
        path = self.path(identity)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            logger.warning("%s: unreadable memory %s ignored: %s", identity, path, error)
            return None
        try:
            return power_loss.PowerLossSnapshot.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            logger.warning("%s: unreadable memory %s ignored: %s", identity, path, error)
            return None
