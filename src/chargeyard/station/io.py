"""The network work a station hands to its runner: file transfers for firmware and logs.

A station has no I/O of its own (``core.py``). When a central system asks it to fetch firmware
(OCPP 1.6 UpdateFirmware, 2.0.1 L01) or to upload diagnostics (1.6 GetDiagnostics, 2.0.1 N01),
it asks its :class:`StationIO`, which reports back through the callbacks; the runner then wakes
the station. Tests pass a fake that answers at once or on command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class StationIO(Protocol):
    def download(
        self, url: str, on_done: Callable[[bytes], None], on_error: Callable[[str], None]
    ) -> None:
        """Fetch ``url``; call exactly one of the callbacks, later (never re-entrantly)."""

    def upload(
        self,
        url: str,
        filename: str,
        content: bytes,
        on_done: Callable[[], None],
        on_error: Callable[[str], None],
    ) -> None:
        """Send ``content`` as ``filename`` to ``url`` (HTTP(S) PUT/POST or FTP as the URL
        says); call exactly one of the callbacks, later."""


class UnavailableIO:
    """For a station run without network I/O: every transfer fails, and says why."""

    def __init__(self, schedule: Callable[[Callable[[], None]], None] | None = None) -> None:
        self._schedule = schedule or (lambda work: work())

    def download(
        self, url: str, on_done: Callable[[bytes], None], on_error: Callable[[str], None]
    ) -> None:
        self._schedule(lambda: on_error("this station has no network I/O"))

    def upload(
        self,
        url: str,
        filename: str,
        content: bytes,
        on_done: Callable[[], None],
        on_error: Callable[[str], None],
    ) -> None:
        self._schedule(lambda: on_error("this station has no network I/O"))
