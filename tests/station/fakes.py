"""Test doubles of a station's surroundings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Download:
    url: str
    at: float
    on_done: Callable[[bytes], None]
    on_error: Callable[[str], None]


@dataclass
class Upload:
    url: str
    filename: str
    content: bytes
    at: float
    on_done: Callable[[], None]
    on_error: Callable[[str], None]


class ScriptedIO:
    """A StationIO whose transfers end when the test says so, never inside the call.

    Requests wait in ``downloads`` / ``uploads`` (oldest first); :meth:`finish_download` and the
    like answer the oldest one, then call ``after`` (the link's ``pump``) as a runtime would
    wake the station.
    """

    def __init__(self, clock: Callable[[], float] = lambda: 0.0) -> None:
        self.clock = clock
        self.downloads: list[Download] = []
        self.uploads: list[Upload] = []
        self.requested_downloads: list[Download] = []
        self.requested_uploads: list[Upload] = []
        self.after: Callable[[], None] = lambda: None

    def download(
        self, url: str, on_done: Callable[[bytes], None], on_error: Callable[[str], None]
    ) -> None:
        request = Download(url, self.clock(), on_done, on_error)
        self.downloads.append(request)
        self.requested_downloads.append(request)

    def upload(
        self,
        url: str,
        filename: str,
        content: bytes,
        on_done: Callable[[], None],
        on_error: Callable[[str], None],
    ) -> None:
        request = Upload(url, filename, content, self.clock(), on_done, on_error)
        self.uploads.append(request)
        self.requested_uploads.append(request)

    def finish_download(self, content: bytes) -> None:
        self.downloads.pop(0).on_done(content)
        self.after()

    def fail_download(self, reason: str = "HTTP 404 Not Found") -> None:
        self.downloads.pop(0).on_error(reason)
        self.after()

    def finish_upload(self) -> None:
        self.uploads.pop(0).on_done()
        self.after()

    def fail_upload(self, reason: str = "HTTP 503 Service Unavailable") -> None:
        self.uploads.pop(0).on_error(reason)
        self.after()
