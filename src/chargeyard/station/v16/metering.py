"""Metering of an OCPP 1.6 station (sections 3.16, 4.7, 9.1): the charging loop of a running
transaction, periodic and clock-aligned MeterValues.

Theory of operation
-------------------
While energy may flow, one timer per EVSE (``charging:<evse>``) integrates energy, moves the
connector between Charging, SuspendedEV and SuspendedEVSE
(:meth:`MeteringV16.update_charging_status`, which other blocks call through the station after
changing what an EVSE may deliver: Smart Charging, section 3.13)
and sends MeterValues every MeterValueSampleInterval, context Sample.Periodic, of the measurands
MeterValuesSampledData lists. A transaction's MeterValues go through the transaction queue
(``core.py``) with its transactionId, never lost offline (section 4.7).

Clock-aligned data (ClockAlignedDataInterval, MeterValuesAlignedData): one station timer at the
next aligned instant of the UTC day. Then every EVSE's meter is read with context Sample.Clock,
stamped with that instant, and sent: through the transaction queue with the transactionId when a
transaction runs (never lost offline), else directly from the EVSE's first connector (dropped
while offline, like any status message). A reboot starts the alignment afresh.

An accepted ChangeConfiguration of either interval applies at once (section 5.3).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.model.meter import (
    ReadingContext,
    SampledValue,
    next_aligned,
    to_ocpp16_sampled_value,
    to_ocpp16_transaction_sampled_value,
)
from chargeyard.station.model.states import ConnectorStatus, TransactionPhase
from chargeyard.station.model.station import Evse

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

_S = ConnectorStatus
_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})
_IDLE_TICK_S = 60
_ALIGNED_TIMER = "clock_aligned"


class MeteringV16(Block["StationV16"]):
    """The charging loop and MeterValues; see the module docstring."""

    __slots__ = ("_aligned_at",)

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        self._aligned_at: datetime | None = None
        self._schedule_clock_aligned()

    def power_on(self) -> None:
        """After a reboot the clock-aligned timer starts afresh (the reboot cancelled it)."""
        self._aligned_at = None
        self._schedule_clock_aligned()

    # -- while energy may flow ------------------------------------------------------------------

    def update_charging_status(self, evse: Evse) -> None:
        """Charging, SuspendedEV or SuspendedEVSE, from what the EV and the limit allow."""
        transaction = evse.transaction
        if transaction is None or transaction.phase not in _RUNNING:
            return
        connector = evse.connectors[transaction.connector_id]
        if not connector.cable_plugged or connector.status in (_S.FAULTED, _S.UNAVAILABLE):
            return
        self.station.set_status(
            connector, self.station.model.energy_status(evse, self.station.clock.now())
        )

    def configuration_changed(self, key: str, value: str) -> None:
        """An accepted ChangeConfiguration of a sampling key applies at once."""
        if key == "ClockAlignedDataInterval":
            self._aligned_at = None
            self._schedule_clock_aligned()
        elif key == "MeterValueSampleInterval":
            # Section 5.3: applied at once; running transactions sample a new interval from now.
            for evse in self.station.model.evses.values():
                if evse.transaction is not None and evse.transaction.phase in _RUNNING:
                    self.schedule_charging_tick(evse)

    def schedule_charging_tick(self, evse: Evse) -> None:
        """Sample ``evse`` every MeterValueSampleInterval while its transaction runs."""
        interval = self.station.config.get_int("MeterValueSampleInterval", 60)
        self.station.timers.set(
            f"charging:{evse.id}",
            self.station.clock.monotonic() + (interval if interval > 0 else _IDLE_TICK_S),
            lambda: self._charging_tick(evse),
        )

    def _charging_tick(self, evse: Evse) -> None:
        transaction = evse.transaction
        if transaction is None or transaction.phase not in _RUNNING:
            return
        self.station.advance()
        self.update_charging_status(evse)
        if self.station.config.get_int("MeterValueSampleInterval", 60) > 0:
            self.send_meter_values(evse, "Sample.Periodic", "MeterValuesSampledData")
        self.schedule_charging_tick(evse)

    def send_meter_values(self, evse: Evse, context: ReadingContext, measurands_key: str) -> None:
        """MeterValues.req for ``evse``: through the transaction queue when a transaction
        runs (section 4.7), else directly (and dropped while offline)."""
        now = self.station.clock.now()
        readings = self.station.readings(evse, measurands_key, context)
        if not readings:
            return
        transaction = evse.transaction
        connector = (
            evse.connectors[transaction.connector_id]
            if transaction is not None
            else next(iter(evse.connectors.values()))
        )
        value = meter_value(now, readings)
        if transaction is None:
            alone: v16.MeterValuesRequest = {
                "connectorId": connector.number_16,
                "meterValue": [value],
            }
            self.station.call("MeterValues", alone)
            return

        def build() -> v16.MeterValuesRequest:
            payload: v16.MeterValuesRequest = {
                "connectorId": connector.number_16,
                "meterValue": [value],
            }
            if transaction.csms_id is not None:
                payload["transactionId"] = transaction.csms_id
            return payload

        self.station.enqueue_transaction_message("MeterValues", build)

    # -- clock-aligned meter values (sections 3.16, 4.7, 9.1) --------------------------------------

    def _schedule_clock_aligned(self) -> None:
        interval = self.station.config.get_int("ClockAlignedDataInterval", 0)
        if interval <= 0:
            self.station.timers.cancel(_ALIGNED_TIMER)  # "0": no clock-aligned data
            return
        now = self.station.clock.now()
        # Never the same instant twice, should the wall clock lag the monotonic one.
        after = now if self._aligned_at is None else max(now, self._aligned_at)
        self._aligned_at = next_aligned(after, interval)
        delay = (self._aligned_at - now).total_seconds()
        self.station.timers.set(
            _ALIGNED_TIMER, self.station.clock.monotonic() + delay, self._send_clock_aligned
        )

    def _send_clock_aligned(self) -> None:
        at = self._aligned_at or self.station.clock.now()
        self.station.advance()
        for evse in self.station.model.evses.values():
            self._send_aligned_meter_values(evse, at)
        self._schedule_clock_aligned()

    def _send_aligned_meter_values(self, evse: Evse, at: datetime) -> None:
        readings = self.station.readings(evse, "MeterValuesAlignedData", "Sample.Clock")
        if not readings:
            return
        value = meter_value(at, readings)
        transaction = evse.transaction
        if transaction is None:
            connector = next(iter(evse.connectors.values()))
            alone: v16.MeterValuesRequest = {
                "connectorId": connector.number_16,
                "meterValue": [value],
            }
            self.station.call("MeterValues", alone)
            return
        number = evse.connectors[transaction.connector_id].number_16

        def build() -> v16.MeterValuesRequest:
            payload: v16.MeterValuesRequest = {"connectorId": number, "meterValue": [value]}
            if transaction.csms_id is not None:
                payload["transactionId"] = transaction.csms_id
            return payload

        self.station.enqueue_transaction_message("MeterValues", build)


def meter_value(at: datetime, readings: list[SampledValue]) -> v16.MeterValue:
    """One MeterValue (section 7.34): ``readings`` stamped ``at``."""
    return {
        "timestamp": iso(at),
        "sampledValue": [to_ocpp16_sampled_value(reading) for reading in readings],
    }


def transaction_data(at: datetime, readings: list[SampledValue]) -> v16.TransactionData:
    """The same readings as one of StopTransaction.req's transactionData (section 6.49)."""
    return {
        "timestamp": iso(at),
        "sampledValue": [to_ocpp16_transaction_sampled_value(reading) for reading in readings],
    }
