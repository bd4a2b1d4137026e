"""``/ocpp/simulator/{charger_id}/...``: one simulated charger behind the paths of OCPPLab's
per-charger simulator API, so that its published client (``ocpplab-simulator``) drives a
chargeyard charger with ``base_url`` set here and a bearer token in its headers.

That API names one charger by where it is served and takes its parameters in the query
string (``POST .../plug-connector?evse_id=1&connector_id=1``). Each of its paths is here the
gateway command that does the same (:data:`CALLS`; docs/simulator-controls.md says where they
differ): the query becomes the command's ``event``, checked by the command's own model (a 422
in FastAPI's shape, which the client parses) and by the station (a refusal is a 409 with the
reason), then queued for the charger as ``POST /ocpp/commands/...`` queues it, and the answer
waits for what became of it: 200 with the command's outcome (``GET /ocpp/commands/{id}``'s
shape), 409 when it failed, 504 when no outcome came in time (the command goes on; its id is
in the detail). Every call queues a command, reads included (they read the station's memory
where it runs): operators and admins only.

Connectors: ``evse_id`` and ``connector_id`` as the gateway numbers them when ``evse_id`` is
given; a ``connector_id`` alone is numbered as the charger's version numbers connectors
(``gateway/connector_numbers.py``): a 1.6 connectorId across the station's EVSEs on a 1.6
charger, the first EVSE's connector on a 2.0.1 one, as the simulator API reads it in each mode.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from chargeyard.api.deps import SettingsDep, StoreDep
from chargeyard.api.error_answers import error_answer
from chargeyard.api.gateway.auth import WriterDep
from chargeyard.api.gateway.chargers_shared import HOST_GONE, host_answers
from chargeyard.api.gateway.deps import BusDep, HostDep
from chargeyard.api.gateway.schemas.commands import CommandOutcomeResponse
from chargeyard.api.gateway.schemas.common import HttpErrorResponse, error_responses
from chargeyard.api.gateway.schemas.runtime_ops import SimulatorHealthResponse
from chargeyard.gateway.commands import COMMANDS
from chargeyard.gateway.connector_numbers import NoSuchConnector, numbered
from chargeyard.gateway.dispatch import dispatch
from chargeyard.store import NotFoundError
from chargeyard.store.models import SimulatedCharger

router = APIRouter(prefix="/ocpp/simulator/{charger_id}", tags=["Simulator API"])

Query = Mapping[str, Any]
"""A call's query parameters: each name to its value (a list for one given several times)."""

# FastAPI's shape of a 422 (the document declares it as every route's: api/openapi.py).
_VALIDATION = "#/components/schemas/HTTPValidationError"
# The longest any command waits on the station's clock (start-session, authorize: 60 s for the
# answers about their tag), and a margin for the bus.
_START_WAIT_S = 65.0


class Unsupported(ValueError):
    """A query parameter the command has no field for (its loc and why)."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(why)
        self.name = name


@dataclass(frozen=True, slots=True)
class Call:
    """One path of the simulator API and the gateway command that does it.

    Attributes:
        method, path: as the simulator API's client sends them (the path under the charger).
        event_type: the command (``gateway/commands.py``).
        event: the command's ``event`` from the query and the charger (its version numbers
            the connectors); raises :class:`Unsupported` for what it cannot carry.
        params: the query parameters it takes (any other is a 422).
    """

    method: str
    path: str
    event_type: str
    event: Callable[[Query, SimulatedCharger], dict[str, Any]]
    params: tuple[str, ...] = ()


def _place(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    """The connector a call names, numbered as the gateway numbers it."""
    evse, connector = query.get("evse_id"), query.get("connector_id")
    if evse is not None:
        return {"evse_id": evse, "connector_id": 1 if connector is None else connector}
    if connector is None:
        return {"evse_id": 1, "connector_id": 1}
    try:
        # A number alone, as the charger's version numbers its connectors.
        named = numbered(charger, int(connector))
    except (TypeError, ValueError):
        named = None  # not a number: the command's model says so
    except NoSuchConnector as error:
        raise Unsupported("connector_id", str(error)) from None
    if named is None:
        return {"evse_id": 1, "connector_id": connector}
    return {"evse_id": named[0], "connector_id": named[1]}


def _given(query: Query, *names: str) -> dict[str, Any]:
    return {name: query[name] for name in names if query.get(name) is not None}


def _iso14443_only(query: Query) -> None:
    token_type = query.get("token_type")
    if token_type is not None and token_type != "ISO14443":
        raise Unsupported(
            "token_type", "the simulated reader presents ISO14443 cards (token_type ISO14443)"
        )


def _none_of(query: Query, *names: str) -> None:
    for name in names:
        if query.get(name) is not None:
            raise Unsupported(name, f"{name} has no counterpart here (see simulator-controls.md)")


def _connector(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return _place(query, charger)


def _nothing(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return {}


def _power(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return {**_place(query, charger), "power_w": query.get("power_w")}


def _soc(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return {**_place(query, charger), **_given(query, "soc")}


def _meter(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return {**_place(query, charger), **_given(query, "energy_wh")}


def _fault(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    fault = _given(query, "info")
    if query.get("fault_type") is not None:
        fault["error_code"] = query["fault_type"]
    return {**_place(query, charger), **fault}


def _quick_fault(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    # "Set an EVSE to Faulted": a fault no code names (1.6 OtherError, 2.0.1 Other).
    return {**_place(query, charger), "error_code": "OtherError"}


def _fault_status(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    if query.get("evse_id") is None and query.get("connector_id") is None:
        return {}
    return _place(query, charger)


def _read_configuration(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    key = query.get("key")
    return {"keys": [] if key is None else [key]}


def _set_configuration(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return {"configuration": [_given(query, "key", "value")]}


def _authorize(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    _iso14443_only(query)
    event = _given(query, "id_tag")
    if query.get("connector_id") is not None or query.get("evse_id") is not None:
        event["evse_id"] = _place(query, charger)["evse_id"]
    return event


def _local_list(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    tags = query.get("id_tags")
    tags = [] if tags is None else [tags] if isinstance(tags, str) else list(tags)
    event = _given(query, "list_version", "update_type")
    return {**event, "entries": [{"id_tag": tag} for tag in tags]}


def _list_entry(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return _given(query, "id_tag", "status", "expiry_date", "parent_id_tag")


def _list_removal(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return _given(query, "id_tag")


def _trigger(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    event = _given(query, "message")
    if query.get("connector_id") is not None or query.get("evse_id") is not None:
        event.update(_place(query, charger))
    return event


def _reboot(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    return _given(query, "type", "evse_id")


def _start(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    _iso14443_only(query)
    _none_of(query, "request_id", "charging_profile")
    return {**_place(query, charger), **_given(query, "id_tag")}


def _stop(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    # The transaction is found on its EVSE (transaction_id, when given, is checked there).
    return {**_place(query, charger), "reason": "Remote"}


def _authorize_and_start(query: Query, charger: SimulatedCharger) -> dict[str, Any]:
    _iso14443_only(query)
    return {**_place(query, charger), **_given(query, "id_tag")}


_PLACE = ("evse_id", "connector_id")

CALLS: tuple[Call, ...] = (
    Call("POST", "ev-requests-energy", "ev_requests_energy", _connector, _PLACE),
    Call("POST", "ev-stops-energy", "ev_stops_energy", _connector, _PLACE),
    Call("POST", "power-update", "power_update", _power, (*_PLACE, "power_w")),
    Call("GET", "ev-state", "ev_state", _connector, _PLACE),
    Call("POST", "update-soc", "update_soc", _soc, (*_PLACE, "soc")),
    Call("POST", "update-meter-values", "update_meter_values", _meter, (*_PLACE, "energy_wh")),
    Call("POST", "suspend-ev", "suspend_ev", _connector, _PLACE),
    Call("POST", "resume-ev", "resume_ev", _connector, _PLACE),
    Call("POST", "suspend-evse", "suspend_evse", _connector, _PLACE),
    Call("POST", "resume-evse", "resume_evse", _connector, _PLACE),
    Call("GET", "configuration", "get_configuration", _read_configuration, ("key",)),
    Call("POST", "configuration", "set_configuration", _set_configuration, ("key", "value")),
    Call("POST", "plug-connector", "plug", _connector, _PLACE),
    Call("POST", "unplug-connector", "unplug", _connector, _PLACE),
    Call("POST", "simulate-fault", "inject_fault", _fault, (*_PLACE, "fault_type", "info")),
    Call("POST", "clear-fault", "clear_fault", _connector, _PLACE),
    Call("GET", "fault-status", "fault_status", _fault_status, _PLACE),
    Call("POST", "fault", "inject_fault", _quick_fault, _PLACE),
    Call("POST", "fault/clear", "clear_fault", _connector, _PLACE),
    Call("POST", "authorize-id-tag", "authorize", _authorize, ("id_tag", "connector_id")),
    Call("GET", "local-auth-list", "get_local_list", _nothing),
    Call(
        "POST",
        "local-auth-list",
        "local_auth_list",
        _local_list,
        ("list_version", "update_type", "id_tags"),
    ),
    Call("GET", "local-auth-list/version", "get_local_list", _nothing),
    Call(
        "POST",
        "local-auth-list/entry",
        "add_local_list_entry",
        _list_entry,
        ("id_tag", "status", "expiry_date", "parent_id_tag"),
    ),
    Call("DELETE", "local-auth-list/entry", "remove_local_list_entry", _list_removal, ("id_tag",)),
    Call("GET", "cache", "get_authorization_cache", _nothing),
    Call("POST", "cache/reset", "reset_cache", _nothing),
    Call(
        "POST",
        "provisioning/trigger-message",
        "trigger_message",
        _trigger,
        ("message", *_PLACE),
    ),
    Call("POST", "provisioning/reboot", "reboot", _reboot, ("type", "evse_id")),
    Call("POST", "start-transaction", "start_transaction", _start, (*_PLACE, "id_tag")),
    Call("POST", "stop-transaction", "stop_transaction", _stop, ("transaction_id", "connector_id")),
    Call("POST", "authorize-and-start", "start_session", _authorize_and_start, (*_PLACE, "id_tag")),
)
"""Every control of the simulator API but its health check (``GET health``, below) and its
landing page, in the order of its client's modules."""


def _query(request: Request) -> dict[str, Any]:
    query: dict[str, Any] = {}
    for name in request.query_params:
        values = request.query_params.getlist(name)
        query[name] = values[0] if len(values) == 1 and name != "id_tags" else values
    return query


async def _charger(store: StoreDep, organization_id: str, charger_id: str) -> SimulatedCharger:
    charger = await store.chargers.get(organization_id, charger_id)
    if charger is None:
        raise NotFoundError("charger", charger_id)
    return charger


def _unprocessable(problems: list[dict[str, Any]]) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems)


def _event(call: Call, query: Query, charger: SimulatedCharger) -> BaseModel:
    """The command's event, validated by its model; query parameters in the errors' locs.

    Raises:
        HTTPException: 422 in FastAPI's shape (``{"detail": [{loc, msg, type}]}``).
    """
    known = set(call.params)
    unknown = sorted(set(query) - known)
    if unknown:
        raise _unprocessable(
            [
                {"loc": ["query", name], "msg": f"no parameter {name!r} here", "type": "extra"}
                for name in unknown
            ]
        )
    try:
        event = call.event(query, charger)
    except Unsupported as error:
        raise _unprocessable(
            [{"loc": ["query", error.name], "msg": str(error), "type": "unsupported"}]
        ) from None
    try:
        return COMMANDS[call.event_type].payload.model_validate(event)
    except ValidationError as error:
        raise _unprocessable(
            [
                {
                    "loc": ["query", *map(str, problem["loc"])],
                    "msg": problem["msg"],
                    "type": problem["type"],
                }
                for problem in error.errors(include_url=False, include_context=False)
            ]
        ) from None


async def _transaction_place(
    host: HostDep, charger: SimulatedCharger, event: BaseModel, transaction_id: str
) -> BaseModel:
    """stop-transaction's EVSE, from the transaction the station runs under that id.

    Raises:
        HTTPException: 409 when no EVSE of the charger runs it.
    """
    with host_answers():
        statuses = await host.station_statuses(charger.organization_id, [charger.id])
    found = statuses.get(charger.id)
    for meter in found.meters if found is not None else ():
        if meter.transaction_id == transaction_id:
            place = {"evse_id": meter.evse_id, "connector_id": meter.connector_id or 1}
            return event.model_copy(update=place)
    raise HTTPException(
        status.HTTP_409_CONFLICT, f"no transaction {transaction_id!r} runs on this charger"
    )


def _route(call: Call) -> Callable[..., Awaitable[JSONResponse]]:
    async def simulate(
        principal: WriterDep,
        store: StoreDep,
        host: HostDep,
        bus: BusDep,
        settings: SettingsDep,
        request: Request,
        charger_id: str = Path(max_length=64, pattern=r"^[\x21-\x7e]+$"),
    ) -> JSONResponse:
        organization_id = principal.organization_id
        charger = await _charger(store, organization_id, charger_id)
        query = _query(request)
        event = _event(call, query, charger)
        if call.event_type == "stop_transaction" and query.get("transaction_id") is not None:
            event = await _transaction_place(host, charger, event, str(query["transaction_id"]))
        with host_answers():
            sent = await dispatch(
                store,
                bus,
                host.precheck,
                organization_id,
                [charger],
                call.event_type,
                event,
                unanswered_fails=False,
            )
        if sent.failed:
            raise HTTPException(status.HTTP_409_CONFLICT, sent.failed[0].reason)
        command_id = sent.queued[0].command.id
        waits = COMMANDS[call.event_type].waits
        try:
            async with asyncio.timeout(
                max(settings.command_timeout, _START_WAIT_S if waits else 0.0)
            ):
                await bus.wait_outcome(command_id)
        except TimeoutError:
            raise HTTPException(
                status.HTTP_504_GATEWAY_TIMEOUT,
                f"no outcome yet: GET /ocpp/commands/{command_id} says what becomes of it",
            ) from None
        row = await store.commands.get(organization_id, command_id)
        assert row is not None  # the outcome is reported once it is stored
        outcome = CommandOutcomeResponse.of(row, charger.identity).model_dump(mode="json")
        code = status.HTTP_200_OK if row.error is None else status.HTTP_409_CONFLICT
        if row.error is not None:
            outcome = {"detail": row.error, "command": outcome}
        return JSONResponse(outcome, status_code=code)

    simulate.__name__ = "simulator_" + call.path.replace("/", "_").replace("-", "_")
    return simulate


_RESPONSES: dict[int | str, dict[str, Any]] = {
    **error_responses(401, 403, 404),
    409: error_answer(
        HttpErrorResponse, "The charger cannot take it now, or it failed (the reason)"
    ),
    422: {
        "description": "A query parameter the command does not take as given",
        "content": {"application/json": {"schema": {"$ref": _VALIDATION}}},
    },
    503: HOST_GONE,
    504: error_answer(HttpErrorResponse, "No outcome in time; the command goes on"),
}

for _call in CALLS:
    _command = COMMANDS[_call.event_type]
    router.add_api_route(
        f"/{_call.path}",
        _route(_call),
        methods=[_call.method],
        operation_id=f"simulator-{_call.method.lower()}-{_call.path.replace('/', '-')}",
        summary=f"{_call.method} {_call.path} (the {_command.path} command)",
        description=f"OCPPLab's simulator API's `{_call.method} {_call.path}`, done by the "
        f"`{_command.path}` command: {_command.summary.lower()}. Query parameters: "
        f"{', '.join(f'`{name}`' for name in _call.params) or 'none'}. Answers the "
        "command's outcome (as `GET /ocpp/commands/{command_id}`) once it is known.",
        responses=_RESPONSES,
    )


@router.get(
    "/health",
    responses={
        **error_responses(401, 403, 404),
        503: HOST_GONE,
        504: error_answer(HttpErrorResponse, "The charger's host did not answer"),
    },
    operation_id="simulator-get-health",
    summary="GET health (the charger's state)",
    description="OCPPLab's simulator API's health check, for one charger: `ok` while its "
    "station runs here and is connected to its central system.",
)
async def simulator_health(
    principal: WriterDep,
    store: StoreDep,
    host: HostDep,
    charger_id: str = Path(max_length=64, pattern=r"^[\x21-\x7e]+$"),
) -> SimulatorHealthResponse:
    charger = await _charger(store, principal.organization_id, charger_id)
    with host_answers():
        statuses = await host.station_statuses(principal.organization_id, [charger.id])
    found = statuses.get(charger.id)
    connected = found is not None and found.registration == "Accepted"
    return SimulatorHealthResponse(
        status="ok" if connected else "degraded",
        charger_id=charger.id,
        identity=charger.identity,
        ocpp_version=charger.ocpp_version,
        running=found is not None and found.running,
        registration=None if found is None else found.registration,
    )
