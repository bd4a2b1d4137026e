"""One charger's runtime over a window, as ``GET /ocpp/deployment-runtime-ops/diagnostics``
answers it in OCPPLab's shape.

OCPPLab runs a charger as a container; chargeyard runs it as a station in its fleet host's
event loop. So the "deployment" has one replica while the charger is wanted running (ready
when its station is connected and Accepted), its one "pod" is that station (``restart_count``
its runtime's restarts), its "events" and "logs" are the lines its host wrote about it
(runtime started, stopped, failed, a refused command), and the verdict comes from its station
now: ``connected``, ``starting`` (dialing or booting), ``csms_unreachable`` (dialing again
after an error), ``csms_rejected`` (BootNotification Rejected), ``stopped``, ``crash_loop``
(its definition cannot run), else ``unknown``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chargeyard.api.gateway.schemas.runtime_ops import (
    DiagnosticsDeployment,
    DiagnosticsEvent,
    DiagnosticsLogLine,
    DiagnosticsLogs,
    DiagnosticsPod,
    DiagnosticsResponse,
    DiagnosticsVerdict,
    DiagnosticsWindow,
)
from chargeyard.fleet.station_status import StationStatus
from chargeyard.store.models import ChargerLog, DesiredState, SimulatedCharger

LEVELS = ("debug", "info", "warning", "error", "critical")

NOTE = (
    "chargeyard runs each charger as a station of its fleet host, not a container: one "
    "replica, one pod (the station), the host's log lines about it"
)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def verdict(charger: SimulatedCharger, live: StationStatus | None) -> DiagnosticsVerdict:
    """Why the charger is (not) running, from its row and its station now."""
    if charger.desired_state == DesiredState.STOPPED:
        return DiagnosticsVerdict(
            code="stopped", severity="info", title="Stopped", hint="start it to run it"
        )
    if charger.status == "failed":
        return DiagnosticsVerdict(
            code="crash_loop",
            severity="error",
            title="Cannot run",
            hint="its definition cannot be run: fix it with PUT /ocpp/chargers/{id}",
        )
    if live is None or not live.running:
        return DiagnosticsVerdict(
            code="unknown", severity="warning", title="Not running", hint="no host runs it now"
        )
    if live.connection in ("dialing", "backoff") and live.last_error:
        return DiagnosticsVerdict(
            code="csms_unreachable",
            severity="error",
            title="Central system unreachable",
            hint="check ws_url and that the central system listens",
            evidence=live.last_error,
        )
    if live.registration == "Rejected":
        return DiagnosticsVerdict(
            code="csms_rejected",
            severity="error",
            title="Rejected by the central system",
            hint="the central system answered its BootNotification Rejected",
        )
    if live.connection == "open" and live.registration == "Accepted":
        return DiagnosticsVerdict(
            code="connected", severity="ok", title="Connected", hint="nothing to fix"
        )
    return DiagnosticsVerdict(
        code="starting",
        severity="info",
        title="Starting",
        hint=f"connection {live.connection}, registration {live.registration}",
    )


def report(
    charger: SimulatedCharger,
    live: StationStatus | None,
    lines: Sequence[ChargerLog],
    since: datetime,
    until: datetime,
    level: str,
    tail_lines: int,
    *,
    previous: bool = False,
) -> DiagnosticsResponse:
    """The charger's diagnostics over ``[since, until)``; ``lines`` its log, newest first.
    ``previous`` asks for a crashed container's logs: a station has none apart, so the same
    lines are answered, said in ``notes``."""
    least = LEVELS.index(level)
    window = [line for line in reversed(lines) if since <= line.at < until]
    kept = [line for line in window if _rank(line.level) >= least]
    shown = kept[-tail_lines:]
    ready = live is not None and live.connection == "open" and live.registration == "Accepted"
    wanted = charger.desired_state == DesiredState.RUNNING
    restarts = sum(1 for line in lines if line.message.startswith("runtime restarted"))
    notes = [NOTE]
    if previous:
        notes.append("previous: a station keeps one log, shown whole")
    return DiagnosticsResponse(
        window=DiagnosticsWindow(since=_iso(since), until=_iso(until)),
        verdict=verdict(charger, live),
        deployment=DiagnosticsDeployment(replicas=int(wanted), ready_replicas=int(ready)),
        pods=[]
        if live is None
        else [
            DiagnosticsPod(
                phase="Running" if live.running else "Stopped",
                ready=ready,
                restart_count=restarts,
                waiting_reason=None if ready or not live.running else live.connection,
                waiting_message=None if ready else live.last_error,
            )
        ],
        events=[
            DiagnosticsEvent(
                ts=_iso(line.at),
                type="Warning" if _rank(line.level) >= LEVELS.index("warning") else "Normal",
                reason=None,
                message=line.message,
                count=1,
            )
            for line in window
        ],
        logs=DiagnosticsLogs(
            source="current" if shown else "none",
            truncated=len(kept) > len(shown),
            lines=[
                DiagnosticsLogLine(ts=_iso(line.at), level=line.level, text=line.message)
                for line in shown
            ],
        ),
        notes=notes,
    )


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else LEVELS.index("info")
