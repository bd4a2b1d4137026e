"""How the suite makes the charging station under test act physically, when a case needs it:
a cable plugged or unplugged, a tag at the reader, the EV pausing, a fault, a power cycle.
What OCPP can do (a configuration key, a reservation, a remote start) the suite does itself:
it is the central system.

The verbs (:class:`Verb`) and their parameters (``evseId`` and ``connectorId`` number as
OCPP 2.0.1 does, for 1.6 stations too: connector ``n`` of 1.6 is EVSE ``n``'s connector 1, as
in chargeyard's gateway):

=================  ===============================  ==================================
verb               parameters                       the station...
=================  ===============================  ==================================
plug               evseId, connectorId              gets a cable (with an EV) plugged in
unplug             evseId, connectorId              has the cable pulled out
present_id_token   idToken, evseId                  sees the tag at its reader
ev_suspend         evseId                           has its EV stop drawing energy
ev_resume          evseId                           has its EV draw energy again
inject_fault       evseId, connectorId, errorCode   fails (a 1.6 ChargePointErrorCode)
clear_fault        evseId, connectorId              is repaired
lock_failure       evseId, connectorId              cannot lock the plugged cable
unlock_failure     evseId, connectorId, fails       will not unlock the connector (fails
                                                    false: the lock works again)
power_cycle        stopTransactionsFirst (only      loses its power, which comes back
                   when true)                       (stopTransactionsFirst: a station
                                                    with the energy to ends its
                                                    transactions before it goes dark)
=================  ===============================  ==================================

The triggers:

* :class:`HookStationTrigger` — any station with an HTTP hook: ``POST {url}/{ocpp_version}/
  {station_id}/{verb}`` with the parameters as a JSON object; a 2xx answer means the station
  did it (or will at once).
* :class:`PromptStationTrigger` — a person: the suite says exactly what to do; the message
  the station sends is the confirmation (Enter is, for a verb the station says nothing about).
  Nothing in time: the case is inconclusive.
* :class:`ChargeyardStationTrigger` — a chargeyard simulated charger, through its gateway API
  (``POST /ocpp/commands/<command>``: a power cycle is ``power-cut``, a lock that will not
  open ``jam-lock``).
* :class:`InProcessStationTrigger` — a chargeyard station in this process, through its verbs
  (``station/verbs.py``): a test, or a script that runs a station and the suite together.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable

import httpx

from chargeyard.conformance.endings import NotActed
from chargeyard.protocol import V16, V21, V201, OcppError, VersionSpec, VersionTable
from chargeyard.station.core import SimulatedStation
from chargeyard.station.faults import KIND_OF_16_CODE, Fault, FaultKind
from chargeyard.station.verbs import verbs_of
from chargeyard.trust_store import http_trust

Payload = dict[str, Any]
HOOK_TIMEOUT_S = 10.0
_OUTCOME_POLL_S = 0.1  # how often the gateway trigger asks what became of a command


class Verb(StrEnum):
    PLUG = "plug"
    UNPLUG = "unplug"
    PRESENT_ID_TOKEN = "present_id_token"
    EV_SUSPEND = "ev_suspend"
    EV_RESUME = "ev_resume"
    INJECT_FAULT = "inject_fault"
    CLEAR_FAULT = "clear_fault"
    LOCK_FAILURE = "lock_failure"
    UNLOCK_FAILURE = "unlock_failure"
    POWER_CYCLE = "power_cycle"


# The verbs that name an EVSE without a connector (or nothing at all).
_WHOLE_EVSE = frozenset({Verb.PRESENT_ID_TOKEN, Verb.EV_SUSPEND, Verb.EV_RESUME, Verb.POWER_CYCLE})


def _evse_and_connector(evse: int, connector: int) -> str:
    return f"EVSE {evse} connector {connector}"


# Where an act happens, in the version's words for a person.
_PLACES: VersionTable[Callable[[int, int], str]] = VersionTable(
    "how a person is told which connector",
    {
        V16: lambda evse, connector: f"connector {evse}",
        V201: _evse_and_connector,
        V21: _evse_and_connector,
    },
)


@dataclass(frozen=True, slots=True)
class StationAct:
    """One physical act on the station (see the module docstring)."""

    verb: Verb
    evse: int = 1
    connector: int = 1
    id_token: str | None = None
    error_code: str | None = None
    fails: bool = True
    stop_first: bool = False  # power_cycle: the case wants the transactions stopped first

    @property
    def confirmed_by_message(self) -> bool:
        """Whether the station tells the central system of it (a person's act is then
        confirmed by that message; otherwise by Enter)."""
        return self.verb is not Verb.UNLOCK_FAILURE

    def body(self) -> Payload:
        """The verb's parameters, as a hook receives them."""
        body: Payload = {}
        if self.verb is not Verb.POWER_CYCLE:
            body["evseId"] = self.evse
        if self.verb not in _WHOLE_EVSE:
            body["connectorId"] = self.connector
        if self.verb is Verb.PRESENT_ID_TOKEN:
            body["idToken"] = self.id_token
        elif self.verb is Verb.INJECT_FAULT:
            body["errorCode"] = self.error_code or "GroundFailure"
        elif self.verb is Verb.UNLOCK_FAILURE:
            body["fails"] = self.fails
        elif self.verb is Verb.POWER_CYCLE and self.stop_first:
            body["stopTransactionsFirst"] = True
        return body

    def words(self, version: VersionSpec) -> str:
        """What a person does, in plain words."""
        place = _PLACES[version](self.evse, self.connector)
        return {
            Verb.PLUG: f"plug a cable with an EV into {place}",
            Verb.UNPLUG: f"unplug the cable from {place}",
            Verb.PRESENT_ID_TOKEN: f"present id tag {self.id_token} at the reader",
            Verb.EV_SUSPEND: f"make the EV on {place} stop drawing energy (it stays plugged in)",
            Verb.EV_RESUME: f"make the EV on {place} draw energy again",
            Verb.INJECT_FAULT: f"make {place} fail ({self.error_code or 'GroundFailure'})",
            Verb.CLEAR_FAULT: f"repair the fault of {place}",
            Verb.LOCK_FAILURE: f"make the cable in {place} fail to lock",
            Verb.UNLOCK_FAILURE: (
                f"make {place}'s lock fail to unlock"
                if self.fails
                else f"make {place}'s lock work again"
            ),
            Verb.POWER_CYCLE: (
                "switch the station's power off and on again, letting it stop its transactions"
                " first if it has the energy to"
                if self.stop_first
                else "switch the station's power off and on again"
            ),
        }[self.verb]


class StationTrigger(Protocol):
    """What makes the station under test act. ``interactive``: a person does it, so a message
    that does not come means nobody acted (inconclusive), not that the station failed."""

    interactive: bool

    async def act(self, version: VersionSpec, station_id: str, act: StationAct) -> None:
        """Make the station do ``act``.

        Raises:
            NotActed: the trigger cannot (no such verb, the hook refused, nobody confirmed).
        """
        ...

    async def close(self) -> None: ...


class PromptStationTrigger:
    """A person at the terminal, given ``wait_s`` seconds an act."""

    interactive = True

    def __init__(
        self,
        wait_s: float = 120.0,
        *,
        say: Callable[[str], None] | None = None,
        read_line: Callable[[], str] | None = None,
    ) -> None:
        self.wait_s = wait_s
        self._say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self._read_line = read_line or sys.stdin.readline

    async def act(self, version: VersionSpec, station_id: str, act: StationAct) -> None:
        words = act.words(version)
        if act.confirmed_by_message:
            self._say(f"Now {words} ({station_id}), within {self.wait_s:g} s.")
            return
        self._say(f"{words[0].upper()}{words[1:]} ({station_id}), then press Enter.")
        try:
            async with asyncio.timeout(self.wait_s):
                await asyncio.to_thread(self._read_line)
        except TimeoutError:
            raise NotActed(f"nobody confirmed within {self.wait_s:g} s: {words}") from None

    async def close(self) -> None:
        return None


class HookStationTrigger:
    """An HTTP hook of the station under test (module docstring)."""

    interactive = False

    def __init__(self, url: str, *, timeout: float = HOOK_TIMEOUT_S) -> None:
        self._url = url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout, verify=http_trust())

    async def act(self, version: VersionSpec, station_id: str, act: StationAct) -> None:
        url = f"{self._url}/{version.name}/{station_id}/{act.verb.value}"
        await _posted(self._client, url, act.body())

    async def close(self) -> None:
        await self._client.aclose()


class ChargeyardStationTrigger:
    """A chargeyard simulated charger ``charger_id`` behind the gateway API at ``api_url``
    (``http://host:8000``), with an operator's bearer ``token``."""

    interactive = False

    _COMMANDS: ClassVar[dict[Verb, str]] = {
        Verb.PLUG: "plug-connector",
        Verb.UNPLUG: "unplug-connector",
        Verb.PRESENT_ID_TOKEN: "authorize",
        Verb.EV_SUSPEND: "ev-stops-energy",
        Verb.EV_RESUME: "ev-requests-energy",
        Verb.INJECT_FAULT: "inject-fault",
        Verb.CLEAR_FAULT: "clear-fault",
        Verb.LOCK_FAILURE: "inject-fault",
        Verb.UNLOCK_FAILURE: "jam-lock",
        Verb.POWER_CYCLE: "power-cut",
    }

    def __init__(
        self, api_url: str, token: str, charger_id: str, *, timeout: float = HOOK_TIMEOUT_S
    ) -> None:
        self.charger_id = charger_id
        self._client = httpx.AsyncClient(
            base_url=api_url.rstrip("/") + "/ocpp",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            verify=http_trust(),
        )

    async def act(self, version: VersionSpec, station_id: str, act: StationAct) -> None:
        command = self._COMMANDS.get(act.verb)
        if command is None:
            raise NotActed(f"chargeyard's gateway has no command to {act.words(version)}")
        body = {"target": {"charger_id": self.charger_id}, "event": self._event(act)}
        answer = await _posted(self._client, f"/commands/{command}", body)
        failed = answer.get("failed") or []
        if failed:
            raise NotActed(f"the gateway did not queue {command}: {failed[0].get('error')}")
        if not act.confirmed_by_message:
            # Nothing the station sends confirms it (a jammed lock): done once applied, before
            # the case asks the station to unlock.
            queued = answer["results"][0]["command"]["id"]
            await self._applied(command, queued)

    @staticmethod
    def _event(act: StationAct) -> Payload:
        if act.verb is Verb.POWER_CYCLE:
            # The power comes back after the station's restart time.
            return {"stop_transactions_first": True} if act.stop_first else {}
        event: Payload = {"evse_id": act.evse}
        if act.verb is Verb.PRESENT_ID_TOKEN:
            event["id_tag"] = act.id_token
        elif act.verb not in _WHOLE_EVSE:
            event["connector_id"] = act.connector
        if act.verb is Verb.INJECT_FAULT:
            event["error_code"] = act.error_code or "GroundFailure"
        elif act.verb is Verb.LOCK_FAILURE:
            event["error_code"] = "ConnectorLockFailure"
        elif act.verb is Verb.UNLOCK_FAILURE:
            event["jammed"] = act.fails
        return event

    async def _applied(self, command: str, command_id: str) -> None:
        """Until the command's outcome is known (``GET /ocpp/commands/{id}``: its ``state`` in
        chargeyard's words; ``status`` is OCPPLab's).

        Raises:
            NotActed: it failed, or no outcome came within the trigger's timeout.
        """
        try:
            async with asyncio.timeout(self._client.timeout.read or HOOK_TIMEOUT_S):
                while True:
                    outcome = await _got(self._client, f"/commands/{command_id}")
                    if outcome.get("state") == "succeeded":
                        return
                    if outcome.get("state") == "failed":
                        raise NotActed(f"{command} failed: {outcome.get('error')}")
                    await asyncio.sleep(_OUTCOME_POLL_S)
        except TimeoutError:
            raise NotActed(f"{command} was not applied in time") from None

    async def close(self) -> None:
        await self._client.aclose()


async def _got(client: httpx.AsyncClient, url: str) -> Payload:
    """GET ``url``'s JSON object.

    Raises:
        NotActed: the request failed or was refused.
    """
    try:
        answer = await client.get(url)
    except httpx.HTTPError as error:
        raise NotActed(f"GET {url} failed: {str(error) or type(error).__name__}") from None
    if not answer.is_success:
        raise NotActed(f"GET {url} answered HTTP {answer.status_code}: {answer.text[:200]}")
    parsed = answer.json()
    return parsed if isinstance(parsed, dict) else {}


async def _posted(client: httpx.AsyncClient, url: str, body: Payload) -> Payload:
    """POST ``body``; the answer's JSON object (empty when it has none).

    Raises:
        NotActed: the request failed or was refused.
    """
    shown = str(client.base_url.join(url))
    try:
        answer = await client.post(url, json=body)
    except httpx.HTTPError as error:
        why = str(error) or type(error).__name__
        raise NotActed(f"the trigger's POST {shown} failed: {why}") from None
    if not answer.is_success:
        raise NotActed(
            f"the trigger's POST {shown} answered HTTP {answer.status_code}: {answer.text[:200]}"
        )
    try:
        parsed = answer.json()
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@runtime_checkable
class _JamsLocks(Protocol):
    def set_unlock_fails(self, evse_id: int, connector_id: int, fails: bool) -> None: ...


class InProcessStationTrigger:
    """A chargeyard simulated station run in this process (by a ``StationRuntime``): each
    verb is the station's own (``station/verbs.py``), so what it sends is what it would send
    for the gateway's command. ``off_s``: how long a power cycle keeps the power off (None:
    the station's ``reboot_delay_s``)."""

    interactive = False

    def __init__(self, station: SimulatedStation, *, off_s: float | None = None) -> None:
        self.station = station
        self.off_s = off_s

    async def act(self, version: VersionSpec, station_id: str, act: StationAct) -> None:
        try:
            self._act(act)
        except (OcppError, ValueError, KeyError) as error:
            raise NotActed(f"the station could not {act.words(version)}: {error}") from None

    def _act(self, act: StationAct) -> None:
        if act.verb is Verb.POWER_CYCLE:
            self.station.power_cut(self.off_s, stop_first=act.stop_first)
            return
        if act.verb is Verb.UNLOCK_FAILURE:
            if not isinstance(self.station, _JamsLocks):
                raise ValueError("this station cannot jam its locks")
            self.station.set_unlock_fails(act.evse, act.connector, act.fails)
            return
        verbs = verbs_of(self.station)
        if act.verb is Verb.PLUG:
            verbs.plug(act.evse, act.connector)
        elif act.verb is Verb.UNPLUG:
            verbs.unplug(act.evse, act.connector)
        elif act.verb is Verb.PRESENT_ID_TOKEN:
            verbs.present_id_token(act.id_token or "", act.evse)
        elif act.verb is Verb.EV_SUSPEND:
            verbs.ev_suspend(act.evse)
        elif act.verb is Verb.EV_RESUME:
            verbs.ev_resume(act.evse)
        elif act.verb in (Verb.INJECT_FAULT, Verb.LOCK_FAILURE):
            kind = (
                FaultKind.CONNECTOR_LOCK
                if act.verb is Verb.LOCK_FAILURE
                else KIND_OF_16_CODE.get(act.error_code or "GroundFailure", FaultKind.OTHER)
            )
            verbs.inject_fault(act.evse, act.connector, Fault(kind))
        elif act.verb is Verb.CLEAR_FAULT:
            verbs.clear_fault(act.evse, act.connector)

    async def close(self) -> None:
        return None
