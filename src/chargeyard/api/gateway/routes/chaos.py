"""``/ocpp/chaos``: network, station and crowd faults for chargers, reproducible from a seed
(docs/chaos.md).

``POST /ocpp/chaos`` adds faults to the chargers a ``CommandTarget`` names (one, a location's,
or a subset of them); ``DELETE /ocpp/chaos`` clears them (the target in the query). The faults
are applied where each charger's station runs: one runtime request over the bus, answered by
the fleet host that holds it (``gateway/runtime_service.py``), so a cluster's workers apply
them to the stations they run. Each charger's faults draw from the body's random seed and its
identity: the same body gives the same faults again. A charger that does not run is listed in
``failed``; an unknown charger or location is 404, a bad body 422. ``GET
/ocpp/chargers/{id}`` shows a charger's active faults (``runtime.faults``).
"""

from __future__ import annotations

import asyncio
import random
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from chargeyard.api.deps import StoreDep
from chargeyard.api.gateway.auth import WriterDep
from chargeyard.api.gateway.chargers_shared import NO_ANSWER, UNAVAILABLE, host_answers
from chargeyard.api.gateway.deps import HostDep
from chargeyard.api.gateway.schemas.chaos import (
    ChaosFailure,
    ChaosRequest,
    ChaosResponse,
    ChargerFaults,
)
from chargeyard.api.gateway.schemas.commands import CommandTarget, Id
from chargeyard.api.gateway.schemas.common import error_responses
from chargeyard.api.gateway.targets import resolve_target
from chargeyard.fleet.chaos.crowds import spread
from chargeyard.fleet.chaos.faults import Fault, fault_to_dict
from chargeyard.gateway.dispatch import Refused
from chargeyard.gateway.runtimes import ChaosAnswer, ChargerRuntimes
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger

router = APIRouter(prefix="/ocpp", tags=["Chaos"])


@router.post(
    "/chaos",
    summary="Apply network faults",
    description="Add network faults (latency, bandwidth caps, cut connections, half-open "
    "sockets, refused reconnections; dropped, duplicated, delayed or reordered frames, answers "
    "held back), station faults (a wrong clock, firmware misbehaviours) or crowd faults (a "
    "reconnection storm, a rolling restart, a power cut) to one charger, a location's chargers "
    "or a subset of them. Each fault ends after its `for_s`, or when cleared; a crowd fault "
    "when it has struck. The faults' random draws come from `seed` and each charger's "
    "identity: the same body gives the same faults again.",
    responses={**error_responses(401, 403, 404), **UNAVAILABLE, **NO_ANSWER},
)
async def apply_chaos(
    body: ChaosRequest, principal: WriterDep, store: StoreDep, host: HostDep
) -> ChaosResponse:
    seed = body.seed if body.seed is not None else random.SystemRandom().randrange(2**31)
    return await _ask(host, store, principal.organization_id, body.target, body.to_faults(), seed)


@router.delete(
    "/chaos",
    summary="Clear network faults",
    description="End every network fault of one charger (`charger_id`), a location's "
    "chargers (`location_id`) or a subset of them (`location_id` and `charger_ids`): frames "
    "held back are sent, and the station reconnects as it would.",
    responses={**error_responses(401, 403, 404), **UNAVAILABLE, **NO_ANSWER},
)
async def clear_chaos(
    principal: WriterDep,
    store: StoreDep,
    host: HostDep,
    charger_id: Annotated[Id | None, Query()] = None,
    location_id: Annotated[Id | None, Query()] = None,
    charger_ids: Annotated[list[Id] | None, Query()] = None,
) -> ChaosResponse:
    try:
        target = CommandTarget.model_validate(
            {"charger_id": charger_id, "location_id": location_id, "charger_ids": charger_ids}
        )
    except ValidationError as error:  # (the query's: 422 like a bad body)
        raise RequestValidationError(error.errors(include_url=False)) from None
    return await _ask(host, store, principal.organization_id, target, None, None)


async def _ask(
    host: ChargerRuntimes,
    store: Store,
    organization_id: str,
    target: CommandTarget,
    faults: list[Fault] | None,
    seed: int | None,
) -> ChaosResponse:
    chargers, missing = await resolve_target(store, organization_id, target)
    with host_answers():
        if faults is None or seed is None:
            answers = await host.chaos(organization_id, [c.id for c in chargers], None, None)
        else:
            answers = await _apply(host, organization_id, chargers, faults, seed)
    return _response(seed, chargers, answers, missing)


async def _apply(
    host: ChargerRuntimes,
    organization_id: str,
    chargers: list[SimulatedCharger],
    faults: list[Fault],
    seed: int,
) -> dict[str, ChaosAnswer]:
    """Apply ``faults``, a crowd's spread over the chargers (``fleet/chaos/crowds.py``): one
    request for the chargers given the same faults (all of them, but for a rolling restart's
    slots)."""
    own = spread(faults, [c.identity for c in chargers], seed)
    groups: dict[tuple[Fault, ...], list[str]] = {}
    for charger in chargers:
        groups.setdefault(tuple(own[charger.identity]), []).append(charger.id)
    parts = await asyncio.gather(
        *(
            host.chaos(organization_id, ids, [fault_to_dict(f) for f in group], seed)
            for group, ids in groups.items()
        )
    )
    return {charger_id: answer for part in parts for charger_id, answer in part.items()}


def _response(
    seed: int | None,
    chargers: list[SimulatedCharger],
    answers: dict[str, ChaosAnswer],
    missing: list[Refused],
) -> ChaosResponse:
    results: list[ChargerFaults] = []
    failed = [ChaosFailure(identity=item.identity, error=item.reason) for item in missing]
    for charger in chargers:
        answer = answers.get(charger.id, {"error": "no answer for this charger"})
        if "error" in answer:
            failed.append(ChaosFailure(identity=charger.identity, error=answer["error"]))
        else:
            results.append(
                ChargerFaults(
                    charger_id=charger.id,
                    identity=charger.identity,
                    faults=answer.get("faults", []),
                )
            )
    return ChaosResponse(
        seed=seed,
        targeted_count=len(results) + len(failed),
        applied_count=len(results),
        failed_count=len(failed),
        results=results,
        failed=failed,
    )
