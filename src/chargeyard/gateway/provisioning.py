"""Provisioning durable chargers in the background: the work behind the ``202`` of
``POST /ocpp/chargers`` and ``POST /ocpp/locations/{id}/chargers``.

Theory of operation
-------------------
The hosted product answers a creation at once and provisions infrastructure afterwards; so do
we, and a :class:`~chargeyard.store.models.GatewayJob` row says how far it got. Here
"provisioning" means: the charger's rows exist, its runtime definition builds (catalog
template, OCPP version, CSMS URL: :func:`~chargeyard.gateway.definitions.definition_of`), and, when
it was created to run (``start``, the default), its station was started by the fleet host.

* one charger: ``PROVISIONING`` -> ``READY`` (``provisioned_at`` set) or ``FAILED`` with
  ``error = {code, message, retryable}``;
* a bulk job: ``PENDING`` -> ``PROVISIONING`` -> ``READY`` when every charger was created
  (and started if asked), ``FAILED`` when at least one was not; ``results`` counts
  ``created`` (stored, and started if asked) and ``failed`` (not stored: identity taken; or
  stored but not runnable, its row kept with status ``failed``) and lists the failures. The
  rows are written in one transaction and the stations started with
  :meth:`~chargeyard.gateway.host.FleetHost.start_chargers` (a few writes in all), so a
  thousand chargers cost a few statements, not thousands.

A charger created to run is stored wanting to run (``desired_state`` running) from the start:
a command sent right after the 202 waits for its host to run it (``dispatch.py``), and in a
cluster a worker's lease pass starts it should the start asked here never reach a worker.

READY does not wait for the CSMS to accept the station's BootNotification: the station keeps
trying on its own (as a real one would), and ``GET /ocpp/chargers/{id}`` shows its
registration. A charger's own status (``GET /ocpp/chargers/{id}/status``) is read from the job
that created it (``config["job_id"]``): :func:`charger_provisioning`.

A charger pointed at the built-in central system has its station registered there, in the
charger's organization, with its row (``store/repositories/_identity_owners.py``): the central
system then admits it into that organization, and an identity that is another organization's
station there is refused like one another organization's charger uses.

Every job runs as a task owned by the :class:`Provisioner` (``close()`` cancels what runs; a
job interrupted that way stays ``PROVISIONING`` in the store).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargeyard.bus import BusUnreachable
from chargeyard.gateway.definitions import definition_of
from chargeyard.gateway.runtimes import (
    FAILED,
    ChargerRuntimeError,
    ChargerRuntimes,
    NoAnswer,
    RuntimeReport,
)
from chargeyard.store import NotFoundError, Store
from chargeyard.store.ids import new_id
from chargeyard.store.models import (
    DesiredState,
    GatewayJob,
    JobStatus,
    JobType,
    SimulatedCharger,
)
from chargeyard.store.repositories import BuiltIn
from chargeyard.store.types import utc_now

logger = logging.getLogger(__name__)

JOB_ID_KEY = "job_id"
"""The key of a charger's ``config`` naming the job that created it."""


def _error(code: str, message: str, *, retryable: bool) -> dict[str, Any]:
    return {"code": code, "message": message, "retryable": retryable}


@dataclass(frozen=True, slots=True)
class BulkBatch:
    """Chargers of one bulk item: :meth:`SimulatedChargerRepository.create_many` values."""

    chargers: Sequence[dict[str, Any]]
    start: bool


@dataclass(frozen=True, slots=True)
class Provisioning:
    """A charger's provisioning state, as ``GET /ocpp/chargers/{id}/status`` answers it."""

    status: str
    workflow_run_id: str | None
    error: dict[str, Any] | None
    provisioned_at: datetime | None


class Provisioner:
    """Creates chargers and finishes their provisioning in tasks it owns. ``built_in`` tells
    under which identity a charger is known at the built-in central system, when its URL
    reaches that one (``built_in_csms.py``; None: no URL does)."""

    def __init__(
        self, store: Store, host: ChargerRuntimes, *, built_in: BuiltIn | None = None
    ) -> None:
        self.store = store
        self.host = host
        self.built_in = built_in
        self._tasks: set[asyncio.Task[None]] = set()

    async def create_charger(
        self, organization_id: str, values: dict[str, Any], *, start: bool
    ) -> tuple[SimulatedCharger, GatewayJob]:
        """Store the charger and its job, and provision it in the background.

        Raises:
            NotFoundError: its location is not this organization's.
            ConflictError: its identity is taken in this organization, or by another
                organization at the same central system (its charger, or its station at the
                built-in central system).
        """
        job_id = new_id("job-")
        config = dict(values.get("config") or {})
        config[JOB_ID_KEY] = job_id
        # Created to run: it wants to run from now on, so a command sent at once waits for
        # its host to start it (``dispatch.py``), and a worker's lease pass starts it should
        # this process's start below never reach one.
        charger = await self.store.chargers.create(
            organization_id,
            **{**values, "config": config},
            built_in=self.built_in,
            desired_state=DesiredState.RUNNING if start else DesiredState.STOPPED,
        )
        job = await self.store.jobs.create(
            organization_id,
            JobType.CREATE_CHARGER,
            job_id=job_id,
            location_id=charger.location_id,
            charger_id=charger.id,
            status=JobStatus.PROVISIONING,
            request={"start": start},
        )
        self._spawn(self._provision_one(organization_id, job.id, charger.id, start))
        return charger, job

    async def create_chargers(
        self,
        organization_id: str,
        location_id: str,
        batches: Sequence[BulkBatch],
        request: dict[str, Any],
    ) -> GatewayJob:
        """Store a bulk job (``PENDING``) and create its chargers in the background."""
        job = await self.store.jobs.create(
            organization_id,
            JobType.BULK_CREATE_CHARGERS,
            location_id=location_id,
            request=request,
        )
        self._spawn(self._provision_many(organization_id, job.id, location_id, batches))
        return job

    async def wait_idle(self) -> None:
        """Return once every job started so far has finished (tests; bound it with a timeout)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work, name="gateway-provisioning")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- one charger ---------------------------------------------------------------------------

    async def _provision_one(
        self, organization_id: str, job_id: str, charger_id: str, start: bool
    ) -> None:
        try:
            error = await self._bring_up(organization_id, charger_id, start)
        except Exception as unexpected:  # the job must end, whatever happened
            logger.exception("provisioning %s failed", charger_id)
            error = _error("internal_error", repr(unexpected), retryable=True)
        if error is None:
            await self.store.jobs.update(
                organization_id,
                job_id,
                status=JobStatus.READY,
                results={"created": 1, "failed": 0, "charger_ids": [charger_id]},
                provisioned_at=utc_now(),
            )
        else:
            await self.store.jobs.update(
                organization_id,
                job_id,
                status=JobStatus.FAILED,
                results={"created": 1, "failed": 1, "charger_ids": [charger_id]},
                error=error,
            )

    async def _bring_up(
        self, organization_id: str, charger_id: str, start: bool
    ) -> dict[str, Any] | None:
        charger = await self.store.chargers.get(organization_id, charger_id)
        if charger is None:
            return _error("charger_deleted", "the charger was deleted", retryable=False)
        try:
            definition_of(charger)
        except ChargerRuntimeError as error:
            # (no host can run it: nothing waits for it, no worker takes it)
            await self.store.chargers.set_states(
                organization_id, [charger_id], desired_state=DesiredState.STOPPED, status=FAILED
            )
            return _error("invalid_definition", str(error), retryable=False)
        if not start:
            return None
        try:
            await self.host.start_charger(organization_id, charger_id)
        except NotFoundError:
            return _error("charger_deleted", "the charger was deleted", retryable=False)
        except (ChargerRuntimeError, NoAnswer, BusUnreachable) as error:
            return _error("runtime_failed", str(error), retryable=True)
        return None

    # -- many chargers -------------------------------------------------------------------------

    async def _provision_many(
        self,
        organization_id: str,
        job_id: str,
        location_id: str,
        batches: Sequence[BulkBatch],
    ) -> None:
        created: list[str] = []
        failures: list[dict[str, Any]] = []
        error: dict[str, Any] | None = None
        try:
            await self.store.jobs.update(organization_id, job_id, status=JobStatus.PROVISIONING)
            for batch in batches:
                await self._create_batch(organization_id, job_id, batch, created, failures)
        except Exception as unexpected:  # the job must end, whatever happened
            logger.exception("bulk job %s failed", job_id)
            error = _error("internal_error", repr(unexpected), retryable=True)
        if error is None and failures:
            code = "all_failed" if not created else "some_failed"
            error = _error(
                code, f"{len(failures)} of the chargers could not be provisioned", retryable=False
            )
        await self.store.jobs.update(
            organization_id,
            job_id,
            status=JobStatus.FAILED if error else JobStatus.READY,
            results={
                "created": len(created),
                "failed": len(failures),
                "charger_ids": created,
                "failures": failures,
            },
            error=error,
            provisioned_at=None if error else utc_now(),
        )

    async def _create_batch(
        self,
        organization_id: str,
        job_id: str,
        batch: BulkBatch,
        created: list[str],
        failures: list[dict[str, Any]],
    ) -> None:
        values = [
            {**charger, "config": {**(charger.get("config") or {}), JOB_ID_KEY: job_id}}
            for charger in batch.chargers
        ]
        chargers, taken, elsewhere = await self.store.chargers.create_many(
            organization_id, values, built_in=self.built_in
        )
        failures += [
            {
                "charger_id": None,
                "identity": identity,
                "code": "identity_taken",
                "error": "identity already taken",
            }
            for identity in taken
        ]
        failures += [
            {
                "charger_id": None,
                "identity": identity,
                "code": "identity_used_by_another_organization",
                "error": "identity used by another organization's charger against the same"
                " central system",
            }
            for identity in elsewhere
        ]
        startable: list[SimulatedCharger] = []
        for charger in chargers:
            try:
                definition_of(charger)
            except ChargerRuntimeError as problem:
                failures.append(_failure(charger, "invalid_definition", str(problem)))
                continue
            startable.append(charger)
        unbuildable = [c.id for c in chargers if c not in startable]
        if unbuildable:  # as the fleet host marks a charger it cannot build
            await self.store.chargers.set_states(organization_id, unbuildable, status=FAILED)
        if batch.start and startable:
            reports = await self.host.start_chargers(
                organization_id, [charger.id for charger in startable]
            )
            refused = {
                charger_id: report
                for charger_id, report in reports.items()
                if not isinstance(report, RuntimeReport)
            }
            failures += [
                _failure(c, "runtime_failed", refused[c.id]) for c in startable if c.id in refused
            ]
            startable = [charger for charger in startable if charger.id not in refused]
        created += [charger.id for charger in startable]


def _failure(charger: SimulatedCharger, code: str, error: str) -> dict[str, Any]:
    return {"charger_id": charger.id, "identity": charger.identity, "code": code, "error": error}


async def charger_provisioning(store: Store, charger: SimulatedCharger) -> Provisioning:
    """The provisioning state of ``charger``, from the job that created it. A charger made
    without a job (by the store directly) is READY since it was created."""
    job_id = (charger.config or {}).get(JOB_ID_KEY)
    job = None if job_id is None else await store.jobs.get(charger.organization_id, str(job_id))
    if job is None:
        return Provisioning(JobStatus.READY, None, None, charger.created_at)
    if job.job_type == JobType.CREATE_CHARGER or job.status in (
        JobStatus.PENDING,
        JobStatus.PROVISIONING,
    ):
        at = job.provisioned_at if job.status == JobStatus.READY else None
        return Provisioning(job.status, job.workflow_run_id, job.error, at)
    # A bulk job that ended: this charger's own outcome.
    for failure in job.results.get("failures", []):
        if failure.get("charger_id") == charger.id:
            code = str(failure.get("code", "runtime_failed"))
            retryable = code == "runtime_failed"
            error = _error(code, str(failure.get("error")), retryable=retryable)
            return Provisioning(JobStatus.FAILED, job.workflow_run_id, error, None)
    return Provisioning(
        JobStatus.READY, job.workflow_run_id, None, job.provisioned_at or job.updated_at
    )
