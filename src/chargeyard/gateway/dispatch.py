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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from pydantic import BaseModel

from chargeyard.bus import BusUnreachable, CommandBus, CommandMessage
from chargeyard.gateway.commands import parse_payload
from chargeyard.gateway.connector_numbers import NoSuchConnector, addressed
from chargeyard.gateway.runtimes import NoAnswer
from chargeyard.gateway.version_labels import command_version_label
from chargeyard.store import Store
from chargeyard.store.models import CommandStatus, SimulatedCharger
from chargeyard.store.repositories.commands import QueuedCommand


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
        "ocpp_version": command.ocpp_version,
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
) -> Dispatched:
    """Check, record and publish ``event_type`` for each of ``chargers``; ``missing`` are
    targets that named no charger, listed in ``failed`` as they are.

    Args:
        unanswered_fails: a precheck not answered in time lists every charger in ``failed``
            with the reason (a location's command); False raises ``NoAnswer`` instead.

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
            reasons = await precheck(organization_id, [c.id for c in group], event_type, data)
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
        [(c.id, event_type, _version(c.ocpp_version), data) for c, data in accepted],
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


def _version(version: str) -> str:
    try:
        return command_version_label(version)
    except ValueError:
        return version
