"""Remote maintenance that every OCPP version does alike: the station's log, firmware images, and
the parameters of a file transfer.

Theory of operation
-------------------
OCPP 1.6 (Firmware Management: UpdateFirmware, GetDiagnostics) and OCPP 2.0.1 (L01/L02
UpdateFirmware, N01 GetLog) ask the same things of a station in different words; the words stay
in ``v16/firmware.py`` and ``v201/firmware.py`` / ``v201/diagnostics.py`` (the firmware update
itself in ``firmware_update.py``), the rest is here:

* :class:`FrameLog` keeps the last OCPP frames a station sent and received and the events it
  notes (a download retried, an upload failed); every station holds one
  (``SimulatedStation.frame_log``, ``core.py``: ``log_size`` entries, recorded as frames pass
  and by ``SimulatedStation.note``). A diagnostics file (1.6 section 5.9; 2.0.1 N01, "the
  format of the log file is not prescribed") ends with :meth:`FrameLog.section`. A CALL that
  sets the station's Basic password is kept with the password masked (2.0.1 A01.FR.12: not
  disclosed in the station's logging, which a diagnostics file shows; the 1.6 whitepaper's
  AuthorizationKey alike).
* :func:`firmware_image_version` is the simulator's rule for what an image installs.
* :func:`retry_policy` reads ``retries`` / ``retryInterval``, which both versions' requests
  carry (1.6 sections 6.29, 6.49; 2.0.1 GetLogRequest, UpdateFirmwareRequest), for
  :class:`~chargeyard.station.io.Retrying`; the other helpers format times, URLs and names.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import cast
from urllib.parse import unquote, urlsplit

from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.protocol.messages import v16, v201
from chargeyard.protocol.passwords import masked_call
from chargeyard.station.clock import iso
from chargeyard.station.model.states import IllegalTransition

DEFAULT_RETRIES = 3
DEFAULT_RETRY_INTERVAL_S = 60

# -- the station's log ----------------------------------------------------------------------------


_Entry = tuple[datetime, str, str | bytes]


class FrameLog:
    """The last ``size`` entries: frames sent (``>>``), received (``<<``) and events (``--``)."""

    # One flat list, used as a ring once full: an entry's time, marker and text side by side,
    # not a tuple each (64 bytes), nor a bounded deque (about 760 bytes from its first entry).
    # Every station of a fleet has a log, full after a quarter of an hour of heartbeats.
    __slots__ = ("_flat", "_oldest", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._flat: list[datetime | str | bytes] = []
        self._oldest = 0  # once full, where the oldest entry starts (the next to be replaced)

    def note(self, at: datetime, event: str) -> None:
        self._keep(at, "--", event)

    def received(self, at: datetime, frame: str | bytes) -> None:
        # A01.FR.12: a password the CSMS sets is not kept in clear (the frames a station sends
        # never carry one: its password is write-only).
        text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
        self._keep(at, "<<", masked_call(text))

    def sent(self, at: datetime, frames: list[bytes]) -> None:
        for frame in frames:
            self._keep(at, ">>", frame)

    def _keep(self, at: datetime, marker: str, text: str | bytes) -> None:
        flat = self._flat
        if len(flat) < 3 * self.size:
            flat += (at, marker, text)
        elif flat:
            oldest = self._oldest
            flat[oldest : oldest + 3] = (at, marker, text)
            self._oldest = (oldest + 3) % len(flat)

    def entries(self) -> list[_Entry]:
        """The entries kept, oldest first: (time, marker, text)."""
        flat = self._flat[self._oldest :] + self._flat[: self._oldest]
        return [cast(_Entry, tuple(flat[at : at + 3])) for at in range(0, len(flat), 3)]

    def section(self, start: datetime | None = None, stop: datetime | None = None) -> list[str]:
        """The log as a file section: a heading, then the entries between ``start`` and
        ``stop`` (inclusive; None: unbounded), one per line."""
        lines = [f"[log] the last {self.size} OCPP frames and events"]
        for at, marker, text in self.entries():
            if (start is None or at >= start) and (stop is None or at <= stop):
                shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
                lines.append(f"{iso(at)} {marker} {shown}")
        return lines


# -- firmware images ------------------------------------------------------------------------------

FIRMWARE_MAGIC = b"chargeyard-firmware"
_IMAGE_SUFFIXES = (".tar.gz", ".raucb", ".bin", ".img", ".hex", ".swu", ".tgz", ".zip", ".fw")
_VERSION = re.compile(r"[\x21-\x7e]{1,50}")  # BootNotification firmwareVersion: CiString50Type


def firmware_image_version(image: bytes, location: str) -> str | None:
    """The firmwareVersion an image installs, or None when it cannot be installed.

    The rule of this simulator:

    * an empty image is corrupt;
    * an image whose first line starts with ``chargeyard-firmware`` declares its version:
      ``chargeyard-firmware 2.1.0``. Without a version, or with one that is not 1 to 50
      printable ASCII characters (firmwareVersion is CiString50Type), it is corrupt;
    * any other image is a vendor's opaque one: the version is the last segment of the
      location's path without its image suffix (``.../eve-6.2.1.bin`` installs ``eve-6.2.1``),
      or ``sha256-`` and 12 hex digits of the image when the location names no file.
    """
    if not image:
        return None
    first_line = image.split(b"\n", 1)[0].rstrip(b"\r")
    if first_line == FIRMWARE_MAGIC or first_line.startswith(FIRMWARE_MAGIC + b" "):
        declared = first_line[len(FIRMWARE_MAGIC) :].strip().decode("ascii", "replace")
        return declared if _VERSION.fullmatch(declared) else None
    name = unquote(urlsplit(location).path.rsplit("/", 1)[-1])
    for suffix in _IMAGE_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    name = "".join(char for char in name if " " <= char <= "~")[:50].strip()
    return name or f"sha256-{hashlib.sha256(image).hexdigest()[:12]}"


# -- transfer parameters and formatting -----------------------------------------------------------


# The requests that start a transfer and say how often to retry it.
TransferRequest = (
    v16.GetDiagnosticsRequest
    | v16.UpdateFirmwareRequest
    | v16.SignedUpdateFirmwareRequest
    | v16.GetLogRequest
    | v201.GetLogRequest
    | v201.UpdateFirmwareRequest
)


def retry_policy(payload: TransferRequest) -> tuple[int, float]:
    """(attempts, seconds between them) from a request's ``retries`` and ``retryInterval``.

    A first try always happens, so ``retries`` 0 is one attempt; without the fields,
    :data:`DEFAULT_RETRIES` and :data:`DEFAULT_RETRY_INTERVAL_S`.
    """
    retries = payload.get("retries")
    interval = payload.get("retryInterval")
    attempts = 1 + max(0, DEFAULT_RETRIES if retries is None else retries)
    return attempts, float(max(0, DEFAULT_RETRY_INTERVAL_S if interval is None else interval))


def check_status_move(
    machine: str, table: Mapping[str, frozenset[str]], source: str, target: str
) -> None:
    """Raise :class:`IllegalTransition` unless ``table`` lets ``source`` move to ``target``."""
    if target not in table[source]:
        raise IllegalTransition(machine, source, target)


def parse_time(text: str) -> datetime:
    """An OCPP dateTime as aware UTC (one without a zone is read as UTC).

    Raises:
        OcppError: PropertyConstraintViolation for text that is not a date-time.
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise OcppError(
            ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, f"not a date-time: {text[:40]}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def optional_time(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def when(moment: datetime | None) -> str:
    """A time for a diagnostics file; ``-`` for none."""
    return "-" if moment is None else iso(moment)


def file_safe(text: str) -> str:
    """``text`` with every character a file name should not hold replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def without_credentials(url: str) -> str:
    """``url`` without a user and password, for the log."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
