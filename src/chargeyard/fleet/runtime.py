"""Runs one simulated station over a real WebSocket (asyncio, ``websockets``' sans-I/O layer).

Theory of operation
-------------------
The station decides everything (``core.py``); this adapter only moves frames and time:

* while the station ``wants_connection``, connect (``connector.py``) to its central system's
  URL with the station's subprotocol, and HTTP Basic credentials when it has a password (OCPP
  1.6 security whitepaper / OCPP 2.0.1 part 2 A00, security profile 1: ``security_profile.py``);
  a ``wss://`` URL adds TLS (profiles 2 and 3, ``tls.py``): the server's certificate checked
  against the CSMS roots installed in the station (the system trust store when it has none),
  and at profile 3 the station's own client certificate presented instead of HTTP Basic
  credentials. Before each attempt the station may name another
  :class:`~chargeyard.station.endpoint.Endpoint` (``station.endpoint()``: a 2.0.1 station's
  network connection profile, B10), which that attempt dials instead, with its security
  profile's credentials; a TLS handshake the station refuses (the server's certificate, or a
  TLS version below 1.2) is a security event of the station's (``station.tls_refused``);
* the opening handshake (RFC 6455 section 4.1) is a fixed request and a short check of the
  101 response (``handshake.py``); after it, every chunk the socket delivers (``link.py``)
  goes through ``websockets``' sans-I/O :class:`~websockets.protocol.Protocol` (framing, ping/pong,
  close); each text message is fed to ``station.receive``; after every step the station's
  outgoing frames are written in order;
* one deadline per station, ``station.next_deadline()``, kept by a :class:`Scheduler` (shared
  by a fleet), calls ``station.tick()``;
* when the socket drops, ``station.disconnect()``; reconnect (``reconnection.py``) with
  exponential backoff and full jitter (OCPP 2.0.1 B04's RetryBackOff idea), so a fleet does not
  stampede its CSMS, unless the station paces itself (``station.reconnect_wait``: a 2.0.1
  station whose CSMS set its RetryBackOff variables), or closed the connection itself to dial
  again (``station.redial``: new credentials, A01), which dials at once. A connection counts as
  a failed attempt, and the next wait doubles, until the station is Accepted on it (its
  BootNotification answered Accepted, B01, or a registration that stands through a lost
  connection, B04, once the central system said something on it) or it has lived
  :data:`~chargeyard.fleet.reconnection.SETTLED_AFTER` seconds: a CSMS that accepts the
  WebSocket and drops it before answering the boot is retried ever more slowly, up to the
  ceiling, not twice a second; a run of failed attempts is logged with its reason once, then
  summarised every few minutes (``connect_failures.py``), not once an attempt;
* ``station.wake`` (something changed outside a frame or timer: a plug, a reboot) re-runs the
  same step on the next turn of the loop;
* network faults (``chaos``, ``fleet/chaos/``, set by :meth:`StationRuntime.apply_chaos`) sit
  between the station and the wire: its outgoing frames pass through them, a dial may be
  refused, the connection cut or left half-open, and the link's bytes delayed; the station is
  not told, and keeps its own rules through them;
* a station still on the default :class:`~chargeyard.station.io.UnavailableIO` gets real file
  transfers (``transfers.py``: firmware downloads, diagnostics uploads) whose callbacks wake it
  the same way; they are the runtime's, and stop with it.

Why the sans-I/O layer rather than ``websockets.asyncio``: a connection there costs a reader
task, futures for every ``send`` and an assembler, which at ten thousand stations is most of
the memory and CPU. Here a connection is one :class:`asyncio.Protocol` whose callbacks do the
work; no task exists per station once it is connected.

Opening connections is the :class:`Dialer`'s job: it runs at most ``limit`` TCP connects and
WebSocket handshakes at a time (a fleet shares one, so ten thousand stations do not send ten
thousand SYNs at once). Everything a runtime starts (its dial, its connection, its timers) ends
with :meth:`StationRuntime.stop`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import random
from collections.abc import Callable, Sequence
from typing import cast

from websockets.frames import CloseCode

from chargeyard.fleet.chaos import frames as frame_faults
from chargeyard.fleet.chaos import station_faults
from chargeyard.fleet.chaos.engine import Chaos
from chargeyard.fleet.chaos.faults import Crowd, Fault, PowerCut, ReconnectStorm
from chargeyard.fleet.connector import Connector
from chargeyard.fleet.link import Link
from chargeyard.fleet.reconnection import Reconnection
from chargeyard.fleet.scheduling import Dialer, ReconnectPolicy, RuntimeStats, Scheduler
from chargeyard.fleet.security_profile import security_profile
from chargeyard.fleet.transfers import AsyncioTransfers
from chargeyard.outbound import OutboundPolicy
from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES
from chargeyard.station.core import SimulatedStation
from chargeyard.station.endpoint import Endpoint
from chargeyard.station.io import HasStationIO, UnavailableIO
from chargeyard.station.model.own_certificate import HeldCertificate
from chargeyard.station.tls import ClientCertificate

logger = logging.getLogger(__name__)


class _Phase(enum.Enum):
    STOPPED = "stopped"  # not started, or stopped
    DIALING = "dialing"  # queued at the dialer, connecting or in the opening handshake
    OPEN = "open"
    CLOSING = "closing"  # our close frame is sent; waiting for the TCP close
    BACKOFF = "backoff"  # waiting to dial again
    OFF = "off"  # the station does not want a connection (switched off, rebooting)


class StationRuntime:
    """Connects a :class:`SimulatedStation` to ``url`` and keeps it connected.

    Args:
        station: the station to run.
        url: the central system's WebSocket URL for this station (identity included).
        password: HTTP Basic password (security profiles 1 and 2); None sends no credentials.
        client_certificate: the TLS client certificate the station presents on ``wss://``
            (security profile 3, ``tls.py``); None presents none.
        reconnect: the backoff policy.
        open_timeout: seconds allowed for the TCP connect and the WebSocket handshake.
        close_timeout: seconds the central system has to close the TCP connection after our
            close frame, before we abort it.
        rng: the backoff's randomness (seeded in tests and benchmarks). Default: one shared by
            every runtime (a ``Random`` holds 2.5 KB of state; a fleet should not have one
            per station).
        dialer: opens the connection; a fleet passes one shared dialer. Default: one of its own.
        scheduler: runs the station's timer; a fleet passes one shared scheduler. Default: one
            of its own.
        stats: counters to update; a fleet passes one shared object. Default: one of its own.
        file_transfers: give a station whose ``io`` is an ``UnavailableIO`` (the default) real
            transfers (:attr:`transfers`), cancelled when the runtime stops.
        max_frame_bytes: the largest OCPP frame the station sends or takes, in bytes
            (``protocol/limits.py``); None for no limit.
        handshake_headers: headers of the station's own in every opening handshake (the
            gateway's organization header, ``protocol/station_organization.py``).

    Raises:
        InvalidURI: ``url`` is not a ws:// or wss:// URL.
    """

    __slots__ = (
        "_busy",
        "_close_timeout",
        "_closed",
        "_connector",
        "_link",
        "_open_timeout",
        "_phase",
        "_ping_at",
        "_reconnection",
        "_retry",
        "_scheduler",
        "_step_scheduled",
        "_timer_at",
        "_timer_order",
        "chaos",
        "station",
        "stats",
        "transfers",
        "url",
    )

    def __init__(
        self,
        station: SimulatedStation,
        url: str,
        *,
        password: str | None = None,
        reconnect: ReconnectPolicy | None = None,
        open_timeout: float = 10.0,
        close_timeout: float = 5.0,
        rng: random.Random | None = None,
        dialer: Dialer | None = None,
        scheduler: Scheduler | None = None,
        stats: RuntimeStats | None = None,
        file_transfers: bool = True,
        max_frame_bytes: int | None = DEFAULT_MAX_FRAME_BYTES,
        outbound: OutboundPolicy | None = None,
        client_certificate: ClientCertificate | HeldCertificate | None = None,
        handshake_headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.station = station
        station.max_frame_bytes = max_frame_bytes
        self.url = url
        # Where each attempt goes and how it is opened (connector.py).
        self._connector = Connector(
            url, dialer=dialer, outbound=outbound, handshake_headers=tuple(handshake_headers)
        )
        if password is not None:
            station.password = password  # the central system may change it (A01)
        if client_certificate is not None:
            station.client_certificate = client_certificate
        station.security_profile = security_profile(
            self._connector.uri.secure, password is not None, client_certificate is not None
        )
        # The attempts counted, and the wait before the next dial (reconnection.py).
        self._reconnection = Reconnection(reconnect, rng)
        self._open_timeout = open_timeout
        self._close_timeout = close_timeout
        self.stats = stats or RuntimeStats()
        self._phase = _Phase.STOPPED
        self._link: Link | None = None
        # Set while a close is awaited (stop()); resolved when the connection is gone.
        self._closed: asyncio.Future[None] | None = None
        self._scheduler = scheduler or Scheduler()
        self._timer_at: float | None = None  # the station's deadline the scheduler holds
        self._ping_at = math.inf  # the link's keepalive check (loop time) the scheduler holds
        self._timer_order = 0  # the live entry at the scheduler (0: none)
        self._retry: asyncio.TimerHandle | None = None
        self._step_scheduled = False
        self._busy = False  # inside a step of our own: wakes need no extra step
        station.wake = self._wake
        # Network faults applied to this station (fleet/chaos/), None without any.
        self.chaos: Chaos | None = None
        self.transfers: AsyncioTransfers | None = None
        # A station with an ``io`` that cannot move files gets this runtime's. (Read with
        # getattr and narrowed with cast, not checked against the HasStationIO protocol: an
        # isinstance of a runtime-checkable protocol costs 70 us, a twentieth of a fleet's
        # building of each station.)
        if file_transfers and isinstance(getattr(station, "io", None), UnavailableIO):
            self.transfers = AsyncioTransfers(wake=self._wake, outbound=outbound)
            cast(HasStationIO, station).io = self.transfers

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Run the station: its timers start and it connects (if it wants to)."""
        if self._phase is not _Phase.STOPPED:
            return
        self._phase = _Phase.OFF
        self._reconnection.started()
        self._step()  # a station's timers run while it is offline too

    async def stop(self) -> None:
        """Close the connection (a close frame, then the TCP close) and stop the timers."""
        await self.begin_stop()
        if self.transfers is not None:
            await self.transfers.aclose()

    def begin_stop(self) -> asyncio.Future[None]:
        """Start stopping; the future is done when the connection is gone (at the latest
        ``open_timeout`` + ``close_timeout`` from now). For stopping many runtimes at once
        without a task each."""
        phase, self._phase = self._phase, _Phase.STOPPED
        self._cancel_timer()
        self.clear_chaos()  # (its timers are the runtime's: they end with it)
        if self.transfers is not None:
            self.transfers.close()
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        link = self._link
        if link is None:
            closed.set_result(None)
            return closed
        self._closed = closed
        if link.transport is None:
            # Still in the TCP connect: the dial sees STOPPED when it returns, and closes. A
            # dialer of our own can end it now; a shared one is the fleet's to close.
            self._connector.close_own_dialer()
        elif link.ws is None or phase is not _Phase.OPEN:
            link.abort()
        else:
            link.close(CloseCode.GOING_AWAY, "station stopped", self._close_timeout)
        return closed

    @property
    def running(self) -> bool:
        return self._phase is not _Phase.STOPPED

    @property
    def connected(self) -> bool:
        """The WebSocket is open (the station may still be booting)."""
        return self._phase is _Phase.OPEN

    @property
    def phase(self) -> str:
        """stopped, dialing, open, closing, backoff or off (the station wants no connection)."""
        return self._phase.value

    @property
    def attempt(self) -> int:
        """Failed attempts since the last connection that settled (``reconnection.py``)."""
        return self._reconnection.attempt

    @property
    def last_error(self) -> str | None:
        """What the last attempt failed with; None once connected or before any attempt."""
        return self._reconnection.last_error

    @property
    def failure_reason(self) -> str | None:
        """Why the last attempt of this run of failed attempts failed (``connect_failures.py``:
        connection refused, a DNS failure, ...); None once connected or before any attempt."""
        return self._reconnection.failure_reason

    # -- chaos (fleet/chaos/) ---------------------------------------------------------------------

    def apply_chaos(
        self,
        faults: Sequence[Fault],
        seed: int | None = None,
        *,
        mark: Callable[[str, bytes], None] | None = None,
    ) -> Chaos:
        """Add network faults to this station's connection (those active stay), drawn from
        a source seeded with ``seed`` and the station's identity from now on (None: keep the
        current source, or a random seed for the first faults). ``mark`` is told of every
        frame a fault touched."""
        chaos = self.chaos
        if chaos is None:
            if seed is None:
                seed = random.SystemRandom().randrange(2**31)
            chaos = self.chaos = Chaos(
                self.station.identity, seed, self, count=self.stats.fault, mark=mark
            )
        elif seed is not None:
            chaos.reseed(seed)
        if mark is not None:
            chaos.mark = mark
        chaos.apply(faults)
        return chaos

    def clear_chaos(self) -> None:
        """End every fault of this station's connection (frames held back are sent)."""
        chaos, self.chaos = self.chaos, None
        if chaos is not None:
            chaos.clear()
            self.chaos_reading(True)

    def chaos_cut(self) -> bool:
        """A fault cuts the connection: aborted, as a network failure leaves it."""
        link = self._link
        if link is None or self._phase is not _Phase.OPEN:
            return False
        link.abort()
        return True

    def chaos_reading(self, reading: bool) -> None:
        """A fault stops (or ends stopping) the reading of the socket: half-open."""
        link = self._link
        transport = None if link is None else link.transport
        if transport is None or transport.is_closing():
            return
        if reading:
            transport.resume_reading()
        else:
            transport.pause_reading()

    def chaos_station(self, before: list[Fault], after: list[Fault]) -> None:
        """The station's own faults changed: its bad days follow (``station_faults.py``)."""
        station_faults.reconcile(self.station, before, after)

    def chaos_crowd(self, fault: Crowd, reconnect_in_s: float) -> bool:
        """A crowd fault strikes: the connection cut and dialled again after
        ``reconnect_in_s`` (a storm: its wait replaces the backoff's), the power cut, or a
        reboot."""
        station = self.station
        if isinstance(fault, ReconnectStorm):
            if not self.chaos_cut():
                return False
            # (The loss comes on the loop's next turn.)
            self._reconnection.storm_wait = reconnect_in_s
            return True
        if not station.powered:
            return False
        if isinstance(fault, PowerCut):
            station.power_cut(fault.off_s)
        else:
            station.reboot(fault.off_s)
        self._wake()
        return True

    # -- connecting -----------------------------------------------------------------------------

    def _begin_dial(self) -> None:
        self._phase = _Phase.DIALING
        self._connector.submit(self)

    async def _dial(self) -> None:
        """Connect and shake hands; called by the dialer, which holds a slot meanwhile."""
        if self._phase is not _Phase.DIALING or self._link is not None:
            return  # stopped while queued, or queued twice
        endpoint = self.station.endpoint()
        uri = self._connector.uri if endpoint is None else endpoint.uri
        link = self._link = Link(self, endpoint)
        try:
            async with asyncio.timeout(self._open_timeout):
                await self._connector.connect(link, uri, self.station, self.chaos)
                if self._link is not link or not self.running:
                    link.abort()  # lost or stopped during the connect
                    return
                if self._phase is _Phase.DIALING:
                    await link.handshake
                # Otherwise it is open already: the central system's 101 was read, and the
                # session started, before this coroutine resumed (a loaded loop runs a
                # socket's callbacks ahead of the task its connect woke).
        except asyncio.CancelledError:
            link.abort()
            # The link is over now, whether or not a connection_lost comes (a later one is
            # ignored): uvloop closes the transport of a cancelled create_connection without
            # telling the protocol, so waiting for it would leave stop() waiting for ever.
            self._link_lost(link, None)
            raise
        except Exception as error:
            # OSError, TimeoutError and InvalidHandshake are the expected ones; anything else
            # (a loop's transport refusing a write as it fails) is a failed attempt too, not a
            # station left dialing forever.
            link.abort()
            if self.running:  # (stop() moved the phase meanwhile)
                url = self.url if endpoint is None else endpoint.url
                self._reconnection.failed(error, url, self.station.identity, self.stats)
                if uri.secure:
                    self._reconnection.tls_refused(self.station, error)
            if link.transport is None:
                # No connection was made, so no connection_lost will come: clean up here.
                self._link_lost(link, None)

    @property
    def subprotocol(self) -> str:
        return self.station.version.subprotocol

    def _upgrade_request(self, key: str, endpoint: Endpoint | None) -> bytes:
        return self._connector.upgrade_request(self.station, key, endpoint)

    def _opened(self, link: Link) -> None:
        """The handshake succeeded: the station's session starts (unless it was stopped)."""
        if self._phase is not _Phase.DIALING:
            link.close(CloseCode.GOING_AWAY, "station stopped", self._close_timeout)
            return
        self._phase = _Phase.OPEN
        failures = self._reconnection.opened(self._scheduler.time())
        self.stats.connects += 1
        url = self.url if link.endpoint is None else link.endpoint.url
        if failures is None:
            logger.info("%s: connected to %s", self.station.identity, url)
        else:
            logger.info(
                "%s: connected to %s after %d failed attempts",
                self.station.identity,
                url,
                failures.attempts,
            )
        if self.chaos is not None:
            self.chaos.asked.clear()  # (ids of the last connection's calls)
            if self.chaos.half_open and link.transport is not None:
                link.transport.pause_reading()
        self._busy = True
        self.station.observer = self.stats.ocpp
        try:
            self.station.connect()
        except Exception:  # a bug: the connection is no use to this station
            logger.exception("%s: failed to start its session", self.station.identity)
            link.close(CloseCode.INTERNAL_ERROR, "station failure", self._close_timeout)
        finally:
            self._busy = False

    def _link_lost(self, link: Link, exc: Exception | None) -> None:
        if link is not self._link:
            return
        self._link = None
        station = self.station
        if station.connected:
            self._reconnection.connection_ended(
                station, self._scheduler.time(), link.ended_by_peer(exc), self.stats
            )
            try:
                station.disconnect()
            except Exception:  # a bug: it must not keep the station from dialing again
                logger.exception("%s: failed to end its session", station.identity)
            self.stats.disconnects += 1
            logger.info("%s: disconnected", station.identity)
        else:
            self._reconnection.attempt_ended()
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)
        if self._phase is _Phase.STOPPED:
            return
        wait = self._reconnection.wait_to_dial(station)
        if wait is None:
            self._phase = _Phase.OFF
        else:
            self._phase = _Phase.BACKOFF
            self._retry = asyncio.get_running_loop().call_later(wait, self._retry_now)
        self._arm_timer()

    def _retry_now(self) -> None:
        self._retry = None
        if self._phase is _Phase.BACKOFF:
            if self.station.wants_connection:
                self._begin_dial()
            else:
                self._phase = _Phase.OFF

    # -- after every step: write, re-arm, and close or open as the station wants ---------------

    def _received(self, message: bytes) -> None:
        self.stats.frames_received += 1
        if self.chaos is not None:
            frame_faults.heard(self.chaos, message)
        self._reconnection.heard = True
        self._busy = True
        try:
            self.station.receive(message)
        except Exception:  # a bug in a handler or continuation must not kill the connection
            logger.exception("%s: failed to process a frame", self.station.identity)
        finally:
            self._busy = False

    def _step(self) -> None:
        station = self.station
        phase = self._phase
        if phase is _Phase.OPEN:
            link = self._link
            assert link is not None
            frames = station.data_to_send()
            if frames:
                self.stats.frames_sent += len(frames)
                if self.chaos is None:
                    link.send_text(frames)
                else:
                    frame_faults.send(self.chaos, frames, link.send_text)
            if not station.wants_connection:
                self._phase = _Phase.CLOSING
                link.close(CloseCode.GOING_AWAY, "station going offline", self._close_timeout)
        elif phase is _Phase.OFF and station.wants_connection:
            self._begin_dial()
        if phase is not _Phase.STOPPED:
            self._arm_timer()

    def _wake(self) -> None:
        # Wake may come from inside station.receive() (a handler's call()); the step then
        # follows when receive() returns. From outside (a plug, a reboot), step on the next
        # loop turn, once, however many wakes came.
        if self._busy or self._step_scheduled:
            return
        self._step_scheduled = True
        asyncio.get_running_loop().call_soon(self._scheduled_step)

    def _scheduled_step(self) -> None:
        self._step_scheduled = False
        self._step()

    def _arm_timer(self) -> None:
        """One scheduler entry for the earlier of the station's next deadline (its clock) and
        the link's keepalive check (``link.py``, the loop's clock)."""
        station = self.station
        deadline = station.next_deadline()
        link = self._link
        ping_at = math.inf if link is None else link.ping_at
        if deadline == self._timer_at and ping_at == self._ping_at:
            return
        if deadline is None and ping_at == math.inf:
            self._cancel_timer()
            return
        self._timer_at, self._ping_at = deadline, ping_at
        scheduler = self._scheduler
        at = ping_at
        if deadline is not None:
            at = min(at, scheduler.time() + (deadline - station.clock.monotonic()))
        self._timer_order = scheduler.arm(self, at)

    def _cancel_timer(self) -> None:
        self._timer_at, self._ping_at = None, math.inf
        if self._timer_order:
            self._timer_order = 0
            self._scheduler.drop()

    def _timer_due(self, order: int) -> None:
        if order != self._timer_order:
            return  # re-armed or cancelled since
        self._timer_order = 0
        self._timer_at, self._ping_at = None, math.inf
        link = self._link
        if link is not None and link.ping_at <= self._scheduler.time():
            link.keepalive_due()
        self._busy = True
        try:
            self.station.tick()
        except Exception:
            logger.exception("%s: a timer failed", self.station.identity)
        finally:
            self._busy = False
        self._step()


# The reconnection policy is part of a runtime's constructor; callers import it from here.
__all__ = ["ReconnectPolicy", "StationRuntime"]
