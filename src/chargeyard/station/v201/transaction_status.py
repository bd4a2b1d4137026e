"""OCPP 2.0.1 transaction status (functional block E, E14): whether a transaction still runs
and whether its messages are still to be delivered.

GetTransactionStatus is answered from the station itself: ``ongoingIndicator`` is true while
the transaction runs on one of its EVSEs (E14.FR.02/03; false for a transaction it never had,
E14.FR.01), and ``messagesInQueue`` is true while its transaction-message queue
(``station/transaction_messages.py``) holds a TransactionEvent of that transaction not yet
answered, kept offline or waiting to be retried (E14.FR.04/05). Without a transactionId the
answer has no ongoingIndicator (E14.FR.06) and says whether the queue holds anything
(E14.FR.07/08).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201  # noqa: F401 (the Block base names it)


class TransactionStatusV201(Block["StationV201"]):
    """E14 GetTransactionStatus; see the module docstring."""

    __slots__ = ()

    @on("GetTransactionStatus")
    def get_transaction_status(
        self, payload: v201.GetTransactionStatusRequest
    ) -> v201.GetTransactionStatusResponse:
        queue = self.station.transaction_queue
        transaction_id = payload.get("transactionId")
        if transaction_id is None:
            return {"messagesInQueue": len(queue) > 0}
        running = self.station.model.transaction_by_local_id(transaction_id) is not None
        return {"ongoingIndicator": running, "messagesInQueue": queue.holds(transaction_id)}
