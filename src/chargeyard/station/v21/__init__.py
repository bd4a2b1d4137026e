"""A simulated OCPP 2.1 charging station: the 2.0.1 station (``v201/``) with 2.1's words.

OCPP 2.1 keeps 2.0.1's functional blocks and use cases and adds to them, so :class:`StationV21`
owns the same blocks, hears the same lifecycle events in the same order and keeps the same
rules. What differs is said once:

* the version (:data:`~chargeyard.protocol.V21`): its session speaks ``ocpp2.1``, checks every
  message both ways against 2.1's schemas, and has 2.1's RPC framework, CALLRESULTERROR
  (part 4 section 4.2.4) and SEND;
* ``v201/dialect.py``: where 2.1 changed a rule of a shared block (B09's optional ocppVersion,
  N02's monitor kind in a report, A02's SignCertificate requestId);
* the blocks answer 2.1's new words that they do not implement the way 2.1 asks (a Reset
  ImmediateAndResume Rejected, 2.1's LocalGeneration purpose and operation modes Rejected,
  its new monitor types UnsupportedMonitorType, its new triggers NotImplemented);
* ``terms.py``: the gateway's words, checked against 2.1's schemas;
* ``event_streams.py``: a block of 2.1's own, periodic event streams (OpenPeriodicEventStream,
  NotifyPeriodicEventStream as a SEND, GetPeriodicEventStream, AdjustPeriodicEventStream,
  ClosePeriodicEventStream), fed by the monitoring block's Periodic monitors;
* ``priority_charging.py``: K's priority charging (UsePriorityCharging, NotifyPriorityCharging,
  the driver's request at the station);
* ``dynamic_profiles.py``: K28's dynamic charging profiles (UpdateDynamicSchedule,
  PullDynamicScheduleUpdate every dynUpdateInterval);
* ``battery_swap.py`` (with ``battery_slots.py``): battery swap (RequestBatterySwap,
  BatterySwap) on a station whose template has swap slots;
* ``payments.py``: ad hoc payment at a template's payment terminal (NotifySettlement) and web
  payments (NotifyWebPaymentStarted); ``vat_numbers.py``: VatNumberValidation;
* ``certificate_status.py``: GetCertificateChainStatus, the revocation status of a certificate
  chain (an EV's contract certificates) asked of the central system.

``docs/ocpp-coverage.md`` lists what of 2.1 the station does and does not do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from chargeyard.protocol import V21
from chargeyard.station.blocks import Block
from chargeyard.station.model.station import Evse
from chargeyard.station.terms import StationTerms
from chargeyard.station.v21.battery_slots import BatterySlots
from chargeyard.station.v21.battery_swap import BatterySwapV21
from chargeyard.station.v21.certificate_status import CertificateChainStatusV21, CertificateStatus
from chargeyard.station.v21.dynamic_profiles import DynamicProfilesV21
from chargeyard.station.v21.event_streams import EventStreamsV21
from chargeyard.station.v21.payments import PaymentsV21
from chargeyard.station.v21.priority_charging import PriorityChargingV21
from chargeyard.station.v21.terms import TERMS_V21
from chargeyard.station.v21.vat_numbers import VatAnswer, VatNumbersV21
from chargeyard.station.v201 import StationV201


class StationV21(StationV201):
    """A 2.1 charging station built from a catalog template (see the module docstring)."""

    version = V21
    TERMS: ClassVar[StationTerms] = TERMS_V21

    def assemble(self) -> None:
        super().assemble()  # the 2.0.1 blocks
        self.event_streams = EventStreamsV21(self)
        self.priority_charging = PriorityChargingV21(self)
        self.dynamic_profiles = DynamicProfilesV21(self)
        self.battery_swap = BatterySwapV21(self)
        self.payments = PaymentsV21(self)
        self.vat_numbers = VatNumbersV21(self)
        self.certificate_status = CertificateChainStatusV21(self)
        blocks: tuple[Block[Any], ...] = (
            *self.blocks,
            self.event_streams,
            self.priority_charging,
            self.dynamic_profiles,
            self.battery_swap,
            self.payments,
            self.vat_numbers,
            self.certificate_status,
        )
        self.blocks = blocks

    def disconnect(self) -> None:
        self.event_streams.on_disconnected()  # a stream lives as long as its connection
        self.dynamic_profiles.on_disconnected()  # and so do the pulls of dynamic profiles
        super().disconnect()

    def on_accepted(self) -> None:
        super().on_accepted()
        self.dynamic_profiles.sync()  # online: the pulls of dynamic profiles resume

    def on_reconnected(self) -> None:
        super().on_reconnected()
        self.dynamic_profiles.sync()

    def on_profiles_changed(self) -> None:
        self.dynamic_profiles.sync()

    # -- 2.1's blocks hear what the 2.0.1 table tells, after it ------------------------------
    # A swap under way and a web payment's wait went with the timers (power.py); a card
    # payment pays the transaction that begins for it and is settled once its EVSE is idle.

    def on_power_on(self) -> None:
        super().on_power_on()
        self.battery_swap.on_power_on()
        self.payments.on_power_on()

    def on_transaction_started(self, evse: Evse) -> None:
        super().on_transaction_started(evse)
        self.dynamic_profiles.sync()  # a remote start's profile is installed as it starts
        self.payments.on_transaction_started(evse)

    def on_evse_idle(self, evse: Evse) -> None:
        super().on_evse_idle(evse)
        self.priority_charging.on_evse_idle(evse)
        self.payments.on_evse_idle(evse)

    # -- the driver at the station (priority_charging.py) ---------------------------------------

    def request_priority_charging(self, evse_id: int, activate: bool = True) -> bool:
        """The driver asks for priority charging of the transaction on ``evse_id`` (or to stop
        it); see :meth:`PriorityChargingV21.driver_request`."""
        return self.priority_charging.driver_request(evse_id, activate=activate)

    # -- the monitoring block's Periodic monitors, streamed (event_streams.py) ----------------

    def monitor_set(self, monitor_id: int, item: Mapping[str, Any]) -> None:
        self.event_streams.monitor_set(monitor_id, item)

    def monitor_cleared(self, monitor_id: int) -> None:
        self.event_streams.monitor_cleared(monitor_id)

    def stream_value(self, monitor_id: int, value: str) -> bool:
        return self.event_streams.take(monitor_id, value)

    # -- 2.1's verbs: a driver at a swap station, at the payment terminal, entering a VAT
    # number ---------------------------------------------------------------------------------

    def swap_battery(self, id_token: str, type: str = "ISO14443") -> int:
        """A driver presents ``id_token`` at the swap station; the swap's requestId
        (``battery_swap.py``)."""
        return self.battery_swap.swap_battery(id_token, type)

    def battery_slots(self) -> BatterySlots | None:
        """The swap slots; None for a station that swaps no batteries."""
        return self.battery_swap.slots

    def pay_by_card(self, evse_id: int) -> str:
        """A driver pays by card for ``evse_id``; the payment's pspRef (``payments.py``)."""
        return self.payments.pay_by_card(evse_id)

    def has_payment_terminal(self) -> bool:
        return self.template.payment_terminal is not None

    def web_payment_waiting(self, evse_id: int) -> float | None:
        """Seconds ``evse_id`` still waits for a web payment (``payments.py``)."""
        return self.payments.web_payment_waiting(evse_id)

    def enter_vat_number(self, vat_number: str, evse_id: int | None = None) -> None:
        """A driver enters a VAT number for a company receipt (``vat_numbers.py``)."""
        self.vat_numbers.enter_vat_number(vat_number, evse_id)

    def vat_answer(self, evse_id: int | None = None) -> VatAnswer | None:
        """What the central system answered of the last VAT number entered there."""
        return self.vat_numbers.answer(evse_id)

    # -- an EV's contract certificates (certificate_status.py) ----------------------------------

    def check_certificate_chain(self, chain_pem: str) -> int:
        """Ask the central system the revocation status of ``chain_pem`` (PEM, leaf first);
        how many certificates were asked about. See :meth:`CertificateChainStatusV21.check`."""
        return len(self.certificate_status.check(chain_pem))

    def certificate_chain_status(self) -> list[CertificateStatus] | None:
        """The statuses of the last chain checked, once answered."""
        return self.certificate_status.last


__all__ = ["StationV21"]
