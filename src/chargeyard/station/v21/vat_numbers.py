"""OCPP 2.1 VAT number validation, the station's side: a driver who wants a company receipt
enters a VAT number at the station, which asks its central system with VatNumberValidation.

The station keeps the answer by EVSE (none: for the whole station), as its display would show
it: Accepted with the company's name and address when the central system gives them, or
Rejected with its reason (2.1 VatNumberValidationResponse). An Accepted number goes on the
receipt of the EVSE's next card payment (NotifySettlement ``vatNumber``, ``vatCompany``:
``payments.py``), which uses it up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.protocol.messages import v21
from chargeyard.station.blocks import Block

if TYPE_CHECKING:
    from chargeyard.station.v21 import StationV21


@dataclass(frozen=True, slots=True)
class VatAnswer:
    """What the central system answered of a VAT number."""

    vat_number: str
    status: v21.GenericStatusEnumType
    company: v21.AddressType | None = None
    reason: str | None = None


class VatNumbersV21(Block["StationV21"]):
    """VatNumberValidation; see the module docstring."""

    __slots__ = ("_answers",)

    def __init__(self, station: StationV21) -> None:
        super().__init__(station)
        self._answers: dict[int | None, VatAnswer] = {}

    def enter_vat_number(self, vat_number: str, evse_id: int | None = None) -> None:
        """A driver enters ``vat_number`` (at ``evse_id``, or for the station): the station
        asks VatNumberValidation and keeps the answer when it comes.

        Raises:
            ValueError: ``vat_number`` does not fit VatNumberValidationRequest.
            OcppError: no such EVSE, or the station is offline; nothing changes.
        """
        self.station.check_value("VatNumberValidation", "vatNumber", vat_number, "vat_number")
        if evse_id is not None and evse_id not in self.station.model.evses:
            raise OcppError(ErrorKind.GENERIC_ERROR, f"the station has no EVSE {evse_id}")
        request: v21.VatNumberValidationRequest = {"vatNumber": vat_number}
        if evse_id is not None:
            request["evseId"] = evse_id

        def answered(answer: Mapping[str, Any]) -> None:
            info = answer.get("statusInfo")
            kept = VatAnswer(
                answer["vatNumber"],
                answer["status"],
                answer.get("company"),
                None if info is None else info.get("additionalInfo", info["reasonCode"]),
            )
            self._answers[evse_id] = kept
            self.station.note(f"VAT number {vat_number}: {kept.status}")

        def failed(error: object) -> None:
            self.station.note(f"VAT number {vat_number}: VatNumberValidation failed ({error})")

        if not self.station.call(
            "VatNumberValidation", request, on_result=answered, on_error=failed
        ):
            raise OcppError(
                ErrorKind.GENERIC_ERROR, "the station is offline: the VAT number cannot be checked"
            )

    def answer(self, evse_id: int | None = None) -> VatAnswer | None:
        """The last answer for ``evse_id`` (None: the station's), if any."""
        return self._answers.get(evse_id)

    def take_for_receipt(self, evse_id: int) -> VatAnswer | None:
        """The Accepted VAT number for a receipt at ``evse_id`` (the EVSE's, else the
        station's), used up; None when there is none."""
        for key in (evse_id, None):
            answer = self._answers.get(key)
            if answer is not None and answer.status == "Accepted":
                del self._answers[key]
                return answer
        return None


__all__ = ["VatAnswer", "VatNumbersV21"]
