"""OCPP 2.0.1 clock-aligned meter values (functional block J, J01 and J02).

Theory of operation
-------------------
Every AlignedDataCtrlr.Interval seconds, aligned to midnight UTC (``meter.next_aligned``), each
EVSE is sampled for AlignedDataCtrlr.Measurands with context Sample.Clock: where a transaction
runs the values go in TransactionEvent Updated(MeterValueClock) through the transaction queue
(J02), elsewhere in MeterValuesRequest (J01, dropped while offline like any message outside a
transaction). With AlignedDataCtrlr.SendDuringIdle true they are sent only while no
transaction runs anywhere. An Interval of 0, or AlignedDataCtrlr.Enabled false, stops them. A
new Interval applies at once; the timer restarts after a reboot.

The periodic Sample.Periodic values of a transaction are ``transactions.py``'s; MeterValues on
request (TriggerMessage, F06) are ``control.py``'s.
"""

from __future__ import annotations

from typing import Any

from chargeyard.station.model.meter import next_aligned
from chargeyard.station.v201.device_model import Component, Variable
from chargeyard.station.v201.transactions import TransactionsV201

_TIMER = "aligned_data"


class MeteringV201(TransactionsV201):
    """J01 / J02 clock-aligned data; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schedule_aligned()

    def _schedule_aligned(self) -> None:
        self.timers.cancel(_TIMER)
        interval = self.device_model.get_int("AlignedDataCtrlr", "Interval")
        if interval <= 0:
            return
        now = self.clock.now()
        wait = (next_aligned(now, interval) - now).total_seconds()
        self.timers.set(_TIMER, self.clock.monotonic() + wait, self._aligned)

    def _aligned(self) -> None:
        self._schedule_aligned()
        dm = self.device_model
        if not dm.get_bool("AlignedDataCtrlr", "Enabled", None, True):
            return
        evses = list(self.model.evses.values())
        running = any(evse.transaction is not None for evse in evses)
        if running and dm.get_bool("AlignedDataCtrlr", "SendDuringIdle"):
            return
        self.advance()
        for evse in evses:
            if evse.transaction is not None:
                self.send_transaction_update(
                    evse, "MeterValueClock", ("AlignedDataCtrlr", "Measurands"), "Sample.Clock"
                )
            else:
                self.send_meter_values(evse, "Sample.Clock")

    def variable_changed(self, component: Component, variable: Variable) -> None:
        super().variable_changed(component, variable)
        if component.name == "AlignedDataCtrlr" and variable.name == "Interval":
            self._schedule_aligned()

    def on_power_on(self) -> None:
        super().on_power_on()
        self._schedule_aligned()
