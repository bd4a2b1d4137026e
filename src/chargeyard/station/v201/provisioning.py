"""OCPP 2.0.1 provisioning (functional block B) besides the boot: the device model on the wire,
and Reset.

Theory of operation
-------------------
The device model (``device_model.py``) decides; this module maps its answers to the messages
and is the one place that knows their field names:

* GetVariables (B06) and SetVariables (B05) answer item by item, in the order asked, echoing
  each item's component, variable and attributeType. More items than
  DeviceDataCtrlr.ItemsPerMessage (instance GetVariables / SetVariables) allows is answered
  with the CALLERROR OccurrenceConstraintViolation. An accepted value is applied at once
  (``variable_changed``).
* GetBaseReport (B07) answers Accepted, EmptyResultSet (nothing to report) or NotSupported (a
  base not in :attr:`ProvisioningV201.report_bases`); after an Accepted answer the report goes
  in NotifyReport requests of at most ItemsPerMessage (instance GetReport) entries each, seqNo
  counting from 0 and tbc true on all but the last. They are sent even while the registration
  is Pending (B02.FR.02: asked for by the central system).
* GetReport (B08) selects by componentVariable (a component, and optionally one of its
  variables; what it leaves out, an EVSE, a connector, an instance, matches every one) and
  componentCriteria (components that meet any of them: ``DeviceModel.select``), both when both
  are given; it answers EmptyResultSet when nothing matches, and sends the report as
  GetBaseReport does.
  More componentVariable entries than ItemsPerMessage (instance GetReport) is the CALLERROR
  OccurrenceConstraintViolation.
* Reset (B11 idle, B12 with transactions): Immediate stops every transaction at once
  (triggerReason ResetCommand, stoppedReason ImmediateReset) and reboots; OnIdle reboots now
  when no transaction runs, else answers Scheduled and reboots when the last one has ended,
  refusing new sessions meanwhile. Either way the TransactionEvent Ended of every transaction
  it ended is delivered (answered, or its call timeout passed) before the station goes down;
  the next BootNotification says RemoteReset, or ScheduledReset after waiting. With an
  evseId the reset is that EVSE's only (when its EVSE.AllowReset is true, else Rejected): its
  transaction stops the same way and it is usable again at once (an EVSE restarts in no time
  here; the station keeps its connection).
"""

from __future__ import annotations

import logging
from collections.abc import Sized
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError, on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.core import DRAIN_BEFORE_REBOOT_S
from chargeyard.station.model.station import Evse
from chargeyard.station.power import CLOSE_WAIT_AFTER_RESET_S
from chargeyard.station.v201.device_model import Component, Variable

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

logger = logging.getLogger(__name__)

_STATION = 0  # the key of a station-wide reset among the scheduled ones
_RESET_TYPES = frozenset({"Immediate", "OnIdle"})  # the ResetEnumType words it carries out
REPORT_BASES = frozenset({"ConfigurationInventory", "FullInventory", "SummaryInventory"})


class ProvisioningV201(Block["StationV201"]):
    """B05-B07 and B11-B12; see the module docstring."""

    __slots__ = ("report_bases", "scheduled_resets")

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        # The reportBase values GetBaseReport serves (B07).
        self.report_bases = REPORT_BASES
        # Resets waiting for their EVSEs to be idle: EVSE ids, or _STATION for the station.
        self.scheduled_resets: set[int] = set()

    # -- B05 / B06 ---------------------------------------------------------------------------------

    @on("GetVariables")
    def get_variables(self, payload: v201.GetVariablesRequest) -> v201.GetVariablesResponse:
        items = payload["getVariableData"]
        self.check_items(items, "GetVariables")
        results: list[v201.GetVariableResultType] = []
        for item in items:
            attribute = item.get("attributeType", "Actual")
            variable = item["variable"]
            found = self.station.device_model.get(
                component_from_wire(item["component"]),
                variable["name"],
                variable.get("instance"),
                attribute,
            )
            result: v201.GetVariableResultType = {
                "attributeStatus": found.status.value,
                "attributeType": attribute,
                "component": item["component"],
                "variable": variable,
            }
            if found.value is not None:
                result["attributeValue"] = found.value
            results.append(result)
        return {"getVariableResult": results}

    @on("SetVariables")
    def set_variables(self, payload: v201.SetVariablesRequest) -> v201.SetVariablesResponse:
        items = payload["setVariableData"]
        self.check_items(items, "SetVariables")
        results: list[v201.SetVariableResultType] = []
        for item in items:
            attribute = item.get("attributeType", "Actual")
            variable = item["variable"]
            outcome = self.station.device_model.set(
                component_from_wire(item["component"]),
                variable["name"],
                variable.get("instance"),
                attribute,
                item["attributeValue"],
            )
            result: v201.SetVariableResultType = {
                "attributeType": attribute,
                "attributeStatus": outcome.status.value,
                "component": item["component"],
                "variable": variable,
            }
            if outcome.reason is not None:
                result["attributeStatusInfo"] = {"reasonCode": outcome.reason}
            results.append(result)
        return {"setVariableResult": results}

    def check_items(self, items: Sized, instance: str, component: str = "DeviceDataCtrlr") -> None:
        """Raise unless ``items`` fit the ItemsPerMessage of ``component`` (instance: the
        request's name).

        Raises:
            OcppError: OccurrenceConstraintViolation (B05-B08, N02.FR.07, N04.FR.09, N06.FR.06).
        """
        limit = self.station.device_model.get_int(component, "ItemsPerMessage", instance)
        if limit and len(items) > limit:
            raise OcppError(
                ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
                f"{len(items)} items; ItemsPerMessage{instance} is {limit}",
            )

    # -- B07 ---------------------------------------------------------------------------------------

    @on("GetBaseReport")
    def get_base_report(self, payload: v201.GetBaseReportRequest) -> v201.GetBaseReportResponse:
        base = payload["reportBase"]
        if base not in self.report_bases:
            return {"status": "NotSupported"}
        selected = self.station.device_model.report(base)
        if not selected:
            return {"status": "EmptyResultSet"}
        request_id: int = payload["requestId"]
        self.station.after_answer(lambda: self.send_report(request_id, selected))
        return {"status": "Accepted"}

    # -- B08 ---------------------------------------------------------------------------------------

    @on("GetReport")
    def get_report(self, payload: v201.GetReportRequest) -> v201.GetReportResponse:
        named = payload.get("componentVariable", [])
        self.check_items(named, "GetReport")
        wanted = [
            (component_from_wire(item["component"]), *_name_and_instance(item.get("variable")))
            for item in named
        ]
        selected = self.station.device_model.select(wanted, payload.get("componentCriteria", []))
        if not selected:
            return {"status": "EmptyResultSet"}
        request_id = payload["requestId"]
        self.station.after_answer(lambda: self.send_report(request_id, selected))
        return {"status": "Accepted"}

    def send_report(self, request_id: int, selected: list[tuple[Component, Variable]]) -> None:
        """NotifyReport requests for ``selected``, ItemsPerMessage (GetReport) at a time."""
        size = max(
            1, self.station.device_model.get_int("DeviceDataCtrlr", "ItemsPerMessage", "GetReport")
        )
        chunks = [selected[i : i + size] for i in range(0, len(selected), size)]
        generated_at = iso(self.station.clock.now())
        for seq_no, chunk in enumerate(chunks):
            report: v201.NotifyReportRequest = {
                "requestId": request_id,
                "generatedAt": generated_at,
                "seqNo": seq_no,
                "reportData": [report_data(component, variable) for component, variable in chunk],
            }
            if seq_no < len(chunks) - 1:
                report["tbc"] = True
            self.station.call("NotifyReport", report, requested=True)

    # -- B11 / B12 ---------------------------------------------------------------------------------

    @on("Reset")
    def reset(self, payload: v201.ResetRequest) -> v201.ResetResponse:
        return self.reset_as(payload, local=False)

    def reset_as(self, payload: v201.ResetRequest, *, local: bool) -> v201.ResetResponse:
        """A Reset of the central system, or (``local``) one from the station's own panel:
        the same rules, and the boot after says LocalReset (BootReasonEnumType)."""
        if not self.station.may_reset():
            return {"status": "Rejected"}  # a firmware installation is under way (L01)
        if payload["type"] not in _RESET_TYPES:
            # 2.1's ImmediateAndResume (B11/B12: transactions resumed after the reboot): the
            # station does not resume transactions, so it refuses the request.
            return {"status": "Rejected", "statusInfo": {"reasonCode": "UnsupportedRequest"}}
        evse_id = payload.get("evseId")
        if evse_id is not None:
            allowed = self.station.device_model.get_bool(
                Component("EVSE", evse=evse_id), "AllowReset"
            )
            if evse_id not in self.station.model.evses or not allowed:
                return {"status": "Rejected"}
        if payload["type"] == "OnIdle" and self._busy(evse_id):
            self.scheduled_resets.add(_STATION if evse_id is None else evse_id)  # B12
            return {"status": "Scheduled"}
        self.station.after_answer(lambda: self._reset_now(evse_id, local=local))
        return {"status": "Accepted"}

    def _targets(self, evse_id: int | None) -> list[Evse]:
        evses = self.station.model.evses
        return list(evses.values()) if evse_id is None else [evses[evse_id]]

    def _busy(self, evse_id: int | None) -> bool:
        return any(evse.transaction is not None for evse in self._targets(evse_id))

    def _reset_now(
        self, evse_id: int | None, *, scheduled: bool = False, local: bool = False
    ) -> None:
        self.scheduled_resets.discard(_STATION if evse_id is None else evse_id)
        for evse in self._targets(evse_id):
            if evse.transaction is not None:
                # B12: triggerReason ResetCommand, stoppedReason ImmediateReset.
                self.station.transactions.end_transaction(evse, "ResetCommand", "ImmediateReset")
        if evse_id is None:
            logger.info("%s: reset", self.station.identity)
            # BootReasonEnumType: ScheduledReset for one that waited for idle (B12).
            self.station.boot_reason = (
                "ScheduledReset" if scheduled else "LocalReset" if local else "RemoteReset"
            )
            # The Ended events just queued go out (and are answered) before the power goes.
            # Just after the Accepted, the CSMS gets a moment to close the connection first
            # (power.py); a reset that waited for idle answered Scheduled long before.
            linger = 0.0 if scheduled else CLOSE_WAIT_AFTER_RESET_S
            self.station.reboot(drain_s=DRAIN_BEFORE_REBOOT_S, linger_s=linger)

    def on_evse_idle(self, evse: Evse) -> None:
        """B12: a reset OnIdle waiting for its EVSEs happens once they are idle."""
        for target in sorted(self.scheduled_resets):
            if not self._busy(None if target == _STATION else target):
                self._reset_now(None if target == _STATION else target, scheduled=True)

    def accepts_sessions(self, evse: Evse) -> bool:
        # B12: no new transaction while a reset waits for the running ones to end.
        pending = _STATION in self.scheduled_resets or evse.id in self.scheduled_resets
        return not pending

    def on_power_on(self) -> None:
        self.scheduled_resets.clear()


def component_from_wire(wire: v201.ComponentType) -> Component:
    """A ComponentType as the device model names it."""
    evse = wire.get("evse")
    if evse is None:
        return Component(wire["name"], wire.get("instance"))
    return Component(wire["name"], wire.get("instance"), evse["id"], evse.get("connectorId"))


def _name_and_instance(wire: v201.VariableType | None) -> tuple[str | None, str | None]:
    """A VariableType's name and instance; (None, None) for none (every variable, B08)."""
    return (None, None) if wire is None else (wire["name"], wire.get("instance"))


def component_to_wire(component: Component) -> v201.ComponentType:
    """The ComponentType of ``component``."""
    wire: v201.ComponentType = {"name": component.name}
    if component.instance is not None:
        wire["instance"] = component.instance
    if component.evse is not None:
        evse: v201.EVSEType = {"id": component.evse}
        if component.connector is not None:
            evse["connectorId"] = component.connector
        wire["evse"] = evse
    return wire


def variable_to_wire(name: str, instance: str | None) -> v201.VariableType:
    """The VariableType of a variable's name and instance."""
    wire: v201.VariableType = {"name": name}
    if instance is not None:
        wire["instance"] = instance
    return wire


def report_data(component: Component, variable: Variable) -> v201.ReportDataType:
    """ReportDataType of one variable (NotifyReport, B07)."""
    attributes: list[v201.VariableAttributeType] = []
    for attribute in variable.attributes:
        entry: v201.VariableAttributeType = {"type": attribute}
        if variable.mutability != "WriteOnly":
            entry["value"] = variable.read(attribute)
        entry["mutability"] = variable.mutability
        entry["persistent"] = variable.persistent
        entry["constant"] = variable.constant
        attributes.append(entry)
    # Every variable may be monitored (N04): the station reads each one it monitors.
    characteristics: v201.VariableCharacteristicsType = {
        "dataType": variable.data_type,
        "supportsMonitoring": True,
    }
    if variable.unit is not None:
        characteristics["unit"] = variable.unit
    if variable.min_limit is not None:
        characteristics["minLimit"] = variable.min_limit
    if variable.max_limit is not None:
        characteristics["maxLimit"] = variable.max_limit
    if variable.values_list:
        characteristics["valuesList"] = ",".join(variable.values_list)
    return {
        "component": component_to_wire(component),
        "variable": variable_to_wire(variable.name, variable.instance),
        "variableAttribute": attributes,
        "variableCharacteristics": characteristics,
    }
