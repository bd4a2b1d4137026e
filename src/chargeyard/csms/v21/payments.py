"""The payment messages a station with a payment terminal sends (OCPP 2.1 functional block C,
ad hoc payment): NotifySettlement (the outcome of a payment the terminal settled) and
VatNumberValidation (a driver entered a VAT number for the invoice).

NotifySettlement is kept (kind ``payment``, ``status`` the payment's status, the rest in
``detail``) and answered with nothing of its own: the receipt is the station's (``receiptId``,
``receiptUrl``), the central system makes none.

VatNumberValidation is answered Accepted for a number written as a VAT identification number
is (``vat_numbers.py``) and Rejected otherwise, naming why; the central system looks no number
up in a register, so it answers no company. Each is kept (kind ``payment``, ``status`` the
answer's, the number in ``detail``).
"""

from __future__ import annotations

import logging

from chargeyard.csms.context import StationContext, parse_time
from chargeyard.csms.notifications_v201 import as_json, without
from chargeyard.csms.v21.vat_numbers import vat_number_problem
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v21
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)


class PaymentsV21(ActionHandlers):
    """Mixed into :class:`~chargeyard.csms.v21.CentralSystemV21`, which sets ``context``."""

    context: StationContext

    @on("NotifySettlement")
    async def notify_settlement(
        self, payload: v21.NotifySettlementRequest
    ) -> v21.NotifySettlementResponse:
        logger.info(
            "%s payment %s: %s %s",
            self.context.identity,
            payload["pspRef"],
            payload["status"],
            payload["settlementAmount"],
        )
        await self.context.note(
            NotificationKind.PAYMENT,
            "NotifySettlement",
            status=payload["status"],
            detail=as_json(without(payload, "status")),
            at=parse_time(payload["settlementTime"]),
        )
        return {}

    @on("VatNumberValidation")
    async def vat_number_validation(
        self, payload: v21.VatNumberValidationRequest
    ) -> v21.VatNumberValidationResponse:
        number = payload["vatNumber"]
        problem = vat_number_problem(number)
        answer: v21.VatNumberValidationResponse = {
            "vatNumber": number,
            "status": "Accepted" if problem is None else "Rejected",
        }
        if "evseId" in payload:
            answer["evseId"] = payload["evseId"]
        if problem is not None:
            answer["statusInfo"] = {"reasonCode": "InvalidValue", "additionalInfo": problem}
        logger.info("%s VAT number %r: %s", self.context.identity, number, answer["status"])
        await self.context.note(
            NotificationKind.PAYMENT,
            "VatNumberValidation",
            status=answer["status"],
            evse_id=payload.get("evseId"),
            detail=as_json({"vatNumber": number}),
        )
        return answer
