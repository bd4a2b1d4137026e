"""The station faults (a wrong clock, firmware misbehaviours) handed to the station's own bad
days (``station/bad_days.py``).

The chaos engine tells :func:`reconcile` the station faults active before a change and after
it; the station is moved from the one to the other: the clock of the newest active clock fault
(true again when none is left), and the misbehaviours of the active faults switched on. Only
what the faults switched is switched back: a misbehaviour switched on otherwise (a test, a
control) stays on when a fault of its kind ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from chargeyard.fleet.chaos.faults import Clock, Fault, Misbehaving
from chargeyard.station.bad_days import Misbehaviour, bad_days_of
from chargeyard.station.core import SimulatedStation


def reconcile(station: SimulatedStation, before: Sequence[Fault], after: Sequence[Fault]) -> None:
    """Move ``station`` from the station faults ``before`` to those ``after`` (see the module
    docstring)."""
    clock_before, clock_after = _newest_clock(before), _newest_clock(after)
    on_before, on_after = _behaviours(before), _behaviours(after)
    if clock_before == clock_after and on_before == on_after:
        return
    days = bad_days_of(station)
    if clock_after != clock_before:
        if clock_after is None:
            days.clear_clock()
        else:
            days.set_clock(clock_after.clock_fault())
    for behaviour in Misbehaviour:
        if behaviour in on_after and behaviour not in on_before:
            days.switch_on(behaviour)
        elif behaviour in on_before and behaviour not in on_after:
            days.switch_off(behaviour)


def _newest_clock(faults: Sequence[Fault]) -> Clock | None:
    clocks = [fault for fault in faults if isinstance(fault, Clock)]
    return clocks[-1] if clocks else None


def _behaviours(faults: Sequence[Fault]) -> frozenset[Misbehaviour]:
    return frozenset(
        Misbehaviour(fault.behaviour) for fault in faults if isinstance(fault, Misbehaving)
    )


__all__ = ["reconcile"]
