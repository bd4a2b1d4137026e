"""The station's verbs refuse, before they change anything, a value that the 2.0.1 message
carrying it could not hold (``SimulatedStation.check_value``): a Python user of the station
cannot wedge it with a transaction ended here and never reported."""

from __future__ import annotations

import pytest

from chargeyard.station.v201 import StationV201
from tests.station.harness import Link


def charging(link: Link, station: StationV201) -> None:
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()


def ended(link: Link) -> list[str]:
    return [
        p["transactionInfo"].get("stoppedReason", "Local")
        for p in link.csms.payloads("TransactionEvent")
        if p["eventType"] == "Ended"
    ]


def test_a_stop_reason_outside_reason_enum_type_changes_nothing(
    online: Link, station: StationV201
) -> None:
    charging(online, station)
    with pytest.raises(ValueError, match=r"reason 'SoftReset' is not allowed in Transaction"):
        station.stop_transaction(1, "SoftReset")  # a 1.6 Reason
    online.run_for(1)
    assert station.model.evses[1].transaction is not None
    assert ended(online) == []

    station.stop_transaction(1, "Remote")
    online.pump()
    assert ended(online) == ["Remote"]


def test_a_stop_reason_of_every_transaction_outside_reason_enum_type_changes_nothing(
    online: Link, station: StationV201
) -> None:
    charging(online, station)
    with pytest.raises(ValueError, match=r"reason 'SoftReset' is not allowed"):
        station.stop_transactions("SoftReset")
    online.run_for(1)
    assert station.model.evses[1].transaction is not None
    assert ended(online) == []

    station.stop_transactions("Reboot")
    online.pump()
    assert ended(online) == ["Reboot"]


def test_an_id_token_longer_than_36_changes_nothing(online: Link, station: StationV201) -> None:
    with pytest.raises(ValueError, match="at most 36 characters"):
        station.present_id_token("T" * 37)
    with pytest.raises(ValueError, match="type 'Badge' is not allowed in Authorize"):
        station.present_id_token("T", type="Badge")
    with pytest.raises(ValueError, match="at most 36 characters"):
        station.start_transaction(1, "T" * 37)
    online.pump()
    assert online.csms.actions() == []
    assert station.model.evses[1].transaction is None
    station.present_id_token("T" * 36)  # the longest IdTokenType.idToken
    online.pump()
    assert online.csms.actions() == ["Authorize"]


def test_a_fault_reason_that_names_no_fault_changes_nothing(
    online: Link, station: StationV201
) -> None:
    charging(online, station)
    with pytest.raises(ValueError, match="reason 'Local' is not a fault: one of GroundFault"):
        station.inject_fault(1, 1, StationV201.TERMS.fault_named("Local"))
    assert not station.model.evses[1].connectors[1].faulted
    assert station.model.evses[1].transaction is not None


@pytest.mark.parametrize("watts", [float("nan"), float("inf"), -1.0])
def test_a_power_limit_no_meter_can_read_changes_nothing(
    online: Link, station: StationV201, watts: float
) -> None:
    charging(online, station)
    with pytest.raises(ValueError, match="a power limit is a finite number of watts"):
        station.set_power_limit(1, watts)
    assert station.model.evses[1].power_update_w is None
