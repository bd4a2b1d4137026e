"""Where a durable charger is in its deployment, and the timeline of how it got there: what
``GET /ocpp/deployment-runtime-ops/status`` and ``/events`` answer, in OCPPLab's stages.

Theory of operation
-------------------
Nothing here is recorded for the purpose: the stage and the timeline are read from what the
gateway keeps anyway, so that they cost the running stations nothing.

* the **current stage** (:func:`current_stage`) from the charger's row (``desired_state``,
  ``status``), its provisioning job (``provisioning.py``) and its station as its host sees it
  now (``StationStatus``: connection phase, registration, last error);
* the **timeline** (:func:`timeline`) from the job (``queued`` when stored, ``starting``
  when provisioned or failed), the host's log lines of the charger (``runtime started``,
  ``stopped``, ``failed: ...``) and the BootNotification answers in its frame log (``online``
  when Accepted, ``registering`` failed when Rejected). An ``online`` that follows a failure
  or a stop is ``recovered``.

OCPPLab's stages name a container platform's steps (scheduling, pulling); a chargeyard
charger is a task of its fleet host, so it goes ``queued`` -> ``starting`` -> ``connecting``
-> ``registering`` -> ``online`` (or ``offline``, ``stopped``, ``not_deployed``). ``attempt``
counts the runtime's starts. A stage is ``stuck`` when it has been in progress for longer than
:data:`STUCK_AFTER`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import orjson

from chargeyard.fleet.station_status import StationStatus
from chargeyard.gateway.provisioning import Provisioning
from chargeyard.store.models import ChargerLog, DesiredState, Frame, JobStatus, SimulatedCharger

STUCK_AFTER = timedelta(minutes=2)
"""How long a stage may be in progress before it is called stuck."""

_STARTS = ("runtime started", "runtime restarted")


@dataclass(frozen=True, slots=True)
class StageEvent:
    """One step of a charger's deployment (``DeploymentStageEvent``)."""

    identity: str
    attempt: int
    stage: str
    outcome: str
    at: datetime
    code: str | None = None
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Stage:
    """Where a charger is now (``DeploymentStageStatus``)."""

    identity: str
    attempt: int
    stage: str
    outcome: str
    since: datetime | None
    code: str | None = None
    hint: str | None = None


def attempts(lines: Iterable[ChargerLog]) -> int:
    """How many times the charger's runtime was started."""
    return sum(1 for line in lines if line.message.startswith(_STARTS))


def current_stage(
    charger: SimulatedCharger,
    provisioning: Provisioning,
    live: StationStatus | None,
    attempt: int,
    last_change: datetime | None,
    now: datetime,
) -> Stage:
    """The charger's stage now; ``last_change`` is when its timeline last moved."""
    since = last_change or charger.updated_at

    def stage(name: str, outcome: str, code: str | None = None, hint: str | None = None) -> Stage:
        if outcome == "in_progress" and since is not None and now - since > STUCK_AFTER:
            outcome = "stuck"
        return Stage(charger.identity, attempt, name, outcome, since, code, hint)

    if provisioning.status in (JobStatus.PENDING, JobStatus.PROVISIONING):
        return stage("queued", "in_progress")
    if provisioning.status == JobStatus.FAILED and provisioning.error is not None:
        error = provisioning.error
        name = "not_deployed" if error.get("code") == "invalid_definition" else "starting"
        return stage(name, "failed", str(error.get("code")), str(error.get("message")))
    if charger.desired_state == DesiredState.STOPPED:
        return stage("stopped", "succeeded")
    if charger.status == "failed":
        return stage("starting", "failed", "runtime_failed", "see the charger's logs")
    if live is None or not live.running:
        return stage("offline", "failed", "not_running", "its fleet host does not run it")
    if live.connection in ("dialing", "backoff"):
        if live.last_error:
            return stage("connecting", "failed", "csms_unreachable", live.last_error)
        return stage("connecting", "in_progress")
    if live.registration == "Accepted":
        return stage("online", "succeeded")
    if live.registration == "Rejected":
        return stage("registering", "failed", "csms_rejected", "BootNotification Rejected")
    return stage("registering", "in_progress")


def timeline(
    charger: SimulatedCharger,
    job_created: datetime | None,
    provisioning: Provisioning,
    lines: Sequence[ChargerLog],
    boot_answers: Sequence[Frame],
) -> list[StageEvent]:
    """The charger's stage changes, oldest first."""
    identity = charger.identity
    raw: list[tuple[datetime, str, str, str | None, str | None]] = []
    if job_created is not None:
        raw.append((job_created, "queued", "in_progress", None, None))
    if provisioning.status == JobStatus.FAILED and provisioning.error is not None:
        error = provisioning.error
        at = job_created or charger.created_at
        raw.append((at, "starting", "failed", str(error.get("code")), str(error.get("message"))))
    for line in lines:
        text = line.message
        if text.startswith(_STARTS):
            raw.append((line.at, "starting", "succeeded", None, None))
        elif text.startswith("runtime stopped"):
            raw.append((line.at, "stopped", "succeeded", None, None))
        elif text.startswith("runtime failed"):
            raw.append((line.at, "starting", "failed", "runtime_failed", text))
    for frame in boot_answers:
        status = _boot_status(frame.text)
        if status == "Accepted":
            raw.append((frame.at, "online", "succeeded", None, None))
        elif status == "Rejected":
            raw.append((frame.at, "registering", "failed", "csms_rejected", "Rejected"))
    raw.sort(key=lambda event: event[0])
    events: list[StageEvent] = []
    attempt = 0
    troubled = False
    for at, stage, outcome, code, hint in raw:
        if stage == "starting" and outcome == "succeeded":
            attempt += 1
        event = StageEvent(identity, attempt, stage, outcome, at, code, hint)
        if stage == "online":
            if troubled:
                event = replace(event, outcome="recovered")
            troubled = False
        elif outcome == "failed" or stage == "stopped":
            troubled = True
        events.append(event)
    return events


def _boot_status(text: str) -> str | None:
    """The status of a BootNotification CALLRESULT frame (None: another frame)."""
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(message, list) or len(message) != 3 or message[0] != 3:
        return None
    payload = message[2]
    status = payload.get("status") if isinstance(payload, dict) else None
    return status if isinstance(status, str) else None


OUTCOMES: dict[str, frozenset[str]] = {
    "failed": frozenset({"failed"}),
    "stuck": frozenset({"stuck"}),
    "recovered": frozenset({"recovered"}),
    "alerts": frozenset({"failed", "stuck"}),
}
"""The ``outcome`` filters of the events: which outcomes each keeps (``all``: every one)."""
