"""Each relayed connection as a trace file (docs/traces.md), written as the frames pass.

One file per charger connection, ``{identity}-{opened}.trace.jsonl`` in the output directory:
the header once the upstream has chosen the OCPP version, then a line per frame. Every line is
handed to the operating system as it is made (an unbuffered write), so a proxy that crashes
keeps every frame it relayed; the write is small and local, cheaper than a thread hop per
frame. The files are readable by their owner only (they hold the chargers' traffic) and a
password a central system sets is masked as in chargeyard's frame logs
(``protocol/passwords.py``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chargeyard.protocol import VersionSpec
from chargeyard.protocol.passwords import masked_call
from chargeyard.trace.format import (
    Direction,
    TraceHeader,
    TraceRecord,
    header_line,
    record_line,
)

__all__ = ["SOURCE", "ConnectionRecording", "Recorder"]

logger = logging.getLogger(__name__)

SOURCE = "proxy"
"""The header's ``source`` of a trace the proxy recorded."""

_PRIVATE_FILE = 0o600
_PRIVATE_DIRECTORY = 0o700


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ConnectionRecording:
    """The trace file of one relayed connection, open until :meth:`close`."""

    def __init__(self, descriptor: int, path: Path, clock: Callable[[], datetime]) -> None:
        self._descriptor: int | None = descriptor
        self.path = path
        self._clock = clock

    def frame(self, direction: Direction, data: str | bytes, fault: str | None = None) -> None:
        """Record ``data`` as it passed now (a binary frame as its text, which is no JSON for
        OCPP-J and so kept under ``text``); ``fault``: what the proxy did to it."""
        text = data if isinstance(data, str) else data.decode("utf-8", "backslashreplace")
        if direction is Direction.CSMS_TO_STATION:
            text = masked_call(text)
        self._write(record_line(TraceRecord.of_text(direction, self._clock(), text, fault)))

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def _write(self, line: bytes) -> None:
        if self._descriptor is None:
            return
        try:
            os.write(self._descriptor, line)
        except OSError as error:
            # A full disk stops the recording, not the chargers: the relay goes on.
            logger.error("%s: recording stopped: %s", self.path, error)
            self.close()


class Recorder:
    """Opens a :class:`ConnectionRecording` per relayed connection in ``directory`` (made,
    mode 700, when missing). ``clock`` times the frames (injected for tests)."""

    def __init__(self, directory: Path, clock: Callable[[], datetime] = _utc_now) -> None:
        self.directory = directory
        self._clock = clock

    def open(
        self, version: VersionSpec, identity: str, extra: dict[str, Any]
    ) -> ConnectionRecording:
        """A new trace file for ``identity``'s connection, its header written.

        Raises:
            OSError: the file cannot be made.
        """
        self.directory.mkdir(mode=_PRIVATE_DIRECTORY, parents=True, exist_ok=True)
        opened = self._clock()
        stamp = opened.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        for attempt in range(1000):
            suffix = "" if attempt == 0 else f"-{attempt}"
            path = self.directory / f"{identity}-{stamp}{suffix}.trace.jsonl"
            try:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
                descriptor = os.open(path, flags, _PRIVATE_FILE)
            except FileExistsError:
                continue
            recording = ConnectionRecording(descriptor, path, self._clock)
            recording._write(header_line(TraceHeader(version, identity, SOURCE, opened, extra)))
            return recording
        raise FileExistsError(f"{self.directory}: no free name for {identity}'s trace")
