"""A driver's acts at an OCPP 2.1 station (``station/verbs_21.py``): a token at a battery swap
station, a card at a payment terminal, a VAT number for a company receipt, and what became of
them read back. A charger of another version, or one without the swap slots or the terminal
its template would give, lands in ``failed`` with the reason before anything is queued.

* swap-battery: the station asks Authorize for the token and, Accepted, swaps: BatterySwap
  BatteryOut (the charged batteries taken), then BatteryIn (the depleted ones put back).
* pay-by-card: the EVSE is authorized for the payment (its pspRef the idToken, type
  DirectPayment); NotifySettlement follows once its transaction ends.
* enter-vat-number: VatNumberValidation is sent; payment-state shows the answer once it came.
* payment-state: the EVSE's web payment wait (NotifyWebPaymentStarted), the VAT answer kept,
  and the swap slots' batteries.
* check-certificate-chain: an EV's contract certificate chain (ISO 15118 Plug & Charge) handed
  to the station, which asks its status with GetCertificateChainStatus; payment-state shows
  the answer once it came.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import Field

from chargeyard.gateway.commands import CommandSpec
from chargeyard.gateway.controls.base import (
    ID_TAG_MAX,
    Control,
    ControlPayload,
    Number,
    Result,
    no_such_evse,
    not_powered,
)
from chargeyard.station.verbs import StationVerbs
from chargeyard.station.verbs_21 import DriverVerbs21


class SwapBatteryPayload(ControlPayload):
    """The driver's token at the swap station."""

    id_tag: str = Field(min_length=1, max_length=ID_TAG_MAX)


class PayByCardPayload(ControlPayload):
    """The EVSE the driver pays for."""

    evse_id: Number = 1


class VatNumberPayload(ControlPayload):
    """The VAT number (2.1 VatNumberValidationRequest: at most 20 characters) entered at the
    EVSE (null: for the station)."""

    vat_number: str = Field(min_length=1, max_length=20)
    evse_id: Number | None = None


class CertificateChainPayload(ControlPayload):
    """The chain, PEM, leaf first (at most 4 certificates)."""

    certificate_chain: str = Field(min_length=1, max_length=40_000)


class PaymentStatePayload(ControlPayload):
    """The EVSE whose payment state is read."""

    evse_id: Number = 1


def _not_21(station: StationVerbs) -> str | None:
    if not isinstance(station, DriverVerbs21):
        return f"the charger speaks OCPP {station.version.name}: this is a 2.1 station's"
    return None


def _driver(station: StationVerbs) -> DriverVerbs21:
    # (the checks said it is one)
    return cast(DriverVerbs21, station)


def _check_swap(station: StationVerbs, p: SwapBatteryPayload) -> str | None:
    if reason := not_powered(station) or _not_21(station):
        return reason
    if _driver(station).battery_slots() is None:
        return "the station swaps no batteries (its template has no battery_swap)"
    return None


def _swap(station: StationVerbs, p: SwapBatteryPayload) -> Result:
    request_id = _driver(station).swap_battery(p.id_tag)
    return {"id_tag": p.id_tag, "request_id": request_id}


def _check_pay(station: StationVerbs, p: PayByCardPayload) -> str | None:
    if reason := not_powered(station) or _not_21(station):
        return reason
    if not _driver(station).has_payment_terminal():
        return "the station has no payment terminal (its template has no payment_terminal)"
    return no_such_evse(station, p.evse_id)


def _pay(station: StationVerbs, p: PayByCardPayload) -> Result:
    return {"evse_id": p.evse_id, "psp_ref": _driver(station).pay_by_card(p.evse_id)}


def _check_vat(station: StationVerbs, p: VatNumberPayload) -> str | None:
    return not_powered(station) or _not_21(station) or no_such_evse(station, p.evse_id)


def _vat(station: StationVerbs, p: VatNumberPayload) -> Result:
    _driver(station).enter_vat_number(p.vat_number, p.evse_id)
    return {"vat_number": p.vat_number, "evse_id": p.evse_id, "sent": "VatNumberValidation"}


def _check_chain(station: StationVerbs, p: CertificateChainPayload) -> str | None:
    return not_powered(station) or _not_21(station)


def _chain(station: StationVerbs, p: CertificateChainPayload) -> Result:
    asked = _driver(station).check_certificate_chain(p.certificate_chain)
    return {"certificates": asked, "sent": "GetCertificateChainStatus"}


def _check_state(station: StationVerbs, p: PaymentStatePayload) -> str | None:
    return _not_21(station) or no_such_evse(station, p.evse_id)


def _state(station: StationVerbs, p: PaymentStatePayload) -> Result:
    driver = _driver(station)
    answer = driver.vat_answer(p.evse_id) or driver.vat_answer()
    slots = driver.battery_slots()
    chain = driver.certificate_chain_status()
    return {
        "evse_id": p.evse_id,
        "web_payment_waiting_s": driver.web_payment_waiting(p.evse_id),
        "vat": None
        if answer is None
        else {
            "vat_number": answer.vat_number,
            "status": answer.status,
            "company": answer.company,
            "reason": answer.reason,
        },
        "battery_slots": None
        if slots is None
        else [
            {"slot": slot, "serial_number": battery.serial_number, "soc": round(battery.soc, 1)}
            if battery is not None
            else {"slot": slot, "serial_number": None, "soc": None}
            for slot, battery in slots.contents().items()
        ],
        "certificate_chain": None
        if chain is None
        else [
            {
                "serial_number": status.serial_number,
                "source": status.source,
                "status": status.status,
                "next_update": status.next_update,
            }
            for status in chain
        ],
    }


CONTROLS: tuple[Control[Any], ...] = (
    Control(
        CommandSpec("swap-battery", "swap_battery", SwapBatteryPayload, "Swap a battery"),
        _check_swap,
        _swap,
        "Swap battery",
        "OCPP 2.1: a driver presents `id_tag` at a battery swap station (a template with "
        "`battery_swap`, e.g. `chargeyard-swap-cabinet-21`). The station asks Authorize and, "
        "Accepted, swaps: BatterySwap BatteryOut lists the charged batteries taken, BatteryIn "
        "the driver's depleted ones put back, both with the swap's `request_id`. Refused on a "
        "station that swaps no batteries, while a swap is under way, or with too few charged.",
        {"id_tag": "04A1B2C3D4"},
    ),
    Control(
        CommandSpec("pay-by-card", "pay_by_card", PayByCardPayload, "Pay by card"),
        _check_pay,
        _pay,
        "Pay by card",
        "OCPP 2.1 ad hoc payment: a driver pays by card at the station's payment terminal (a "
        "template with `payment_terminal`, e.g. `chargeyard-dc-fast-21`) for the EVSE, which "
        "is authorized for the payment (its `psp_ref` the idToken, type DirectPayment). When "
        "its transaction ends the station sends NotifySettlement (Settled, the cost or the "
        "energy at the terminal's price); Canceled when no cable came.",
        {"evse_id": 1},
    ),
    Control(
        CommandSpec("enter-vat-number", "enter_vat_number", VatNumberPayload, "Enter a VAT number"),
        _check_vat,
        _vat,
        "Enter VAT number",
        "OCPP 2.1: a driver enters a VAT number for a company receipt (at the EVSE, or for "
        "the station): the station sends VatNumberValidation and keeps the answer "
        "(payment-state reads it); an Accepted number goes on the EVSE's next card receipt.",
        {"vat_number": "NL123456789B01", "evse_id": 1},
    ),
    Control(
        CommandSpec("payment-state", "payment_state", PaymentStatePayload, "Read payment state"),
        _check_state,
        _state,
        "Payment state",
        "OCPP 2.1: what the EVSE shows of payments and swaps: the seconds it still waits for a "
        "web payment's authorization (NotifyWebPaymentStarted), the VAT number answer kept "
        "(the EVSE's, else the station's), a swap station's slots with their batteries' "
        "state of charge, and the statuses of the last certificate chain checked.",
        {"evse_id": 1},
    ),
    Control(
        CommandSpec(
            "check-certificate-chain",
            "check_certificate_chain",
            CertificateChainPayload,
            "Check a certificate chain",
        ),
        _check_chain,
        _chain,
        "Check certificate chain",
        "OCPP 2.1: an EV's contract certificate chain (PEM, leaf first, at most 4; ISO 15118 "
        "Plug & Charge) handed to the station, which asks the central system its revocation "
        "status with GetCertificateChainStatus: each certificate by its hashes, with the OCSP "
        "responder (else the CRL) it names. Refused when a certificate names neither, or the "
        "last one's issuer is neither in the chain nor installed; payment-state shows the answer.",
        {"certificate_chain": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"},
    ),
)
