"""OCPP 2.0.1 monitoring (functional block N, N02-N08): the monitors the central system sets on
the station's variables, and the NotifyEvent requests they make.

Theory of operation
-------------------
The monitors and their rules are ``monitors.py``'s; this block maps them to the messages, keeps
MonitoringCtrlr, and decides when a monitor looks at its variable:

* SetVariableMonitoring (N04) answers item by item (Accepted with the id the station gives or
  keeps, UnknownComponent, UnknownVariable, UnsupportedMonitorType, Rejected with a reasonCode,
  Duplicate); more items than MonitoringCtrlr.ItemsPerMessage (SetVariableMonitoring) is the
  CALLERROR OccurrenceConstraintViolation (N04.FR.09). ClearVariableMonitoring (N06) answers
  per id: Accepted, NotFound, or Rejected for the hard-wired monitor.
* SetMonitoringBase (N03): the station has no pre-configured monitors (a manufacturer may ship
  none), so All keeps the custom monitors and FactoryDefault and HardWiredOnly delete them; the
  hard-wired one stays. SetMonitoringLevel (N05) takes a severity 0-9 (else Rejected): monitors
  of a higher severity number send nothing (N07.FR.15). Both show in
  MonitoringCtrlr.ActiveMonitoringBase / ActiveMonitoringLevel.
* GetMonitoringReport (N02) selects by monitoringCriteria and componentVariable (a component by
  name, and its instance, EVSE and connector where given; a variable by name, and its instance
  where given: N02.FR.16-21), answers EmptyResultSet when nothing matches, and sends
  NotifyMonitoringReport parts of ItemsPerMessage (GetReport) variables each, seqNo from 0,
  tbc on all but the last (N02.FR.09), once answered.

When a monitor looks (N07): after each connector status the station sets (AvailabilityState,
Problem), after each variable the central system sets, right after a monitor is set (a value
already beyond a new threshold is reported, N07.FR.11/16), and every :attr:`scan_interval_s`
seconds while a monitor watches a value the station measures (a variable read live: Power,
DateTime...): energy is integrated lazily, so a meter's power is only known when time is
looked at. Periodic monitors fire on their own timers (N08.FR.06/07). A monitor with
``transaction`` true looks only while a transaction runs on its component's EVSE (any EVSE for
a station-wide component), and its events name that transaction. All of it restarts after a
reboot; the monitors, the level and the base are kept (N07.FR.13), and the monitors look again
once the station is Accepted.

Each look that fires sends one NotifyEvent (seqNo 0) with an eventData per monitor that fired:
the component, variable and monitor id (N07.FR.06), the value read (empty for a WriteOnly
variable, N07.FR.10), ``cleared`` for a threshold's return to normal, and the transactionId of
the transaction running on the monitored EVSE (or, for a monitor with ``transaction`` true on
a station-wide component, of any). Offline, the events
of a severity at or below MonitoringCtrlr.OfflineQueuingSeverity wait (at most
:attr:`offline_queue_size` of them) and go in one NotifyEvent once the station is back and
Accepted; the others are dropped (N07.FR.04, N08.FR.03). MonitoringCtrlr.Enabled false silences
every monitor.

The station's one hard-wired monitor watches SecurityCtrlr.BasicAuthPassword with Delta: any
new password is reported (severity 7, Notice), its value never shown.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, ClassVar, cast

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.model.meter import next_aligned
from chargeyard.station.model.station import Connector, Transaction
from chargeyard.station.v201.device_model import Component, GetStatus, Variable
from chargeyard.station.v201.monitors import (
    SEVERITIES,
    Change,
    Monitor,
    MonitorKind,
    Monitors,
    MonitorType,
    SetStatus,
    Wanted,
    is_numeric,
)
from chargeyard.station.v201.provisioning import (
    component_from_wire,
    component_to_wire,
    variable_to_wire,
)

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_CTRLR = "MonitoringCtrlr"
_SCAN = "monitoring:scan"
_BASES = ("All", "FactoryDefault", "HardWiredOnly")
_MONITOR_TYPES = frozenset(kind.value for kind in MonitorType)
_CRITERIA: dict[v201.MonitoringCriterionEnumType, set[MonitorType]] = {
    "ThresholdMonitoring": {MonitorType.UPPER_THRESHOLD, MonitorType.LOWER_THRESHOLD},
    "DeltaMonitoring": {MonitorType.DELTA},
    "PeriodicMonitoring": {MonitorType.PERIODIC, MonitorType.PERIODIC_CLOCK_ALIGNED},
}


# What SetVariableMonitoring answers for a variable the device model does not have (N04.FR.03,
# N04.FR.04): DeviceModel.lookup returns no other status.
_UNKNOWN: dict[GetStatus, v201.SetMonitoringStatusEnumType] = {
    GetStatus.UNKNOWN_COMPONENT: "UnknownComponent",
    GetStatus.UNKNOWN_VARIABLE: "UnknownVariable",
}


def _password_monitor() -> Monitor:
    """The hard-wired monitor: a new SecurityCtrlr.BasicAuthPassword, severity 7 (Notice)."""
    return Monitor(
        1,
        Component("SecurityCtrlr"),
        "BasicAuthPassword",
        None,
        MonitorType.DELTA,
        1,
        7,
        kind=MonitorKind.HARD_WIRED,
    )


def _periodic_timer(monitor_id: int) -> str:
    return f"monitoring:periodic:{monitor_id}"


class MonitoringV201(Block["StationV201"]):
    """N02-N08; see the module docstring."""

    __slots__ = ("_event_id", "_offline", "monitors")

    scan_interval_s: ClassVar[float] = 1.0
    offline_queue_size: ClassVar[int] = 100

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        station.device_model.add(
            _CTRLR,
            Variable("Enabled", "boolean", "true"),
            Variable("Available", "boolean", "true", mutability="ReadOnly", constant=True),
            *(
                Variable("ItemsPerMessage", "integer", "20", mutability="ReadOnly", instance=name)
                for name in ("SetVariableMonitoring", "ClearVariableMonitoring")
            ),
            *(
                Variable("BytesPerMessage", "integer", "65000", mutability="ReadOnly", instance=n)
                for n in ("SetVariableMonitoring", "ClearVariableMonitoring")
            ),
            Variable("OfflineQueuingSeverity", "integer", "4", min_limit=0, max_limit=9),
            Variable("ActiveMonitoringBase", "OptionList", "All", "ReadOnly", values_list=_BASES),
            Variable("ActiveMonitoringLevel", "integer", "9", "ReadOnly", min_limit=0, max_limit=9),
        )
        self.monitors = Monitors()
        self.monitors.install(_password_monitor())
        self._event_id = 0
        # The events kept offline, (severity, eventData); made when the first one is kept.
        self._offline: deque[tuple[int, v201.EventDataType]] | None = None
        self._look(send=False)  # where the Delta monitors count from

    # -- N04 ---------------------------------------------------------------------------------------

    @on("SetVariableMonitoring")
    def set_variable_monitoring(
        self, payload: v201.SetVariableMonitoringRequest
    ) -> v201.SetVariableMonitoringResponse:
        items = payload["setMonitoringData"]
        self.station.provisioning.check_items(items, "SetVariableMonitoring", _CTRLR)
        results = [self._set_one(item) for item in items]
        self.station.after_answer(self._monitors_changed)
        return {"setMonitoringResult": results}

    def _set_one(self, item: v201.SetMonitoringDataType) -> v201.SetMonitoringResultType:
        wire_variable = item["variable"]
        component = component_from_wire(item["component"])
        name, instance = wire_variable["name"], wire_variable.get("instance")
        found = self.station.device_model.lookup(component, name, instance)
        result: v201.SetMonitoringResultType = {
            "status": "Accepted",  # first on the wire; set below, once known
            "type": item["type"],
            "severity": item["severity"],
            "component": item["component"],
            "variable": wire_variable,
        }
        if isinstance(found, GetStatus):
            result["status"] = _UNKNOWN[found]  # N04.FR.03, N04.FR.04
            return result
        if item["type"] not in _MONITOR_TYPES:
            # 2.1's TargetDelta and TargetDeltaRelative (MonitorEnumType): a type the station
            # does not implement (N04.FR.05's answer).
            result["status"] = "UnsupportedMonitorType"
            return result
        wanted = Wanted(
            component,
            name,
            instance,
            MonitorType(item["type"]),
            float(item["value"]),
            item["severity"],
            bool(item.get("transaction", False)),
            item.get("id"),
        )
        replaced = None if wanted.id is None else self.monitors.get(wanted.id)
        outcome = self.monitors.set(wanted, found)
        if outcome.id is not None:
            if replaced is not None:
                self.station.timers.cancel(_periodic_timer(replaced.id))
            result["id"] = outcome.id
            if outcome.status is SetStatus.ACCEPTED:
                self.station.monitor_set(outcome.id, item)
        if outcome.reason is not None:
            result["statusInfo"] = {"reasonCode": outcome.reason}
        result["status"] = outcome.status.value
        return result

    # -- N06 ---------------------------------------------------------------------------------------

    @on("ClearVariableMonitoring")
    def clear_variable_monitoring(
        self, payload: v201.ClearVariableMonitoringRequest
    ) -> v201.ClearVariableMonitoringResponse:
        ids = payload["id"]
        self.station.provisioning.check_items(ids, "ClearVariableMonitoring", _CTRLR)
        results: list[v201.ClearMonitoringResultType] = []
        for monitor_id in ids:
            status = self.monitors.clear(monitor_id)
            self.station.timers.cancel(_periodic_timer(monitor_id))
            self.station.monitor_cleared(monitor_id)
            results.append({"status": status.value, "id": monitor_id})  # N06.FR.05
        self._arm_scan()
        return {"clearMonitoringResult": results}

    # -- N03 / N05 ---------------------------------------------------------------------------------

    @on("SetMonitoringBase")
    def set_monitoring_base(
        self, payload: v201.SetMonitoringBaseRequest
    ) -> v201.SetMonitoringBaseResponse:
        base = payload["monitoringBase"]
        if base != "All":  # N03.FR.04, N03.FR.05
            for monitor_id in self.monitors.clear_custom():
                self.station.timers.cancel(_periodic_timer(monitor_id))
                self.station.monitor_cleared(monitor_id)
        self.station.device_model.write(_CTRLR, "ActiveMonitoringBase", base)
        self._arm_scan()
        return {"status": "Accepted"}

    @on("SetMonitoringLevel")
    def set_monitoring_level(
        self, payload: v201.SetMonitoringLevelRequest
    ) -> v201.SetMonitoringLevelResponse:
        severity = payload["severity"]
        if severity not in SEVERITIES:
            return {"status": "Rejected"}  # N05.FR.02
        self.station.device_model.write(_CTRLR, "ActiveMonitoringLevel", str(severity))
        return {"status": "Accepted"}

    # -- N02 ---------------------------------------------------------------------------------------

    @on("GetMonitoringReport")
    def get_monitoring_report(
        self, payload: v201.GetMonitoringReportRequest
    ) -> v201.GetMonitoringReportResponse:
        named = payload.get("componentVariable", [])
        self.station.provisioning.check_items(named, "GetReport")  # N02.FR.07
        types: set[MonitorType] = set()
        for criterion in payload.get("monitoringCriteria", _CRITERIA):
            types |= _CRITERIA[criterion]
        selected = [
            monitor
            for monitor in self.monitors
            if monitor.type in types and (not named or any(_names(n, monitor) for n in named))
        ]
        if not selected:
            return {"status": "EmptyResultSet"}  # N02.FR.10
        request_id = payload["requestId"]
        self.station.after_answer(lambda: self._send_report(request_id, selected))
        return {"status": "Accepted"}

    def _reported(self, monitor: Monitor) -> v201.VariableMonitoringType:
        entry: v201.VariableMonitoringType = {
            "id": monitor.id,
            "transaction": monitor.transaction,
            "value": monitor.value,
            "type": monitor.type.value,
            "severity": monitor.severity,
        }
        if self.station.dialect.monitor_kind_reported:
            # 2.1 N02/N03: who made the monitor (HardWiredMonitor, CustomMonitor) is
            # required. The key is 2.1's; 2.0.1's type has no room for it.
            cast(dict[str, object], entry)["eventNotificationType"] = monitor.kind.value
        return entry

    def _send_report(self, request_id: int, selected: list[Monitor]) -> None:
        grouped: dict[tuple[Component, str, str | None], list[Monitor]] = {}
        for monitor in selected:
            key = (monitor.component, monitor.variable, monitor.instance)
            grouped.setdefault(key, []).append(monitor)
        data: list[v201.MonitoringDataType] = [
            {
                "component": component_to_wire(component),
                "variable": variable_to_wire(name, instance),
                "variableMonitoring": [self._reported(m) for m in monitors],
            }
            for (component, name, instance), monitors in grouped.items()
        ]
        dm = self.station.device_model
        size = max(1, dm.get_int("DeviceDataCtrlr", "ItemsPerMessage", "GetReport"))
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        generated_at = iso(self.station.clock.now())
        for seq_no, chunk in enumerate(chunks):
            report: v201.NotifyMonitoringReportRequest = {
                "requestId": request_id,  # N02.FR.04
                "seqNo": seq_no,
                "generatedAt": generated_at,
                "monitor": chunk,
            }
            if seq_no < len(chunks) - 1:
                report["tbc"] = True
            self.station.call("NotifyMonitoringReport", report, requested=True)

    # -- N07: looking at the monitored values ------------------------------------------------------

    def check(self) -> None:
        """Let every monitor look at its variable now; NotifyEvent for those that fire."""
        self._look(send=True)

    def _look(self, *, send: bool) -> None:
        fired: list[tuple[Monitor, Change, str]] = []
        for monitor in self.monitors:
            if monitor.type.periodic:
                continue
            variable = self._variable(monitor)
            if variable is None:
                continue
            if monitor.transaction and self._transaction(monitor) is None:
                monitor.reference = None  # deltas count from the next transaction's start
                continue
            actual = variable.read()
            change = monitor.observe(actual, is_numeric(variable))
            if change is not None and send:
                fired.append((monitor, change, actual))
        if fired:
            self._notify(fired)

    def on_status_set(self, connector: Connector) -> None:
        """A connector was set to a status (G01): AvailabilityState, Problem... may differ."""
        self.check()

    def variable_changed(self, component: Component, variable: Variable) -> None:
        self.check()

    def _variable(self, monitor: Monitor) -> Variable | None:
        found = self.station.device_model.lookup(
            monitor.component, monitor.variable, monitor.instance
        )
        return None if isinstance(found, GetStatus) else found

    def _transaction(self, monitor: Monitor) -> Transaction | None:
        evses = self.station.model.evses
        evse_id = monitor.component.evse
        if evse_id is not None:
            evse = evses.get(evse_id)
            return None if evse is None else evse.transaction
        return next(self.station.model.transactions(), None)

    def _monitors_changed(self) -> None:
        """After SetVariableMonitoring: what the new monitors see now, their timers."""
        self.check()
        for monitor in self.monitors:
            if monitor.type.periodic and not self.station.timers.is_set(
                _periodic_timer(monitor.id)
            ):
                self._arm_periodic(monitor)
        self._arm_scan()

    def _arm_scan(self) -> None:
        live = any(
            not monitor.type.periodic
            and (variable := self._variable(monitor)) is not None
            and variable.live is not None
            for monitor in self.monitors
        )
        if not live:
            self.station.timers.cancel(_SCAN)
        elif not self.station.timers.is_set(_SCAN):
            self.station.timers.set(
                _SCAN, self.station.clock.monotonic() + self.scan_interval_s, self._scan
            )

    def _scan(self) -> None:
        self.check()
        self._arm_scan()

    # -- N08 ---------------------------------------------------------------------------------------

    def _arm_periodic(self, monitor: Monitor) -> None:
        name = _periodic_timer(monitor.id)
        if monitor.type is MonitorType.PERIODIC:
            at = self.station.clock.monotonic() + monitor.value  # N08.FR.06
            self.station.timers.set(name, at, lambda: self._periodic(monitor.id))
        else:
            now = self.station.clock.now()
            aligned = next_aligned(now, int(monitor.value))  # N08.FR.07
            self.station.set_timer_at(name, aligned, lambda: self._periodic(monitor.id))

    def _periodic(self, monitor_id: int) -> None:
        monitor = self.monitors.get(monitor_id)
        if monitor is None or not monitor.type.periodic:
            return
        self._arm_periodic(monitor)
        variable = self._variable(monitor)
        if variable is None:
            return
        if monitor.transaction and self._transaction(monitor) is None:
            return
        value = variable.read()
        if self.station.stream_value(monitor.id, value):
            return  # 2.1: the monitor's periodic event stream carries it
        self._notify([(monitor, Change("Periodic"), value)])  # N08.FR.05

    # -- NotifyEvent -------------------------------------------------------------------------------

    def _notify(self, fired: list[tuple[Monitor, Change, str]]) -> None:
        dm = self.station.device_model
        if not dm.get_bool(_CTRLR, "Enabled", None, True):
            return
        level = dm.get_int(_CTRLR, "ActiveMonitoringLevel", default=9)
        events = [
            (monitor.severity, self._event_data(monitor, change, actual))
            for monitor, change, actual in fired
            if monitor.severity <= level  # N07.FR.15
        ]
        if not events:
            return
        if self._send([data for _, data in events]):
            return
        keep = dm.get_int(_CTRLR, "OfflineQueuingSeverity", default=-1)
        kept = [event for event in events if event[0] <= keep]  # N07.FR.04
        if kept:
            if self._offline is None:
                self._offline = deque(maxlen=self.offline_queue_size)
            self._offline.extend(kept)

    def _send(self, events: list[v201.EventDataType]) -> bool:
        payload: v201.NotifyEventRequest = {
            "generatedAt": iso(self.station.clock.now()),
            "seqNo": 0,
            "eventData": events,
        }
        return self.station.call("NotifyEvent", payload)

    def _event_data(self, monitor: Monitor, change: Change, actual: str) -> v201.EventDataType:
        self._event_id += 1
        variable = self._variable(monitor)
        shown = "" if variable is None or variable.mutability == "WriteOnly" else actual
        data: v201.EventDataType = {
            "eventId": self._event_id,
            "timestamp": iso(self.station.clock.now()),
            "trigger": change.trigger,
            "actualValue": shown[:2500],
            "component": component_to_wire(monitor.component),
            "variable": variable_to_wire(monitor.variable, monitor.instance),
            "variableMonitoringId": monitor.id,
            "eventNotificationType": monitor.kind.value,
        }
        if change.cleared:
            data["cleared"] = True
        if self.station.dialect.event_severity_reported:
            # 2.1 EventDataType.severity: the monitor's. The key is 2.1's; 2.0.1's type has
            # no room for it.
            cast(dict[str, object], data)["severity"] = monitor.severity
        # The event is the transaction's when the monitor watches only during one, or
        # watches its EVSE (a charging EVSE's power is the transaction's: Part 6 TC_N_20_CS).
        linked = monitor.transaction or monitor.component.evse is not None
        transaction = self._transaction(monitor) if linked else None
        if transaction is not None:
            data["transactionId"] = transaction.local_id
        return data

    def on_online(self) -> None:
        """Accepted again (a boot, or a reconnection): the events kept offline go, then the
        monitors look at what changed meanwhile (a threshold that came back to normal over a
        reboot is cleared, N07.FR.14)."""
        if self._offline and self._send([data for _, data in self._offline]):
            self._offline = None
        self.check()

    def on_power_on(self) -> None:
        # The timers went with the power; the monitors and what they saw are kept.
        for monitor in self.monitors:
            if monitor.type.periodic:
                self._arm_periodic(monitor)
        self._arm_scan()


def _names(wanted: v201.ComponentVariableType, monitor: Monitor) -> bool:
    """Whether a ComponentVariableType of GetMonitoringReport names ``monitor`` (N02.FR.16-21:
    what it leaves out matches anything)."""
    component, wire = monitor.component, wanted["component"]
    evse = wire.get("evse")
    if wire["name"] != component.name:
        return False
    if "instance" in wire and wire["instance"] != component.instance:
        return False
    if evse is not None and (
        evse["id"] != component.evse
        or ("connectorId" in evse and evse["connectorId"] != component.connector)
    ):
        return False
    variable = wanted.get("variable")
    if variable is None:
        return True
    if variable["name"] != monitor.variable:
        return False
    return "instance" not in variable or variable["instance"] == monitor.instance
