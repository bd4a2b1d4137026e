"""OCPP 2.0.1 clock-aligned meter values (functional block J, J01 and J02), also those a
transaction's Ended event carries.

Theory of operation
-------------------
Every AlignedDataCtrlr.Interval seconds, aligned to midnight UTC (``meter.next_aligned``), each
EVSE is sampled for AlignedDataCtrlr.Measurands with context Sample.Clock: where a transaction
runs the values go in TransactionEvent Updated(MeterValueClock) through the transaction queue
(J02), elsewhere in MeterValuesRequest (J01, dropped while offline like any message outside a
transaction), stamped with the aligned instant they stand for (not with the moment the
timer fires). With AlignedDataCtrlr.SendDuringIdle true they are sent only while no
transaction runs anywhere. An Interval of 0, or AlignedDataCtrlr.Enabled false, stops them. A
new Interval applies at once; the timer restarts after a reboot.

Every AlignedDataCtrlr.TxEndedInterval seconds, aligned the same way, each running transaction
is sampled for AlignedDataCtrlr.TxEndedMeasurands with context Sample.Clock, and what was
taken goes in its TransactionEvent Ended (part 2, AlignedDataTxEndedInterval: "all intervals
are transmitted at the end of the transaction"); an interval of 0 or no measurands takes none.

The periodic Sample.Periodic values of a transaction are ``transactions.py``'s; MeterValues on
request (TriggerMessage, F06) are ``control.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.station.blocks import Block
from chargeyard.station.model.meter import next_aligned
from chargeyard.station.v201.device_model import Component, Variable

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_TIMER = "aligned_data"
_TX_ENDED_TIMER = "aligned_tx_ended"


class MeteringV201(Block["StationV201"]):
    """J01 / J02 clock-aligned data; see the module docstring."""

    __slots__ = ("_due",)

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        # The aligned instant each timer is set for: its readings are stamped with it, not
        # with the moment the timer fires.
        self._due: dict[str, datetime] = {}
        self._schedule_aligned()
        self._schedule_tx_ended()

    def _schedule(self, timer: str, variable: str, work: Callable[[], None]) -> None:
        self.station.timers.cancel(timer)
        interval = self.station.device_model.get_int("AlignedDataCtrlr", variable)
        if interval <= 0:
            return
        now = self.station.clock.now()
        due = self._due[timer] = next_aligned(now, interval)
        wait = (due - now).total_seconds()
        self.station.timers.set(timer, self.station.clock.monotonic() + wait, work)

    def _schedule_aligned(self) -> None:
        self._schedule(_TIMER, "Interval", self._aligned)

    def _schedule_tx_ended(self) -> None:
        self._schedule(_TX_ENDED_TIMER, "TxEndedInterval", self._tx_ended)

    def _tx_ended(self) -> None:
        due = self._due.get(_TX_ENDED_TIMER, self.station.clock.now())
        self._schedule_tx_ended()
        running = [e for e in self.station.model.evses.values() if e.transaction is not None]
        if not running:
            return
        self.station.advance()
        for evse in running:
            readings = self.station.readings(
                evse, "AlignedDataCtrlr", "TxEndedMeasurands", "Sample.Clock"
            )
            if readings:
                session = self.station.transaction_events.session(evse)
                session.ended_samples.append((due, readings))

    def _aligned(self) -> None:
        due = self._due.get(_TIMER, self.station.clock.now())
        self._schedule_aligned()
        dm = self.station.device_model
        if not dm.get_bool("AlignedDataCtrlr", "Enabled", None, True):
            return
        evses = list(self.station.model.evses.values())
        running = any(evse.transaction is not None for evse in evses)
        if running and dm.get_bool("AlignedDataCtrlr", "SendDuringIdle"):
            return
        self.station.advance()
        for evse in evses:
            if evse.transaction is not None:
                self.station.transaction_events.send_transaction_update(
                    evse,
                    "MeterValueClock",
                    ("AlignedDataCtrlr", "Measurands"),
                    "Sample.Clock",
                    due,
                )
            else:
                self.station.send_meter_values(evse, "Sample.Clock", at=due)

    def variable_changed(self, component: Component, variable: Variable) -> None:
        if component.name == "AlignedDataCtrlr" and variable.name == "Interval":
            self._schedule_aligned()
        elif component.name == "AlignedDataCtrlr" and variable.name == "TxEndedInterval":
            self._schedule_tx_ended()

    def on_power_on(self) -> None:
        self._schedule_aligned()
        self._schedule_tx_ended()
