"""OCPP 2.0.1 tariff and cost (functional block I): the running cost of a transaction.

Theory of operation
-------------------
The central system tells a transaction's cost two ways: CostUpdated while it runs (I02), and
the ``totalCost`` of a TransactionEventResponse (I02's alternative; I03, the final cost, in the
answer to Ended). The station keeps the last one on the transaction (``Transaction.total_cost``)
and writes it in its log with TariffCostCtrlr.Currency, which is what its display would show
the driver (I02.FR.03, I03.FR.03).

CostUpdatedResponse has no status: the station answers every CostUpdated. One for a
transaction that is not running here (ended, or never this station's) has nothing to update
and is only logged; so is one while TariffCostCtrlr.Enabled (instance Cost) is false.
Tariffs (I01, I04-I06: personal messages, fallback messages) are not shown; the fallback
messages' variables (TariffFallbackMessage, TotalCostFallbackMessage) are kept all the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.model.station import Transaction
from chargeyard.station.v201.device_model import Variable

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_CTRLR = "TariffCostCtrlr"


class TariffCostV201(Block["StationV201"]):
    """I02 / I03 running and final cost; see the module docstring."""

    __slots__ = ()

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        station.device_model.add(
            _CTRLR,
            Variable("Enabled", "boolean", "true", instance="Cost"),
            Variable("Available", "boolean", "true", "ReadOnly", instance="Cost", constant=True),
            Variable("Currency", "string", "EUR", max_limit=3),
            # Required where the block is implemented (part 2 appendix); kept for the CSMS to
            # set, not shown (no tariff is shown, see the module docstring).
            Variable("TariffFallbackMessage", "string", "", max_limit=255),
            Variable("TotalCostFallbackMessage", "string", "", max_limit=255),
        )

    @on("CostUpdated")
    def cost_updated(self, payload: v201.CostUpdatedRequest) -> v201.CostUpdatedResponse:
        transaction_id: str = payload["transactionId"]
        transaction = self.station.model.transaction_by_local_id(transaction_id)
        if transaction is None:
            self.station.note(f"cost: transaction {transaction_id} is not running here")
        else:
            self.cost_known(transaction, float(payload["totalCost"]))  # I02.FR.02
        return {}

    def cost_known(self, transaction: Transaction, total_cost: float) -> None:
        """The central system said what ``transaction`` costs so far (or in all)."""
        if not self.station.device_model.get_bool(_CTRLR, "Enabled", "Cost", True):
            self.station.note("cost: not shown (TariffCostCtrlr.Enabled[Cost] is false)")
            return
        transaction.total_cost = total_cost
        currency = self.station.device_model.value(_CTRLR, "Currency")
        self.station.note(
            f"cost: transaction {transaction.local_id} costs {total_cost:.2f} {currency}"
        )
