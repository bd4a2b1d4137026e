"""A simulated day: the lab of ``chargeyard up`` (its central system, the demo site's chargers
with automatic sessions, the API) run for eight hours on its clock at ``--speed max``, and how
long that took, next to the same lab at a real speed for a short slice in the same run.

Usage::

    python benchmarks/day.py [--chargers 50] [--hours 8] [--slice-minutes 10]
                             [--slice-speed 60] [--seed 1] [--json PATH]

Method
------
Each run is what ``chargeyard up --speed S --seed N --run-for D --chargers C`` does, in this
process (``lab.run.run`` on the loop ``lab.speed.lab_loop`` makes), on a fresh data directory
(SQLite) with free ports, logging at WARNING:

* ``max``: ``--hours`` of lab time at ``--speed max``: the clock stands still while the lab
  works and jumps to the next timer, so the wall time is the CPU the day costs (the lab's own
  and SQLite's threads);
* ``slice``: ``--slice-minutes`` of lab time at ``--speed --slice-speed`` (60: an hour a
  minute), the baseline: a clock that runs at a fixed multiple of wall time takes that
  multiple, as long as the lab keeps up.

Both start their site empty (the demo made, its chargers booting) on a seeded clock at
2026-01-01T00:00Z; the timed part starts once the lab is up (the run summary's own figures).
Figures per run: lab time, wall time, their ratio (the speed achieved), the sessions the
central system saw start, their energy, the OCPP messages the chargers sent and received, and
this process's CPU time. Printed besides: the wall time the day takes at speed 1 (the day
itself) and at the slice's speed, against the measured one.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console

from chargeyard.lab.run import run
from chargeyard.lab.run_summary import RunSummary
from chargeyard.lab.settings import LabSettings
from chargeyard.lab.speed import lab_loop


@dataclass(frozen=True, slots=True)
class Run:
    name: str
    speed: str
    lab_s: float
    wall_s: float
    ratio: float
    sessions: int
    energy_kwh: float
    frames: int
    cpu_s: float


def _run(name: str, speed: str, seconds: float, chargers: int, seed: int) -> Run:
    with tempfile.TemporaryDirectory(prefix="chargeyard-day-") as place:
        settings = LabSettings(
            data_dir=Path(place),
            ocpp_port=0,
            api_port=0,
            metrics_port=0,
            chargers=chargers,
            speed=speed,
            seed=seed,
            run_for=str(seconds),
            log_level="WARNING",
        )
        factory = lab_loop(settings)
        out = io.StringIO()

        async def forever() -> None:
            await asyncio.Event().wait()

        cpu = time.process_time()
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(run(settings, out, Console(file=io.StringIO()), forever))
        cpu = time.process_time() - cpu
    summary = _summary(out.getvalue())
    return Run(
        name,
        speed,
        summary.lab_s,
        summary.wall_s,
        summary.ratio,
        summary.sessions,
        summary.energy_wh / 1000,
        summary.frames,
        cpu,
    )


def _summary(printed: str) -> RunSummary:
    """The run summary's figures, read back from the line the lab printed."""
    import re

    line = printed.strip().splitlines()[-1]
    found = re.fullmatch(
        r"ran (.+) of lab time in ([0-9.]+) s of wall time \(([0-9,]+|inf)x\):"
        r" (\d+) sessions, ([0-9,.]+) kWh, ([0-9,]+) frames",
        line,
    )
    if found is None:
        raise SystemExit(f"day.py: the lab printed no run summary: {line!r}")
    hours, _, rest = found[1].partition(" h ")
    if rest:
        lab_s = int(hours) * 3600 + int(rest.split()[0]) * 60
    else:
        minutes, _, seconds = found[1].partition(" min ")
        lab_s = int(minutes) * 60 + int(seconds.split()[0])
    return RunSummary(
        lab_s=float(lab_s),
        wall_s=float(found[2]),
        sessions=int(found[4]),
        energy_wh=float(found[5].replace(",", "")) * 1000,
        frames=int(found[6].replace(",", "")),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chargers", type=int, default=50)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--slice-minutes", type=float, default=10.0)
    parser.add_argument("--slice-speed", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    day_s = args.hours * 3600
    print(f"chargeyard lab, {args.chargers} chargers, seed {args.seed}", flush=True)
    runs = [
        _run("slice", f"{args.slice_speed:g}", args.slice_minutes * 60, args.chargers, args.seed),
        _run("max", "max", day_s, args.chargers, args.seed),
    ]
    print(
        f"{'run':<6} {'speed':>6} {'lab time':>10} {'wall':>9} {'ratio':>8} {'sessions':>9}"
        f" {'kWh':>9} {'frames':>9} {'CPU s':>8}"
    )
    for one in runs:
        print(
            f"{one.name:<6} {one.speed:>6} {one.lab_s / 3600:>9.2f}h {one.wall_s:>8.1f}s"
            f" {one.ratio:>7.0f}x {one.sessions:>9} {one.energy_kwh:>9.1f} {one.frames:>9,}"
            f" {one.cpu_s:>8.1f}"
        )
    slice_run, day = runs
    print(
        f"the {args.hours:g}-hour day: {day.wall_s:.1f} s at max; it takes {day_s:,.0f} s at"
        f" speed 1 ({day_s / day.wall_s:,.0f}x faster) and {day_s / slice_run.ratio:,.0f} s at"
        f" the slice's achieved {slice_run.ratio:.1f}x ({day.ratio / slice_run.ratio:.1f}x faster)"
    )
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(one) for one in runs], indent=2))


if __name__ == "__main__":
    sys.exit(main())
