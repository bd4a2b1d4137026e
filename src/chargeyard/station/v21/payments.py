"""OCPP 2.1 ad hoc payment, the station's side: a driver pays by card at the station's payment
terminal, or by a web payment the central system tells of (NotifyWebPaymentStarted).

Theory of operation
-------------------
**Card at the terminal.** A station whose template has a payment terminal
(``catalog/equipment.py``) takes a card for an EVSE (:meth:`PaymentsV21.pay_by_card`). The
terminal's payment reference (``pspRef``) is "used as the value for idToken" (2.1
NotifySettlementRequest): the station authorizes the EVSE for it on its own authority, type
``DirectPayment``, and the transaction runs as any other (TxStartPoint, TransactionEvent).
When the EVSE is idle again the payment is settled and the station sends NotifySettlement:

* the transaction ended: status ``Settled``, its ``transactionId``, and as the amount the
  cost the central system last told of it (TransactionEventResponse ``totalCost`` or
  CostUpdated, ``Transaction.total_cost``) or else its energy at the terminal's price per kWh;
  a ``receiptId`` and the ``receiptUrl`` under the terminal's; the VAT number and company of
  the EVSE when the driver entered one the central system accepted (``vat_numbers.py``);
* the authorization ended with no transaction (no cable within EVConnectionTimeOut, E03):
  status ``Canceled``, amount 0 and no ``transactionId`` ("can be empty if the payment
  transaction is canceled prior to the start of the OCPP transaction").

**Web payment.** NotifyWebPaymentStarted tells the station a driver started paying for an EVSE
(e.g. by scanning its QR code) and that no result is to be expected after ``timeout`` seconds.
The station answers, shows the EVSE waiting for the payment's authorization
(:meth:`PaymentsV21.web_payment_waiting`, and its log) and waits up to ``timeout``: the
authorization comes as the central system's RequestStartTransaction for the EVSE (F01), and the
wait ends when a transaction starts there, or when the timeout passes. An EVSE the station does
not have is a PropertyConstraintViolation.

Not simulated: a card the terminal declines, settlement of a transaction the power cut (the
NotifySettlement due at the next boot is not sent before the boot is Accepted, and is lost).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError, on
from chargeyard.protocol.messages import v21
from chargeyard.station.blocks import Block
from chargeyard.station.catalog.equipment import PaymentTerminalTemplate
from chargeyard.station.clock import iso
from chargeyard.station.model.station import Evse, Transaction

if TYPE_CHECKING:
    from chargeyard.station.v21 import StationV21

# IdTokenType.type of a payment at the station's terminal (2.1 IdTokenEnumStringType).
DIRECT_PAYMENT = "DirectPayment"


def _web_timer(evse_id: int) -> str:
    return f"web-payment:{evse_id}"


@dataclass(slots=True)
class Payment:
    """A card payment for an EVSE: its reference, and the transaction it paid once begun."""

    psp_ref: str
    evse_id: int
    transaction: Transaction | None = None


class PaymentsV21(Block["StationV21"]):
    """Ad hoc payment by card and by web payment; see the module docstring."""

    __slots__ = ("_payments", "_receipts", "_web")

    def __init__(self, station: StationV21) -> None:
        super().__init__(station)
        self._payments: dict[int, Payment] = {}
        self._web: dict[int, float] = {}  # EVSE id -> the wait's end (monotonic)
        self._receipts = itertools.count(1)

    # -- the card at the terminal --------------------------------------------------------------

    def pay_by_card(self, evse_id: int) -> str:
        """A driver pays by card at the terminal for ``evse_id``: the EVSE is authorized for
        the payment. Returns its ``pspRef``.

        Raises:
            OcppError: the station has no payment terminal, no such EVSE, or the EVSE is in
                use (a payment, an authorization or a transaction); nothing changes.
        """
        if self.station.template.payment_terminal is None:
            raise OcppError(ErrorKind.GENERIC_ERROR, "the station has no payment terminal")
        evse = self.station.model.evses.get(evse_id)
        if evse is None:
            raise OcppError(ErrorKind.GENERIC_ERROR, f"the station has no EVSE {evse_id}")
        if (
            evse_id in self._payments
            or evse.transaction is not None
            or not self.station.transactions.is_free_for_session(evse)
        ):
            raise OcppError(ErrorKind.GENERIC_ERROR, f"EVSE {evse_id} is in use")
        # A reference from the station's (injected) id generator: unique, as a PSP's is.
        psp_ref = f"PSP-{self.station.new_transaction_id()}"
        self._payments[evse_id] = Payment(psp_ref, evse_id)
        try:
            self.station.start_transaction(evse_id, psp_ref, DIRECT_PAYMENT)
        except Exception:
            del self._payments[evse_id]
            raise
        self.station.note(f"EVSE {evse_id}: paid by card at the terminal ({psp_ref})")
        return psp_ref

    def payment(self, evse_id: int) -> Payment | None:
        """The card payment open on ``evse_id`` (not yet settled), if any."""
        return self._payments.get(evse_id)

    def on_transaction_started(self, evse: Evse) -> None:
        """A transaction began on ``evse``: the card payment there pays it, and a web
        payment's wait there is over."""
        transaction = evse.transaction
        payment = self._payments.get(evse.id)
        if (
            payment is not None
            and transaction is not None
            and transaction.id_token is not None
            and transaction.id_token.value == payment.psp_ref
        ):
            payment.transaction = transaction
        if self._web.pop(evse.id, None) is not None:
            self.station.timers.cancel(_web_timer(evse.id))
            self.station.note(f"EVSE {evse.id}: web payment authorized, transaction started")

    def on_evse_idle(self, evse: Evse) -> None:
        """No transaction runs on ``evse``: its card payment is settled once its transaction
        ended, or canceled once its authorization ended without one."""
        payment = self._payments.get(evse.id)
        if payment is None:
            return
        if payment.transaction is not None:
            self._settle(payment, "Settled")
            return
        session = self.station.transaction_events.sessions.get(evse.id)
        still_authorized = (
            session is not None
            and session.authorized
            and session.token is not None
            and session.token.value == payment.psp_ref
        )
        if not still_authorized:
            self._settle(payment, "Canceled")

    def _settle(self, payment: Payment, status: v21.PaymentStatusEnumType) -> None:
        terminal = self.station.template.payment_terminal
        assert terminal is not None  # (a payment is only taken at a terminal)
        del self._payments[payment.evse_id]
        transaction = payment.transaction
        message: v21.NotifySettlementRequest = {
            "pspRef": payment.psp_ref,
            "status": status,
            "settlementAmount": 0.0 if transaction is None else _amount(transaction, terminal),
            "settlementTime": iso(self.station.clock.now()),
        }
        if transaction is not None:
            receipt_id = f"{self.station.identity}-{next(self._receipts)}"[-50:]
            message["transactionId"] = transaction.local_id
            message["receiptId"] = receipt_id
            message["receiptUrl"] = f"{terminal.receipt_url}{receipt_id}"
        vat = self.station.vat_numbers.take_for_receipt(payment.evse_id)
        if vat is not None:
            message["vatNumber"] = vat.vat_number
            if vat.company is not None:
                message["vatCompany"] = vat.company
        self.station.note(
            f"EVSE {payment.evse_id}: payment {payment.psp_ref} {status}, "
            f"{message['settlementAmount']:.2f}"
        )
        self.station.call("NotifySettlement", message)

    # -- the web payment -----------------------------------------------------------------------

    @on("NotifyWebPaymentStarted")
    def notify_web_payment_started(
        self, payload: v21.NotifyWebPaymentStartedRequest
    ) -> v21.NotifyWebPaymentStartedResponse:
        evse_id, timeout = payload["evseId"], payload["timeout"]
        if evse_id not in self.station.model.evses:
            raise OcppError(
                ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, f"the station has no EVSE {evse_id}"
            )
        if timeout <= 0:
            raise OcppError(
                ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, f"timeout {timeout} is not positive"
            )
        until = self.station.clock.monotonic() + timeout
        self._web[evse_id] = until
        self.station.timers.set(_web_timer(evse_id), until, lambda: self._web_timed_out(evse_id))
        self.station.note(
            f"EVSE {evse_id}: web payment started, waiting up to {timeout} s for its authorization"
        )
        return {}

    def web_payment_waiting(self, evse_id: int) -> float | None:
        """Seconds the EVSE still waits for a web payment's authorization; None when it
        waits for none."""
        until = self._web.get(evse_id)
        return None if until is None else max(0.0, until - self.station.clock.monotonic())

    def _web_timed_out(self, evse_id: int) -> None:
        if self._web.pop(evse_id, None) is not None:
            self.station.note(f"EVSE {evse_id}: no web payment authorization within its timeout")

    def on_power_on(self) -> None:
        """The station restarted: the waits went with the timers."""
        self._web.clear()


def _amount(transaction: Transaction, terminal: PaymentTerminalTemplate) -> float:
    """What the driver pays for ``transaction``: the cost the central system told, else its
    energy at the terminal's price."""
    if transaction.total_cost is not None:
        return transaction.total_cost
    stop_wh = transaction.meter_stop_wh
    energy_wh = 0.0 if stop_wh is None else stop_wh - transaction.meter_start_wh
    return round(energy_wh / 1000 * terminal.price_per_kwh, 2)


__all__ = ["DIRECT_PAYMENT", "Payment", "PaymentsV21"]
