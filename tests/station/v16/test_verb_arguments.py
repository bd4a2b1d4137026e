"""The station's verbs refuse, before they change anything, a value that the 1.6 message
carrying it could not hold (``SimulatedStation.check_value``): a Python user of the station
cannot wedge it with a transaction ended here and never reported."""

from __future__ import annotations

import pytest

from chargeyard.station.v16 import StationV16
from tests.station.harness import Link


def charging(link: Link, station: StationV16) -> None:
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()


def test_a_stop_reason_outside_1_6_reason_changes_nothing(
    online: Link, station: StationV16
) -> None:
    charging(online, station)
    with pytest.raises(ValueError, match=r"reason 'TimeLimitReached' is not allowed in Stop"):
        station.stop_transaction(1, "TimeLimitReached")  # a 2.0.1 ReasonEnumType
    online.run_for(1)
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    assert station.model.evses[1].connectors[1].status.value == "Charging"
    assert "StopTransaction" not in online.csms.actions()

    station.stop_transaction(1, "Local")
    online.pump()
    assert [p["reason"] for p in online.csms.payloads("StopTransaction")] == ["Local"]


def test_a_stop_reason_of_every_transaction_outside_1_6_reason_changes_nothing(
    online: Link, station: StationV16
) -> None:
    charging(online, station)
    with pytest.raises(ValueError, match=r"reason 'TimeLimitReached' is not allowed"):
        station.stop_transactions("TimeLimitReached")
    online.run_for(1)
    assert station.model.evses[1].transaction is not None
    assert "StopTransaction" not in online.csms.actions()

    station.stop_transactions("Reboot")
    online.pump()
    assert [p["reason"] for p in online.csms.payloads("StopTransaction")] == ["Reboot"]


def test_an_id_tag_longer_than_cistring20_changes_nothing(
    online: Link, station: StationV16
) -> None:
    charging(online, station)
    too_long = "TAG-1" + "X" * 16
    with pytest.raises(ValueError, match="at most 20 characters"):
        station.present_id_token(too_long)
    with pytest.raises(ValueError, match="at most 20 characters"):
        station.start_transaction(1, too_long)
    online.pump()
    assert station.model.evses[1].transaction is not None
    assert online.csms.actions() == []


def test_a_fault_code_that_is_no_fault_changes_nothing(station: StationV16) -> None:
    with pytest.raises(ValueError, match="'NoError' is not a fault code: one of Connector"):
        station.inject_fault(1, 1, StationV16.TERMS.fault_named("NoError"))
    assert not station.model.evses[1].connectors[1].faulted


@pytest.mark.parametrize("watts", [float("nan"), float("inf"), -1.0])
def test_a_power_limit_no_meter_can_read_changes_nothing(
    online: Link, station: StationV16, watts: float
) -> None:
    charging(online, station)
    with pytest.raises(ValueError, match="a power limit is a finite number of watts"):
        station.set_power_limit(1, watts)
    assert station.model.evses[1].power_update_w is None
