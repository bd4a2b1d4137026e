"""Provisioning jobs of the simulator gateway (:class:`~chargeyard.store.models.GatewayJob`):
created when the API answers ``202``, moved along by the background work, read by the status
routes. Every method takes the organization first and filters on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from chargeyard.store.errors import NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import GatewayJob, JobStatus
from chargeyard.store.repositories._base import UNSET, Repository, Unset, changes


class JobRepository(Repository):
    async def create(
        self,
        organization_id: str,
        job_type: str,
        *,
        job_id: str | None = None,
        location_id: str | None = None,
        charger_id: str | None = None,
        status: JobStatus = JobStatus.PENDING,
        request: dict[str, Any] | None = None,
    ) -> GatewayJob:
        job = GatewayJob(
            id=job_id or new_id("job-"),
            organization_id=organization_id,
            job_type=job_type,
            location_id=location_id,
            charger_id=charger_id,
            workflow_run_id=new_id("run-"),
            status=status,
            request=request or {},
            results={},
        )
        async with self._write() as session:
            session.add(job)
        return job

    async def get(self, organization_id: str, job_id: str) -> GatewayJob | None:
        async with self._read() as session:
            return await session.scalar(
                select(GatewayJob).where(
                    GatewayJob.organization_id == organization_id, GatewayJob.id == job_id
                )
            )

    async def update(
        self,
        organization_id: str,
        job_id: str,
        *,
        status: JobStatus | Unset = UNSET,
        results: dict[str, Any] | Unset = UNSET,
        error: dict[str, Any] | Unset | None = UNSET,
        provisioned_at: datetime | Unset | None = UNSET,
    ) -> GatewayJob:
        """Raises: NotFoundError: no such job in this organization."""
        values = changes(status=status, results=results, error=error, provisioned_at=provisioned_at)
        async with self._write() as session:
            job = await session.scalar(
                select(GatewayJob).where(
                    GatewayJob.organization_id == organization_id, GatewayJob.id == job_id
                )
            )
            if job is None:
                raise NotFoundError("job", job_id)
            for field, value in values.items():
                setattr(job, field, value)
        return job
