"""chargeyard's own 2.1 stations against chargeyard's own central system, over real sockets:
the API's ``battery-swap`` reaches a swap cabinet, whose BatterySwap out and in are kept as
``battery_swap`` notifications; a card paid at a DC charger's terminal is settled at the end of
its transaction with NotifySettlement, kept as a ``payment`` notification, as is the
VatNumberValidation of a driver's VAT number, which the station keeps the answer of."""

from __future__ import annotations

import dataclasses
import json

from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V21
from chargeyard.station.clock import SystemClock
from chargeyard.station.model.states import Registration
from chargeyard.station.v21 import StationV21
from chargeyard.store.models import NotificationKind
from tests.polling import polled, until
from tests.stack_lab import FAST, StackLab
from tests.station.wall_clock import without_clock_aligned_readings

SWAP_CABINET = "chargeyard-swap-cabinet-21"
DC_CHARGER = "chargeyard-dc-fast-21"
TOKEN = {"idToken": "04A1B2C3D4", "type": "ISO14443"}


async def _cabinet(lab: StackLab, identity: str) -> StationV21:
    """The swap cabinet, each step of a swap taking 50 ms instead of the template's 20 s."""
    await lab.store.stations.register(identity)
    template = without_clock_aligned_readings(SWAP_CABINET)
    assert template.battery_swap is not None
    quick = dataclasses.replace(template.battery_swap, step_s=0.05)
    station = StationV21(
        identity, dataclasses.replace(template, battery_swap=quick), clock=SystemClock()
    )
    runtime = StationRuntime(station, lab.url(identity), reconnect=FAST)
    lab.runtimes.append(runtime)
    runtime.start()
    await until(
        lambda: (
            station.registration is Registration.ACCEPTED and lab.registry.is_connected(identity)
        )
    )
    return station


async def test_the_api_s_battery_swap_reaches_the_cabinet_whose_swap_is_kept(
    csms_lab: StackLab,
) -> None:
    await _cabinet(csms_lab, "SWAP-21")
    response = await csms_lab.client.post(
        "/api/v1/chargers/SWAP-21/battery-swap", json={"idToken": TOKEN, "requestId": 42}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["requestId"]) == ("Accepted", 42)
    kept = await polled(
        lambda: csms_lab.store.notifications.history("SWAP-21", kind=NotificationKind.BATTERY_SWAP),
        lambda rows: len(rows) == 2,
    )
    # Newest first: the driver's battery in, after the charged one out, both of swap 42.
    assert [(row.action, row.status, row.request_id, row.evse_id) for row in kept] == [
        ("BatterySwap", "BatteryIn", 42, 1),
        ("BatterySwap", "BatteryOut", 42, 1),
    ]
    battery_in = json.loads(kept[0].detail or "{}")
    assert battery_in["batteryData"] == [
        {"evseId": 1, "serialNumber": "DRV-42-1", "soC": 15.0, "soH": 99.0}
    ]
    assert battery_in["idToken"] == TOKEN


async def test_a_card_paid_at_the_terminal_is_settled_and_kept(csms_lab: StackLab) -> None:
    runtime = await csms_lab.station("PAY-21", V21, DC_CHARGER)
    station = runtime.station
    assert isinstance(station, StationV21)
    station.enter_vat_number("NL123456789B01", 1)
    await until(lambda: station.vat_answer(1) is not None)
    answer = station.vat_answer(1)
    assert answer is not None
    # chargeyard's central system checks how the number is written, and names no company.
    assert (answer.vat_number, answer.status, answer.company) == (
        "NL123456789B01",
        "Accepted",
        None,
    )
    psp_ref = station.pay_by_card(1)
    station.plug(1, 1)
    await until(lambda: station.model.evses[1].transaction is not None)
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    station.stop_transaction(1)
    assert transaction.meter_stop_wh is not None
    energy_kwh = (transaction.meter_stop_wh - transaction.meter_start_wh) / 1000
    kept = await polled(
        lambda: csms_lab.store.notifications.history("PAY-21", kind=NotificationKind.PAYMENT),
        lambda rows: len(rows) == 2,
    )
    # Newest first: the settlement, after the VAT number's validation.
    assert [(row.action, row.status) for row in kept] == [
        ("NotifySettlement", "Settled"),
        ("VatNumberValidation", "Accepted"),
    ]
    settled = kept[0]
    detail = json.loads(settled.detail or "{}")
    assert (detail["pspRef"], detail["transactionId"], detail["vatNumber"]) == (
        psp_ref,
        transaction.local_id,
        "NL123456789B01",
    )
    # No cost told by the central system: the energy at the terminal's 0.59 a kWh.
    assert detail["settlementAmount"] == round(energy_kwh * 0.59, 2)
