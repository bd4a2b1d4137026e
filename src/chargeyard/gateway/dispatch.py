"""Queuing one command for many chargers: what a ``POST /ocpp/commands/...`` route does once it
has resolved its ``CommandTarget`` to chargers.

Each charger gets the payload as its station numbers connectors (``connector_numbers.py``: a
``connector_id`` given without its EVSE), then is checked where its station runs
(:class:`Precheck`: :meth:`~chargeyard.gateway.runtimes.ChargerRuntimes.precheck`, one request
for all the chargers that got the same payload):
one that cannot take the command lands in ``failed`` with the reason, as does an id of
``charger_ids`` that names no charger of the location (``missing``); the others get a
``queued`` command row (all in one transaction) and a bus message each. The answer is the
gateway API reference's ``LocationCommandResponse``. When the hosts do not answer the precheck
in time, every charger is listed in ``failed`` with that reason, or, for a caller that targets
one charger, :class:`~chargeyard.gateway.runtimes.NoAnswer` is raised.

A charger that wants to run (its desired state ``running``; created to run, started, or
between two workers of a cluster) but that no fleet host runs at the moment is waited for:
the precheck is asked again until a host runs it, for :data:`PICKUP_WAIT_S` at most, and only
then does it count as "not running". So a charger whose creation was answered 202 takes a
command at once: the command waits the moment its worker takes to start it, and a charger
handed from one worker to another (``gateway/leases.py``) takes commands through the move.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from pydantic import BaseModel

from chargeyard.bus import BusUnreachable, CommandBus, CommandMessage
from chargeyard.gateway.commands import parse_payload
from chargeyard.gateway.connector_numbers import NoSuchConnector, addressed
from chargeyard.gateway.host import NOT_RUNNING
from chargeyard.gateway.runtimes import FAILED, NoAnswer
from chargeyard.store import Store
from chargeyard.store.models import CommandStatus, DesiredState, SimulatedCharger
from chargeyard.store.repositories.commands import QueuedCommand

PICKUP_WAIT_S = 15.0
"""How long a command waits for a charger that wants to run to be run by a fleet host: a
creation's start or a hand-off between workers takes a few seconds at most; the chargers a
dead worker leaves are adopted within 15 s (``gateway/leases.py``)."""
PICKUP_EVERY_S = 0.25
"""How often the precheck is asked again meanwhile (one request for all the chargers waited
for)."""


class Precheck(Protocol):
    async def __call__(
        self,
        organization_id: str,
        charger_ids: Sequence[str],
        event_type: str,
        payload: dict[str, Any],
    ) -> dict[str, str | None]: ...


@dataclass(frozen=True, slots=True)
class Queued:
    charger: SimulatedCharger
    command: QueuedCommand


@dataclass(frozen=True, slots=True)
class Refused:
    """A charger the command was not queued for: ``LocationCommandFailure``. ``identity`` is
    None for an id that names no charger of the location (the reason names the id)."""

    identity: str | None
    reason: str


@dataclass(slots=True)
class Dispatched:
    """The chargers a command was queued for, and those that could not take it."""

    queued: list[Queued] = field(default_factory=list)
    failed: list[Refused] = field(default_factory=list)

    def as_response(self) -> dict[str, Any]:
        """``LocationCommandResponse``."""
        return {
            "targeted_count": len(self.queued) + len(self.failed),
            "queued_count": len(self.queued),
            "failed_count": len(self.failed),
            "results": [
                {
                    "charger_id": item.charger.id,
                    "identity": item.charger.identity,
                    "command": queued_command(item.command),
                }
                for item in self.queued
            ],
            "failed": [{"identity": item.identity, "error": item.reason} for item in self.failed],
        }


def queued_command(command: QueuedCommand) -> dict[str, Any]:
    """``QueuedCommandResponse``: ``{id, event_type, ocpp_version, payload}``."""
    return {
        "id": command.id,
        "event_type": command.event_type,
        "ocpp_version": command.ocpp_version.subprotocol,
        "payload": command.payload,
    }


async def dispatch(
    store: Store,
    bus: CommandBus,
    precheck: Precheck,
    organization_id: str,
    chargers: Sequence[SimulatedCharger],
    event_type: str,
    payload: BaseModel | dict[str, Any],
    missing: Sequence[Refused] = (),
    *,
    unanswered_fails: bool = True,
    pickup_s: float = PICKUP_WAIT_S,
) -> Dispatched:
    """Check, record and publish ``event_type`` for each of ``chargers``; ``missing`` are
    targets that named no charger, listed in ``failed`` as they are.

    Args:
        unanswered_fails: a precheck not answered in time lists every charger in ``failed``
            with the reason (a location's command); False raises ``NoAnswer`` instead.
        pickup_s: how long a charger that wants to run and that no host runs yet is waited
            for (the module docstring).

    Raises:
        InvalidPayload: the payload does not fit the command (nothing is queued).
        NotFoundError: a charger is not this organization's.
        NoAnswer: the precheck was not answered in time (``unanswered_fails`` False).
        BusUnreachable: the bus cannot be reached (the commands queued are marked failed).
    """
    parsed = payload if isinstance(payload, BaseModel) else parse_payload(event_type, payload)
    result = Dispatched(failed=list(missing))
    # Each charger's payload (a connector numbered as its version does: connector_numbers.py);
    # those that share one are prechecked in one request (a location's are alike).
    alike: dict[bytes, tuple[dict[str, Any], list[SimulatedCharger]]] = {}
    for charger in chargers:
        try:
            data = addressed(parsed, charger)
        except NoSuchConnector as error:
            result.failed.append(Refused(charger.identity, str(error)))
            continue
        key = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        alike.setdefault(key, (data, []))[1].append(charger)
    accepted: list[tuple[SimulatedCharger, dict[str, Any]]] = []
    for data, group in alike.values():
        try:
            reasons = await _prechecked(
                precheck, organization_id, group, event_type, data, pickup_s=pickup_s
            )
        except NoAnswer as error:
            if not unanswered_fails:
                raise
            reasons = {charger.id: str(error) for charger in group}
        for charger in group:
            reason = reasons.get(charger.id)
            if reason is None:
                accepted.append((charger, data))
            else:
                result.failed.append(Refused(charger.identity, reason))
    if not accepted:
        return result
    commands = await store.commands.enqueue_many(
        organization_id,
        [(c.id, event_type, c.ocpp_version, data) for c, data in accepted],
    )
    result.queued = [Queued(c, command) for (c, _), command in zip(accepted, commands, strict=True)]
    messages = [
        CommandMessage(
            command_id=command.id,
            organization_id=organization_id,
            charger_id=command.charger_id,
            event_type=event_type,
            ocpp_version=command.ocpp_version,
            payload=command.payload,
        )
        for command in commands
    ]
    try:
        await bus.publish_many(messages)
    except BusUnreachable as error:
        # Rows saying queued would wait for ever: they say what happened. (A fan-out that lost
        # the bus part of the way: those that went are applied and their outcome replaces it.)
        reason = f"not sent: {error.reason}"
        await store.commands.record_outcomes(
            [(organization_id, c.id, CommandStatus.FAILED, None, reason) for c in commands]
        )
        raise
    return result


async def _prechecked(
    precheck: Precheck,
    organization_id: str,
    chargers: Sequence[SimulatedCharger],
    event_type: str,
    data: dict[str, Any],
    *,
    pickup_s: float,
) -> dict[str, str | None]:
    """The precheck's answer for each charger, once every charger that wants to run is run by
    a host, or ``pickup_s`` has passed."""
    reasons = await precheck(organization_id, [c.id for c in chargers], event_type, data)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + pickup_s
    while True:
        waited = [c.id for c in chargers if reasons.get(c.id) == NOT_RUNNING and _wants_to_run(c)]
        if not waited or loop.time() >= deadline:
            return reasons
        await asyncio.sleep(min(PICKUP_EVERY_S, max(deadline - loop.time(), 0.0)))
        reasons.update(await precheck(organization_id, waited, event_type, data))


def _wants_to_run(charger: SimulatedCharger) -> bool:
    # (a charger that cannot be built has status failed: no host will run it)
    return charger.desired_state == DesiredState.RUNNING and charger.status != FAILED
