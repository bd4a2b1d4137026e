"""``/health``, ``/health/live`` and ``/health/ready``: whether the process is up, and whether
it can serve (what an orchestrator, compose's healthcheck and OCPPLab's SDK ask).

``/health`` and ``/health/live`` answer ``{"status": "ok"}`` while the process answers at all.
``/health/ready`` asks what the API needs: the database (one ``SELECT 1``) and, in a cluster,
Redis (a ``PING``: ``app.state.readiness`` holds the checks the assembler adds,
``stack.py``). It answers 200 ``{"status": "ok", "database": "ok", "redis": "ok"|"unused",
"mqtt": "unused"}`` when all answered within :data:`READY_TIMEOUT_S`, else 503 with
``"status": "not_ready"`` and ``"error"`` as the answer of what did not. ``mqtt`` is in OCPPLab's
readiness answer, which its SDK requires; chargeyard has no MQTT producer, so it is
``"unused"``. No credentials: a probe has none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from chargeyard.store import Store

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 2.0
"""How long each dependency has to answer the readiness check."""

Check = Callable[[], Awaitable[object]]
"""A readiness check: returns once its dependency answered, raises otherwise."""

Answer = Literal["ok", "error", "unused"]

router = APIRouter(tags=["Health"])


class HealthLiveResponse(BaseModel):
    """Liveness probe payload — process is up."""

    status: Literal["ok"] = "ok"


class HealthReadyResponse(BaseModel):
    """Readiness probe payload: ``ok`` when every dependency answered, else ``not_ready``."""

    status: Literal["ok", "not_ready"]
    database: Answer
    redis: Answer = Field(description="A cluster's Redis; unused by a single process")
    mqtt: Answer = Field(description="Always unused: chargeyard has no MQTT producer")


@router.get("/health", summary="Liveness")
@router.get("/health/live", summary="Liveness (Kubernetes-style path)")
async def live() -> HealthLiveResponse:
    return HealthLiveResponse()


@router.get(
    "/health/ready",
    summary="Readiness",
    description="200 when the database (and, in a cluster, Redis) answers; 503 otherwise.",
    responses={503: {"model": HealthReadyResponse, "description": "A dependency did not answer"}},
)
async def ready(request: Request) -> JSONResponse:
    store: Store = request.app.state.store
    checks: dict[str, Check] = {"database": store.ping}
    checks.update(getattr(request.app.state, "readiness", {}))
    answers = dict(
        zip(checks, await asyncio.gather(*(_answer(c) for c in checks.values())), strict=True)
    )
    ok = all(answer == "ok" for answer in answers.values())
    body = HealthReadyResponse(
        status="ok" if ok else "not_ready",
        database=answers["database"],
        redis=answers.get("redis", "unused"),
        mqtt="unused",
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


async def _answer(check: Check) -> Answer:
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            await check()
    except Exception as error:  # any failure is "not ready": said, never raised
        logger.warning("readiness check failed: %r", error)
        return "error"
    return "ok"
