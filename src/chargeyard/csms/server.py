"""The central system's OCPP listener: WebSocket endpoint ``/ocpp/{identity}`` (the identity
is the path's last non-empty segment, so a trailing slash is allowed).

One of the two places (with ``fleet/runtime.py``) that touch sockets. For each station it
checks admission in the handshake (``handshake.py``, ``admission.py``: 404 unknown, 401 bad
credentials), negotiates the newest OCPP version both sides speak (OCPP-J 1.6 section
3.1.2, OCPP 2.0.1 part 4 section 3.1.2), builds that version's handlers from one table, and
runs an :class:`~chargeyard.transport.OcppConnection` until the socket closes. Its sockets are
:class:`~chargeyard.transport.push.PushServerConnection` objects: each frame is handed to the
session as it is read and answered with a synchronous write, with no reader task per station.
Open connections live in the :class:`~chargeyard.csms.registry.Registry` from the moment the
handshake is done (before presence is written, so a command sent as a station comes back finds
it); a second connection for an identity replaces the first, which is closed (OCPP 2.0.1 part 4
section 3.1.1).

What stations report is kept in the :class:`~chargeyard.store.Store` by the handlers; every
frame in and out goes to the store's batched frame log, meter samples go through a
group-commit :class:`~chargeyard.store.sample_writer.SampleWriter`, and presence, boot facts,
Heartbeats and connector statuses through a group-commit
:class:`~chargeyard.store.station_writer.StationWriter`; the stations whose handshakes arrive
together are looked up with one query (:class:`~chargeyard.store.station_lookup.StationLookup`),
and what was read serves the connection (``known.py``). All are owned by the server (started
with it, flushed and stopped after the last connection closed). So is the
:class:`~chargeyard.transport.scheduler.WorkQueue` through which every station's CALLs are
processed, a slice at a time, so that REST commands and their answers are not queued behind a
thousand stations' messages (``transport/scheduler.py``). Starting the listener raises the
garbage collector's young-generation threshold (``collector.py``) unless the settings say not
to: with the defaults, collection pauses cost a quarter of the time under load.

Presence (``is_online``, ``connected_at``) is written on connect and disconnect; at start every
station is marked offline first, since a killed process wrote no "offline". A station that
connects speaking another OCPP version than it last did has its connector set forgotten first
(``layout.py``).

Frames are held to ``settings.max_frame_bytes`` both ways (``protocol/limits.py``): a command
that would send a larger one is refused before anything is sent, a station's larger CALL is
answered FormatViolation, and a message over four times the limit closes the socket with 1009
before it is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.frames import CloseCode
from websockets.typing import Subprotocol

from chargeyard.collector import raise_young_threshold
from chargeyard.csms import event_data, layout
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.csms.backpressure import BACKLOG_S, ConnectionGate
from chargeyard.csms.boot_grace import ORPHAN_GRACE_S, BootGrace
from chargeyard.csms.context import DataTransferHandler, StationContext, utc_now
from chargeyard.csms.events import EventHub, StationEvents
from chargeyard.csms.follow_ups import FollowUps
from chargeyard.csms.frames import FrameRecorder
from chargeyard.csms.handshake import PATH_PREFIX, Handshake, identity_from_path, select_subprotocol
from chargeyard.csms.known import KnownStation
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.login_backoff import LoginBackoff
from chargeyard.csms.policy import BootPolicy
from chargeyard.csms.registration import RegistrationGate, gated
from chargeyard.csms.registry import Registry
from chargeyard.csms.station_link import StationLink
from chargeyard.csms.tls_accept import TlsAcceptor
from chargeyard.csms.v16 import CentralSystemV16
from chargeyard.csms.v21 import CentralSystemV21
from chargeyard.csms.v201 import CentralSystemV201
from chargeyard.csms.verified_passwords import VerifiedPasswords
from chargeyard.protocol import (
    DEFAULT_MAX_FRAME_BYTES,
    V16,
    V21,
    V201,
    VERSIONS,
    ActionHandlers,
    Role,
    VersionSpec,
    VersionTable,
    version_for,
)
from chargeyard.protocol.limits import socket_limit
from chargeyard.protocol.observer import SessionObserver
from chargeyard.store import FrameLog, NotFoundError, Store, station_writer
from chargeyard.store.id_tag_lookup import IdTagLookup
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID
from chargeyard.store.retention import Retention, RetentionLimits, RetentionTask
from chargeyard.store.sample_writer import SampleWriter
from chargeyard.store.station_lookup import StationLookup
from chargeyard.store.station_writer import StationWriter
from chargeyard.tls_settings import TlsSettings
from chargeyard.transport import OcppConnection
from chargeyard.transport.keepalive import Keepalive
from chargeyard.transport.push import PushServerConnection
from chargeyard.transport.scheduler import WorkQueue

logger = logging.getLogger(__name__)

# The frame log's batches (FrameLog's defaults are 2,000 frames / 50 ms). A thousand stations
# append to a thousand places in the log's per-identity index, so a commit rewrites about one
# index page per station whatever its size: the more frames a commit holds, the fewer pages
# per frame. Measured (one thread, 1,000 identities): 8.2 us of SQLite CPU a frame
# in commits of 2,000, 6.1 in 6,000, 5.5 in 12,000. Frames reach the log up to a quarter of a
# second later, which a person reading it does not notice; that quarter of a second (and one
# batch's write) is also what a crash of the process may lose of the log (frame_log.py,
# docs/configuration.md "The frame log at a crash").
FRAME_LOG_BATCH = 10_000
FRAME_LOG_INTERVAL_S = 0.25

# The one place where the version picks the central system's behaviour. 2.1's handlers are
# 2.0.1's (its messages that 2.0.1 also has keep their 2.0.1 shape) and those of the messages
# 2.1 adds.
HANDLERS: VersionTable[Callable[[StationContext], ActionHandlers]] = VersionTable(
    "the central system's handlers",
    {V16: CentralSystemV16, V201: CentralSystemV201, V21: CentralSystemV21},
)


@dataclass(frozen=True, slots=True)
class CsmsSettings:
    """The listener's settings.

    Attributes:
        auto_register: let unknown identities in and register them (otherwise 404), in
            the organization ``register_into`` (made at start if it does not exist).
        accept_unknown_tags: answer Accepted for id tags the table does not know (a lab
            setting; otherwise they are Invalid).
        boot_status: the BootNotification answer (Accepted, Pending or Rejected); with
            ``heartbeat_interval`` it is the boot policy.
        tune_gc: raise the process's garbage collection threshold at start
            (:func:`~chargeyard.collector.raise_young_threshold`).
        max_frame_bytes: the largest OCPP frame sent to or taken from a station, in bytes
            (``protocol/limits.py``; ``--max-frame-bytes``, ``CHARGEYARD_MAX_FRAME_BYTES``).
        drain_timeout: on :meth:`CsmsServer.stop`, how long the CALLs being handled get to be
            answered before the connections close anyway.
        retention: how much history the store keeps (``store/retention.py``), trimmed by a
            task the listener owns; None keeps everything.
        ping_interval, ping_timeout: the listener's own WebSocket pings, which only find
            stations gone without closing their socket (None: no pings): a station that has
            sent nothing for ``ping_interval`` seconds is pinged, and closed with 1011 when
            nothing comes back within ``ping_timeout`` (``transport/keepalive.py``, one task
            for all connections). Keeping the connection alive is the station's part (OCPP-J
            1.6 section 5.3, OCPP 2.0.1 part 4 section 5.3: WebSocketPingInterval); pings
            every 20 s from the central system (the ``websockets`` default) would cost a node
            with 12,500 stations 625 pings and pongs a second.
        backlog_s: new connections are held, then refused with 503, while the oldest station
            message waiting to be handled has waited longer than this (``backpressure.py``);
            None lets every handshake in at once.
        authority: the certificate authority that signs the stations' own certificates
            (SignCertificate, ``authority.py``); None: SignCertificate is Rejected.
        tls: the server certificate (and, for security profile 3, the CA of the stations'
            certificates) of a ``wss://`` listener (``tls_settings.py``); None listens on ``ws://``.
        orphan_grace_s: how long after its BootNotification a station has to deliver the
            transaction messages it kept before a connector it reports Available has its
            transactions closed by the central system (``boot_grace.py``; 0: at once).
    """

    host: str = "127.0.0.1"
    port: int = 9000
    heartbeat_interval: int = 300
    call_timeout: float = 30.0
    validate: bool = True
    auto_register: bool = False
    register_into: str = DEFAULT_ORGANIZATION_ID
    accept_unknown_tags: bool = False
    boot_status: str = "Accepted"
    data_transfer_handlers: Mapping[str, DataTransferHandler] = field(default_factory=dict)
    tune_gc: bool = True
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    # A handler waits for its group commit (tens of milliseconds); 5 s covers a slow disk.
    drain_timeout: float = 5.0
    retention: RetentionLimits | None = field(default_factory=RetentionLimits)
    ping_interval: float | None = 60.0
    ping_timeout: float | None = 30.0
    backlog_s: float | None = BACKLOG_S
    authority: CertificateAuthority | None = None
    tls: TlsSettings | None = None
    orphan_grace_s: float = ORPHAN_GRACE_S


def _offered_subprotocols(headers: Headers) -> list[str]:
    return [
        item.strip()
        for header in headers.get_all("Sec-WebSocket-Protocol")
        for item in header.split(",")
        if item.strip()
    ]


class CsmsServer:
    """The listener. ``async with CsmsServer(store, settings) as server:`` serves until the
    block ends. The store stays the caller's (opened and closed by it). The REST API reaches
    the stations through :attr:`link`, whose calls this process's registry serves
    (``local_calls.py``). ``observer`` hears every connection's messages, round trips and
    CALLERRORs (``chargeyard.metrics``: ``Metrics.csms``). ``boot_grace`` waits out a booted
    station's grace (default: ``settings.orphan_grace_s`` on the process's clock; tests pass
    one on a clock they move). ``sole``: no other listener serves stations of this store, so a
    station still marked online at start was left so by a previous run and is marked offline;
    a cluster's node (``sole=False``) never marks another node's stations: a station's
    presence there follows its node's (``cluster/redis_presence.py``)."""

    def __init__(
        self,
        store: Store,
        settings: CsmsSettings | None = None,
        registry: Registry | None = None,
        events: EventHub | None = None,
        observer: SessionObserver | None = None,
        boot_grace: BootGrace | None = None,
        *,
        sole: bool = True,
    ) -> None:
        self.store = store
        self.sole = sole
        self.settings = settings or CsmsSettings()
        self.boot_grace = (
            BootGrace(self.settings.orphan_grace_s) if boot_grace is None else boot_grace
        )
        self.registry = registry if registry is not None else Registry()
        # The API's StationLink: its calls travel as messages, served from the registry.
        self.link: StationLink = in_process_link(self.registry)
        # Shared with the API (webhooks, live stream) when the caller passes one.
        self.events = events if events is not None else EventHub()
        self.observer = observer
        # Wrong HTTP Basic credentials in a row, per identity (``login_backoff.py``).
        self.login_backoff = LoginBackoff()
        # Passwords that already matched, so a station reconnecting costs no second scrypt.
        self.verified_passwords = VerifiedPasswords()
        self._server: Server | None = None
        self._frame_log: FrameLog | None = None
        self._sample_writer: SampleWriter | None = None
        self._station_writer = StationWriter(store.engine)
        self._lookup = StationLookup(store.engine)
        self._tags = IdTagLookup(store.engine)
        self._retention: RetentionTask | None = None
        self._tls: TlsAcceptor | None = None
        self._work = WorkQueue()
        self._gate = (
            None
            if self.settings.backlog_s is None
            else ConnectionGate(self._work, backlog_s=self.settings.backlog_s)
        )
        self.keepalive = (
            None
            if self.settings.ping_interval is None
            else Keepalive(self.settings.ping_interval, self.settings.ping_timeout)
        )
        """Pings the stations silent for ``ping_interval``, closes those that answer nothing
        (``transport/keepalive.py``); None without pings."""
        self._handshake = Handshake(
            store,
            self._lookup,
            self._gate,
            self.login_backoff,
            self.verified_passwords,
            auto_register=self.settings.auto_register,
            register_into=self.settings.register_into,
            tls=self.settings.tls,
        )
        # Closing a replaced connection may wait for a dead peer; it runs beside the new one,
        # owned here and cancelled when the listener stops.
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def frame_log(self) -> FrameLog:
        if self._frame_log is None:
            raise RuntimeError("the CSMS listener is not started")
        return self._frame_log

    @property
    def port(self) -> int:
        """The bound port (useful when the settings asked for port 0)."""
        if self._server is None:
            raise RuntimeError("the CSMS listener is not started")
        port: int = next(iter(self._server.sockets)).getsockname()[1]
        return port

    @property
    def scheme(self) -> str:
        """``wss`` when the listener speaks TLS, else ``ws``."""
        return "ws" if self.settings.tls is None else "wss"

    async def start(self) -> None:
        if self.settings.tune_gc:
            raise_young_threshold()
        if self.settings.auto_register:
            await self.store.organizations.ensure(self.settings.register_into)
        if self.sole:
            offline = await self.store.stations.mark_all_offline()
            if offline:
                logger.info("marked %d stations offline (left online by a previous run)", offline)
        self._frame_log = self.store.frame_log(
            batch_size=FRAME_LOG_BATCH, interval=FRAME_LOG_INTERVAL_S
        )
        await self._frame_log.start()
        self._sample_writer = SampleWriter(self.store.engine)
        await self._sample_writer.start()
        await self._station_writer.start()
        await self._lookup.start()
        await self._tags.start()
        if self.settings.retention is not None:
            self._retention = RetentionTask(Retention(self.store, self.settings.retention))
            await self._retention.start()
        await self._work.start()
        tls = self.settings.tls
        # A wss:// listener does its TLS handshakes itself, to answer and report the failed
        # ones (``tls_accept.py``).
        self._tls = None if tls is None else TlsAcceptor(tls.server_context())
        try:
            self._server = await serve(
                self._serve_connection,
                self.settings.host,
                self.settings.port,
                process_request=self._handshake.process_request,
                select_subprotocol=select_subprotocol,
                subprotocols=[Subprotocol(name) for name in VERSIONS],
                create_connection=(
                    PushServerConnection if self._tls is None else self._tls.connection_class
                ),
                max_size=socket_limit(self.settings.max_frame_bytes),
                ping_interval=None,  # one keepalive for all connections: self.keepalive
            )
            if self.keepalive is not None:
                await self.keepalive.start()
        except BaseException:
            await self._work.stop()
            await self._stop_retention()
            await self._tags.stop()
            await self._lookup.stop()
            await self._station_writer.stop()
            await self._sample_writer.stop()
            self._sample_writer = None
            await self._frame_log.stop()
            self._frame_log = None
            raise
        logger.info(
            "CSMS listening on %s://%s:%d%s{identity} (%s; unknown stations %s)",
            self.scheme,
            self.settings.host,
            self.port,
            PATH_PREFIX,
            ", ".join(VERSIONS),
            "registered" if self.settings.auto_register else "refused",
        )

    async def stop(self) -> None:
        """Stop gracefully: no new connections, no new CALLs; the CALLs being handled are
        committed and answered, then every connection closes with 1001 Going Away. A station
        re-sends only what was never answered, so nothing it reported is stored twice."""
        for task in self._closing:
            task.cancel()
        if self._server is not None:
            self._server.close(close_connections=False)
            if self._tls is not None:
                self._tls.close()
            connections = [c for c in map(self.registry.get, list(self.registry)) if c]
            await asyncio.gather(
                *(c.drain(self.settings.drain_timeout, "the CSMS is stopping") for c in connections)
            )
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self.keepalive is not None:
            await self.keepalive.stop()
        await self.boot_grace.close()  # (a station's next boot asks again)
        if self._gate is not None:
            await self._gate.close()
        await self._work.stop()
        await self._stop_retention()
        await self._tags.stop()
        await self._lookup.stop()
        await self._station_writer.stop()
        if self._sample_writer is not None:
            await self._sample_writer.stop()
            self._sample_writer = None
        if self._frame_log is not None:
            await self._frame_log.stop()
            self._frame_log = None

    async def _stop_retention(self) -> None:
        task, self._retention = self._retention, None
        if task is not None:
            await task.stop()

    async def __aenter__(self) -> CsmsServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def _serve_connection(self, websocket: ServerConnection) -> None:
        """A station's connection, its handshake done, watched by the keepalive while it
        lasts."""
        keepalive = self.keepalive
        if keepalive is None:
            await self._serve_station(websocket)
            return
        assert isinstance(websocket, PushServerConnection)
        keepalive.add(websocket)
        try:
            await self._serve_station(websocket)
        finally:
            keepalive.discard(websocket)

    async def _serve_station(self, websocket: ServerConnection) -> None:
        identity = identity_from_path(websocket.request.path if websocket.request else "")
        if identity is None:  # refused in the handshake
            return
        if websocket.subprotocol is None:
            # No OCPP version in common: OCPP-J 1.6 section 3.1.2 and 2.0.1 part 4 section 3.1.2
            # say the CSMS completes the handshake without a Sec-WebSocket-Protocol header and
            # then closes the connection at once (the identity and its credentials were
            # checked at the HTTP level first, so 404 and 401 still come as HTTP answers).
            request = websocket.request
            offered = _offered_subprotocols(request.headers) if request is not None else []
            logger.warning(
                "%s offered no OCPP version we speak (%s); closing",
                identity,
                ", ".join(offered) or "no subprotocol",
            )
            speaks = ", ".join(VERSIONS)
            await websocket.close(
                CloseCode.PROTOCOL_ERROR, f"no common OCPP subprotocol (speaks {speaks})"
            )
            return
        version = version_for(websocket.subprotocol)
        known = self._handshake.admitted(websocket) or await self._known(identity)
        # Registered as it connected: in the admission organization, or the one a simulated
        # charger of the gateway named (claims.py; a row made by another
        # node at the same moment is that node's, and is read at the next connection).
        organization_id = known.organization_id or self.settings.register_into
        events = StationEvents(self.events, organization_id)
        connection, gate = self._connection(websocket, identity, version, known, events)
        # Known to the registry as soon as it is accepted, before anything is written: a
        # command sent the moment the station is back (an operator acting on its
        # reconnection) finds it. Its answer waits on the socket until run() listens, and the
        # station's own messages are handled from then on, once presence is written.
        self._register(identity, connection, organization_id, gate)
        try:
            await layout.on_connect(self.store, identity, version, known)
            await self._station_writer.keep(
                station_writer.online(
                    identity,
                    version,
                    utc_now(),
                    create=self.settings.auto_register,
                    organization_id=organization_id,
                )
            )
        except BaseException as error:
            if self.registry.remove(identity, connection):
                self.store.stations.disconnected(identity)
            if not isinstance(error, Exception):  # cancelled: the listener is stopping
                raise
            if isinstance(error, NotFoundError):  # deleted between the handshake and now
                await websocket.close(1008, "unknown station")
            else:
                await websocket.close(CloseCode.INTERNAL_ERROR, "the central system failed")
            # The socket is closed: run() returns at once and fails the commands sent
            # meanwhile (StationNotConnected). The station's CALLs that came meanwhile wait
            # for the work queue, which takes none of a connection no longer running.
            await connection.run()
            if isinstance(error, NotFoundError):
                return
            raise
        known.ocpp_version = version
        logger.info("%s connected (OCPP %s)", identity, version.name)
        events.publish(event_data.connected(identity, version.name))
        try:
            await connection.run()
        finally:
            # A replaced connection leaves presence to its successor.
            if self.registry.remove(identity, connection):
                self.store.stations.disconnected(identity)
                await self._mark_offline(identity)
                events.publish(event_data.disconnected(identity))
            logger.info("%s disconnected", identity)

    def _connection(
        self,
        websocket: ServerConnection,
        identity: str,
        version: VersionSpec,
        known: KnownStation,
        events: StationEvents,
    ) -> tuple[OcppConnection, RegistrationGate]:
        """The station's OCPP connection, with its version's handlers (not yet running), and
        its registration."""
        follow_ups = FollowUps()
        # Starts from the last answer kept: a station that reconnects without booting keeps
        # its registration (registration.py).
        gate = RegistrationGate(identity, known.registration_status)
        context = StationContext(
            identity=identity,
            store=self.store,
            organization_id=events.organization_id,
            boot_policy=BootPolicy(self.settings.boot_status, self.settings.heartbeat_interval),
            data_transfer_handlers=self.settings.data_transfer_handlers,
            accept_unknown_tags=self.settings.accept_unknown_tags,
            events=events,
            remote_starts=self.registry.remote_starts,
            reports=self.registry.reports,
            registration=gate,
            sample_writer=self._sample_writer,
            station_writer=self._station_writer,
            tag_lookup=self._tags,
            known=known,
            announced=self.registry.announced,
            authority=self.settings.authority,
            follow_ups=follow_ups,
            boot_grace=self.boot_grace,
        )
        handlers = HANDLERS[version](context)
        connection = OcppConnection(
            websocket,
            version,
            Role.CENTRAL_SYSTEM,
            gated(handlers.handlers(), gate),
            name=identity,
            call_timeout=self.settings.call_timeout,
            validate=self.settings.validate,
            on_frame=FrameRecorder(self.frame_log, identity),
            observer=self.observer,
            scheduler=self._work,
            max_frame_bytes=self.settings.max_frame_bytes,
        )
        follow_ups.attach(connection)
        return connection, gate

    def _register(
        self,
        identity: str,
        connection: OcppConnection,
        organization_id: str,
        gate: RegistrationGate,
    ) -> None:
        """Make ``connection`` the identity's, and close the one it replaces (OCPP 2.0.1 part 4
        section 3.1.1). The replaced one, when it ends, finds it is no longer the identity's
        and leaves presence alone."""
        previous = self.registry.add(identity, connection, gate)
        self.store.stations.connected(identity, organization_id)
        if previous is None:
            return
        logger.info("%s reconnected; closing its previous connection", identity)
        task = asyncio.get_running_loop().create_task(
            previous.close(1000, "replaced by a new connection")
        )
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _known(self, identity: str) -> KnownStation:
        """What the store holds of ``identity`` (unknown: registered as it connects, with
        nothing stored yet)."""
        station = await self._lookup.get(identity)
        return KnownStation.new() if station is None else KnownStation.of(station)

    async def _mark_offline(self, identity: str) -> None:
        with contextlib.suppress(NotFoundError):  # deleted while connected
            await self._station_writer.keep(station_writer.offline(identity))
