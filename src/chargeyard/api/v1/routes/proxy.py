"""``/proxy``: a running ``chargeyard proxy``'s API relayed by this server (``--proxy-api``;
``api/proxy_relay.py``), for the dashboard's Proxy view: the chargers it relays, their latest
frames and trace, and the actions it holds or drops (docs/proxy.md, "In the dashboard").

Each route asks the proxy's route of the same path and hands its answer on as it came (its
404 and 422 in the proxy's words); a proxy that cannot be reached or refuses the server's
token is a 502, one that does not answer in time a 504, and without a proxy configured every
route answers 404. The proxy's chargers belong to no organization, and the proxy acts on real
chargers: only admin and platform keys reach it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from chargeyard.api.deps import require_admin_key
from chargeyard.api.error_answers import error_answer
from chargeyard.api.proxy_relay import (
    PROXY_ACTION_PATTERN,
    PROXY_FRAMES_KEPT,
    ProxyRelay,
    Relayed,
)
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.schemas import ErrorResponse

_NOT_CONFIGURED = (
    "this server relays no proxy: start it with --proxy-api http://127.0.0.1:9101 (the"
    " proxy's --api-listen)"
)
_IDENTITY = Annotated[str, Path(min_length=1, max_length=255)]
_MAX_SEQ = 2**63 - 1  # as far as any client counts


async def configured_relay(request: Request) -> ProxyRelay:
    """The relay to the proxy configured; 404 when there is none."""
    relay: ProxyRelay | None = request.app.state.proxy_relay
    if relay is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NOT_CONFIGURED)
    return relay


RelayDep = Annotated[ProxyRelay, Depends(configured_relay)]

router = APIRouter(
    prefix=API_PREFIX + "/proxy",
    tags=["Recording proxy"],
    # The key first: a caller without one learns nothing about the proxy, configured or not.
    dependencies=[Depends(require_admin_key), Depends(configured_relay)],
    responses={
        401: error_answer(ErrorResponse, "Missing or invalid API key"),
        403: error_answer(ErrorResponse, "Not an admin or platform key"),
        404: error_answer(
            ErrorResponse, "No proxy configured (--proxy-api), or the proxy's own 404"
        ),
        502: error_answer(
            ErrorResponse, "The proxy cannot be reached, or refused this server's token"
        ),
        504: error_answer(ErrorResponse, "The proxy did not answer in time"),
    },
)


def _handed_on(relayed: Relayed) -> Response:
    return Response(
        relayed.body,
        status_code=relayed.status,
        media_type=relayed.content_type,
        headers={"Cache-Control": "no-store"},
    )


class HoldRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    treatment: Literal["hold", "drop"]
    seconds: float | None = Field(
        default=None, gt=0, le=86_400, description="How long from now; none: until released"
    )


@router.get("/chargers", summary="The chargers the proxy relays")
async def proxy_chargers(relay: RelayDep) -> Response:
    """As the proxy lists them: ``identity``, ``upstream``, ``subprotocol``, ``connectedAt``,
    ``trace`` (its trace file on the proxy's machine)."""
    return _handed_on(await relay.get("chargers"))


@router.get("/chargers/{identity}/frames", summary="A proxied charger's latest frames")
async def proxy_frames(
    relay: RelayDep,
    identity: _IDENTITY,
    limit: Annotated[int, Query(ge=1, le=PROXY_FRAMES_KEPT)] = 100,
    after: Annotated[
        int | None, Query(ge=0, le=_MAX_SEQ, description="Only the frames after this seq")
    ] = None,
) -> Response:
    """Newest first, each with ``seq``, ``direction``, ``at``, ``frame`` (its text) and a
    ``fault`` where the proxy took part (held, dropped, injected)."""
    return _handed_on(
        await relay.get("chargers", identity, "frames", query={"limit": limit, "after": after})
    )


@router.get(
    "/chargers/{identity}/trace",
    summary="A proxied charger's trace",
    response_class=Response,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "JSON lines"}},
)
async def proxy_trace(relay: RelayDep, identity: _IDENTITY) -> Response:
    """The trace file of the charger's connection, as the proxy recorded it so far."""
    return _handed_on(await relay.get("chargers", identity, "trace"))


@router.get("/holds", summary="The actions the proxy holds or drops")
async def proxy_holds(relay: RelayDep) -> Response:
    """Each rule's ``action``, ``treatment`` (``hold``, ``drop``) and ``secondsLeft``."""
    return _handed_on(await relay.get("holds"))


@router.put("/holds/{action}", summary="Hold or drop an action at the proxy")
async def proxy_hold(
    relay: RelayDep,
    action: Annotated[str, Path(pattern=PROXY_ACTION_PATTERN)],
    body: HoldRequest,
) -> Response:
    """Every charger's CALLs of ``action`` held back or dropped on their way upstream, for
    ``seconds`` or until released (the proxy's 422: no action a charger sends)."""
    return _handed_on(await relay.put("holds", action, body=body.model_dump()))


@router.delete(
    "/holds/{action}",
    summary="Release an action at the proxy",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
async def proxy_release(
    relay: RelayDep, action: Annotated[str, Path(pattern=PROXY_ACTION_PATTERN)]
) -> Response:
    """What the rule held goes on now (the proxy's 404: the action has no rule)."""
    return _handed_on(await relay.delete("holds", action))
