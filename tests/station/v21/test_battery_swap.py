"""OCPP 2.1 battery swap on the station's side (``station/v21/battery_swap.py``): the central
system's RequestBatterySwap, or a driver's token at the station, starts a swap; the station
reports the charged batteries taken (BatteryOut) and the depleted ones put back (BatteryIn)
with the swap's requestId, and its slots charge what went in."""

from __future__ import annotations

import pytest

from chargeyard.protocol import V21, OcppError, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.v21 import StationV21
from tests.station.harness import Link
from tests.station.v21.conftest import make_link, make_station
from tests.station.v21.recorder import FrameRecorder

SWAP_CABINET = "chargeyard-swap-cabinet-21"
TOKEN = {"idToken": "04A1B2C3D4", "type": "ISO14443"}
# The cabinet's slots charge a 1.5 kWh battery at 3.68 kW: percent of charge a second.
RATE = 3680 / 1500 * 100 / 3600


@pytest.fixture
def cabinet(clock: ManualClock) -> StationV21:
    return make_station(clock, SWAP_CABINET)


@pytest.fixture
def online(cabinet: StationV21, clock: ManualClock) -> Link:
    link = make_link(cabinet, clock)
    link.csms.answers["BatterySwap"] = lambda p: {}
    link.connect()
    link.csms.clear()
    return link


def _swaps(link: Link) -> list[Payload]:
    return link.csms.payloads("BatterySwap")


def _request(link: Link, request_id: int) -> Payload:
    return link.call_station("RequestBatterySwap", {"idToken": TOKEN, "requestId": request_id})


def test_a_requested_swap_hands_out_a_charged_battery_and_takes_the_depleted_one_back(
    online: Link, cabinet: StationV21
) -> None:
    recorder = FrameRecorder(cabinet)
    assert _request(online, 7) == {"status": "Accepted"}
    assert _swaps(online) == []  # the driver has not taken anything yet
    online.run_for(20)  # step_s: the fullest battery (slot 1, 97 % as shipped) leaves
    assert _swaps(online) == [
        {
            "batteryData": [
                {
                    "evseId": 1,
                    "serialNumber": "CYB-0001",
                    "soC": round(97.0 + 20 * RATE, 1),
                    "soH": 99.0,
                }
            ],
            "eventType": "BatteryOut",
            "idToken": TOKEN,
            "requestId": 7,
        }
    ]
    online.run_for(20)  # the driver's depleted battery goes into the emptied slot
    assert _swaps(online)[1] == {
        "batteryData": [{"evseId": 1, "serialNumber": "DRV-7-1", "soC": 15.0, "soH": 99.0}],
        "eventType": "BatteryIn",
        "idToken": TOKEN,
        "requestId": 7,
    }
    assert recorder.sent_actions() == [
        "RequestBatterySwap answer",
        "BatterySwap",
        "BatterySwap",
    ]
    assert recorder.violations(V21) == []
    assert recorder.refusals() == []


def test_a_swap_under_way_refuses_another(online: Link) -> None:
    assert _request(online, 1) == {"status": "Accepted"}
    assert _request(online, 2) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "SwapInProgress",
            "additionalInfo": "battery swap 1 is under way",
        },
    }
    online.run_for(40)
    assert [(p["requestId"], p["eventType"]) for p in _swaps(online)] == [
        (1, "BatteryOut"),
        (1, "BatteryIn"),
    ]


def test_swapped_in_batteries_charge_in_their_slots_until_a_later_swap_finds_one_charged(
    online: Link, cabinet: StationV21
) -> None:
    # Two swaps take the two batteries charged as shipped (slots 1 and 2, 80 % or more).
    for request_id in (1, 2):
        assert _request(online, request_id) == {"status": "Accepted"}
        online.run_for(40)
    assert [p["batteryData"][0]["evseId"] for p in _swaps(online)] == [1, 1, 2, 2]
    assert _request(online, 3) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "NoChargedBattery",
            "additionalInfo": "0 of the 1 batteries a swap needs are charged",
        },
    }
    slots = cabinet.battery_swap.slots
    assert slots is not None
    assert slots.soc(1) == pytest.approx(15.0 + 40 * RATE)  # in since t=40, charging
    online.run_for(1000)  # slot 1's battery: 15 % + 1040 s x RATE > 80 %
    assert slots.soc(1) == pytest.approx(15.0 + 1040 * RATE)
    assert slots.soc(3) == 100.0  # 41 % as shipped, full after about 570 s; no further
    assert _request(online, 4) == {"status": "Accepted"}
    online.run_for(20)
    out = _swaps(online)[-1]
    assert (out["eventType"], out["batteryData"][0]["serialNumber"]) == ("BatteryOut", "CYB-0003")


def test_an_ordinary_2_1_station_rejects_a_battery_swap(link: Link, station: StationV21) -> None:
    recorder = FrameRecorder(station)
    link.connect()
    answer = link.call_station("RequestBatterySwap", {"idToken": TOKEN, "requestId": 1})
    assert answer == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "UnsupportedRequest",
            "additionalInfo": "the station swaps no batteries",
        },
    }
    link.run_for(60)
    assert link.csms.payloads("BatterySwap") == []
    assert recorder.violations(V21) == []
    with pytest.raises(OcppError, match="swaps no batteries"):
        station.swap_battery("DRIVER1")


def test_a_driver_s_token_at_the_station_is_authorized_then_swapped(
    online: Link, cabinet: StationV21
) -> None:
    recorder = FrameRecorder(cabinet)
    request_id = cabinet.swap_battery("DRIVER1")
    online.pump()
    assert online.csms.payloads("Authorize") == [
        {"idToken": {"idToken": "DRIVER1", "type": "ISO14443"}}
    ]
    online.run_for(40)
    token = {"idToken": "DRIVER1", "type": "ISO14443"}
    assert [(p["eventType"], p["requestId"], p["idToken"]) for p in _swaps(online)] == [
        ("BatteryOut", request_id, token),
        ("BatteryIn", request_id, token),
    ]
    assert recorder.violations(V21) == []


def test_a_token_the_central_system_refuses_swaps_nothing(
    online: Link, cabinet: StationV21
) -> None:
    online.csms.answers["Authorize"] = lambda p: {"idTokenInfo": {"status": "Invalid"}}
    cabinet.swap_battery("STRANGER")
    online.run_for(60)
    assert _swaps(online) == []
    # The batteries held for it are free again.
    assert _request(online, 5) == {"status": "Accepted"}


def test_a_token_at_an_offline_swap_station_is_refused_at_once(cabinet: StationV21) -> None:
    with pytest.raises(OcppError, match="offline"):
        cabinet.swap_battery("DRIVER1")
    assert cabinet.battery_swap.swap is None


def test_a_swap_under_way_when_the_power_goes_is_forgotten_and_the_batteries_stay(
    online: Link, cabinet: StationV21
) -> None:
    assert _request(online, 1) == {"status": "Accepted"}
    cabinet.power_cut(5)
    online.run_for(60)  # off 5 s, then the boot; the swap's steps went with the timers
    assert _swaps(online) == []
    assert cabinet.battery_swap.swap is None
    slots = cabinet.battery_swap.slots
    assert slots is not None
    assert slots.contents()[1] is not None  # slot 1's battery never left
    assert _request(online, 2) == {"status": "Accepted"}
