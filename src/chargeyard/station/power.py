"""Going down, power off and power on: how a station restarts or switches off.

A station that decides to restart (a Reset, a firmware installation, a power cycle asked for)
or to switch off first finishes its conversation, as a real one does before it closes its
socket: it starts nothing new, waits for the answers to the calls it already sent (each within
its call timeout), and, when asked to drain, keeps sending its queued transaction messages for a
few seconds. After answering a Reset it leaves the central system a moment to close the
connection first (``linger_s``, :data:`CLOSE_WAIT_AFTER_RESET_S`). Then the power goes: every
timer stops, and a reboot powers on again after its delay. So a message the central system
answered is never sent again after the boot; one whose answer did not come in time stays queued
and goes again (OCPP 1.6 section 4.10, 2.0.1 E13).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.station.power_loss import POWER_LOSS

if TYPE_CHECKING:
    from chargeyard.station.core import SimulatedStation

DEFAULT_REBOOT_DELAY_S = 5.0
"""How long a rebooting station stays off before it powers on again (a Reset, a firmware
installation), unless its ``reboot_delay_s`` says otherwise."""

DRAIN_BEFORE_REBOOT_S = 5.0
"""How long a graceful reset (1.6 Soft, 2.0.1 Immediate / OnIdle) keeps sending the transaction
messages it queued (the StopTransaction / TransactionEvent Ended of the transactions it ended)
before the power goes; an answer already awaited then still gets its call timeout."""

CLOSE_WAIT_AFTER_RESET_S = 1.0
"""How long a station that answered a Reset keeps its connection for the central system to
close it (1.6 section 5.14, 2.0.1 B11/B12: the answer must reach the CSMS before the station
restarts); the connection closing sooner powers it off at once. A central system that sees the
socket close in the same moment as the answer may count the Reset as failed."""

_POWER_ON = "power_on"
_LINGER_OVER = "going_down:linger"
_DRAIN_OVER = "going_down:drain"
_POWER_OFF = "going_down:power_off"


@dataclass(slots=True)
class _GoingDown:
    """A station on its way down: what happens once the power is off, and until when queued
    transaction messages still go out."""

    restart_after_s: float | None  # off this long, then power on; None: stays off
    drain_until: float  # monotonic; 0: nothing more leaves the queue
    linger_until: float  # monotonic; the power stays on until then while connected


class PowerCycle:
    """A station's way down and back up.

    Args:
        station: the station whose power it switches (its hooks ``on_going_down``,
            ``on_power_change`` and ``on_power_on``, its timers and clock).
        call_timeout: how long the last answers awaited may take before the power goes anyway.
        out_of_service: called as the station starts going down (nothing new starts).
        pump: sends what the transaction queue may send (a drain starts at once).
        busy: whether answers are awaited or, while draining, messages are queued: the power
            goes once it is False.

    Each callable is given the station.
    """

    # (one per station)
    __slots__ = (
        "_busy",
        "_call_timeout",
        "_down",
        "_out_of_service",
        "_pump",
        "_restarting",
        "_station",
    )

    def __init__(
        self,
        station: SimulatedStation,
        *,
        call_timeout: float,
        out_of_service: Callable[[SimulatedStation], None],
        pump: Callable[[SimulatedStation], None],
        busy: Callable[[SimulatedStation], bool],
    ) -> None:
        self._station = station
        self._call_timeout = call_timeout
        self._out_of_service = out_of_service
        self._pump = pump
        self._busy = busy
        self._down: _GoingDown | None = None
        self._restarting = False

    @property
    def restarting(self) -> bool:
        """Going down to power on again (a reboot), not to stay off (a switch-off); set from
        the moment the station hears it goes down (``on_going_down``) until the power goes."""
        return self._restarting

    @property
    def going_down(self) -> bool:
        """On its way down; the power is still on."""
        return self._down is not None

    @property
    def draining(self) -> bool:
        """Going down and still sending its queued transaction messages."""
        down = self._down
        return down is not None and self._station.clock.monotonic() < down.drain_until

    def require_power(self) -> None:
        """Raise unless the station is up: one going down or off takes no new session (its
        reader and its connector locks are dead, or about to be).

        Raises:
            OcppError: GenericError, saying which.
        """
        if not self._station.powered:
            raise OcppError(ErrorKind.GENERIC_ERROR, "the station is off (rebooting)")
        if self.going_down:
            raise OcppError(ErrorKind.GENERIC_ERROR, "the station is shutting down")

    def reboot(self, delay_s: float | None, *, drain_s: float, linger_s: float) -> None:
        """Restart: go down (finish the conversation, see the module docstring), stay off
        ``delay_s`` and boot again.

        Args:
            delay_s: how long the power stays off; None: the station's ``reboot_delay_s``.
            drain_s: keep sending queued transaction messages this long before the power goes
                (a graceful reset); 0: they wait in the queue for the boot after.
            linger_s: keep the connection at least this long for the central system to close
                it (after answering a Reset, :data:`CLOSE_WAIT_AFTER_RESET_S`).
        """
        delay = self._station.reboot_delay_s if delay_s is None else delay_s
        self.go_down(delay, drain_s, linger_s=linger_s)

    def power_cut(self, off_s: float | None, *, stop_first: bool) -> None:
        """The power fails now and comes back ``off_s`` later (None: after the station's
        ``reboot_delay_s``): no goodbye, nothing more is sent. Each transaction that ran ends
        with reason PowerLoss (1.6 section 7.39, 2.0.1 ReasonEnumType); its stop waits in the
        transaction queue, which survives as a charger's non-volatile memory does, and goes
        out once the boot after is Accepted (1.6 section 4.8, 2.0.1 E-block).

        ``stop_first``: a station with the energy to (hold-up capacitors, a small battery)
        ends its transactions with PowerLoss and delivers their stops before it goes dark
        (the conformance case TC_032_1_CS's station; TC_032_2_CS's reports them after)."""
        station = self._station
        if stop_first:
            station.stop_transactions(POWER_LOSS)
            station.reboot(delay_s=off_s, drain_s=DRAIN_BEFORE_REBOOT_S)
            return
        station.reboot(delay_s=off_s)
        station.stop_transactions(POWER_LOSS)
        self.power_off()

    def switch_off(self, drain_s: float) -> None:
        """Go down the same way and stay off (the station is being replaced, or its host
        process ends). ``drain_s`` as for :meth:`reboot`."""
        self.go_down(None, drain_s)

    def go_down(
        self, restart_after_s: float | None, drain_s: float, *, linger_s: float = 0.0
    ) -> None:
        """Start going down; the power goes once quiet, ``restart_after_s`` later it comes back
        (None: it stays off). ``drain_s``: how long queued transaction messages still go out.
        ``linger_s``: the power stays on at least this long, for the central system to close
        the connection first (the station's disconnect powers it off at once)."""
        station = self._station
        if self._down is not None or not station.powered:
            return  # already on its way down, or off
        self._restarting = restart_after_s is not None
        station.on_going_down()  # (its last words, e.g. a status, may still go out)
        self._out_of_service(self._station)
        now = station.clock.monotonic()
        self._down = _GoingDown(
            restart_after_s, now + drain_s if drain_s > 0 else 0.0, now + linger_s
        )
        if drain_s > 0:
            station.timers.set(_DRAIN_OVER, now + drain_s, self.power_off_when_quiet)
        if linger_s > 0:
            station.timers.set(_LINGER_OVER, now + linger_s, self.power_off_when_quiet)
        # Whatever the central system does, the power goes one call timeout after the drain.
        last = now + max(drain_s, linger_s) + self._call_timeout
        station.timers.set(_POWER_OFF, last, self.power_off)
        self._pump(self._station)
        self.power_off_when_quiet()
        station.wake()

    def power_off_when_quiet(self) -> None:
        """Power off once no answer is awaited, while draining the queue is empty, and the
        linger is over."""
        down = self._down
        station = self._station
        if down is None or station.clock.monotonic() < down.linger_until:
            return
        if not self._busy(station):
            self.power_off()

    def power_off(self) -> None:
        """The power goes now (if the station is going down)."""
        down, self._down = self._down, None
        if down is None:
            return
        self._restarting = False
        station = self._station
        station.on_power_change(False)
        station.powered = False
        station.wants_connection = False
        station.timers.cancel_all()
        if down.restart_after_s is not None:
            at = station.clock.monotonic() + down.restart_after_s
            station.timers.set(_POWER_ON, at, self._power_on)
        station.wake()

    def _power_on(self) -> None:
        station = self._station
        station.on_power_change(True)
        station.powered = True
        station.wants_connection = not station.network_down
        station.on_power_on()
        station.wake()


__all__ = [
    "CLOSE_WAIT_AFTER_RESET_S",
    "DEFAULT_REBOOT_DELAY_S",
    "DRAIN_BEFORE_REBOOT_S",
    "PowerCycle",
]
