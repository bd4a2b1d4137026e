"""Applying one gateway command to one running simulated station.

Theory of operation
-------------------
Every command is first checked against the charger's OCPP version
(:func:`~chargeyard.gateway.refusals.refusal` with the station's ``TERMS``: a stop reason, an
error code, an id tag... that the version's schema does not allow) and then has two functions
here, in one table of typed rows (:data:`_TABLE`, a :class:`_Command` per payload model):

* a **check** that only reads the station and says why the command cannot be applied now
  (no such EVSE or connector, no cable to unplug, no transaction to stop, a list version
  that does not increase...), or None. The API runs it before queuing, so that a charger that
  cannot take a command lands in the response's ``failed`` list with the reason instead of
  failing the whole request; the fleet host runs it again when the command arrives, since the
  station may have moved on meanwhile;
* an **apply** that uses the station's own verbs, the ones a person at the station uses
  (``plug``, ``present_id_token``...; OCPP 1.6 and 2.0.1 decide what is reported), and returns
  an :class:`Outcome`. A verb the station refuses (its ``OcppError``, an illegal move of a state
  table) is a failed outcome with the station's reason, never an exception.

Everything is synchronous except the commands that wait for the central system's answer (the
spec says ``waits``; :meth:`Executor.apply` awaits them): ``proxy_message``, and the commands
that present a token and report what became of it (``start_session``, ``authorize``,
``start_transaction``: ``starts.py``, on the station's clock).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from chargeyard.gateway import starts
from chargeyard.gateway.commands import (
    AuthorizePayload,
    ConnectorPayload,
    EmptyPayload,
    FaultPayload,
    InvalidPayload,
    LocalAuthListPayload,
    PowerUpdatePayload,
    ProxyMessagePayload,
    SetConfigurationPayload,
    StartSessionPayload,
    StartTransactionPayload,
    StopTransactionPayload,
    parse_payload,
)
from chargeyard.gateway.controls import CONTROLS_BY_TYPE, Control
from chargeyard.gateway.refusals import refusal
from chargeyard.gateway.sessions import SessionEnded, timer_name
from chargeyard.protocol import CallErrorReply, CallFailure, OcppError, Payload
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model import rules
from chargeyard.station.model.authorization import IdToken
from chargeyard.station.model.states import (
    ConnectorStatus,
    IllegalTransition,
    Registration,
)
from chargeyard.station.model.station import Evse, StationModel
from chargeyard.station.verbs import StationVerbs, verbs_of

logger = logging.getLogger(__name__)

_S = ConnectorStatus
# How long start-session, authorize and start-transaction wait for the answers about their tag
# (Authorize, then StartTransaction / TransactionEvent) on the station's clock before they
# report that none came (a start-session then gives back what it took).
_START_GRACE_S = 60.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a command: ``ok`` with a ``result``, or not with an ``error``;
    ``refused`` says a command not applied was refused (by the station's state or version,
    or by its central system) rather than lost to an error (no answer in time, not sent)."""

    ok: bool
    result: dict[str, object] | None = None
    error: str | None = None
    refused: bool = False

    @classmethod
    def applied(cls, **result: object) -> Outcome:
        return cls(True, result)

    @classmethod
    def rejected(cls, reason: str) -> Outcome:
        """The station or its central system refused it."""
        return cls(False, None, reason, refused=True)

    @classmethod
    def failed(cls, reason: str) -> Outcome:
        """An error kept it from being applied."""
        return cls(False, None, reason)


class Executor:
    """Checks and applies commands (see the module docstring).

    Args:
        session_check_s: how often a start-session watcher looks at the energy delivered.
        proxy_timeout_s: how long proxy-message waits for the central system's answer.
        start_grace_s: how long start-session, authorize and start-transaction wait for the
            answers about their tag.
    """

    def __init__(
        self,
        *,
        session_check_s: float = 1.0,
        proxy_timeout_s: float = 30.0,
        start_grace_s: float = _START_GRACE_S,
    ) -> None:
        self.session_check_s = session_check_s
        self.proxy_timeout_s = proxy_timeout_s
        self.start_grace_s = start_grace_s

    def precheck(
        self, station: SimulatedStation, event_type: str, payload: Mapping[str, object] | BaseModel
    ) -> str | None:
        """Why ``station`` cannot take the command now, or None. Reads only.

        The payload is validated here too, against the command's model and against what the
        station's OCPP version allows: an invalid one is a reason like any other.
        """
        try:
            command, parsed = _parsed(event_type, payload)
        except InvalidPayload as error:
            return str(error)
        try:
            return command.refusal(_Target(station), parsed)
        except KeyError as error:
            return _key_reason(error)

    async def apply(
        self,
        station: SimulatedStation,
        event_type: str,
        payload: Mapping[str, object] | BaseModel,
        *,
        on_session_end: SessionEnded | None = None,
    ) -> Outcome:
        """Check, then apply the command to ``station``; returns what became of it.

        Only the commands that wait suspend (for the central system's answers).
        """
        try:
            command, parsed = _parsed(event_type, payload)
        except InvalidPayload as error:
            return Outcome.rejected(str(error))
        target = _Target(station, self, on_session_end)
        try:
            reason = command.refusal(target, parsed)
            if reason is not None:
                return Outcome.rejected(reason)
            return await command.apply(target, parsed)
        except (OcppError, IllegalTransition, ValueError) as error:
            # The station's verb refused the move (its state tables, its version's schema).
            return Outcome.rejected(_reason(error))
        except KeyError as error:
            return Outcome.rejected(_key_reason(error))


# -- the station as the table sees it ----------------------------------------------------------


class _Target:
    """A station with what the checks and actions share."""

    def __init__(
        self,
        station: SimulatedStation,
        executor: Executor | None = None,
        on_session_end: SessionEnded | None = None,
    ) -> None:
        self.station: StationVerbs = verbs_of(station)
        self.executor = executor or Executor()
        self.on_session_end = on_session_end
        self.model: StationModel = self.station.model

    def evse(self, evse_id: int) -> Evse:
        evse = self.model.evses.get(evse_id)
        if evse is None:
            raise KeyError(f"no EVSE {evse_id} (the station has {len(self.model.evses)})")
        return evse

    def connector_check(self, evse_id: int, connector_id: int) -> str | None:
        return rules.no_such_connector(self.model, evse_id, connector_id)

    def running_transaction(self, evse_id: int) -> bool:
        return rules.running_transaction(self.evse(evse_id))

    @property
    def start_settings(self) -> starts.StartSettings:
        return starts.StartSettings(self.executor.start_grace_s, self.executor.session_check_s)


P = TypeVar("P", bound=BaseModel)


class _Row(Protocol):
    """A command of the table, whatever its payload's model."""

    def accepts(self, payload: BaseModel) -> bool: ...

    def refusal(self, t: _Target, payload: BaseModel) -> str | None: ...

    async def apply(self, t: _Target, payload: BaseModel) -> Outcome: ...


@dataclass(frozen=True, slots=True)
class _Command(Generic[P]):
    """One command: its payload's model, its check, and what applies it (``act`` at once, or
    ``waits`` for the central system's answers)."""

    payload: type[P]
    check: Callable[[_Target, P], str | None]
    act: Callable[[_Target, P], Outcome] | None = None
    waits: Callable[[_Target, P], Awaitable[Outcome]] | None = None

    def accepts(self, payload: BaseModel) -> bool:
        return isinstance(payload, self.payload)

    def typed(self, payload: BaseModel) -> P:
        if not isinstance(payload, self.payload):
            raise InvalidPayload(f"a {type(payload).__name__} is not a {self.payload.__name__}")
        return payload

    def refusal(self, t: _Target, payload: BaseModel) -> str | None:
        """What the version refuses in it, else why the station cannot take it now."""
        p = self.typed(payload)
        return refusal(t.station.TERMS, p) or self.check(t, p)

    async def apply(self, t: _Target, payload: BaseModel) -> Outcome:
        p = self.typed(payload)
        if self.waits is not None:
            return await self.waits(t, p)
        assert self.act is not None  # every row has one or the other
        return self.act(t, p)


def _parsed(event_type: str, payload: Mapping[str, object] | BaseModel) -> tuple[_Row, BaseModel]:
    command = _TABLE.get(event_type)
    if command is None:
        raise InvalidPayload(f"unknown command {event_type!r}")
    if isinstance(payload, BaseModel):
        if not command.accepts(payload):
            raise InvalidPayload(f"invalid {event_type} payload: a {type(payload).__name__}")
        return command, payload
    return command, parse_payload(event_type, payload)


def _reason(error: Exception) -> str:
    if isinstance(error, OcppError):
        return error.description or error.kind.value
    return str(error)


def _key_reason(error: KeyError) -> str:
    return str(error.args[0]) if error.args else "no such EVSE or connector"


def _where(p: ConnectorPayload) -> dict[str, int]:
    return {"evse_id": p.evse_id, "connector_id": p.connector_id}


# -- connectors ---------------------------------------------------------------------------------


# The physical rules are the station's (``station/model/rules.py``): asked here before acting,
# and raised by the station's verb itself if the station moved on meanwhile.


def _check_plug(t: _Target, p: ConnectorPayload) -> str | None:
    return rules.cannot_plug(t.model, p.evse_id, p.connector_id)


def _plug(t: _Target, p: ConnectorPayload) -> Outcome:
    t.station.plug(p.evse_id, p.connector_id)
    return Outcome.applied(**_where(p))


def _check_plugged(t: _Target, p: ConnectorPayload) -> str | None:
    return rules.cannot_unplug(t.model, p.evse_id, p.connector_id)


def _unplug(t: _Target, p: ConnectorPayload) -> Outcome:
    had_transaction = t.running_transaction(p.evse_id)
    t.station.unplug(p.evse_id, p.connector_id)
    # Only once the cable is out: an unplug the station refused leaves the session's watch.
    t.station.timers.cancel(timer_name(p.evse_id))
    ended = had_transaction and not t.running_transaction(p.evse_id)
    return Outcome.applied(**_where(p), transaction_ended=ended)


def _check_connector(t: _Target, p: ConnectorPayload) -> str | None:
    return t.connector_check(p.evse_id, p.connector_id)


def _unlock(t: _Target, p: ConnectorPayload) -> Outcome:
    t.station.unlock(p.evse_id, p.connector_id)
    return Outcome.applied(**_where(p), locked=False)


def _check_ev(t: _Target, p: ConnectorPayload) -> str | None:
    return _check_plugged(t, p) or rules.no_ev(t.model, p.evse_id)


def _ev_requests(t: _Target, p: ConnectorPayload) -> Outcome:
    t.station.ev_resume(p.evse_id)
    return Outcome.applied(**_where(p), requesting=True)


def _ev_stops(t: _Target, p: ConnectorPayload) -> Outcome:
    t.station.ev_suspend(p.evse_id)
    return Outcome.applied(**_where(p), requesting=False)


# -- sessions and transactions ---------------------------------------------------------------------


def _check_start_session(t: _Target, p: StartSessionPayload) -> str | None:
    if reason := t.connector_check(p.evse_id, p.connector_id):
        return reason
    evse = t.evse(p.evse_id)
    connector = evse.connectors[p.connector_id]
    if evse.transaction is not None:
        return f"a transaction is already running on EVSE {p.evse_id}"
    other = evse.plugged_connector()
    if other is not None and other is not connector:
        return f"EVSE {p.evse_id} already has a cable in another connector"
    if connector.status in (_S.UNAVAILABLE, _S.FAULTED):
        return f"the connector is {connector.status.value}"
    if p.ev is not None and connector.cable_plugged:
        return "a cable is in already: its EV came with it (ev is the car of a session that plugs)"
    return _someone_elses(t, p.evse_id, p.id_tag)


def _someone_elses(t: _Target, evse_id: int, id_tag: str) -> str | None:
    """Why the EVSE is held for another driver: a start pending there (a remote start or
    another tag waiting for its cable: 1.6 section 5.11, 2.0.1 E03/F01/F02) whose transaction
    a plug would start (``id_tag``'s own authorization is the session's to use), or a
    reservation the tag may not use (1.6 section 5.13, 2.0.1 H01/H03;
    a group's reservation may still turn out to be the tag's: the Authorize answer decides)."""
    if starts.own_authorization(t.station, evse_id, id_tag) is not None:
        return None  # the driver's own authorization (an authorize before): not another's
    if (pending := t.station.pending_start(evse_id)) is not None:
        return f"EVSE {evse_id} is held: {pending}"
    evse = t.evse(evse_id)
    if not t.station.may_start_session(evse, IdToken(id_tag), None, tentative=True):
        return f"EVSE {evse_id} is reserved for another id tag"
    return None


async def _start_session(t: _Target, p: StartSessionPayload) -> Outcome:
    return _told(await starts.start_session(t.station, p, t.start_settings, t.on_session_end))


def _check_stop_session(t: _Target, p: ConnectorPayload) -> str | None:
    if reason := t.connector_check(p.evse_id, p.connector_id):
        return reason
    connector = t.evse(p.evse_id).connectors[p.connector_id]
    if not t.running_transaction(p.evse_id) and not connector.cable_plugged:
        return f"no session on EVSE {p.evse_id} connector {p.connector_id}: nothing to stop"
    return None


def _stop_session(t: _Target, p: ConnectorPayload) -> Outcome:
    stopped = t.running_transaction(p.evse_id)
    if stopped:
        t.station.stop_transaction(p.evse_id, "Local")
    unplugged = t.evse(p.evse_id).connectors[p.connector_id].cable_plugged
    if unplugged:
        t.station.unplug(p.evse_id, p.connector_id)
    t.station.timers.cancel(timer_name(p.evse_id))  # the session's watch: its work is done
    return Outcome.applied(**_where(p), transaction_stopped=stopped, unplugged=unplugged)


def _check_authorize(t: _Target, p: AuthorizePayload) -> str | None:
    if p.evse_id is not None and p.evse_id not in t.model.evses:
        return f"no EVSE {p.evse_id} (the station has {len(t.model.evses)})"
    return None


async def _authorize(t: _Target, p: AuthorizePayload) -> Outcome:
    return _told(await starts.authorize(t.station, p, t.start_settings))


def _check_start_transaction(t: _Target, p: StartTransactionPayload) -> str | None:
    if reason := t.connector_check(p.evse_id, p.connector_id):
        return reason
    if t.evse(p.evse_id).transaction is not None:
        return f"a transaction is already running on EVSE {p.evse_id}"
    # The caller drives the plug (plug-connector) before starting on the station's word.
    if reason := rules.cannot_unplug(t.model, p.evse_id, p.connector_id):
        return reason
    return _someone_elses(t, p.evse_id, p.id_tag)


async def _start_transaction(t: _Target, p: StartTransactionPayload) -> Outcome:
    return _told(await starts.start_transaction(t.station, p, t.start_settings))


def _told(reported: starts.Reported) -> Outcome:
    return Outcome(reported.ok, reported.result, reported.error, refused=reported.refused)


def _check_stop_transaction(t: _Target, p: StopTransactionPayload) -> str | None:
    return t.connector_check(p.evse_id, p.connector_id) or rules.cannot_stop(t.model, p.evse_id)


def _stop_transaction(t: _Target, p: StopTransactionPayload) -> Outcome:
    t.station.stop_transaction(p.evse_id, p.reason)
    # Only once it stopped: a stop the station refused leaves the session's watch running.
    t.station.timers.cancel(timer_name(p.evse_id))
    return Outcome.applied(**_where(p), reason=p.reason)


# -- power and faults ---------------------------------------------------------------------------


def _power_update(t: _Target, p: PowerUpdatePayload) -> Outcome:
    t.station.set_power_limit(p.evse_id, p.power_w)
    return Outcome.applied(**_where(p), power_w=p.power_w)


def _check_inject_fault(t: _Target, p: FaultPayload) -> str | None:
    if reason := t.connector_check(p.evse_id, p.connector_id):
        return reason
    if t.evse(p.evse_id).connectors[p.connector_id].faulted:
        return "the connector is already Faulted"
    return None


def _inject_fault(t: _Target, p: FaultPayload) -> Outcome:
    fault = t.station.TERMS.fault_named(p.error_code, p.info, p.vendor_error_code)
    t.station.inject_fault(p.evse_id, p.connector_id, fault)
    info = {} if p.info is None else {"info": p.info}
    return Outcome.applied(**_where(p), error_code=p.error_code, **info)


def _check_clear_fault(t: _Target, p: ConnectorPayload) -> str | None:
    return rules.not_faulted(t.model, p.evse_id, p.connector_id)


def _clear_fault(t: _Target, p: ConnectorPayload) -> Outcome:
    t.station.clear_fault(p.evse_id, p.connector_id)
    status = t.station.reported_status(t.evse(p.evse_id).connectors[p.connector_id].status)
    return Outcome.applied(**_where(p), status=status)


# -- configuration and authorization data ------------------------------------------------------


def _nothing_to_check(t: _Target, p: BaseModel) -> str | None:
    return None


def _set_configuration(t: _Target, p: SetConfigurationPayload) -> Outcome:
    return Outcome.applied(results=t.station.set_configuration(p.settings()))


def _reset_cache(t: _Target, p: EmptyPayload) -> Outcome:
    # What ClearCache does (1.6 section 5.4, 2.0.1 C11), asked at the station itself.
    entries = len(t.model.cache)
    t.model.cache.clear()
    return Outcome.applied(cleared=entries)


def _check_local_list(t: _Target, p: LocalAuthListPayload) -> str | None:
    installed = t.model.local_list.version
    if p.list_version <= installed:
        return f"list_version must be greater than the installed {installed}"
    return None


def _local_auth_list(t: _Target, p: LocalAuthListPayload) -> Outcome:
    status = t.station.set_local_list(p.list_version, p.list_entries(), differential=p.differential)
    if status != "Accepted":
        return Outcome.rejected(f"the station answered {status}")
    return Outcome.applied(list_version=p.list_version, entries=len(p.entries))


def _clear_local_list(t: _Target, p: EmptyPayload) -> Outcome:
    version = t.model.local_list.version + 1
    status = t.station.clear_local_list(version)
    if status != "Accepted":
        return Outcome.rejected(f"the station answered {status}")
    return Outcome.applied(list_version=version, entries=0)


# -- proxy ----------------------------------------------------------------------------------------


def _check_proxy(t: _Target, p: ProxyMessagePayload) -> str | None:
    # The version and the payload's schema are the version's refusal (refusals.py).
    if not t.station.connected:
        return "the station is not connected to its central system"
    if t.station.registration is not Registration.ACCEPTED and p.action != "BootNotification":
        return f"the station is not registered ({t.station.registration.value})"
    return None


async def _proxy(t: _Target, p: ProxyMessagePayload) -> Outcome:
    answer: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()

    def answered(payload: Payload) -> None:
        if not answer.done():
            answer.set_result(Outcome.applied(action=p.action, response=payload))

    def failed(error: CallFailure) -> None:
        if not answer.done():
            # A CALLERROR is the central system refusing it; a lost connection or a call
            # timing out is not an answer.
            refused = isinstance(error, CallErrorReply)
            reason = f"{p.action}: {error}"
            answer.set_result(Outcome.rejected(reason) if refused else Outcome.failed(reason))

    if not t.station.call(p.action, p.payload, answered, failed):
        return Outcome.failed("the station could not send it (offline or not registered)")
    try:
        async with asyncio.timeout(t.executor.proxy_timeout_s):
            return await answer
    except TimeoutError:
        return Outcome.failed(f"no answer to {p.action} within {t.executor.proxy_timeout_s} s")


def _control(control: Control[Any]) -> _Row:
    """A simulator control (``controls/``) as a row of the table: its act's result is the
    outcome's; what its station verb raises fails it, as for every command."""
    return _Command(
        control.spec.payload,
        lambda t, p: control.check(t.station, p),
        lambda t, p: Outcome.applied(**control.act(t.station, p)),
    )


_C = _Command
_TABLE: dict[str, _Row] = {
    "plug": _C(ConnectorPayload, _check_plug, _plug),
    "unplug": _C(ConnectorPayload, _check_plugged, _unplug),
    "unlock": _C(ConnectorPayload, _check_connector, _unlock),
    "ev_requests_energy": _C(ConnectorPayload, _check_ev, _ev_requests),
    "ev_stops_energy": _C(ConnectorPayload, _check_ev, _ev_stops),
    "start_session": _C(StartSessionPayload, _check_start_session, waits=_start_session),
    "stop_session": _C(ConnectorPayload, _check_stop_session, _stop_session),
    "authorize": _C(AuthorizePayload, _check_authorize, waits=_authorize),
    "start_transaction": _C(
        StartTransactionPayload, _check_start_transaction, waits=_start_transaction
    ),
    "stop_transaction": _C(StopTransactionPayload, _check_stop_transaction, _stop_transaction),
    "power_update": _C(PowerUpdatePayload, _check_connector, _power_update),
    "inject_fault": _C(FaultPayload, _check_inject_fault, _inject_fault),
    "clear_fault": _C(ConnectorPayload, _check_clear_fault, _clear_fault),
    "set_configuration": _C(SetConfigurationPayload, _nothing_to_check, _set_configuration),
    "reset_cache": _C(EmptyPayload, _nothing_to_check, _reset_cache),
    "local_auth_list": _C(LocalAuthListPayload, _check_local_list, _local_auth_list),
    "clear_local_list": _C(EmptyPayload, _nothing_to_check, _clear_local_list),
    "proxy_message": _C(ProxyMessagePayload, _check_proxy, waits=_proxy),
    **{event_type: _control(control) for event_type, control in CONTROLS_BY_TYPE.items()},
}
"""Every command by ``event_type`` (``commands.py`` names the same models)."""
