"""What a case against a charging station works with (:class:`StationCase`): the suite's
central system (the peer), the case's log, the station trigger, and the moves every version's
cases share — the station connected and registered, a message expected, an order sent, a
physical act, a setting changed for the case's duration — each recording its checks.

The target (:class:`StationTarget`) is what the command line names: where the suite listens,
the identity and password the station presents, the id tags its reader will see, how the
station is made to act. A run holds one :class:`Bench` for all its cases (the listener and the
station's connection outlive each case); each case gets a fresh :class:`StationCase` over it
and leaves the station as it found it (:meth:`StationCase.close` undoes what the case set up:
cables, faults, settings, reservations, a transaction left running).

A version's moves (StartTransaction, StatusNotification in its words...) are a subclass's
(``case_v16.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chargeyard.conformance.answer import Answer
from chargeyard.conformance.endings import CaseEnded, NotActed, NotApplicable, NothingCame
from chargeyard.conformance.record import CaseLog
from chargeyard.conformance.station_under_test.answers import CentralBooks, Responder, TagEntry
from chargeyard.conformance.station_under_test.file_site import FileSite
from chargeyard.conformance.station_under_test.handshake import Connection
from chargeyard.conformance.station_under_test.inbox import Received, Where
from chargeyard.conformance.station_under_test.peer import CsmsPeer
from chargeyard.conformance.station_under_test.preconditions import Mark, MarkLeft, check_without
from chargeyard.conformance.station_under_test.triggers import StationAct, StationTrigger, Verb
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol import V16, VersionSpec
from chargeyard.tls_settings import TlsSettings

logger = logging.getLogger(__name__)

Payload = dict[str, Any]
TIDY_S = 60.0
"""The most a case's tidying up may take."""


STATION_TRIGGER_NEED = (
    "a trigger for what happens at the station: a cable, a card, a fault, the power"
    " (--trigger-url, --chargeyard-api or --interactive)"
)
"""What a case needing the station to act lacks without a trigger (the run's summary)."""
TLS_NEED = "the suite's TLS certificate (--tls-cert, --tls-key)"
CLIENT_CA_NEED = "the CA of the station's client certificate (--tls-client-ca)"
PASSWORD_NEED = "the station's Basic password (--password)"


@dataclass(frozen=True, slots=True)
class StationTags:
    """The id tags the cases present at the station's reader (a real reader needs real cards:
    their ids). ``valid`` and ``second`` are accepted and belong to the group ``group`` (1.6
    parentIdTag); ``invalid`` is unknown to the central system."""

    valid: str = "CY-TAG-1"
    second: str = "CY-TAG-2"
    invalid: str = "CY-TAG-X"
    group: str = "CY-GROUP"

    def known(self) -> dict[str, TagEntry]:
        """The central system's table of them."""
        return {
            self.valid: TagEntry("Accepted", self.group),
            self.second: TagEntry("Accepted", self.group),
        }


@dataclass(frozen=True, slots=True)
class StationTarget:
    """The charging station under test and how the suite reaches it.

    Attributes:
        host, port: where the suite listens (port 0: any free port).
        identity: the identity the station presents (None: whichever connects).
        password: the HTTP Basic password it must present (security profile 1).
        trigger: how it is made to act physically (None: cases that need it are
            inconclusive).
        step_s: how long a step waits for the station.
        connect_s: how long a case waits for the station to connect (or come back).
        fixed_cable: its connectors have a fixed cable (not a socket).
        heartbeat_s: the heartbeat interval its boot is given.
        firmware: a firmware image it installs (UpdateFirmware); None: a chargeyard image,
            which only chargeyard's simulated stations take.
        tls: the suite listens on ``wss://`` with this certificate (and, for security
            profile 3, asks the station for one chaining to its client CA); None: ``ws://``.
        files_host, files_port: where the firmware and upload site listens
            (``file_site.py``; None: ``host``; port 0: any free port).
    """

    host: str
    port: int
    version: VersionSpec = V16
    identity: str | None = None
    password: str | None = None
    trigger: StationTrigger | None = None
    step_s: float = 30.0
    connect_s: float = 120.0
    id_tags: StationTags = StationTags()
    fixed_cable: bool = False
    heartbeat_s: int = 300
    firmware: bytes | None = None
    tls: TlsSettings | None = None
    files_host: str | None = None
    files_port: int = 0

    def described(self, port: int) -> str:
        """The target in a report's words."""
        who = self.identity or "any identity"
        scheme = "ws" if self.tls is None else "wss"
        return f"station {who} at {scheme}://{self.host}:{port}"


@dataclass(slots=True)
class Bench:
    """What a run holds across its cases: the target, the listener with its central
    system, the file site, what was learnt of the station, and what cases left on it that
    the suite cannot take back (``preconditions.py``: each mark, and the case that left it)."""

    target: StationTarget
    peer: CsmsPeer
    files: FileSite
    learnt: dict[str, Any] = field(default_factory=dict)
    left: dict[Mark, str] = field(default_factory=dict)


def is_timestamp(value: Any) -> bool:
    """Whether ``value`` is an RFC 3339 date-time with a zone (OCPP-J 1.6 section 3.1.3,
    2.0.1 part 2 section 2.1.2 ask for UTC)."""
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def parse_time(value: Any) -> datetime | None:
    if not is_timestamp(value):
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


Undo = Callable[[], Awaitable[None]]


class StationCase:
    """The context of one case against a charging station (module docstring)."""

    def __init__(self, bench: Bench, log: CaseLog) -> None:
        self.bench = bench
        self.target = bench.target
        self.peer = bench.peer
        self.log = log
        self.version = self.target.version
        self.peer.attach(log)
        self.peer.books.id_tags = self.target.id_tags.known()
        self.peer.books.heartbeat_s = self.target.heartbeat_s
        self._began = self.peer.mark()
        self._undo: list[tuple[str, Undo]] = []
        self._prompted: str | None = None

    @property
    def tags(self) -> StationTags:
        return self.target.id_tags

    @property
    def step_s(self) -> float:
        return self.target.step_s

    @property
    def identity(self) -> str:
        return self.peer.identity or self.target.identity or "the station"

    def step(self, title: str) -> None:
        """Begin the next step: its checks follow, and what it expects comes from now on."""
        self.log.step(title)
        self.peer.begin_step()

    # -- the connection ---------------------------------------------------------------------

    async def connected(self, *, after: int = 0) -> Connection:
        """The station's connection (a new one when ``after`` names the last seen); its
        handshake must have agreed on the version (OCPP-J 1.6 section 3.1.2).

        Raises:
            NothingCame: the station did not connect within ``connect_s``.
        """
        # A station that never came in a whole wait is not waited for as long again: each
        # later case fails after a step's time, so a run without a station ends soon.
        never = not self.peer.connections and self.bench.learnt.get("waited in vain")
        within = self.step_s if never else self.target.connect_s
        try:
            connection = await self.peer.connected(within, after=after)
        except NothingCame:
            if not self.peer.connections:
                self.bench.learnt["waited in vain"] = True
            if self.target.trigger is not None and self.target.trigger.interactive and after:
                raise NotActed(f"the station did not connect again within {within:g} s") from None
            raise
        wanted = self.version.subprotocol
        if not self.log.check(
            f"the station offers {wanted} in its handshake",
            connection.subprotocol == wanted,
            expected=wanted,
            observed=", ".join(connection.offered) or "no subprotocol",
        ):
            raise CaseEnded(f"the station did not offer {wanted} (it offered {connection.offered})")
        return connection

    async def ready(self) -> Connection:
        """The station connected and registered (its boot Accepted), its connectors at rest
        as far as it told (a case begins here).

        Raises:
            NotApplicable: the station has a mark the case needs it without
                (``preconditions.py``).
            CaseEnded: it did not connect, or did not boot within ``connect_s``.
        """
        try:
            check_without(self.log.case, self.bench.left)
        except MarkLeft as why:
            raise NotApplicable(str(why)) from None
        connection = await self.connected()
        if not self.peer.registered and not await self.peer.until(
            lambda: self.peer.registered, self.target.connect_s
        ):
            raise NothingCame(
                f"the station sent no BootNotification the central system accepted within"
                f" {self.target.connect_s:g} s"
            )
        await self.peer.until(self._at_rest, self.step_s)
        return connection

    def _at_rest(self) -> bool:
        return all(
            status in ("Available", "Unavailable", "Faulted")
            for status in self.peer.statuses.values()
        )

    # -- what the station sends -------------------------------------------------------------

    def mark(self) -> int:
        """Now, in the stream of what the station sent (for ``since``)."""
        return self.peer.mark()

    @property
    def step_began(self) -> int:
        """The current step's beginning, in the stream of what the station sent."""
        return self.peer.step_began

    async def expect(
        self,
        action: str,
        *,
        where: Where | None = None,
        what: str | None = None,
        since: int | None = None,
        within: float | None = None,
        reconnects: bool = False,
    ) -> Received:
        """The station's next ``action`` that ``where`` accepts (``peer.expect``), within the
        step's time. After a person was asked to act, nothing in time means nobody acted.

        Raises:
            NotActed: a person was asked to act and nothing came.
            CaseEnded: nothing came, or the connection ended.
        """
        wait = self.step_s if within is None else within
        try:
            received = await self.peer.expect(
                action, within=wait, where=where, since=since, reconnects=reconnects, what=what
            )
        except NothingCame as nothing:
            if self._prompted is not None:
                raise NotActed(f"{nothing} (was the station made to {self._prompted}?)") from None
            raise
        self._prompted = None
        return received

    async def absent(
        self,
        action: str,
        seconds: float,
        rule: str,
        *,
        where: Where | None = None,
        since: int | None = None,
        weight: Weight = Weight.INTEROP,
    ) -> bool:
        """Check that no ``action`` that ``where`` accepts comes within ``seconds`` (from
        ``since``, default now)."""
        start = self.mark() if since is None else since
        if seconds > 0:
            await asyncio.sleep(seconds)
        came = self.peer.received(action, since=start, where=where)
        return self.log.check(
            rule,
            not came,
            weight=weight,
            expected=f"no {action}",
            observed=[item.payload for item in came] or f"no {action}",
        )

    def answer_with(self, action: str, responder: Responder | None) -> None:
        """Answer ``action`` with ``responder`` for the rest of the case (None: by default)."""
        self.peer.answer_with(action, responder)

    @property
    def books(self) -> CentralBooks:
        return self.peer.books

    # -- what the central system sends ------------------------------------------------------

    async def ask(self, action: str, payload: Payload, *, within: float | None = None) -> Answer:
        """Send a CALL and return the station's answer, whatever it is."""
        return await self.peer.call(action, payload, within=within or self.step_s)

    async def call(self, action: str, payload: Payload, *, within: float | None = None) -> Payload:
        """Send a CALL; its answer must be a CALLRESULT (a CALLERROR ends the case)."""
        answer = await self.ask(action, payload, within=within)
        if not self.log.check(
            f"the station answers {action} with a CALLRESULT",
            not answer.is_error,
            expected="CALLRESULT",
            observed=f"CALLERROR {answer.error_code}: {answer.error_description}"
            if answer.is_error
            else "CALLRESULT",
        ):
            raise CaseEnded(f"the station answered {action} with CALLERROR {answer.error_code}")
        assert answer.payload is not None
        return answer.payload

    async def order(
        self,
        action: str,
        payload: Payload,
        expected: object,
        *,
        weight: Weight = Weight.INTEROP,
        field_name: str = "status",
        of: str | None = None,
    ) -> Payload:
        """Send ``action`` and check its answer's ``field_name`` (its status) is
        ``expected`` (a tuple: one of them); ``of``: what the action is about, named in the
        check (a configuration key)."""
        answer = await self.call(action, payload)
        wanted = expected if isinstance(expected, tuple) else (expected,)
        words = " or ".join(str(value) for value in wanted)
        observed = answer.get(field_name)
        shown = f"{field_name} {words}" if field_name != "status" else words
        named = action if of is None else f"{action} of {of}"
        self.log.check(
            f"{named} is answered {shown}",
            observed in wanted,
            weight=weight,
            expected=words,
            observed=observed,
        )
        return answer

    # -- what the station is made to do -----------------------------------------------------

    async def act(self, act: StationAct) -> None:
        """Make the station do ``act`` (through the trigger), and remember how to undo it.

        Raises:
            NotActed: there is no trigger, or it cannot.
        """
        trigger = self.target.trigger
        words = act.words(self.version)
        if trigger is None:
            raise NotActed(f"no trigger to {words}", need=STATION_TRIGGER_NEED)
        await trigger.act(self.version, self.identity, act)
        self._prompted = words if trigger.interactive and act.confirmed_by_message else None
        reverse = _reverse(act)
        if reverse is None:
            self.forget(repr(act))  # it undoes an earlier act of the case
        else:
            self.on_close(repr(reverse), self._doer(reverse))

    def _doer(self, act: StationAct) -> Undo:
        async def do() -> None:
            trigger = self.target.trigger
            if trigger is not None and not trigger.interactive:
                await trigger.act(self.version, self.identity, act)

        return do

    async def plug(self, connector: int = 1) -> None:
        await self.act(StationAct(Verb.PLUG, connector))

    async def unplug(self, connector: int = 1) -> None:
        await self.act(StationAct(Verb.UNPLUG, connector))

    async def present(self, tag: str, connector: int | None = None) -> None:
        """Present ``tag`` at the reader (of ``connector``'s EVSE, or the station's)."""
        await self.act(StationAct(Verb.PRESENT_ID_TOKEN, connector or 1, id_token=tag))

    async def power_cycle(self, *, stop_first: bool = False) -> None:
        """The station loses its power, which comes back; ``stop_first``: the case asks a
        station that has the energy to stop its transactions before it goes dark."""
        await self.act(StationAct(Verb.POWER_CYCLE, stop_first=stop_first))

    # -- tidying up -------------------------------------------------------------------------

    def on_close(self, name: str, undo: Undo) -> None:
        """Run ``undo`` when the case closes (the last registered first); a second one of the
        same ``name`` is ignored (the first knows the state before the case)."""
        if all(existing != name for existing, _ in self._undo):
            self._undo.append((name, undo))

    def forget(self, name: str) -> None:
        """The case undid ``name`` itself."""
        self._undo = [(existing, undo) for existing, undo in self._undo if existing != name]

    async def close(self) -> None:
        """Leave the station as the case found it, as far as it can (within ``TIDY_S``), then
        hand the peer back."""
        self.peer.come_online()
        self._prompted = None
        try:
            async with asyncio.timeout(TIDY_S):
                await self.tidy()
                for name, undo in reversed(self._undo):
                    try:
                        await undo()
                    except (CaseEnded, NotActed, OSError) as error:
                        logger.info("tidying up %s failed: %s", name, error)
        except TimeoutError:
            logger.warning("tidying up took longer than %g s", TIDY_S)
        for item in self.peer.unchecked(self._began):
            self.log.check(
                f"the request {item.action} follows the official {self.version.name} schema",
                False,
                weight=Weight.SPEC,
                expected="valid",
                observed=item.schema_error,
            )
        self.peer.attach(None)

    async def tidy(self) -> None:
        """A version's tidying up before the undo list runs (a transaction left running)."""
        return None

    @contextlib.asynccontextmanager
    async def offline(self) -> AsyncIterator[None]:
        """The network is down for the block: the connection closed, new ones refused; once
        back, the station's reconnection is awaited."""
        before = self.peer.connections
        await self.peer.go_offline()
        try:
            yield
        finally:
            self.peer.come_online()
        await self.connected(after=before)


def _reverse(act: StationAct) -> StationAct | None:
    """The act that undoes ``act`` at the end of a case (None: nothing to undo)."""
    if act.verb is Verb.PLUG:
        return StationAct(Verb.UNPLUG, act.evse, act.connector)
    if act.verb in (Verb.INJECT_FAULT, Verb.LOCK_FAILURE):
        return StationAct(Verb.CLEAR_FAULT, act.evse, act.connector)
    if act.verb is Verb.UNLOCK_FAILURE and act.fails:
        return StationAct(Verb.UNLOCK_FAILURE, act.evse, act.connector, fails=False)
    return None
