"""What a lab run with ``--run-for`` prints as it ends: how long it ran on its clock and in
wall time, and what happened meanwhile (sessions, energy, frames)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chargeyard.fleet.fleet import Fleet
from chargeyard.store import Store


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A finished run.

    Attributes:
        lab_s: seconds on the lab's clock (virtual with ``--speed``).
        wall_s: seconds of wall time they took.
        sessions: transactions the central system saw start in the run.
        energy_wh: the energy of those that ended.
        frames: OCPP messages the lab's simulated chargers sent and received in the run.
    """

    lab_s: float
    wall_s: float
    sessions: int
    energy_wh: float
    frames: int

    @property
    def ratio(self) -> float:
        """Lab time per wall time (the speed the run achieved)."""
        return self.lab_s / self.wall_s if self.wall_s > 0 else float("inf")

    def text(self) -> str:
        return (
            f"ran {_hours(self.lab_s)} of lab time in {self.wall_s:.1f} s of wall time"
            f" ({self.ratio:,.0f}x): {self.sessions} sessions, {self.energy_wh / 1000:,.1f} kWh,"
            f" {self.frames:,} frames"
        )


def frames_of(fleets: Iterable[Fleet | None]) -> int:
    """The messages ``fleets``' stations have sent and received so far."""
    return sum(f.stats.frames_sent + f.stats.frames_received for f in fleets if f is not None)


async def summarize(
    store: Store, *, since: datetime, frames: int, lab_s: float, wall_s: float
) -> RunSummary:
    """The run that began at ``since`` (the lab's clock), its chargers' ``frames``."""
    sessions, energy_wh = await store.transactions.totals(since=since)
    return RunSummary(lab_s, wall_s, sessions, energy_wh, frames)


def _hours(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min" if hours else f"{rest // 60} min {rest % 60:02d} s"
