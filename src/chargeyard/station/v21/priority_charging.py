"""OCPP 2.1 priority charging (functional block K): a transaction's PriorityCharging profile takes
over from its TxProfile and TxDefaultProfile while priority charging is activated.

Theory of operation
-------------------
The central system installs a profile of purpose PriorityCharging on an EVSE or on the station
(EVSE 0) with SetChargingProfile, without a transactionId (2.1 ChargingProfileType: only a
TxProfile names one). It bears on nothing until priority charging is activated for the
transaction running on that EVSE, either by the central system (UsePriorityCharging, activate
true) or by the driver at the station (:meth:`PriorityChargingV21.driver_request`); the store
then stacks it above the transaction's TxProfile and TxDefaultProfile (``model/smart_charging/
stacking.py``). Deactivated (activate false, or the driver again), it is set aside and those
profiles apply again. Each activation or deactivation that changes something is told to the
central system with NotifyPriorityCharging, and the EVSE's limit follows at once (the
TransactionEvent ChargingRateChanged of ``v201/smart_charging.py`` when it moved enough).

UsePriorityCharging answers (2.1 PriorityChargingStatusEnumType): Rejected, reasonCode
TxNotFound, for a transaction that does not run here; NoProfile when asked to activate and no
PriorityCharging profile serves the transaction's EVSE; else Accepted, and the switch follows
the answer. Deactivating needs no profile (one cleared while activated can be let go of).
Nothing changes before the request is known good. Priority charging ends with its transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v21
from chargeyard.station.blocks import Block
from chargeyard.station.model.station import Evse
from chargeyard.station.v201.transaction_events import RUNNING

if TYPE_CHECKING:
    from chargeyard.station.v21 import StationV21


class PriorityChargingRefused(ValueError):
    """The driver's request cannot be served: why, in words for the person at the station."""


class PriorityChargingV21(Block["StationV21"]):
    """UsePriorityCharging, NotifyPriorityCharging and the driver's request; see the module
    docstring."""

    __slots__ = ("_active",)

    def __init__(self, station: StationV21) -> None:
        super().__init__(station)
        # EVSE id -> the transaction whose priority charging is activated there.
        self._active: dict[int, str] = {}

    @on("UsePriorityCharging")
    def use_priority_charging(
        self, payload: v21.UsePriorityChargingRequest
    ) -> v21.UsePriorityChargingResponse:
        transaction_id = payload["transactionId"]
        evse = self._evse_running(transaction_id)
        if evse is None:
            return {
                "status": "Rejected",
                "statusInfo": {
                    "reasonCode": "TxNotFound",
                    "additionalInfo": f"no transaction {transaction_id} runs here",
                },
            }
        activate = payload["activate"]
        if activate and not self.station.model.profiles.priority_profiles(evse.id):
            return {
                "status": "NoProfile",
                "statusInfo": {
                    "reasonCode": "NoProfile",
                    "additionalInfo": f"no PriorityCharging profile serves EVSE {evse.id}",
                },
            }

        def switch() -> None:
            self._switch(evse, transaction_id, activate=activate)

        self.station.after_answer(switch)
        return {"status": "Accepted"}

    def driver_request(self, evse_id: int, *, activate: bool = True) -> bool:
        """The driver at the station asks for priority charging of the transaction on
        ``evse_id`` (or to stop it): it is switched, and the central system told, at once.

        Returns:
            Whether anything changed (False: it already was as asked).

        Raises:
            PriorityChargingRefused: no such EVSE, no transaction runs on it, or (to activate)
                no PriorityCharging profile serves it.
        """
        evse = self.station.model.evses.get(evse_id)
        if evse is None:
            raise PriorityChargingRefused(f"there is no EVSE {evse_id}")
        transaction = evse.transaction
        if transaction is None or transaction.phase not in RUNNING:
            raise PriorityChargingRefused(f"no transaction runs on EVSE {evse_id}")
        if activate and not self.station.model.profiles.priority_profiles(evse_id):
            raise PriorityChargingRefused(f"no PriorityCharging profile serves EVSE {evse_id}")
        return self._switch(evse, transaction.context.transaction_id, activate=activate)

    def is_active(self, evse_id: int) -> bool:
        """Whether priority charging is activated for the transaction on ``evse_id``."""
        return evse_id in self._active

    def on_evse_idle(self, evse: Evse) -> None:
        """The transaction ended: its priority charging with it (nothing to tell)."""
        transaction_id = self._active.pop(evse.id, None)
        if transaction_id is not None:
            self.station.model.profiles.set_priority(transaction_id, active=False)

    def _switch(self, evse: Evse, transaction_id: str, *, activate: bool) -> bool:
        self.station.advance()  # energy until now flowed under the old limit
        if not self.station.model.profiles.set_priority(transaction_id, active=activate):
            return False
        if activate:
            self._active[evse.id] = transaction_id
        else:
            self._active.pop(evse.id, None)
        request: v21.NotifyPriorityChargingRequest = {
            "transactionId": transaction_id,
            "activated": activate,
        }
        self.station.call("NotifyPriorityCharging", request)
        self.station.smart_charging.profile_changed(evse.id)
        return True

    def _evse_running(self, transaction_id: str) -> Evse | None:
        for evse in self.station.model.evses.values():
            transaction = evse.transaction
            if (
                transaction is not None
                and transaction.phase in RUNNING
                and transaction.context.transaction_id == transaction_id
            ):
                return evse
        return None


__all__ = ["PriorityChargingRefused", "PriorityChargingV21"]
