"""What a driver can do at an OCPP 2.1 station beyond :class:`~chargeyard.station.verbs.
StationVerbs`: present a token at a battery swap station, pay by card at a payment terminal,
enter a VAT number for a company receipt, have an EV's contract certificate chain checked
(``station/v21/battery_swap.py``, ``payments.py``, ``vat_numbers.py``,
``certificate_status.py``). ``StationV21`` has them; the gateway's 2.1 controls
(``gateway/controls/driver_21.py``) reach a station through this protocol only.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from chargeyard.station.v21.battery_slots import BatterySlots
from chargeyard.station.v21.certificate_status import CertificateStatus
from chargeyard.station.v21.vat_numbers import VatAnswer


@runtime_checkable
class DriverVerbs21(Protocol):
    """A 2.1 station as a driver at it uses it."""

    def swap_battery(self, id_token: str, type: str = "ISO14443", /) -> int:
        """Start a battery swap for the token (authorized first); the swap's requestId."""
        ...

    def battery_slots(self) -> BatterySlots | None:
        """The swap slots; None for a station that swaps no batteries."""
        ...

    def pay_by_card(self, evse_id: int, /) -> str:
        """A card paid at the terminal for the EVSE; the payment's pspRef."""
        ...

    def has_payment_terminal(self) -> bool: ...

    def web_payment_waiting(self, evse_id: int, /) -> float | None:
        """Seconds the EVSE still waits for a web payment's authorization, or None."""
        ...

    def enter_vat_number(self, vat_number: str, evse_id: int | None = None, /) -> None:
        """Send the VAT number for validation; the answer is kept (``vat_answer``)."""
        ...

    def vat_answer(self, evse_id: int | None = None, /) -> VatAnswer | None: ...

    def check_certificate_chain(self, chain_pem: str, /) -> int:
        """Ask the status of a certificate chain (GetCertificateChainStatus); how many
        certificates were asked about. The answer is kept (``certificate_chain_status``)."""
        ...

    def certificate_chain_status(self) -> list[CertificateStatus] | None: ...


__all__ = ["DriverVerbs21"]
