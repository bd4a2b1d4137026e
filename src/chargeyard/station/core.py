"""What every simulated station does, whatever OCPP version it speaks. No I/O.

Theory of operation
-------------------
A station is a sans-I/O object, like the protocol session it owns. Whoever runs it (the asyncio
runtime, or a test with a :class:`~chargeyard.station.clock.ManualClock` and an in-memory
central system) uses this surface only::

    station.connect()            a socket is open: a new Session, BootNotification queued
    station.receive(text)        a frame arrived
    station.data_to_send()       frames to write, in order
    station.next_deadline()      when to call tick() (monotonic seconds), or None
    station.tick()               time passed: deadlines of calls, heartbeats, meter samples...
    station.disconnect()         the socket is gone
    station.wants_connection     False while the station is switched off, rebooting or offline
    station.wake                 a callback the runner sets: "something changed, look again"
    station.endpoint()           where the next connection attempt goes (None: the runner's URL)

Going down (:meth:`SimulatedStation.reboot`, :meth:`SimulatedStation.switch_off`): a station
that decides to restart or to switch off first finishes its conversation (no new call, no new
session; the answers it awaits, and when asked to drain its queued transaction messages), then
the power goes, and a reboot powers on again after its delay (``power.py``). A lost connection
ends the wait at once.

Outgoing calls take continuations (``on_result`` / ``on_error``) instead of being awaited, so
that ten thousand stations need no task per conversation and a test can step through an hour
in a loop. Work that must follow an answer we give (TriggerMessage sends its message *after*
its CALLRESULT, OCPP 1.6 section 5.17) is queued with :meth:`after_answer`. Both are kept
between frames by the :class:`~chargeyard.station.conversation.Conversation` of the station's
:class:`~chargeyard.station.connection.Connection` (``connection.py``).

Registration (OCPP 1.6 section 4.2, OCPP 2.0.1 B01-B03): nothing but BootNotification is sent
before Accepted; Pending and Rejected retry after the interval given. After a lost connection
without a reboot, a station that was Accepted does not boot again (``registration.py``).

Transaction messages (StartTransaction, StopTransaction, MeterValues of a transaction,
TransactionEvent) are kept in order and delivered one at a time, never dropped while offline
(``transaction_messages.py``; 1.6 section 4.10, 2.0.1 E13). After a boot, those it kept from
before go before it reports its connectors (``TransactionDelivery.after_boot``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from chargeyard.protocol import (
    DEFAULT_MAX_FRAME_BYTES,
    ActionHandlers,
    OutgoingPayload,
    Payload,
    VersionSpec,
    unique_ids,
)
from chargeyard.protocol.fields import request_field
from chargeyard.protocol.observer import SessionObserver
from chargeyard.protocol.router import Handler
from chargeyard.station import security
from chargeyard.station.calls import OnError, OnResult, ignore_result
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.clock import Clock
from chargeyard.station.connection import Connection
from chargeyard.station.endpoint import Endpoint
from chargeyard.station.ev_controls import EvControls
from chargeyard.station.io import StationIO, UnavailableIO
from chargeyard.station.maintenance import FrameLog
from chargeyard.station.model.ev import Ev
from chargeyard.station.model.ev_session import EvState
from chargeyard.station.model.own_certificate import HeldCertificate
from chargeyard.station.model.states import (
    ConnectorStatus,
    Registration,
)
from chargeyard.station.model.station import Evse, StationModel
from chargeyard.station.model.token_reports import TokenReports
from chargeyard.station.model.vendor_replies import VendorReply
from chargeyard.station.power import DEFAULT_REBOOT_DELAY_S, DRAIN_BEFORE_REBOOT_S, PowerCycle
from chargeyard.station.power_loss import OpenTransaction
from chargeyard.station.registration import (
    BOOT_TIMER,
    DEFAULT_BOOT_RETRY_S,
    DEFAULT_HEARTBEAT_S,
    HEARTBEAT_TIMER,
    Registrar,
)
from chargeyard.station.terms import ListEntry, Setting, StationTerms
from chargeyard.station.timers import Timers
from chargeyard.station.tls import ClientCertificate, Refusal
from chargeyard.station.transaction_messages import (
    QueuedMessage,
    TransactionDelivery,
    TransactionQueue,
)

if TYPE_CHECKING:
    from chargeyard.station.bad_days import BadDays

logger = logging.getLogger(__name__)

# A handler's request and answer types, kept by answer_here.
_Request = TypeVar("_Request")
_Answer = TypeVar("_Answer")


class SimulatedStation(ActionHandlers):
    """The version-independent part of a simulated station.

    Subclasses (``StationV16``, ``StationV201``) provide the payloads and the handlers of
    central-system requests, marked with ``@on``.

    Args:
        identity: the OCPP identity (the last path segment of the CSMS URL).
        clock: monotonic time for deadlines and UTC time for timestamps.
        new_id: the message id generator.
        call_timeout: seconds a CALL waits for its answer.
        template: the catalog template (vendor, model, EVSEs, configuration).
        energy_wh: the meters' reading at power-on.
        io: firmware and diagnostics transfers (none: every transfer fails).
        serial_number: the serial its BootNotification reports (None: none).
    """

    version: ClassVar[VersionSpec]
    TERMS: ClassVar[StationTerms]
    """The version's words for what is done to the station (``station/terms.py``)."""
    CSMS_ROOT: ClassVar[str]
    """The certificate type of the roots a ``wss://`` connection trusts (``station/tls.py``):
    1.6 CentralSystemRootCertificate, 2.0.1 CSMSRootCertificate."""
    INVALID_CSMS_CERTIFICATE: ClassVar[str]
    """The security event of a central system's certificate that does not verify: 1.6
    InvalidCentralSystemCertificate (whitepaper section 8), 2.0.1 InvalidCsmsCertificate
    (A00.FR.310)."""
    log_size: ClassVar[int] = 32
    """OCPP frames and events its log keeps for a diagnostics file (``frame_log``)."""

    def __init__(
        self,
        identity: str,
        template: StationTemplate,
        *,
        clock: Clock,
        new_id: Callable[[], str] | None = None,
        call_timeout: float = 30.0,
        energy_wh: float = 0.0,
        io: StationIO | None = None,
        serial_number: str | None = None,
    ) -> None:
        self.identity = identity
        self.clock = clock
        # Its log: the last frames sent and received while connected and the events noted, for
        # a diagnostics file (1.6 section 5.9, 2.0.1 N01). Before anything else, so that the
        # blocks log from their first moment (N01.FR.05); the gateway may put a log that also
        # records every frame in its place before the station connects.
        self.frame_log = FrameLog(self.log_size)
        self._new_id = new_id or unique_ids()
        self._call_timeout = call_timeout
        self.timers = Timers()
        self.registration = Registration.DISCONNECTED
        self.heartbeat_interval = DEFAULT_HEARTBEAT_S
        self.transaction_queue = TransactionQueue()
        # Its session, its conversation and what it sends (connection.py).
        self._link = Connection(self)
        self._delivery = TransactionDelivery(self, self._link)
        # Called when what the station keeps across a power loss changed: a transaction
        # message is about to go out or was answered (``state_files.py`` writes it then).
        self.on_memory_changed: Callable[[], None] | None = None
        self.wants_connection = True
        # How long a reboot keeps the power off (the hardware's restart time).
        self.reboot_delay_s = DEFAULT_REBOOT_DELAY_S
        # False from the power going (a reboot, switch_off) until it comes back.
        self.powered = True
        # A simulated network outage (go_offline): no connection until come_online.
        self.network_down = False
        # The HTTP Basic password it presents (security profile 1), which its central system
        # may change (1.6 security whitepaper A01, 2.0.1 A01); None: it presents none.
        self.password: str | None = None
        # The TLS client certificate its runner gave it (security profile 3, station/tls.py:
        # files, or one held in memory, as the gateway issues its chargers'); one the central
        # system signs for it comes before it (presented_certificate).
        self.client_certificate: ClientCertificate | HeldCertificate | None = None
        self.wake: Callable[[], None] = _nothing
        # The helpers get the station's methods unbound (class attributes, shared by every
        # station) and call them with the station: a bound method each would cost a fleet of
        # tens of thousands of stations a few hundred bytes a station.
        kind = type(self)
        self._registrar = Registrar(
            self, booted=kind._accepted_after_boot, registered=kind._pump_transaction_queue
        )
        self._power = PowerCycle(
            self,
            call_timeout=call_timeout,
            out_of_service=kind._out_of_service,
            pump=kind._pump_transaction_queue,
            busy=kind._busy_going_down,
        )
        # Answers given in place of the station's own handlers, by action, read at each CALL
        # (a test scripting what its central system hears: the pytest plugin); None: its own.
        self.scripted_answers: Mapping[str, Handler] | None = None
        # Told of each connection's frames and round trips (metrics); set by the runner.
        self.observer: SessionObserver | None = None
        # Told each time the station is online again: its registration moved to Accepted (a
        # boot answered, or a reconnect after one), so that what it kept can go. Set by
        # whatever follows what it did offline (the gateway's deferred commands).
        self.on_online: Callable[[], None] | None = None
        # Told the EVSE of each remote start the station accepted (1.6 section 5.11, 2.0.1
        # F01/F02), once the answer is queued: a driver with the app then comes to plug in
        # (fleet/autogen.py). Set by whatever drives the station.
        self.remote_start_accepted: Callable[[int], None] | None = None
        # The largest frame sent or taken (protocol/limits.py); set by the runner.
        self.max_frame_bytes: int | None = DEFAULT_MAX_FRAME_BYTES
        # The hardware, from its catalog template (station/model/).
        self.template = template
        self.serial_number = serial_number
        self.io: StationIO = io or UnavailableIO(schedule=self.soon)
        self.model = StationModel.build(identity, template, energy_wh=energy_wh)
        self.model.profiles.evse_count = len(template.evses)
        # The cable, the EV and the meter as a driver and a tester move them (ev_controls.py).
        self.ev = EvControls(self)
        # What became of presented id tokens, for whoever drives the station (the gateway).
        self.token_reports = TokenReports()
        # Transactions the power cut, not yet reported ended (station/power_loss.py).
        self.unreported_power_losses: dict[str, OpenTransaction] = {}
        # The security profile it connects with (OCPP 2.0.1 part 2 A00; the 1.6 security
        # whitepaper's), as its runner sets it: 0 none, 1 HTTP Basic, 2 and 3 over TLS.
        self._security_profile = 0
        # Its own faults and misbehaviours, made on first use (station/bad_days.py).
        self.bad_days: BadDays | None = None
        self.assemble()

    def assemble(self) -> None:
        """Build what the station's version adds (its configuration or device model, its
        blocks and their hooks): called once, at the end of ``__init__``. A version's base
        sets its state here and the version's station class, calling ``super()`` first,
        builds its blocks; neither repeats the constructor."""

    # -- the runner's surface -----------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._link.session is not None

    @property
    def awaiting_answers(self) -> int:
        """CALLs sent and not answered yet (after a boot: every connector's status)."""
        return self._link.conversation.awaiting

    @property
    def in_service(self) -> bool:
        """Booted: the central system accepted the station since it last (re)booted. It stays
        in service through a lost connection (it can still authorize locally and charge
        offline), not through a reboot: it leaves service as soon as it starts going down."""
        return self._registrar.accepted_since_boot

    @property
    def online(self) -> bool:
        """Connected, and Accepted by its central system now."""
        return self.registration is Registration.ACCEPTED

    @property
    def going_down(self) -> bool:
        """Finishing its conversation before a reboot or switch-off (see the module
        docstring); the power is still on."""
        return self._power.going_down

    @property
    def restarting(self) -> bool:
        """Going down to boot again (:meth:`reboot`), not to stay off (:meth:`switch_off`)."""
        return self._power.restarting

    def require_power(self) -> None:
        """Raise unless the station is up (``PowerCycle.require_power``)."""
        self._power.require_power()

    def advance(self) -> None:
        """Bring every meter and EV up to now; call before reading or changing them."""
        self.model.advance(self.clock.now())
        if self.bad_days is not None:
            self.bad_days.advanced()

    def reported_status(self, status: ConnectorStatus) -> str:
        """A connector status in the words the station's version reports it (1.6
        ChargePointStatus here; a 2.0.1 station folds it onto ConnectorStatusEnumType): what
        anyone shown the station's state should read."""
        return status.value

    def check_value(self, action: str, path: str, value: object, name: str) -> None:
        """Raise unless ``value`` may go in the ``action`` request's field at ``path`` (a
        dotted path, ``fields.py``): a verb checks its arguments so before it acts, since the
        message that carries them is built later, when acting cannot be undone.

        Raises:
            SchemaValueError: a ValueError naming what the version allows there.
        """
        request_field(self.version.schemas, action, path).check(value, name)

    # -- security profiles and TLS (``security.py``) -------------------------------------------

    @property
    def security_profile(self) -> int:
        """The security profile its runner's URL and credentials make (0 none, 1 HTTP Basic,
        2 HTTP Basic over TLS, 3 its client certificate over TLS), or the one its central
        system raised it to (1.6 SecurityProfile)."""
        return self._security_profile

    @security_profile.setter
    def security_profile(self, value: int) -> None:
        self._security_profile = value
        self.security_profile_set(value)

    def security_profile_set(self, value: int) -> None:
        """The security profile changed: a version that reports it keeps it (1.6's
        SecurityProfile configuration key)."""

    def csms_roots(self) -> tuple[str, ...]:
        """What a ``wss://`` connection trusts (``security.py``)."""
        return security.csms_roots(self)

    def presented_certificate(self) -> ClientCertificate | HeldCertificate | None:
        """The certificate it presents at security profile 3 (``security.py``)."""
        return security.presented_certificate(self)

    def tls_refused(self, refusal: Refusal, reason: str) -> None:
        """It refused its central system's TLS handshake (``security.py``)."""
        security.tls_refused(self, refusal, reason)

    def security_event(self, kind: str, tech_info: str | None = None) -> None:
        """A security event happened (2.0.1 part 2 "Security events"; 1.6 whitepaper section
        8): the version logs it, and reports a critical one."""
        raise NotImplementedError

    def endpoint(self) -> Endpoint | None:
        """Where the connection attempt about to be made goes: asked by the runner once per
        attempt, just before it dials, so a station may move on to another central system
        after attempts that failed (2.0.1 B10). None: the runner's own URL and credentials."""
        return None

    @property
    def call_timeout(self) -> float:
        """Seconds a CALL of the connection that opens now waits for its answer."""
        return self._call_timeout

    def connect(self) -> None:
        """A WebSocket to the central system is open."""
        self._link.open(self._new_id)
        if not self._registrar.accepted_since_boot:
            self._registrar.boot()
            return
        self._registrar.move(Registration.ACCEPTED)
        if self._delivery.waiting:
            # Back before what it kept from before its boot was through: the boot's reports
            # still wait for it, and say all that reconnecting would.
            self._registrar.schedule_heartbeat()
            self._pump_transaction_queue()
        else:
            self.on_reconnected()

    def disconnect(self) -> None:
        """The WebSocket is gone: calls in flight fail, transaction messages wait."""
        link = self._link
        session, link.session = link.session, None
        if session is None:
            return
        self._registrar.move(Registration.DISCONNECTED)
        for name in (HEARTBEAT_TIMER, BOOT_TIMER):
            self.timers.cancel(name)
        link.conversation.handle(session.close())
        self.transaction_queue.in_flight = False
        link.conversation.forget_after_answer()
        if self._power.going_down:
            self._power.power_off()  # no answer can come any more
        link.closed()

    def receive(self, data: str | bytes) -> None:
        if self._link.receive(data):
            self._after_answers()

    def data_to_send(self) -> list[bytes]:
        return self._link.data_to_send()

    def note(self, event: str) -> None:
        """Put an event in the station's log (a diagnostics file shows it)."""
        logger.info("%s: %s", self.identity, event)
        self.frame_log.note(self.clock.now(), event)

    def next_deadline(self) -> float | None:
        timer = self.timers.next_deadline()
        call = self._link.next_deadline()
        if timer is None:
            return call
        return timer if call is None else min(timer, call)

    def set_timer_at(self, name: str, when: datetime | None, callback: Callable[[], None]) -> None:
        """Set the timer ``name`` for the moment the station's wall clock reads ``when``; None
        cancels it (``Timers.set_at``)."""
        self.timers.set_at(self.clock, name, when, callback)

    def tick(self) -> None:
        """Fire whatever is due on the clock: call deadlines first, then timers."""
        self._link.expire()
        self.timers.fire_due(self.clock.monotonic())
        self._after_answers()

    # -- calls (``connection.py``) -------------------------------------------------------------

    def call(
        self,
        action: str,
        payload: OutgoingPayload,
        on_result: OnResult = ignore_result,
        on_error: OnError | None = None,
        *,
        requested: bool = False,
    ) -> bool:
        """Send a CALL if the station may (``Connection.call``)."""
        return self._link.call(action, payload, on_result, on_error, requested=requested)

    def send(self, action: str, payload: OutgoingPayload) -> bool:
        """Send a SEND, a message without an answer (``Connection.send``)."""
        return self._link.send(action, payload)

    def soon(self, work: Callable[[], None]) -> None:
        """Run ``work`` on the next tick, never inside the current call."""
        self._link.soon(work)

    def after_answer(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the answer to the request being handled is queued to send."""
        self._link.conversation.after_answer(work)

    def answer_here(self, handle: Callable[[_Request], _Answer], request: _Request) -> _Answer:
        """Answer ``request`` with one of the station's own handlers as if its central system
        had sent it (a reset or a trigger from the station's own panel), then do at once what
        follows the answer (:meth:`after_answer`): the version's rules decide, and nothing
        goes on the wire but what follows."""
        answer = handle(request)
        self._after_answers()
        return answer

    def tell_remote_start_accepted(self, evse_id: int) -> None:
        """Tell whoever drives the station that a remote start on ``evse_id`` was accepted."""
        if self.remote_start_accepted is not None:
            self.remote_start_accepted(evse_id)

    def _after_answers(self) -> None:
        """The answers are queued: do what follows them; then a station going down powers off
        once its conversation is over."""
        self._link.conversation.run_after_answer()
        if self._power.going_down:
            self._power.power_off_when_quiet()

    # -- transaction messages -------------------------------------------------------------------

    def enqueue_transaction_message(
        self,
        action: str,
        build: Callable[[], OutgoingPayload],
        on_result: OnResult = ignore_result,
        *,
        transaction_id: str | None = None,
    ) -> None:
        """Queue a transaction message (``TransactionDelivery.enqueue``)."""
        self._delivery.enqueue(action, build, on_result, transaction_id=transaction_id)

    def _pump_transaction_queue(self) -> None:
        self._delivery.pump()

    def transaction_retry_policy(self) -> tuple[int, float]:
        """(attempts, retry interval in seconds) for transaction messages."""
        return 3, 60.0

    # -- registration and heartbeat ---------------------------------------------------------------

    def trigger_boot_notification(self) -> None:
        """The central system asked for a BootNotification (``Registrar.trigger``)."""
        self._registrar.trigger()

    def set_heartbeat_interval(self, seconds: int) -> None:
        """The central system changed the interval (1.6 HeartbeatInterval, 2.0.1
        HeartbeatInterval variable): it applies from now."""
        self.heartbeat_interval = seconds
        if self.registration is Registration.ACCEPTED:
            self._registrar.schedule_heartbeat()

    # -- going down, power off and on (see the module docstring; ``power.py``) ------------------

    def reboot(
        self, delay_s: float | None = None, *, drain_s: float = 0.0, linger_s: float = 0.0
    ) -> None:
        """Restart: go down, stay off ``delay_s`` and boot again (``PowerCycle.reboot``)."""
        self._power.reboot(delay_s, drain_s=drain_s, linger_s=linger_s)

    def power_cut(self, off_s: float | None = None, *, stop_first: bool = False) -> None:
        """The power fails now and comes back ``off_s`` later (``PowerCycle.power_cut``)."""
        self._power.power_cut(off_s, stop_first=stop_first)

    def switch_off(self, *, drain_s: float = 0.0) -> None:
        """Go down and stay off (``PowerCycle.switch_off``)."""
        self._power.switch_off(drain_s)

    @property
    def draining(self) -> bool:
        """Going down and still sending its queued transaction messages (see :meth:`reboot`)."""
        return self._power.draining

    def _busy_going_down(self) -> bool:
        session = self._link.session
        if session is None:
            return False
        # (Draining with messages queued: waiting for a retry interval, or the registration.)
        return bool(session.calls_outstanding) or (
            self.draining and len(self.transaction_queue) > 0
        )

    def _out_of_service(self) -> None:
        self._registrar.accepted_since_boot = False  # nothing new starts from now
        self._delivery.forget_then()  # (the reports of a boot now over)

    def _accepted_after_boot(self) -> None:
        """Accepted after a boot: what it kept goes, then what a boot reports
        (``TransactionDelivery.after_boot``)."""
        self._delivery.after_boot()

    # -- the network (``connection.py``) -----------------------------------------------------

    def go_offline(self) -> None:
        """The network fails until :meth:`come_online` (``Connection.go_offline``)."""
        self._link.go_offline()

    def redial(self) -> None:
        """Close the connection and connect again at once (``Connection.redial``)."""
        self._link.redial()

    def take_dial_at_once(self) -> bool:
        """Whether to dial again with no back-off, once (``Connection.take_dial_at_once``)."""
        return self._link.take_dial_at_once()

    def come_online(self) -> None:
        """The network is back: the runner reconnects (``Connection.come_online``)."""
        self._link.come_online()

    # -- what versions provide ------------------------------------------------------------------

    def boot_notification_payload(self) -> OutgoingPayload:
        """The version's BootNotificationRequest (1.6 section 4.2, 2.0.1 B01)."""
        raise NotImplementedError

    def on_accepted(self) -> None:
        """Registered after a boot: report every connector's status."""

    def on_reconnected(self) -> None:
        """Back online without a reboot: report what changed while offline."""
        self._registrar.schedule_heartbeat()
        self._pump_transaction_queue()

    def reconnect_wait(self, attempt: int, rng: random.Random) -> float | None:
        """Seconds to wait before dialling again after ``attempt`` failed attempts since the
        last connection that settled (0: such a connection just dropped; a connection counts
        as failed until its BootNotification is Accepted or it lived a while,
        ``fleet/reconnection.py``); None leaves it to the runner's policy."""
        return None

    def websocket_ping_interval(self) -> int:
        """Seconds without a byte from the central system after which the station pings it
        (OCPP-J 1.6 section 5.3, OCPP 2.0.1 part 4 section 5.3: WebSocketPingInterval; 0 sends
        no pings). Read when a connection opens: the key and the variable take effect on the
        next connection (their reboot is one)."""
        return 0

    def on_going_down(self) -> None:
        """The station starts going down (a reboot or a switch-off): transfers under way stop
        with the power. Runs while it may still send."""

    def on_power_change(self, powered: bool) -> None:
        """The power goes (False) or comes back (True, before :meth:`on_power_on`): no
        energy flows while the station is off."""

    def on_power_on(self) -> None:
        """The station starts again after a reboot."""

    def stop_transactions(self, reason: str) -> None:
        """End every running transaction with ``reason``, a value both versions' stop
        reasons have (1.6 Reason, 2.0.1 ReasonEnumType: ``Reboot``, ``Other``...)."""

    def unplug(self, evse_id: int = 1, connector_id: int = 1) -> None:
        """The driver removes the cable, and the version reports what follows."""
        raise NotImplementedError

    def update_charging_status(self, evse: Evse) -> None:
        """Charging, SuspendedEV or SuspendedEVSE, re-derived and reported after what the EVSE
        may give (or the EV's state of charge) changed."""
        raise NotImplementedError

    def ev_request_changed(self, evse: Evse) -> None:
        """The EV behind ``evse`` started or stopped asking for energy: the charging state
        follows (what the EVSE may give did not change)."""
        raise NotImplementedError

    # -- the EV and the meter, as a driver and a tester move them (``ev_controls.py``) ------------

    def ev_suspend(self, evse_id: int = 1) -> None:
        self.ev.ev_suspend(evse_id)

    def ev_resume(self, evse_id: int = 1) -> None:
        self.ev.ev_resume(evse_id)

    def set_power_limit(self, evse_id: int, watts: float | None) -> None:
        self.ev.set_power_limit(evse_id, watts)

    def choose_ev(self, evse_id: int, ev: Ev | None) -> None:
        self.ev.choose_ev(evse_id, ev)

    def update_soc(self, evse_id: int, soc: float) -> None:
        self.ev.update_soc(evse_id, soc)

    def ev_state(self, evse_id: int) -> EvState:
        return self.ev.ev_state(evse_id)

    def evse_suspend(self, evse_id: int) -> None:
        self.ev.evse_suspend(evse_id)

    def evse_resume(self, evse_id: int) -> None:
        self.ev.evse_resume(evse_id)

    def set_energy_register(self, evse_id: int, energy_wh: float) -> None:
        self.ev.set_energy_register(evse_id, energy_wh)

    def set_vendor_replies(self, replies: Sequence[VendorReply]) -> None:
        """Answer DataTransfer from the central system as ``replies`` declare (1.6 section
        5.6, 2.0.1 P01), instead of the vendor handlers the station had."""
        raise NotImplementedError

    # -- what an operator sets, through the station's own handlers ---------------------------

    def apply_setting(self, request: Payload) -> str:
        """One setting's request (``TERMS.setting_request``) as the central system would send
        it (1.6 ChangeConfiguration, 2.0.1 SetVariables); its status."""
        raise NotImplementedError

    def send_local_list(self, payload: Payload) -> Mapping[str, Any]:
        """SendLocalList as if from the central system (1.6 section 5.15, 2.0.1 D01)."""
        raise NotImplementedError

    def set_configuration(self, settings: Sequence[Setting]) -> dict[str, str]:
        """Each setting on its own, applied at once as from a central system; its status by
        key (Rejected: one the version's schema cannot carry)."""
        return {
            setting.key: self.TERMS.setting_status(setting, self.apply_setting)
            for setting in settings
        }

    def set_local_list(
        self, version: int, entries: Sequence[ListEntry], *, differential: bool = False
    ) -> str:
        return self.TERMS.list_status(
            version, entries, self.send_local_list, differential=differential
        )

    def clear_local_list(self, version: int) -> str:
        return self.set_local_list(version, ())


def _nothing() -> None:
    return None


__all__ = [
    "DEFAULT_BOOT_RETRY_S",
    "DEFAULT_HEARTBEAT_S",
    "DEFAULT_REBOOT_DELAY_S",
    "DRAIN_BEFORE_REBOOT_S",
    "OnError",
    "OnResult",
    "QueuedMessage",
    "SimulatedStation",
    "TransactionQueue",
]
