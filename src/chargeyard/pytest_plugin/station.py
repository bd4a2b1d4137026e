"""One simulated station as a test drives it: ``ocpp_station``'s :class:`SimStation`.

A :class:`StationFactory` builds stations on one :class:`~chargeyard.fleet.fleet.Fleet` (its
clock is the seam a fast-forwarding clock plugs into) and stops them all when the test ends.
Each station's frames go to a :class:`~chargeyard.pytest_plugin.frames.FrameRecorder` through
its own frame log (``station/maintenance.py``), so no station code knows it is under test; its
answers to the central system may be scripted through the station's ``scripted_answers``
(``station/core.py``), read at each CALL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType

from chargeyard.fleet.fleet import Fleet
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import Handler, VersionSpec
from chargeyard.pytest_plugin.frames import Frame, FrameRecorder, Payload
from chargeyard.station.catalog import StationTemplate, load_catalog
from chargeyard.station.clock import Clock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.maintenance import FrameLog
from chargeyard.station.model.ev import Ev, EvProfile
from chargeyard.station.model.states import Registration
from chargeyard.station.terms import Setting
from chargeyard.station.verbs import StationVerbs, verbs_of
from chargeyard.station.versions import named_version

DEFAULT_TEMPLATE = "alfen-eve-single-pro-line"
DEFAULT_TIMEOUT_S = 10.0

Answer = Payload | Callable[[Payload], Payload]
"""A scripted answer: the CALLRESULT's payload, or a function of the request's payload that
returns it (or raises :class:`~chargeyard.protocol.OcppError` to answer a CALLERROR)."""


class RecordingLog(FrameLog):
    """The station's own log, which also hands every frame to the test's recorder."""

    def __init__(self, size: int, recorder: FrameRecorder, identity: str) -> None:
        super().__init__(size)
        self.recorder = recorder
        self.identity = identity

    def received(self, at: datetime, frame: str | bytes) -> None:
        super().received(at, frame)
        self.recorder.record("received", frame, self.identity)

    def sent(self, at: datetime, frames: list[bytes]) -> None:
        super().sent(at, frames)
        for frame in frames:
            self.recorder.record("sent", frame, self.identity)


def template_of(template: StationTemplate | str) -> StationTemplate:
    """A catalog template (by id), without clock-aligned meter readings: those come at the
    quarter hours of the wall clock (1.6 ClockAlignedDataInterval, 2.0.1
    AlignedDataCtrlr.Interval), so a test crossing one would see a MeterValues it did not
    cause. A test that wants them sets the key through ``configuration``."""
    if isinstance(template, str):
        template = load_catalog().template(template)
    configuration = {**template.default_configuration, "ClockAlignedDataInterval": "0"}
    return dataclasses.replace(template, default_configuration=MappingProxyType(configuration))


class SimStation:
    """A started simulated station, with what a test does to it and reads of it.

    The verbs act at once (the station sends what they cause on the next turn of the event
    loop); the waits wake on each frame. Connectors are numbered as 1.6 numbers them; on 2.0.1,
    ``connector`` is the EVSE (its connector 1).

    Attributes:
        frames: every frame exchanged, in order, each with its direction (``"sent"`` by the
            station, ``"received"`` from the central system).
        station: the simulated station itself (``station/core.py``).
        runtime: what runs it on its socket (``fleet/runtime.py``).
    """

    __test__ = False  # (not a test class, whatever pytest makes of a module importing it)

    def __init__(self, runtime: StationRuntime, recorder: FrameRecorder) -> None:
        self.runtime = runtime
        self.station: SimulatedStation = runtime.station
        self._verbs: StationVerbs = verbs_of(runtime.station)
        self._recorder = recorder
        self._answers: dict[str, Handler] = {}
        self.station.scripted_answers = MappingProxyType(self._answers)
        self._onlines = 0  # times it came online (a boot accepted, a reconnect)
        self.station.on_online = self._came_online

    def _came_online(self) -> None:
        self._onlines += 1
        self._recorder.notify()

    @property
    def identity(self) -> str:
        return self.station.identity

    @property
    def version(self) -> VersionSpec:
        return self.station.version

    @property
    def frames(self) -> list[Frame]:
        return self._recorder.frames

    @property
    def online(self) -> bool:
        """Connected and Accepted by the central system."""
        return self.station.online

    # -- what a driver and the hardware do ------------------------------------------------------

    async def plug(self, connector: int = 1, *, ev: Ev | EvProfile | None = None) -> None:
        """The driver plugs the cable in (``ev``: the car behind it)."""
        self._verbs.plug(connector, 1, ev=ev)
        self._recorder.notify()

    async def present(self, id_tag: str, connector: int | None = None) -> None:
        """The driver presents ``id_tag`` at the reader (for ``connector``: default, the one
        the station picks)."""
        self._verbs.present_id_token(id_tag, connector)
        self._recorder.notify()

    async def unplug(self, connector: int = 1) -> None:
        """The driver unplugs (a transaction on the connector ends as the station is set)."""
        self._verbs.unplug(connector, 1)
        self._recorder.notify()

    async def start_session(
        self, id_tag: str, connector: int = 1, *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        """Plug in, present ``id_tag`` and wait until the connector is Charging.

        Raises:
            WaitTimedOut: it was not Charging within ``timeout`` seconds.
        """
        await self.plug(connector)
        await self.present(id_tag, connector)
        await self.wait_for_status(connector, "Charging", timeout=timeout)

    async def inject_fault(
        self, fault: str = "GroundFailure", connector: int = 1, *, info: str | None = None
    ) -> None:
        """The connector fails with ``fault``, a word of the station's version (1.6
        ChargePointErrorCode; 2.0.1 a fault reason or a 1.6 code), ending its transaction.

        Raises:
            ValueError: a fault the version's station does not take.
        """
        self._verbs.inject_fault(connector, 1, self._verbs.TERMS.fault_named(fault, info))
        self._recorder.notify()

    async def clear_fault(self, connector: int = 1) -> None:
        self._verbs.clear_fault(connector, 1)
        self._recorder.notify()

    async def send_meter_values(self, connector: int = 1) -> str:
        """The connector's meter sent now; the message's action (MeterValues, or a 2.0.1
        TransactionEvent during a transaction)."""
        action = self._verbs.send_meter_values_now(connector)
        self._recorder.notify()
        return action

    async def configure(self, **settings: str) -> dict[str, str]:
        """Set configuration keys (1.6) or ``Component.Variable`` (2.0.1) as the central system
        would; each one's status."""
        return self._verbs.set_configuration([Setting(k, v) for k, v in settings.items()])

    async def reconnect(self, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Drop the connection and connect again (no new boot: it was Accepted); return once
        it is back online.

        Raises:
            WaitTimedOut: not online again within ``timeout`` seconds.
        """
        # (Counted per station: a fleet's runtimes share their connect counters.)
        onlines = self._onlines
        self.station.redial()
        await self._recorder.wait_for(
            lambda: True if self.station.online and self._onlines > onlines else None,
            timeout,
            f"{self.identity} to reconnect",
            self._seen_connection,
        )

    # -- what the central system hears --------------------------------------------------------

    def respond_to(self, action: str, answer: Answer | None) -> None:
        """Answer the central system's ``action`` with ``answer`` from now on, in place of
        the station's own behaviour (None: the station's own again)."""
        if answer is None:
            self._answers.pop(action, None)
        elif callable(answer):
            self._answers[action] = answer
        else:
            fixed = dict(answer)
            self._answers[action] = lambda payload: dict(fixed)

    # -- waits ------------------------------------------------------------------------------

    async def wait_online(self, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Return once the station is connected and Accepted (its boot answered).

        Raises:
            WaitTimedOut: not within ``timeout`` seconds.
        """
        await self._recorder.wait_for(
            lambda: True if self.station.online else None,
            timeout,
            f"{self.identity} to be accepted by its central system",
            self._seen_connection,
        )

    async def wait_for_status(
        self, connector: int, status: str, *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        """Return once ``connector`` is in ``status``: a 1.6 ChargePointStatus (Available,
        Preparing, Charging, SuspendedEV, Finishing, Faulted...), on either version, or the
        version's own word (2.0.1 Occupied).

        Raises:
            WaitTimedOut: not within ``timeout`` seconds (the message has the statuses seen).
        """
        seen: list[str] = []

        def reached() -> bool | None:
            now = self.station.model.connector(connector, 1).status
            if not seen or seen[-1] != now.value:
                seen.append(now.value)
            said = self.station.reported_status(now)
            return True if status in (now.value, said) else None

        await self._recorder.wait_for(
            reached,
            timeout,
            f"connector {connector} of {self.identity} to be {status}",
            lambda: f"its statuses were {' -> '.join(seen)}; {self._recorder.last_frames()}",
        )

    async def expect_call(self, action: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> Frame:
        """The first CALL of ``action`` from the central system that no expectation took yet
        (one that came before is not missed), waiting up to ``timeout`` seconds.

        Raises:
            WaitTimedOut: none came.
        """
        return await self._recorder.wait_for(
            lambda: self._recorder.take_call(action, "received"),
            timeout,
            f"a {action} CALL from the central system to {self.identity}",
        )

    async def expect_sent(self, action: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> Frame:
        """The first CALL of ``action`` the station sent that no expectation took yet.

        Raises:
            WaitTimedOut: none went within ``timeout`` seconds.
        """
        return await self._recorder.wait_for(
            lambda: self._recorder.take_call(action, "sent"),
            timeout,
            f"{self.identity} to send {action}",
        )

    def _seen_connection(self) -> str:
        runtime = self.runtime
        said = f"its connection is {runtime.phase}"
        if runtime.last_error:
            said += f" (last error: {runtime.last_error})"
        registration = self.station.registration
        if registration is not Registration.ACCEPTED:
            said += f", its registration {registration.value}"
        return f"{said}; {self._recorder.last_frames()}"


class StationFactory:
    """``ocpp_station``: builds and starts stations for one test, stops them at its end.

    Args:
        clock: every station's clock (None: the system clock); the seam of a clock that
            fast-forwards.
        seed: seeds the stations' message ids and reconnection jitter (``Fleet``'s seed).
    """

    __test__ = False

    def __init__(self, clock: Clock | None = None, seed: int | None = None) -> None:
        self._clock = clock
        self._seed = seed
        self._fleet: Fleet | None = None
        self.stations: list[SimStation] = []

    @property
    def fleet(self) -> Fleet:
        """The fleet the stations run on (made on first use, on the running loop)."""
        if self._fleet is None:
            self._fleet = Fleet(clock=self._clock, seed=self._seed)
        return self._fleet

    async def __call__(
        self,
        csms_url: str,
        version: str = "1.6",
        *,
        template: StationTemplate | str = DEFAULT_TEMPLATE,
        identity: str | None = None,
        password: str | None = None,
        configuration: Mapping[str, str] | None = None,
        wait_online: bool = True,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> SimStation:
        """A station connected to ``csms_url`` (its identity appended to the path).

        Args:
            version: the OCPP version it speaks ("1.6", "2.0.1", any spelling).
            template: a catalog template or its id (vendor, model, connectors, power).
            identity: its OCPP identity (default ``CP-1``, ``CP-2``... in the test).
            password: its HTTP Basic password (security profile 1; 2 on ``wss://``).
            configuration: keys set before it connects, as a central system would set them.
            wait_online: return once it is Accepted (else: once it is started).
            timeout: seconds that wait may take.

        Raises:
            WaitTimedOut: not Accepted within ``timeout`` seconds.
            ValueError: an unknown version or template, a repeated identity, a bad URL.
        """
        fleet = self.fleet
        recorder = FrameRecorder()
        settings = [Setting(key, value) for key, value in (configuration or {}).items()]

        def setup(station: SimulatedStation) -> None:
            station.frame_log = RecordingLog(station.frame_log.size, recorder, station.identity)
            if settings:
                verbs_of(station).set_configuration(settings)

        [name] = fleet.add(
            template_of(template),
            csms_url=csms_url,
            version=named_version(version),
            ids=[identity or f"CP-{len(self.stations) + 1}"],
            password=password,
            setup=setup,
        )
        sim = SimStation(fleet.runtime(name), recorder)
        self.stations.append(sim)
        fleet.start(name)
        if wait_online:
            await sim.wait_online(timeout=timeout)
        return sim

    async def aclose(self) -> None:
        """Stop every station (a close frame each, then the TCP close)."""
        if self._fleet is not None:
            await self._fleet.stop_all()
