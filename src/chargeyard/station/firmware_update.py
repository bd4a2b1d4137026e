"""The firmware update, for every version: one machine that 1.6's UpdateFirmware (section 5.19),
the 1.6 security extension's SignedUpdateFirmware and 2.0.1's UpdateFirmware (L01 with a
signature, L02 without) run, each in its own words.

Theory of operation
-------------------
A version's block answers the request by its own rules and hands :meth:`FirmwareUpdate.begin`
an :class:`Update` that names its :class:`FirmwareWords`: the statuses it reports, in the order
of the words' table, and the message that carries them (with the request's requestId when it
has one, L01.FR.20). The station owns one machine (``station.firmware_update``), built with its
version's :class:`InstallRules`, so one update runs at a time whichever request began it: a
newer one cancels the one under way (1.6 section 5.19; L01.FR.24), the 1.6 signed and unsigned
ones each other. The steps; a status in brackets is reported only by words whose table names
it (1.6 section 4.5 has none of them)::

    retrieve time ahead: [DownloadScheduled] (L01.FR.13) -> Downloading, with retries
      -> DownloadFailed
      -> Downloaded -> [secure: the signature checked (L01.FR.04)
                        -> InvalidSignature, the update ends (L01.FR.03)
                        -> SignatureVerified]
         -> [install time ahead: InstallScheduled (L01.FR.16)]
         -> [transactions running: wait, as the version's InstallRules say]
         -> Installing -> install_s later, the image is checked:
            -> InstallationFailed
            -> [InstallRebooting] (L01.FR.15); firmwareVersion := the image's; reboot
               -> Accepted -> Installed

* Waiting for the sessions to end is the version's (:class:`InstallRules`). 1.6 section 5.19:
  "it is RECOMMENDED to wait until Charging Session has ended ... [and] to set connectors that
  are not in use to UNAVAILABLE while the Charge Point waits"; it looks again when a
  transaction ends and every ``poll_s``. 2.0.1 L01.FR.06/07 (L02.FR.18/19 likewise): from the
  moment the installation is due until the reboot, every connector not in use is Unavailable
  and no new session may begin (:meth:`FirmwareUpdate.accepts_sessions`); InstallScheduled is
  reported while transactions run; an EVSE that becomes idle is looked at again.
* An update is secure when it carries a signing certificate or a signature (the 1.6 signed one
  always does; 5.19's and L02's carry neither and are installed unchecked). The block asks
  :meth:`FirmwareUpdate.signing_certificate_refused` before it answers (L01.FR.21/22; the
  security event of L01.FR.02); the image's signature is verified once downloaded. The checks
  are ``firmware_signing.py``'s; an image is valid by
  :func:`~chargeyard.station.maintenance.firmware_image_version`.
* Installed is sent once the new firmware booted and connected (5.19's good practice;
  L01.FR.25), and, with words that keep a security log, the security event FirmwareUpdated
  (L01.FR.31). A reboot that is not the installation's (a Reset, a power cut) interrupts the
  update: it starts over after the next Accepted boot, as a charger that keeps its pending
  update across a power cycle.
* :attr:`FirmwareUpdate.reported` is what TriggerMessage reports: the last status of an update
  whose words are ``reported``. 1.6 reports Idle once nothing is under way (section 4.5: Idle
  only "when not busy"); 2.0.1 repeats the last status with its requestId (L01.FR.26) until
  Installed, then Idle (L01.FR.25).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from chargeyard.protocol import OutgoingPayload
from chargeyard.station.blocks import Block
from chargeyard.station.clock import Clock
from chargeyard.station.firmware_signing import signature_refusal, signing_certificate_refusal
from chargeyard.station.io import Retrying, StationIO
from chargeyard.station.maintenance import (
    check_status_move,
    firmware_image_version,
    without_credentials,
)
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Connector, Evse, StationModel
from chargeyard.station.timers import Timers

__all__ = [
    "DEFAULT_INSTALL_S",
    "FIRMWARE_DOWNLOAD_TIMER",
    "FirmwareHost",
    "FirmwareUpdate",
    "FirmwareWords",
    "InstallRules",
    "Update",
]

DEFAULT_INSTALL_S = 10.0
"""Seconds from Installing to the reboot, unless the station says otherwise."""

# The timers of an update (cancelled by name when it ends); the download's retries are the
# last one's.
_RETRIEVE = "firmware:retrieve"
_INSTALL = "firmware:install"
FIRMWARE_DOWNLOAD_TIMER = "firmware:retry"

_Held = frozenset[tuple[int, int]]
# Connectors held Unavailable, by (EVSE, connector); rarely any, so the empty set is shared (an
# empty set would cost every station of a fleet 216 bytes).
_NONE_HELD: _Held = frozenset()


class FirmwareHost(Protocol):
    """What the machine asks of the station that owns it."""

    @property
    def clock(self) -> Clock: ...

    @property
    def timers(self) -> Timers: ...

    @property
    def io(self) -> StationIO: ...

    @property
    def model(self) -> StationModel: ...

    def note(self, event: str) -> None: ...

    def call(self, action: str, payload: OutgoingPayload) -> bool: ...

    def after_answer(self, work: Callable[[], None]) -> None: ...

    def set_status(self, connector: Connector, status: ConnectorStatus) -> None: ...

    def reboot(self) -> None: ...

    def security_event(self, kind: str, tech_info: str | None = None) -> None: ...


S = TypeVar("S", bound=FirmwareHost)


@dataclass(frozen=True, slots=True)
class FirmwareWords:
    """How one kind of update speaks.

    Attributes:
        machine: what an illegal move names (``"firmware status"``).
        moves: the statuses the update reports, each with those that may follow it; one the
            table does not name is not reported (1.6 section 4.5 has no DownloadScheduled).
        notification: the action of the status message (``FirmwareStatusNotification``).
        message: its request, of a status ``moves`` names and the update's requestId (None:
            none to send), in the version's generated type.
        reported: its status is what TriggerMessage reports (:attr:`FirmwareUpdate.reported`).
        idle_when_done: TriggerMessage reports Idle once the update ended or was interrupted
            (1.6 section 4.5), not its last status (2.0.1 L01.FR.26).
        security_log: FirmwareUpdated is a security event once installed (1.6 security
            whitepaper section 8; L01.FR.31).
    """

    machine: str
    moves: Mapping[str, frozenset[str]]
    notification: str
    message: Callable[[str, int | None], OutgoingPayload]
    reported: bool
    idle_when_done: bool
    security_log: bool


@dataclass(frozen=True, slots=True)
class InstallRules(Generic[S]):
    """How a version waits for its transactions to end before installing, and reboots.

    Attributes:
        may_hold: whether a connector is made Unavailable while the installation waits.
        may_release: whether a held connector is made Available again (not one made
            Inoperative meanwhile).
        hold_until_reboot: hold from the moment the installation is due, transactions or not,
            until the reboot, and take no new session meanwhile (L01.FR.07); otherwise hold
            only while transactions run (1.6 section 5.19).
        waiting_status: reported once while transactions run (L01.FR.06); None: nothing.
        poll_s: look again this often while transactions run; None: when an EVSE is idle.
        before_reboot: what the station notes before the installation's reboot (2.0.1: the
            BootNotification reason FirmwareUpdate).
    """

    may_hold: Callable[[Evse, Connector], bool]
    may_release: Callable[[S, Connector], bool]
    hold_until_reboot: bool
    waiting_status: str | None
    poll_s: float | None
    before_reboot: Callable[[S], None] | None = None


@dataclass(slots=True, eq=False)
class Update:
    """One update asked for: what the request said, then how far it got."""

    words: FirmwareWords
    location: str
    retrieve_at: datetime
    attempts: int
    interval_s: float
    request_id: int | None = None  # 1.6 section 5.19's has none
    install_at: datetime | None = None
    # L01: a secure update's certificate and signature (5.19's and L02's have neither).
    signing_certificate: str | None = None
    signature: str | None = None
    status: str = "Idle"
    transfer: Retrying[bytes] | None = None
    image: bytes | None = None
    waiting: bool = False  # for the transactions to end
    rebooting: bool = False  # installed; Installed follows the boot

    @property
    def secure(self) -> bool:
        """L01's update: it carries a signing certificate or a signature."""
        return self.signing_certificate is not None or self.signature is not None


class FirmwareUpdate(Block[S]):
    """The station's firmware update; see the module docstring.

    Args:
        station: the station it belongs to.
        rules: its version's way of waiting for transactions and rebooting.
    """

    __slots__ = (
        "_held",
        "_holding",
        "_rules",
        "_update",
        "install_s",
        "reported",
        "reported_request_id",
    )

    def __init__(self, station: S, rules: InstallRules[S]) -> None:
        super().__init__(station)
        self._rules = rules
        # From Installing to the reboot (the hardware's time; a test makes it short).
        self.install_s = DEFAULT_INSTALL_S
        self._update: Update | None = None
        self._holding = False  # L01.FR.07: connectors are kept Unavailable until the reboot
        self._held = _NONE_HELD
        self.reported = "Idle"
        self.reported_request_id: int | None = None

    # -- what the version's block asks ------------------------------------------------------------

    def under_way(self) -> bool:
        """Whether an update is under way."""
        return self._update is not None

    def installing(self) -> bool:
        """Whether the update under way is being installed (it cannot be cancelled)."""
        update = self._update
        return update is not None and (update.rebooting or update.status == "Installing")

    def status_of(self, words: FirmwareWords) -> str:
        """The last status of the update under way if it speaks ``words``; Idle otherwise."""
        update = self._update
        return update.status if update is not None and update.words is words else "Idle"

    def signing_certificate_refused(self, pem: str | None) -> bool:
        """Whether a secure update's signing certificate is refused (L01.FR.21, L01.FR.22):
        then the refusal is noted and the security event InvalidFirmwareSigningCertificate
        follows the answer (L01.FR.02); the update under way, if any, goes on."""
        station = self.station
        now = station.clock.now().timestamp()
        refusal = signing_certificate_refusal(pem, station.model.certificates, now)
        if refusal is None:
            return False
        station.note(f"firmware: the signing certificate is refused: {refusal}")
        event = "InvalidFirmwareSigningCertificate"
        station.after_answer(lambda: station.security_event(event, refusal))
        return True

    def begin(self, update: Update) -> None:
        """Run ``update`` once the answer to its request is queued; the update under way, if
        any, is cancelled then."""

        def begin() -> None:
            self._end()
            self._update = update
            self._schedule_download(update)

        self.station.after_answer(begin)

    # -- the steps -----------------------------------------------------------------------------

    def _schedule_download(self, update: Update) -> None:
        delay = (update.retrieve_at - self.station.clock.now()).total_seconds()
        if delay <= 0:
            self._start_download(update)
            return
        self._step_if_said(update, "DownloadScheduled")  # L01.FR.13
        at = self.station.clock.monotonic() + delay
        self.station.timers.set(_RETRIEVE, at, lambda: self._start_download(update))

    def _start_download(self, update: Update) -> None:
        if self._update is not update:
            return
        self._step(update, "Downloading")
        update.transfer = self._download(update)
        update.transfer.start()

    def _download(self, update: Update) -> Retrying[bytes]:
        """The download of the image, noted in the station's log, not started yet."""
        station, location, attempts = self.station, update.location, update.attempts
        station.note(f"firmware: downloading {without_credentials(location)}")
        return Retrying(
            station.timers,
            station.clock,
            FIRMWARE_DOWNLOAD_TIMER,
            attempts=attempts,
            interval_s=update.interval_s,
            attempt=lambda ok, fail: station.io.download(location, ok, fail),
            on_done=lambda image: self._downloaded(update, image),
            on_failed=lambda reason: self._download_failed(update, reason),
            on_retry=lambda tries, reason: station.note(
                f"firmware: download attempt {tries} of {attempts} failed: {reason}"
            ),
        )

    def _download_failed(self, update: Update, reason: str) -> None:
        if self._update is not update:
            return
        self.station.note(f"firmware: download failed after {update.attempts} attempt(s): {reason}")
        self._step(update, "DownloadFailed")
        self._end()

    def _downloaded(self, update: Update, image: bytes) -> None:
        if self._update is not update:
            return
        update.image = image
        self.station.note(f"firmware: downloaded {len(image)} bytes")
        self._step(update, "Downloaded")
        if update.secure:
            refusal = signature_refusal(image, update.signature, update.signing_certificate or "")
            if refusal is not None:
                self.station.note(f"firmware: {refusal}; nothing is installed")
                self._step(update, "InvalidSignature")
                self.station.security_event("InvalidFirmwareSignature", refusal)  # L01.FR.03
                self._end()
                return
            self._step(update, "SignatureVerified")  # L01.FR.04
        install_at = update.install_at
        now = self.station.clock.now()
        seconds = 0.0 if install_at is None else (install_at - now).total_seconds()
        if seconds > 0:
            self._step(update, "InstallScheduled")  # L01.FR.16
            at = self.station.clock.monotonic() + seconds
            self.station.timers.set(_INSTALL, at, lambda: self._install_when_idle(update))
        else:
            self._install_when_idle(update)

    def _install_when_idle(self, update: Update) -> None:
        if self._update is not update:
            return
        rules = self._rules
        busy = any(True for _ in self.station.model.transactions())
        if busy or rules.hold_until_reboot:
            # 5.19: connectors not in use Unavailable while waiting; L01.FR.07: until the
            # reboot, waiting or not.
            self._holding = rules.hold_until_reboot
            self._hold_free_connectors()
        if busy:
            # 5.19 RECOMMENDED, L01.FR.06: wait for the transactions to end.
            update.waiting = True
            waiting_status = rules.waiting_status
            if waiting_status is not None and update.status != waiting_status:
                self._step(update, waiting_status)
            if rules.poll_s is not None:
                at = self.station.clock.monotonic() + rules.poll_s
                self.station.timers.set(_INSTALL, at, lambda: self._install_when_idle(update))
            return
        update.waiting = False
        self._step(update, "Installing")
        at = self.station.clock.monotonic() + self.install_s
        self.station.timers.set(_INSTALL, at, lambda: self._install(update))

    def _install(self, update: Update) -> None:
        if self._update is not update:
            return
        version = firmware_image_version(update.image or b"", update.location)
        if version is None:
            self.station.note("firmware: the image is not valid; nothing was installed")
            self._step(update, "InstallationFailed")
            self._end()
            return
        self.station.note(f"firmware: {version} installed; rebooting")
        self._step_if_said(update, "InstallRebooting")  # L01.FR.15
        update.rebooting = True
        self.station.model.firmware_version = version  # the next BootNotification's firmwareVersion
        if self._rules.before_reboot is not None:
            self._rules.before_reboot(self.station)
        self.station.reboot()

    def _step(self, update: Update, status: str) -> None:
        words = update.words
        check_status_move(words.machine, words.moves, update.status, status)
        update.status = status
        if words.reported:
            self.reported, self.reported_request_id = status, update.request_id
        # With its requestId, where the update has one (L01.FR.10, L01.FR.20).
        self.station.call(words.notification, words.message(status, update.request_id))

    def _step_if_said(self, update: Update, status: str) -> None:
        """Report ``status`` if the update's words name it."""
        if status in update.words.moves:
            self._step(update, status)

    def _end(self) -> None:
        """The update under way, if any, is over: its transfer and timers stop, the connectors
        it held are released."""
        update, self._update = self._update, None
        if update is not None:
            if update.transfer is not None:
                update.transfer.cancel()
            if update.words.reported and update.words.idle_when_done:
                self.reported, self.reported_request_id = "Idle", None
        for name in (_RETRIEVE, FIRMWARE_DOWNLOAD_TIMER, _INSTALL):
            self.station.timers.cancel(name)
        self._holding = False
        self._release_held_connectors()

    # -- the connectors not in use while an installation waits (5.19; L01.FR.07) ------------------

    def _hold_free_connectors(self) -> None:
        may_hold = self._rules.may_hold
        for evse in self.station.model.evses.values():
            for connector in evse.connectors.values():
                if may_hold(evse, connector):
                    self.station.set_status(connector, ConnectorStatus.UNAVAILABLE)
                    self._held |= {(connector.evse_id, connector.connector_id)}

    def _release_held_connectors(self) -> None:
        held, self._held = self._held, _NONE_HELD
        for evse_id, connector_id in sorted(held):
            connector = self.station.model.connector(evse_id, connector_id)
            if connector.status is ConnectorStatus.UNAVAILABLE and self._rules.may_release(
                self.station, connector
            ):
                self.station.set_status(connector, ConnectorStatus.AVAILABLE)

    # -- what the station's lifecycle tells it -----------------------------------------------------

    def accepts_sessions(self, evse: Evse) -> bool:
        """L01.FR.07: no new session while an installation waits or runs."""
        return not self._holding

    def may_reset(self) -> bool:
        """Not while an installation runs: a reset would cut it short."""
        return not self.installing()

    def transaction_ended(self, evse: Evse) -> None:
        """A transaction ended: an installation waiting for it looks again once the
        transaction's own reports are out (1.6 section 5.19)."""
        update = self._update
        if update is not None and update.waiting:
            now = self.station.clock.monotonic()
            self.station.timers.set(_INSTALL, now, lambda: self._install_when_idle(update))

    def evse_idle(self, evse: Evse) -> None:
        """No transaction runs on ``evse``: an installation waiting may go on, and a freed EVSE
        is held until the reboot (L01.FR.06, L01.FR.07)."""
        update = self._update
        if not self._holding or update is None:
            return
        if self.installing():
            self._hold_free_connectors()
        else:
            self._install_when_idle(update)

    def going_down(self) -> None:
        """A transfer stops with the power; an update not installed yet starts over after the
        next Accepted boot."""
        update = self._update
        if update is None or update.rebooting:
            return
        if update.transfer is not None:
            update.transfer.cancel()
        update.transfer, update.image, update.status = None, None, "Idle"
        update.waiting = False
        self._holding = False
        if update.words.reported and update.words.idle_when_done:
            self.reported, self.reported_request_id = "Idle", None

    def power_on(self) -> None:
        """Connectors held Unavailable are released (nothing is sent before the boot reports
        them all); sessions may begin again."""
        self._holding = False
        self._release_held_connectors()

    def accepted(self) -> None:
        """Registered after a boot: Installed once the new firmware booted and connected, or
        the interrupted update starts over."""
        update = self._update
        if update is None:
            return
        if update.rebooting:
            self._step(update, "Installed")
            if update.words.security_log:
                firmware = self.station.model.firmware_version
                self.station.security_event("FirmwareUpdated", f"firmware {firmware}")
            if update.words.reported:
                self.reported, self.reported_request_id = "Idle", None  # L01.FR.25
            self._end()
        elif update.status == "Idle":
            self._schedule_download(update)
