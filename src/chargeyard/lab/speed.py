"""Which clock the lab runs on (``chargeyard up --speed``, ``--seed``, ``--run-for``).

With ``--speed`` the whole lab (the central system, the fleet host, the automatic sessions, the
API) runs on ``fast_forward.py``'s loop, so that its timers and every timestamp it sends or
stores follow one virtual clock. At ``max`` the clock stands still while the lab works and
jumps to the next timer, to the whole second it falls in (:data:`MAX_STEP_S`); the lab's peers
all run on that loop, SQLite too (on the loop's own thread, ``store/inline_sqlite.py``), so the
loop waits for no answer from elsewhere.

A central system elsewhere keeps wall time: a fleet fast-forwarded against it would send its
heartbeats, meter values and timestamps from the future. So a fast-forwarded lab refuses to
start while a charger it would run points at another central system (:func:`refuse_external`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from chargeyard.fast_forward import FastForwardLoop, loop_factory
from chargeyard.lab.settings import LabSettings
from chargeyard.startup import StartupFailure
from chargeyard.store import Store
from chargeyard.store.models import DesiredState

SEEDED_START = datetime(2026, 1, 1, tzinfo=UTC)
"""Where the clock of a seeded fast-forwarded lab starts: two runs with one seed keep the same
time as well as the same randomness."""


MAX_STEP_S = 1.0
"""At ``max`` the lab's clock moves in whole seconds: the timers due within one second run
together, so that the central system's database work for them overlaps rather than taking
turns (the first minutes of a 50-charger site: 28 times wall time, against 17 on an exact
clock), and the timestamps of a fast-forwarded run fall on whole seconds."""


class ExternalCsms(StartupFailure):
    """``--speed`` with a charger that reports to a central system other than the lab's own."""


def lab_loop(settings: LabSettings) -> Callable[[], FastForwardLoop] | None:
    """The loop factory ``--speed`` asks for (None: asyncio's own loop, wall time)."""
    if settings.speed is None:
        return None
    speed = settings.speed_factor
    return loop_factory(
        speed,
        start=SEEDED_START if settings.seed is not None else None,
        frozen=speed is None,
        answer_s=0.0,
        step_s=MAX_STEP_S,
    )


async def refuse_external(store: Store, own_url: str) -> None:
    """Refuse a fast-forwarded start while a charger that would run points elsewhere.

    Raises:
        ExternalCsms: naming the charger and its central system's URL.
    """
    own = own_url.rstrip("/")
    for charger in await store.chargers.all_desired(DesiredState.RUNNING):
        if charger.csms_url is not None and charger.csms_url.rstrip("/") != own:
            raise ExternalCsms(
                f"--speed runs the lab on a virtual clock, but charger {charger.identity}"
                f" ({charger.organization_id}) reports to {charger.csms_url}, a central"
                " system that keeps wall time; stop it or point it at the lab's own"
                f" ({own}), or start without --speed"
            )
