"""The proxy's HTTP API, under ``/api/v1/proxy`` (docs/proxy.md), and its page at ``/``.

What a user does to a running proxy without stopping it: see which chargers it relays, read
their latest frames or watch every frame live (``watch.py``), send a charger a CALL of their
own whose answer comes back to them and never reaches the central system (``pipe.py``), and
hold or drop chosen actions on their way upstream for a time (``holds.py``).

A CALL is checked as chargeyard's central system checks a raw call before anything is sent:
the action must be one a central system sends in the version the charger and its upstream
chose (``protocol/initiators.py``), and the payload must satisfy the action's official request
schema. The charger's CALLERROR is a 502 carrying its code, as on ``/api/v1/chargers/{id}/call``.

The API listens on 127.0.0.1 unless told otherwise, like the proxy. With a token
(``--api-token``), every request but the page's own HTML must carry it as
``Authorization: Bearer``; the command refuses to serve the API beyond the machine without one,
since it sends CALLs to real chargers.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator
from importlib import resources
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from chargeyard.protocol import OcppError, version_for
from chargeyard.protocol.initiators import CSMS_INITIATED, STATION_INITIATED
from chargeyard.proxy.holds import Treatment
from chargeyard.proxy.pipe import InjectionFailed
from chargeyard.proxy.relay import OcppProxy, ProxiedCharger
from chargeyard.proxy.watch import KEPT_PER_CHARGER

__all__ = ["PREFIX", "proxy_app"]

PREFIX = "/api/v1/proxy"
# A live feed says it is alive this often when no frame passes (proxies and browsers close a
# stream that is silent for a minute or more).
KEEPALIVE_S = 15.0
_MAX_ANSWER_WITHIN_S = 300.0
_MAX_SEQ = 2**63 - 1  # a frame's seq, as far as any client counts
_ACTION_TEXT = r"^[A-Za-z][A-Za-z0-9]{0,63}$"
_IDENTITY = Annotated[str, Path(min_length=1, max_length=255)]
_TRACE_TYPE = "application/x-ndjson"
_SENT_BY_CHARGERS = frozenset().union(*(STATION_INITIATED[v] for v in STATION_INITIATED))


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallRequest(_Body):
    action: str = Field(pattern=_ACTION_TEXT, examples=["GetConfiguration"])
    payload: dict[str, Any] = Field(default_factory=dict, examples=[{"key": ["HeartbeatInterval"]}])
    answerWithin: float = Field(
        default=30.0,
        gt=0,
        le=_MAX_ANSWER_WITHIN_S,
        description="Seconds to wait for the charger's answer, its turn included (a CALL"
        " waits while the central system's CALL to the charger is unanswered)",
    )


class CallResponse(BaseModel):
    identity: str
    ocppVersion: str
    action: str
    response: dict[str, Any] = Field(description="The charger's CALLRESULT payload, as it came")


class HoldRequest(_Body):
    treatment: Literal["hold", "drop"]
    seconds: float | None = Field(
        default=None, gt=0, le=86_400, description="How long from now; none: until released"
    )


class HoldShown(BaseModel):
    action: str
    treatment: Literal["hold", "drop"]
    secondsLeft: float | None


class ChargerShown(BaseModel):
    identity: str
    upstream: str
    subprotocol: str | None
    connectedAt: str
    trace: str | None


def _shown(charger: ProxiedCharger) -> ChargerShown:
    return ChargerShown(
        identity=charger.identity,
        upstream=charger.upstream,
        subprotocol=charger.subprotocol,
        connectedAt=charger.connected_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        trace=None if charger.trace is None else str(charger.trace),
    )


def proxy_app(proxy: OcppProxy, token: str | None = None) -> FastAPI:
    """The API of the running ``proxy``; ``token``: the bearer token every request needs
    (None: none needed)."""

    async def authorized(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
            raise HTTPException(
                401,
                "this proxy's API needs its token (--api-token) as Authorization: Bearer",
                headers={"WWW-Authenticate": "Bearer"},
            )

    app = FastAPI(
        title="chargeyard proxy",
        description="The recording proxy's API: the chargers it relays, their frames, CALLs"
        " of your own to them, and actions held or dropped on their way upstream.",
        docs_url=f"{PREFIX}/docs",
        openapi_url=f"{PREFIX}/openapi.json",
        redoc_url=None,
    )
    guarded = [Depends(authorized)]

    @app.get("/", include_in_schema=False)
    async def page() -> HTMLResponse:
        html = resources.files("chargeyard.proxy").joinpath("page.html").read_text("utf-8")
        return HTMLResponse(html)

    @app.get(f"{PREFIX}/chargers", dependencies=guarded, summary="The chargers relayed now")
    async def chargers() -> dict[str, list[ChargerShown]]:
        return {"data": [_shown(charger) for charger in proxy.chargers()]}

    @app.get(
        f"{PREFIX}/chargers/{{identity}}/frames",
        dependencies=guarded,
        summary="A charger's latest frames",
        responses={404: {"description": "No frame of this charger passed the proxy"}},
    )
    async def frames(
        identity: _IDENTITY,
        limit: Annotated[int, Query(ge=1, le=KEPT_PER_CHARGER)] = 100,
        after: Annotated[
            int | None, Query(ge=0, le=_MAX_SEQ, description="Only the frames after this seq")
        ] = None,
    ) -> dict[str, Any]:
        """The latest frames the proxy relayed for the charger (or took part in: an injected
        CALL, a held or dropped one, with its ``fault``), newest first; the proxy keeps the
        last 500 a charger in memory, and every frame in its trace files. A reader that polls
        passes the newest ``seq`` it has as ``after``."""
        latest = proxy.feed.latest(identity, limit, after)
        if not latest and proxy.charger(identity) is None:
            raise HTTPException(404, f"no frame of {identity} has passed the proxy")
        return {"data": [frame.as_json() for frame in latest]}

    @app.get(
        f"{PREFIX}/chargers/{{identity}}/trace",
        dependencies=guarded,
        summary="The trace file of a charger's connection",
        response_class=Response,
        responses={
            200: {"content": {_TRACE_TYPE: {}}, "description": "The trace, JSON lines"},
            404: {"description": "The charger is not connected, or its connection not recorded"},
        },
    )
    async def trace(identity: _IDENTITY) -> Response:
        """The trace file of the charger's connection as recorded so far (docs/traces.md):
        every frame, where ``/frames`` keeps the latest 500."""
        charger = proxy.charger(identity)
        if charger is None:
            raise HTTPException(404, f"{identity} is not connected through the proxy")
        if charger.trace is None:
            raise HTTPException(404, f"{identity}'s connection is not recorded")
        recorded = await asyncio.to_thread(charger.trace.read_bytes)
        # The proxy writes a line per frame as it passes: a line being written is left out.
        whole_lines = recorded[: recorded.rfind(b"\n") + 1]
        return Response(
            whole_lines,
            media_type=_TRACE_TYPE,
            headers={"Cache-Control": "no-store"},
        )

    @app.get(
        f"{PREFIX}/frames/live",
        dependencies=guarded,
        summary="Every frame, live (server-sent events)",
        response_class=StreamingResponse,
    )
    async def live(
        identity: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    ) -> StreamingResponse:
        """A `text/event-stream` of every frame as the proxy reads it (one charger's, with
        `identity`): each event's data is the frame as `/frames` shows it. A watcher that
        falls 1,000 frames behind loses the oldest, and an event `missed` says how many."""
        return StreamingResponse(
            _events(proxy, identity),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @app.post(
        f"{PREFIX}/chargers/{{identity}}/call",
        dependencies=guarded,
        summary="Send a charger a CALL of your own",
        responses={
            404: {"description": "The charger is not connected through the proxy"},
            409: {"description": "The charger speaks a subprotocol chargeyard does not know"},
            422: {
                "description": "No action a central system sends, or a payload its schema"
                " refuses; nothing was sent"
            },
            502: {
                "description": "The charger answered with a CALLERROR, or its connection"
                " closed first"
            },
            504: {"description": "No answer in time"},
        },
    )
    async def call(identity: _IDENTITY, body: CallRequest) -> Response:
        """Send the charger `action` with `payload` as its central system would; its answer
        comes back here and never reaches the central system, which never sees the CALL
        either (the trace shows both, with `"fault": "proxy_injected"`)."""
        charger = proxy.charger(identity)
        if charger is None:
            raise HTTPException(404, f"{identity} is not connected through the proxy")
        try:
            version = version_for(charger.subprotocol or "")
        except KeyError:
            raise HTTPException(
                409,
                f"{identity} speaks {charger.subprotocol or 'no subprotocol'}, which chargeyard"
                " cannot check a CALL against",
            ) from None
        sent = CSMS_INITIATED[version]
        if body.action not in sent:
            raise HTTPException(
                422,
                f"{body.action} is no action a central system sends in OCPP {version.name}",
            )
        try:
            version.schemas.check_request(body.action, body.payload)
        except OcppError as error:
            raise HTTPException(
                422, f"{body.action}: the payload breaks its OCPP {version.name} schema: {error}"
            ) from None
        try:
            answer = await proxy.inject(identity, body.action, body.payload, body.answerWithin)
        except InjectionFailed as failed:
            status = 404 if proxy.charger(identity) is None else 502
            raise HTTPException(status, str(failed)) from None
        except TimeoutError as late:
            detail = str(late) or f"{identity} did not answer within {body.answerWithin:g} s"
            raise HTTPException(504, detail) from None
        if answer[0] == 4:  # CALLERROR: [4, id, code, description, details]
            code = answer[2] if len(answer) > 2 else None
            description = answer[3] if len(answer) > 3 else None
            return JSONResponse(
                {
                    "detail": f"{identity} answered {body.action} with the CALLERROR {code}",
                    "errorCode": code,
                    "errorDescription": description,
                },
                status_code=502,
            )
        payload = answer[2] if len(answer) > 2 and isinstance(answer[2], dict) else {}
        shown = CallResponse(
            identity=identity, ocppVersion=version.name, action=body.action, response=payload
        )
        return JSONResponse(shown.model_dump())

    @app.get(f"{PREFIX}/holds", dependencies=guarded, summary="The actions held or dropped")
    async def holds() -> dict[str, list[HoldShown]]:
        return {
            "data": [
                HoldShown(
                    action=rule.action,
                    treatment=rule.treatment.value,
                    secondsLeft=rule.seconds_left,
                )
                for rule in proxy.holds.rules()
            ]
        }

    @app.put(
        f"{PREFIX}/holds/{{action}}",
        dependencies=guarded,
        summary="Hold or drop an action's CALLs on their way upstream",
        responses={422: {"description": "No action a charger sends"}},
    )
    async def hold(
        action: Annotated[str, Path(pattern=_ACTION_TEXT)], body: HoldRequest
    ) -> HoldShown:
        """Every charger's CALLs of `action` are held back (relayed when the rule ends, what
        the charger sends next waiting behind) or dropped, for `seconds` from now or until
        released. A rule replaces the action's rule before it (what it held goes on)."""
        if action not in _SENT_BY_CHARGERS:
            raise HTTPException(422, f"{action} is no action a charger sends in any OCPP version")
        if body.treatment == Treatment.HOLD.value:
            proxy.holds.hold(action, body.seconds)
        else:
            proxy.holds.drop(action, body.seconds)
        return HoldShown(action=action, treatment=body.treatment, secondsLeft=body.seconds)

    @app.delete(
        f"{PREFIX}/holds/{{action}}",
        dependencies=guarded,
        status_code=204,
        summary="Release an action",
        responses={404: {"description": "The action is neither held nor dropped"}},
    )
    async def release(action: Annotated[str, Path(pattern=_ACTION_TEXT)]) -> Response:
        """End the action's rule: its held CALLs go on now."""
        if all(rule.action != action for rule in proxy.holds.rules()):
            raise HTTPException(404, f"{action} is neither held nor dropped")
        proxy.holds.release(action)
        return Response(status_code=204)

    return app


async def _events(proxy: OcppProxy, identity: str | None) -> AsyncIterator[bytes]:
    watcher = proxy.feed.watch(identity)
    reported = 0
    try:
        yield b": chargeyard proxy, every frame as it passes\n\n"
        while True:
            try:
                frame = await asyncio.wait_for(watcher.next_frame(), KEEPALIVE_S)
            except TimeoutError:
                yield b": alive\n\n"
                continue
            if watcher.missed > reported:
                yield b"event: missed\ndata: %d\n\n" % (watcher.missed - reported)
                reported = watcher.missed
            yield b"data: " + orjson.dumps(frame.as_json()) + b"\n\n"
    finally:
        watcher.close()
