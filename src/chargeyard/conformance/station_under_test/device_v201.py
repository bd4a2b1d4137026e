"""The OCPP 2.0.1 moves of a charging-station case that do not involve a transaction: the
device model read and changed (GetVariables B06, SetVariables B05, a change undone when the
case ends), a report gathered from its NotifyReport parts (B07, B08), the connectors the
station has and the status each reports (G01: StatusNotification, or NotifyEvent of the
connector's AvailabilityState, which Part 6 takes as the same), and a message any of several
may answer.

:class:`DeviceMovesV201` is the base of :class:`~chargeyard.conformance.station_under_test.
case_v201.StationCaseV201`; the moves of a transaction are ``transactions_v201.py``'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

from chargeyard.conformance.endings import CaseEnded, NotActed, NotApplicable, NothingCame
from chargeyard.conformance.exchanges import v201 as exchanges_v201
from chargeyard.conformance.station_under_test.case import StationCase, is_timestamp
from chargeyard.conformance.station_under_test.inbox import Received, Where
from chargeyard.conformance.station_under_test.triggers import StationAct, Verb
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
TOKEN_TYPE: Final = "ISO14443"
"""The IdTokenEnumType of the tags the cases present (an RFID card, Part 5 feature C-30)."""


def id_token(tag: str, type_: v201.IdTokenEnumType = TOKEN_TYPE) -> v201.IdTokenType:
    """The IdTokenType of ``tag``."""
    return {"idToken": tag, "type": type_}


@dataclass(frozen=True, slots=True)
class Var:
    """A variable of a component (2.0.1 part 2 appendix, "Referenced Components and
    Variables"): ``OCPPCommCtrlr.OfflineThreshold`` is ``Var("OCPPCommCtrlr",
    "OfflineThreshold")``."""

    component: str
    name: str
    instance: str | None = None
    evse: int | None = None
    connector: int | None = None

    def wire(self) -> v201.GetVariableDataType:
        """Its ComponentType and VariableType, as GetVariableData and SetVariableData hold
        them."""
        component: v201.ComponentType = {"name": self.component}
        if self.evse is not None:
            component["evse"] = {"id": self.evse}
            if self.connector is not None:
                component["evse"]["connectorId"] = self.connector
        variable: v201.VariableType = {"name": self.name}
        if self.instance is not None:
            variable["instance"] = self.instance
        return {"component": component, "variable": variable}

    def setting(
        self, value: str, attribute: v201.AttributeEnumType | None = None
    ) -> v201.SetVariableDataType:
        """The SetVariableData of ``value`` (attributeType ``attribute``; None: left out, so
        Actual)."""
        wired = self.wire()
        data: v201.SetVariableDataType = {
            "component": wired["component"],
            "variable": wired["variable"],
            "attributeValue": value,
        }
        if attribute is not None:
            data["attributeType"] = attribute
        return data

    def __str__(self) -> str:
        where = f"[EVSE {self.evse}]" if self.evse is not None else ""
        instance = f"[{self.instance}]" if self.instance else ""
        return f"{self.component}{where}.{self.name}{instance}"


_Result = TypeVar("_Result", v201.GetVariableResultType, v201.SetVariableResultType)


def result_for(results: Sequence[_Result], var: Var) -> _Result | None:
    """The Get/SetVariableResult of ``var`` among ``results`` (the answer echoes each item's
    component and variable, B05.FR.02, B06.FR.02), whatever their order."""
    wanted = var.wire()
    for result in results:
        component, variable = result.get("component", {}), result.get("variable", {})
        if (
            component.get("name") == wanted["component"]["name"]
            and (component.get("evse") or None) == wanted["component"].get("evse")
            and variable.get("name") == wanted["variable"]["name"]
            and variable.get("instance") == wanted["variable"].get("instance")
        ):
            return result
    return None


class DeviceMovesV201(StationCase):
    """The device model, reports and connector statuses of a 2.0.1 case (module
    docstring)."""

    if TYPE_CHECKING:
        # The moves of StationCase take any action and a plain dict; here they take the
        # version's actions and their generated message types (conformance/exchanges).
        call: exchanges_v201.CentralCall  # type: ignore[assignment]
        ask: exchanges_v201.CentralAsk  # type: ignore[assignment]
        order: exchanges_v201.CentralOrder  # type: ignore[assignment]
        expect: exchanges_v201.CentralExpect  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[str, str | None] = {}  # values set back at the end, by variable

    # -- what the station has ---------------------------------------------------------------

    def connectors(self) -> list[tuple[int, int]]:
        """Every (evseId, connectorId) the station reported a status of since the run began
        (its boot reports them all, B01.FR.05); (1, 1) when none is known yet."""
        known = sorted((key[0], key[1]) for key in self.peer.statuses if len(key) == 2)
        return known or [(1, 1)]

    def evses(self) -> list[int]:
        return sorted({evse for evse, _ in self.connectors()})

    # -- the driver at the station ----------------------------------------------------------

    async def connect_ev(self, evse: int = 1, connector: int = 1) -> None:
        """The EV is connected to the EVSE's connector (undone when the case ends)."""
        await self.act(StationAct(Verb.PLUG, evse, connector))

    async def disconnect_ev(self, evse: int = 1, connector: int = 1) -> None:
        await self.act(StationAct(Verb.UNPLUG, evse, connector))

    # -- the device model (B05, B06) --------------------------------------------------------

    async def get_variables(
        self, *variables: Var, attribute: v201.AttributeEnumType | None = None
    ) -> list[v201.GetVariableResultType]:
        """GetVariables of ``variables`` (attributeType ``attribute``; None: left out, so
        Actual): the getVariableResult entries, each checked to name what was asked."""
        items = []
        for var in variables:
            item = var.wire()
            if attribute is not None:
                item["attributeType"] = attribute
            items.append(item)
        answer = await self.call("GetVariables", {"getVariableData": items})
        results = answer.get("getVariableResult") or []
        for var in variables:
            self.log.check(
                f"GetVariables answers for {var}",
                result_for(results, var) is not None,
                expected=str(var),
                observed=[
                    f"{r.get('component', {}).get('name')}.{r.get('variable', {}).get('name')}"
                    for r in results
                ],
            )
        return results

    async def variable(self, var: Var) -> str | None:
        """The Actual value of ``var`` (None: the station does not have it or will not
        tell)."""
        results = await self.get_variables(var)
        found = result_for(results, var)
        if found is None or found.get("attributeStatus") != "Accepted":
            return None
        value = found.get("attributeValue")
        return value if isinstance(value, str) else None

    async def learnt(self, var: Var) -> str | None:
        """``var``'s value as the station told it at first need, kept for the run (a
        variable no case changes: ItemsPerMessage, a connector's type)."""
        key = f"variable {var}"
        if key not in self.bench.learnt:
            self.bench.learnt[key] = await self.variable(var)
        value = self.bench.learnt[key]
        return value if isinstance(value, str) else None

    async def set_variables(self, *settings: tuple[Var, str]) -> list[v201.SetVariableResultType]:
        """SetVariables of each (variable, value), attributeType left out (Actual): the
        setVariableResult entries, each checked to name what was set."""
        items = [var.setting(value) for var, value in settings]
        answer = await self.call("SetVariables", {"setVariableData": items})
        results = answer.get("setVariableResult") or []
        for var, _ in settings:
            self.log.check(
                f"SetVariables answers for {var}",
                result_for(results, var) is not None,
                expected=str(var),
                observed=len(results),
            )
        return results

    async def set_variable(
        self,
        var: Var,
        value: str,
        *,
        accepted: Collection[str] = ("Accepted",),
        optional: bool = False,
    ) -> str | None:
        """Set ``var`` to ``value`` for the case (the value it had comes back when the case
        ends); its attributeStatus must be one of ``accepted``. ``optional``: a variable the
        spec lets a station lack, whose case then does not apply.

        Returns:
            The attributeStatus.

        Raises:
            NotApplicable: ``optional`` and the station does not have it.
        """
        before = await self.keep(var)
        if before is None and optional:
            raise NotApplicable(f"the station has no {var} (it is optional)")
        results = await self.set_variables((var, value))
        found = result_for(results, var)
        status = found.get("attributeStatus") if found else None
        wanted = " or ".join(accepted)
        if not self.log.check(
            f"SetVariables of {var} to {value!r} is answered {wanted}",
            status in accepted,
            expected=wanted,
            observed=status,
        ):
            raise CaseEnded(f"the station answered SetVariables of {var} {status}")
        self.on_restored(var, value)
        return status if isinstance(status, str) else None

    async def set_if_present(self, var: Var, value: str) -> bool:
        """Part 6's "(If implemented)": set ``var`` to ``value`` for the case where the
        station has it; False where it has not (nothing to set)."""
        if await self.keep(var) is None:
            return False
        await self.set_variable(var, value)
        return True

    async def keep(self, var: Var) -> str | None:
        """Read ``var`` and set it back to that value when the case ends (once a case: the
        first read is the value before it); returns the value (None: the station has none
        to tell)."""
        name = f"variable {var}"
        if any(existing == name for existing, _ in self._undo):
            return self._kept.get(name)
        before = await self.variable(var)
        self._kept[name] = before
        if before is not None:

            async def restore() -> None:
                await self.ask("SetVariables", {"setVariableData": [var.setting(before)]})
                self.on_restored(var, before)

            self.on_close(name, restore)
        return before

    def on_restored(self, var: Var, value: str) -> None:
        """A variable changed (a version's moves keep what they read of it)."""
        return None

    def result_is(
        self, result: Mapping[str, object] | None, field: str, expected: object, *, weight: Weight
    ) -> bool:
        """Check a Get/SetVariableResult's ``field`` is ``expected``."""
        observed = result.get(field) if result else None
        return self.log.check(
            f"the result's {field} is {expected}",
            observed == expected,
            weight=weight,
            expected=expected,
            observed=observed,
        )

    def no_error_or(
        self,
        result: v201.GetVariableResultType | v201.SetVariableResultType | None,
        *reasons: str,
    ) -> None:
        """attributeStatusInfo is absent, or its reasonCode one of ``reasons`` (NoError by
        default: Part 6's B05/B06 checks)."""
        info = result.get("attributeStatusInfo") if result else None
        allowed = reasons or ("NoError",)
        self.log.check(
            f"attributeStatusInfo is absent or its reasonCode {' or '.join(allowed)}",
            not info or str(info.get("reasonCode", "")).lower() in {r.lower() for r in allowed},
            weight=Weight.SPEC,
            expected=" or ".join(allowed),
            observed=info or "absent",
        )

    # -- reports (B07, B08) -----------------------------------------------------------------

    async def report(
        self, request_id: int, *, within: float | None = None
    ) -> list[v201.ReportDataType]:
        """The NotifyReport parts of ``request_id`` until one without tbc: each part's seqNo
        one more than the last (from 0), generatedAt a date-time; returns every reportData
        entry."""
        entries: list[v201.ReportDataType] = []
        seq_no = 0
        while True:
            part = await self.expect(
                "NotifyReport",
                where=lambda r: r.payload.get("requestId") == request_id,
                what=f"NotifyReport of request {request_id} (part {seq_no})",
                within=within,
            )
            payload = part.payload
            self.log.check(
                f"NotifyReport part {seq_no} has seqNo {seq_no}",
                payload.get("seqNo") == seq_no,
                weight=Weight.SPEC,
                expected=seq_no,
                observed=payload.get("seqNo"),
            )
            if seq_no == 0:
                self.log.check(
                    "NotifyReport's generatedAt is a date-time with a zone",
                    is_timestamp(payload.get("generatedAt")),
                    weight=Weight.SPEC,
                    expected="RFC 3339 with a zone",
                    observed=payload.get("generatedAt"),
                )
            entries.extend(payload.get("reportData") or [])
            if not payload.get("tbc", False):
                return entries
            seq_no += 1

    # -- connector statuses (G01) -----------------------------------------------------------

    async def connector_status(
        self,
        status: str,
        evse: int = 1,
        connector: int = 1,
        *,
        since: int | None = None,
        within: float | None = None,
        reconnects: bool = False,
    ) -> Received:
        """The station reports connector ``connector`` of EVSE ``evse`` ``status``: a
        StatusNotification, or a NotifyEvent of its AvailabilityState (G01; Part 6 takes
        either); a StatusNotification's timestamp is checked to be one."""

        def notification(item: Received) -> bool:
            payload = item.payload
            return (
                payload.get("evseId") == evse
                and payload.get("connectorId") == connector
                and payload.get("connectorStatus") == status
            )

        def event(item: Received) -> bool:
            return any(
                data.get("component", {}).get("name") == "Connector"
                and (data.get("component", {}).get("evse") or {}).get("id") == evse
                and (data.get("component", {}).get("evse") or {}).get("connectorId", connector)
                == connector
                and data.get("variable", {}).get("name") == "AvailabilityState"
                and data.get("actualValue") == status
                for data in item.payload.get("eventData") or []
            )

        item = await self.expect_one_of(
            [("StatusNotification", notification), ("NotifyEvent", event)],
            what=f"status {status} of EVSE {evse} connector {connector}",
            since=since,
            within=within,
            reconnects=reconnects,
        )
        if item.action == "StatusNotification":
            self.log.check(
                "StatusNotification's timestamp is a date-time with a zone",
                is_timestamp(item.payload.get("timestamp")),
                weight=Weight.SPEC,
                expected="RFC 3339 with a zone",
                observed=item.payload.get("timestamp"),
            )
        return item

    async def every_connector(
        self, status: str | dict[tuple[int, int], str], *, since: int | None = None
    ) -> None:
        """Each connector reports ``status`` (or, by (evse, connector), its own), from
        ``since`` (B01.FR.05: all of them after a boot)."""
        for evse, connector in self.connectors():
            wanted = status if isinstance(status, str) else status.get((evse, connector))
            if wanted is not None:
                await self.connector_status(wanted, evse, connector, since=since)

    # -- waiting for any of several messages ------------------------------------------------

    async def expect_one_of(
        self,
        wanted: Sequence[tuple[str, Where]],
        *,
        what: str,
        since: int | None = None,
        within: float | None = None,
        reconnects: bool = False,
    ) -> Received:
        """The first CALL that one of ``wanted`` (action, where) accepts and no expectation
        took yet, from ``since`` (default: the step's beginning); its payload is checked
        against the official schema.

        Raises:
            NotActed: a person was asked to act and nothing came.
            NothingCame: nothing came within the step's time.
            CaseEnded: the connection ended (unless ``reconnects``).
        """
        start = self.step_began if since is None else since
        wait = self.step_s if within is None else within
        connection = self.peer.connection
        found: list[Received] = []

        def came() -> bool:
            for item in self.peer.received(since=start):
                if not item.expected and any(
                    item.action == action and where(item) for action, where in wanted
                ):
                    found.append(item)
                    return True
            held = self.peer.connection
            return not reconnects and connection is not None and held is not connection

        await self.peer.until(came, wait)
        if not found:
            if not reconnects and connection is not None and self.peer.connection is not connection:
                raise CaseEnded(f"the connection ended; no {what} came")
            if self._prompted is not None:
                raise NotActed(
                    f"the station sent no {what} within {wait:g} s (was the station made to"
                    f" {self._prompted}?)"
                )
            raise NothingCame(f"the station sent no {what} within {wait:g} s")
        self._prompted = None
        item = found[0]
        self.take(item)
        return item

    def take(self, item: Received) -> None:
        """An expectation takes ``item``: its schema check is the step's."""
        item.expected = True
        self.log.check(
            f"the request {item.action} follows the official {self.version.name} schema",
            item.schema_error is None,
            weight=Weight.SPEC,
            expected="valid",
            observed=item.schema_error or "valid",
        )

    async def maybe(
        self,
        action: str,
        rule: str,
        *,
        where: Where | None = None,
        since: int | None = None,
        within: float | None = None,
        weight: Weight = Weight.SPEC,
    ) -> Received | None:
        """``action`` is expected, but its absence does not end the case: a failed check
        with ``rule`` (weighing ``weight``) instead."""
        try:
            # Any action: StationCase's expect, its payload read as the caller knows it.
            item = await StationCase.expect(self, action, where=where, since=since, within=within)
        except NothingCame as nothing:
            self.log.check(rule, False, weight=weight, expected=action, observed=str(nothing))
            return None
        self.log.check(rule, True, weight=weight)
        return item

    async def settle(self, seconds: float = 0.2) -> None:
        """Let what the station sends right after an answer arrive (a message that follows
        an answer has no fixed time)."""
        await asyncio.sleep(seconds)
