"""OCPP 2.0.1 customer information (functional block N, N09 and N10): what the station keeps of
one customer, reported and cleared on the central system's request.

Theory of operation
-------------------
CustomerInformation names the customer by exactly one of idToken, customerCertificate and
customerIdentifier (else Invalid, N09.FR.09) and asks to report, to clear, or both (neither is
Rejected, N09.FR.07 / N10.FR.07); otherwise it is Accepted (N09.FR.02, N10.FR.01) and, after
the answer, NotifyCustomerInformation follows with the requestId: the data in parts of at most
512 characters, seqNo from 0, tbc on all but the last.

What the station keeps of an idToken (tokens compare by value, without regard to case, and
type: ``model/authorization.py``), one line each: its entry in the authorization cache and in
the local authorization list (status, expiry, group), the running transactions it authorized
and the reservations made for it. The station keeps nothing by certificate or by
customerIdentifier.

Clearing (N10.FR.03 / N10.FR.06) removes the cache entry. It leaves the local list, which only
the central system changes (N10.FR.02: it sends SendLocalList), and what the customer is using
now: a running transaction (its TransactionEvents carry the token, and the driver stops it
with it) and a reservation, which the central system cancels with CancelReservation.

The report is those lines, as they were before a clear (N09.FR.05, N10.FR.03), or "No data
found" (N09.FR.06, N10.FR.04); a clear without a report sends one message saying what went
(N10.FR.06).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.model.authorization import IdToken, IdTokenInfo, id_token_from_ocpp201

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201  # noqa: F401 (the Block base names it)

_PART = 512  # NotifyCustomerInformationRequest.data, at most
_REFERENCES = ("idToken", "customerCertificate", "customerIdentifier")
NO_DATA = "No data found"


class CustomerInformationV201(Block["StationV201"]):
    """N09 / N10 CustomerInformation; see the module docstring."""

    __slots__ = ()

    @on("CustomerInformation")
    def customer_information(
        self, payload: v201.CustomerInformationRequest
    ) -> v201.CustomerInformationResponse:
        if sum(reference in payload for reference in _REFERENCES) != 1:
            return {"status": "Invalid"}  # N09.FR.09
        report, clear = bool(payload["report"]), bool(payload["clear"])
        if not report and not clear:
            return {"status": "Rejected"}  # N09.FR.07, N10.FR.07
        wire = payload.get("idToken")
        token = None if wire is None else id_token_from_ocpp201(wire)
        request_id: int = payload["requestId"]

        def answer() -> None:
            kept = [] if token is None else self.kept(token)
            cleared = [] if token is None or not clear else self.clear(token)
            if report:
                self._send(request_id, "\n".join(kept) or NO_DATA)
            else:
                self._send(request_id, ("Cleared: " + "; ".join(cleared)) if cleared else NO_DATA)

        self.station.after_answer(answer)
        return {"status": "Accepted"}

    def kept(self, token: IdToken) -> list[str]:
        """What the station keeps of ``token``, one line each."""
        lines = []
        model = self.station.model
        cached = model.cache.peek(token)
        if cached is not None:
            lines.append(f"authorization cache: {_info(cached)}")
        listed = model.local_list.get(token)
        if listed is not None:
            lines.append(f"local list (version {model.local_list.version}): {_info(listed)}")
        for transaction in model.transactions():
            if transaction.id_token == token:
                lines.append(
                    f"transaction {transaction.local_id} on EVSE {transaction.evse_id}"
                    f" since {iso(transaction.started_at)}"
                )
        for reservation in model.reservations.reservations:
            if reservation.id_token == token:
                where = reservation.evse_id or "any"
                lines.append(
                    f"reservation {reservation.id} on EVSE {where}"
                    f" until {iso(reservation.expires_at)}"
                )
        return lines

    def clear(self, token: IdToken) -> list[str]:
        """Forget what may be forgotten of ``token`` (N10.FR.03); what went, one line each."""
        if not self.station.model.cache.forget(token):
            return []
        self.station.note("customer information: an idToken's authorization cache entry cleared")
        return ["authorization cache entry"]

    def _send(self, request_id: int, text: str) -> None:
        parts = [text[i : i + _PART] for i in range(0, len(text), _PART)]
        generated_at = iso(self.station.clock.now())
        for seq_no, data in enumerate(parts):
            message: v201.NotifyCustomerInformationRequest = {
                "data": data,
                "seqNo": seq_no,
                "generatedAt": generated_at,
                "requestId": request_id,
            }
            if seq_no < len(parts) - 1:
                message["tbc"] = True
            self.station.call("NotifyCustomerInformation", message, requested=True)


def _info(info: IdTokenInfo) -> str:
    text = info.status.value
    if info.expires_at is not None:
        text += f", expires {iso(info.expires_at)}"
    if info.group_id is not None:
        text += f", group {info.group_id}"
    return text
