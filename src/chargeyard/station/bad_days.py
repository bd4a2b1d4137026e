"""Bad days on demand: a station's own faults, switched on and off while it runs.

Theory of operation
-------------------
A station's :class:`BadDays` (``station.bad_days``, made on first use by :func:`bad_days_of`)
holds what is wrong with it: a clock fault (``clock_faults.py``: the station's ``clock``
becomes a :class:`~chargeyard.station.clock_faults.FaultyClock` until it is cleared) and the
firmware misbehaviours switched on (``misbehaviour.py``). Whoever makes the bad day (the chaos
faults of the fleet, a test) calls::

    days = bad_days_of(station)
    days.set_clock(ClockFault(offset_s=-300, drift_ppm=50, jump=ClockJump(after_s=600)))
    days.clear_clock()
    days.switch_on(Misbehaviour.METER_BACKWARDS)
    days.switch_off(Misbehaviour.METER_BACKWARDS)
    days.clear()                        everything off, the clock true again
    snapshot_of(station)                what is wrong now (BadDaysSnapshot, JSON-able)

It stays sans-I/O: what the misbehaviours send goes out as the station's other messages do,
through ``call`` on its session, and what follows a message (the StatusNotification of a
connector it lacks, the BootNotification after a transaction's start) on its next tick. The
station asks it at two points: every CALL it sends passes :meth:`BadDays.outgoing`
(``connection.py``), and every time its energy is integrated, :meth:`BadDays.advanced`
(``core.py``).

When the station's time moves (a fault set or cleared, a jump), the energy is integrated up
to that instant on the time it had and goes on from the new one, so that a clock set an hour
ahead does not charge the EV for an hour, and the clock-aligned readings align to the new time
(as after a reboot).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from chargeyard.protocol import Payload
from chargeyard.station.clock import Clock, iso
from chargeyard.station.clock_faults import RTC_RESET, ClockFault, ClockJump, FaultyClock
from chargeyard.station.misbehaviour import DIALECTS, Dialect, Misbehaviour, Told

if TYPE_CHECKING:
    from chargeyard.station.core import SimulatedStation

_JUMP_TIMER = "bad_days:clock_jump"

# A payload as the station hands it over (a dict, or a generated message type).
_Sent = TypeVar("_Sent", bound=Told)


@dataclass(frozen=True, slots=True)
class ClockState:
    """A station's clock fault, as it stands.

    Attributes:
        fault: what was set.
        reads: what the station's clock reads now.
        skew_s: how far it is ahead of the true time (negative: behind).
        jump_in_s: seconds until the jump; None: none to come.
        jumped: the jump happened.
    """

    fault: ClockFault
    reads: datetime
    skew_s: float
    jump_in_s: float | None
    jumped: bool

    def to_json(self) -> dict[str, Any]:
        jump = self.fault.jump
        return {
            "offset_s": self.fault.offset_s,
            "drift_ppm": self.fault.drift_ppm,
            "jump": None if jump is None else {"to": iso(jump.to), "after_s": jump.after_s},
            "reads": iso(self.reads),
            "skew_s": self.skew_s,
            "jump_in_s": self.jump_in_s,
            "jumped": self.jumped,
        }


@dataclass(frozen=True, slots=True)
class BadDaysSnapshot:
    """What is wrong with a station now: its clock fault (None: its clock is true) and the
    misbehaviours switched on, in :class:`Misbehaviour`'s order."""

    clock: ClockState | None = None
    misbehaviours: tuple[Misbehaviour, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "clock": None if self.clock is None else self.clock.to_json(),
            "misbehaviours": [behaviour.value for behaviour in self.misbehaviours],
        }


class BadDays:
    """One station's bad day; see the module docstring."""

    __slots__ = ("_on", "_own", "_registers", "_station")

    def __init__(self, station: SimulatedStation) -> None:
        self._station = station
        self._on: set[Misbehaviour] = set()
        # meter-backwards: each EVSE's register as last left, to turn what it gained around.
        self._registers: dict[int, float] = {}
        # Sending a message of its own (not to be misbehaved on again).
        self._own = False

    # -- the clock ---------------------------------------------------------------------------

    def set_clock(self, fault: ClockFault) -> None:
        """The station's clock is wrong by ``fault`` from now on (replacing any fault it had,
        which is measured from the true time)."""
        station = self._station
        station.advance()
        station.clock = FaultyClock(_true(station.clock), fault, self._jumped)
        station.timers.cancel(_JUMP_TIMER)
        if fault.jump is not None:
            # The clock jumps at its moment anyway; reading it then makes what follows a jump
            # (the clock-aligned readings aligned anew) happen then too.
            at = station.clock.monotonic() + fault.jump.after_s
            station.timers.set(_JUMP_TIMER, at, self._read_clock)
        self._time_moved()
        station.note(f"clock: {_described(fault)}; it reads {iso(station.clock.now())}")
        station.wake()  # (its runner looks at its timers again)

    def clear_clock(self) -> None:
        """The station's clock is true again."""
        station = self._station
        if not isinstance(station.clock, FaultyClock):
            return
        station.advance()
        station.clock = station.clock.true
        station.timers.cancel(_JUMP_TIMER)
        self._time_moved()
        station.note(f"clock: set right, it reads {iso(station.clock.now())}")
        station.wake()

    def _read_clock(self) -> None:
        self._station.clock.now()

    def _jumped(self, before: datetime, after: datetime) -> None:
        # Inside the clock's now(): energy up to the jump on the time before it, none across.
        model = self._station.model
        model.advance(before)
        model.last_advanced = after
        self._station.soon(self._after_jump)

    def _after_jump(self) -> None:
        station = self._station
        self._time_moved()
        station.note(f"clock: jumped, it reads {iso(station.clock.now())}")

    def _time_moved(self) -> None:
        station = self._station
        station.model.last_advanced = station.clock.now()
        if station.powered:  # (off: its power-on aligns them)
            DIALECTS[station.version].realign(station)

    # -- the misbehaviours -------------------------------------------------------------------

    def switch_on(self, behaviour: Misbehaviour) -> None:
        """Start misbehaving so (nothing changes if it already does)."""
        if behaviour in self._on:
            return
        station = self._station
        if behaviour is Misbehaviour.METER_BACKWARDS:
            station.advance()  # what flowed until now counted up
            self._registers = {
                i: e.meter.energy_register_wh for i, e in station.model.evses.items()
            }
        self._on.add(behaviour)
        station.note(f"firmware: {behaviour.value} on")
        if behaviour is Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR and station.online:
            self._tell_unknown_connector(None)
        elif behaviour is Misbehaviour.BOOT_IN_TRANSACTION:
            self._boot()

    def switch_off(self, behaviour: Misbehaviour) -> None:
        """Behave again (nothing changes if it did)."""
        if behaviour not in self._on:
            return
        if behaviour is Misbehaviour.METER_BACKWARDS:
            self._station.advance()  # what flowed until now counted down
            self._registers = {}
        self._on.discard(behaviour)
        self._station.note(f"firmware: {behaviour.value} off")

    def clear(self) -> None:
        """Every misbehaviour off and the clock true."""
        for behaviour in Misbehaviour:
            self.switch_off(behaviour)
        self.clear_clock()

    @property
    def misbehaviours(self) -> frozenset[Misbehaviour]:
        return frozenset(self._on)

    def snapshot(self) -> BadDaysSnapshot:
        on = tuple(behaviour for behaviour in Misbehaviour if behaviour in self._on)
        return BadDaysSnapshot(_clock_state(self._station.clock), on)

    # -- what the station asks ---------------------------------------------------------------

    def outgoing(self, action: str, payload: _Sent) -> _Sent:
        """The payload of a CALL the station sends now, as its misbehaviours have it; what
        follows it is queued for the next tick."""
        if not self._on or self._own:
            return payload
        dialect = self._dialect
        if Misbehaviour.UNKNOWN_TRANSACTION_ID in self._on:
            # (A copy with one id changed: the same message type, whatever the type says.)
            payload = cast(_Sent, dialect.unknown_transaction(action, payload))
        if Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR in self._on and action == "StatusNotification":
            told = payload
            self._station.soon(lambda: self._tell_unknown_connector(told))
        if Misbehaviour.BOOT_IN_TRANSACTION in self._on and dialect.starts_transaction(
            action, payload
        ):
            self._station.soon(self._boot)
        return payload

    def advanced(self) -> None:
        """The station's energy was integrated up to now: with meter-backwards on, what each
        register gained since it was last left is taken off instead (down to 0)."""
        if Misbehaviour.METER_BACKWARDS not in self._on:
            return
        for evse_id, evse in self._station.model.evses.items():
            meter = evse.meter
            seen = self._registers.get(evse_id, meter.energy_register_wh)
            gained = meter.energy_register_wh - seen
            if gained > 0:
                # On purpose: the register is cumulative and Meter.set_register refuses this.
                meter.energy_register_wh = max(0.0, seen - gained)
            self._registers[evse_id] = meter.energy_register_wh

    # -- helpers -----------------------------------------------------------------------------

    @property
    def _dialect(self) -> Dialect:
        return DIALECTS[self._station.version]

    def _tell_unknown_connector(self, told: Told | None) -> None:
        """The StatusNotification ``told`` again of a connector the station lacks (None: one
        of its own), while the misbehaviour is still on."""
        if Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR not in self._on:
            return
        station = self._station
        self._send_own("StatusNotification", self._dialect.unknown_connector(station, told))

    def _send_own(self, action: str, payload: Payload) -> None:
        self._own = True
        try:
            self._station.call(action, payload)
        finally:
            self._own = False

    def _boot(self) -> None:
        """A BootNotification while a transaction runs, the registration standing (while
        Accepted only: before, the station is registering anyway)."""
        station = self._station
        if Misbehaviour.BOOT_IN_TRANSACTION not in self._on or not station.online:
            return
        if not any(True for _ in station.model.transactions()):
            return
        self._own = True
        try:
            station.trigger_boot_notification()
        finally:
            self._own = False


def bad_days_of(station: SimulatedStation) -> BadDays:
    """The station's bad day, made now if it has none yet."""
    if station.bad_days is None:
        station.bad_days = BadDays(station)
    return station.bad_days


def snapshot_of(station: SimulatedStation) -> BadDaysSnapshot:
    """What is wrong with the station now (nothing when it never had a bad day)."""
    if station.bad_days is None:
        return BadDaysSnapshot(_clock_state(station.clock))
    return station.bad_days.snapshot()


def _true(clock: Clock) -> Clock:
    return clock.true if isinstance(clock, FaultyClock) else clock


def _clock_state(clock: Clock) -> ClockState | None:
    if not isinstance(clock, FaultyClock):
        return None
    reads = clock.now()  # (a jump now due happens first)
    return ClockState(
        clock.fault,
        reads,
        (reads - clock.true.now()).total_seconds(),
        clock.jump_in_s,
        clock.jumped,
    )


def _described(fault: ClockFault) -> str:
    said = f"{fault.offset_s:+g} s, {fault.drift_ppm:+g} ppm"
    if fault.jump is not None:
        said += f", to {iso(fault.jump.to)} in {fault.jump.after_s:g} s"
    return said


# What a maker of bad days needs, from one module.
__all__ = [
    "RTC_RESET",
    "BadDays",
    "BadDaysSnapshot",
    "ClockFault",
    "ClockJump",
    "ClockState",
    "Misbehaviour",
    "bad_days_of",
    "snapshot_of",
]
