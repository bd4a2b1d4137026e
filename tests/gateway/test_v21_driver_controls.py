"""The 2.1 driver's controls (``gateway/controls/driver_21.py``) on 2.1 chargers of the gateway
against chargeyard's own central system: a token at the swap cabinet swaps a battery (its
BatterySwap out and in kept by the CSMS), a card at the DC charger's terminal is settled
(NotifySettlement kept), and a charger without the hardware, or of another version, is refused
before anything is queued."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import V16, V21
from chargeyard.store.models import CommandStatus, NotificationKind, SimulatedCharger
from tests.certificates import make_root, make_signed
from tests.polling import polled, until
from tests.stack_lab import StackLab

# Every wait is on the loop's clock or on SQLite (tests/virtual_time.py): the swap's steps pass
# at once.
pytestmark = pytest.mark.virtual_time

SWAP_CABINET = "chargeyard-swap-cabinet-21"
DC_CHARGER = "chargeyard-dc-fast-21"
WALLBOX = "chargeyard-ac-wallbox-21"


async def _started(lab: StackLab, identity: str, template: str) -> SimulatedCharger:
    charger = await lab.charger(identity, V21, template=template)
    await lab.host.start_charger(lab.org, charger.id)
    await until(lambda: lab.booted(charger.id))
    return charger


async def _ok(lab: StackLab, charger: SimulatedCharger, event_type: str, payload: Any) -> Any:
    command = await lab.run(charger, event_type, payload)
    assert (command.status, command.error) == (CommandStatus.SUCCEEDED, None), command.error
    return command.result


async def test_a_token_at_the_swap_cabinet_swaps_a_battery_the_csms_keeps(lab: StackLab) -> None:
    cabinet = await _started(lab, "SWAP-1", SWAP_CABINET)
    result = await _ok(lab, cabinet, "swap_battery", {"id_tag": "TAG-1"})
    assert result == {"id_tag": "TAG-1", "request_id": 1}
    kept = await polled(
        lambda: lab.csms.store.notifications.history("SWAP-1", kind=NotificationKind.BATTERY_SWAP),
        lambda rows: len(rows) == 2,
        within=60,  # two steps of 20 s (the template's step_s), on the loop's virtual clock
        every=1.0,
    )
    assert [(row.status, row.request_id, row.evse_id) for row in kept] == [
        ("BatteryIn", 1, 1),
        ("BatteryOut", 1, 1),
    ]
    state = await _ok(lab, cabinet, "payment_state", {"evse_id": 1})
    slots = state["battery_slots"]
    assert slots[0]["serial_number"] == "DRV-1-1"  # the driver's battery, charging in slot 1
    assert [slot["serial_number"] for slot in slots[1:]] == ["CYB-0002", "CYB-0003", "CYB-0004"]


async def test_a_card_at_the_terminal_is_settled_when_its_transaction_ends(
    lab: StackLab,
) -> None:
    charger = await _started(lab, "PAY-1", DC_CHARGER)
    paid = await _ok(lab, charger, "pay_by_card", {"evse_id": 1})
    assert paid["evse_id"] == 1
    await _ok(lab, charger, "plug", {"evse_id": 1, "connector_id": 1})
    await _ok(lab, charger, "stop_transaction", {"evse_id": 1, "connector_id": 1})
    [settled] = await polled(
        lambda: lab.csms.store.notifications.history("PAY-1", kind=NotificationKind.PAYMENT),
        lambda rows: len(rows) == 1,
    )
    assert (settled.action, settled.status) == ("NotifySettlement", "Settled")
    assert paid["psp_ref"] in (settled.detail or "")


async def test_a_charger_without_the_hardware_or_of_another_version_is_refused(
    lab: StackLab,
) -> None:
    wallbox = await _started(lab, "AC-21", WALLBOX)
    refused = await lab.send(wallbox, "swap_battery", {"id_tag": "TAG-1"})
    assert [failure.reason for failure in refused.failed] == [
        "the station swaps no batteries (its template has no battery_swap)"
    ]
    refused = await lab.send(wallbox, "pay_by_card", {"evse_id": 1})
    assert [failure.reason for failure in refused.failed] == [
        "the station has no payment terminal (its template has no payment_terminal)"
    ]
    old = await lab.running("CP-16", V16)
    refused = await lab.send(old, "enter_vat_number", {"vat_number": "NL123456789B01"})
    assert [failure.reason for failure in refused.failed] == [
        "the charger speaks OCPP 1.6: this is a 2.1 station's"
    ]


async def test_an_ev_s_contract_chain_is_checked_and_the_csms_answers_each_certificate(
    lab: StackLab,
) -> None:
    # The central system consults no OCSP responder: each certificate Failed
    # (csms/v21/certificates.py), the request kept as a certificate notification.
    charger = await _started(lab, "PNC-21", WALLBOX)
    root = make_root("MO root", ocsp="http://ocsp.mo.example/")
    contract = make_signed(root, "EMAID DE8AA001234567", ocsp="http://ocsp.mo.example/")
    sent = await _ok(
        lab, charger, "check_certificate_chain", {"certificate_chain": contract.pem + root.pem}
    )
    assert sent == {"certificates": 2, "sent": "GetCertificateChainStatus"}
    state = await polled(
        lambda: _ok(lab, charger, "payment_state", {"evse_id": 1}),
        lambda state: state["certificate_chain"] is not None,
    )
    serials = [format(issued.certificate.serial_number, "x") for issued in (contract, root)]
    assert [(s["serial_number"], s["source"], s["status"]) for s in state["certificate_chain"]] == [
        (serial, "OCSP", "Failed") for serial in serials
    ]
    [kept] = await lab.csms.store.notifications.history("PNC-21", kind=NotificationKind.CERTIFICATE)
    assert kept.action == "GetCertificateChainStatus"
    # The chain is read as the command runs: a broken one fails the command, nothing sent.
    broken = await lab.run(charger, "check_certificate_chain", {"certificate_chain": root.pem[:40]})
    assert broken.status == CommandStatus.REJECTED
    assert "not a readable X.509 certificate" in (broken.error or "")
