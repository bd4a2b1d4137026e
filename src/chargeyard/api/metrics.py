"""``GET /metrics``: Prometheus's scrape endpoint (``chargeyard.metrics``).

Outside ``/api/v1`` and, by default, without ``X-API-Key``: Prometheus scrapers are usually
set up without custom headers, and the figures name no station. ``Metrics(require_api_key=
True)`` makes it ask for the key like the REST API (401 without it). The format is Prometheus
text 0.0.4 (``text/plain; version=0.0.4``) unless the scraper's ``Accept`` asks for
OpenMetrics.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from chargeyard.api.deps import require_api_key
from chargeyard.metrics import metrics_of

router = APIRouter()


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def get_metrics(request: Request) -> Response:
    """Stations connected and booted by OCPP version, OCPP messages by action and direction,
    CALL round trips, CALLERRORs by code, gateway commands, transactions and energy."""
    metrics = metrics_of(request.app)
    if metrics.require_api_key:
        await require_api_key(request, request.headers.get("X-API-Key"))
    body, content_type = await metrics.render(request.headers.get("accept"))
    return Response(body, media_type=content_type)
