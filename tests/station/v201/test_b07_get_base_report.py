"""OCPP 2.0.1 B07: GetBaseReport, answered then reported in NotifyReport parts."""

from __future__ import annotations

from chargeyard.protocol import Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from chargeyard.station.v201.device_model import DeviceModel
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.support import ts


def _report(link: Link, base: str, request_id: int = 7) -> tuple[Payload, list[Payload]]:
    answer = link.call_station("GetBaseReport", {"requestId": request_id, "reportBase": base})
    return answer, link.csms.payloads("NotifyReport")


def _entry(reports: list[Payload], component: str, variable: str) -> Payload:
    return next(
        entry
        for report in reports
        for entry in report["reportData"]
        if (entry["component"]["name"], entry["variable"]["name"]) == (component, variable)
    )


def test_b07_get_base_report_full_inventory_notify_report_tbc(online: Link) -> None:
    answer, reports = _report(online, "FullInventory")
    assert answer == {"status": "Accepted"}
    # Every variable, ItemsPerMessage(GetReport) = 20 per NotifyReport, the last without tbc.
    everything = list(online.station.device_model.items())  # type: ignore[attr-defined]
    # With the variables the blocks add: SmartChargingCtrlr.LimitChangeSignificance (K), the
    # network slots and SecurityProfile (B09), MonitoringCtrlr (N), DisplayMessageCtrlr (O)
    # and TariffCostCtrlr (I); and the ones part 2 requires of every station
    # (SecurityCtrlr.OrganizationName, CertificateEntries; Part 4's RetryBackOff ones) or of
    # the I block (its fallback messages); and A02's CertSigningWaitMinimum and
    # CertSigningRepeatTimes.
    assert len(everything) == 110
    assert [(r["requestId"], r["seqNo"], r.get("tbc"), len(r["reportData"])) for r in reports] == [
        (7, 0, True, 20),
        (7, 1, True, 20),
        (7, 2, True, 20),
        (7, 3, True, 20),
        (7, 4, True, 20),
        (7, 5, None, 10),
    ]
    assert {r["generatedAt"] for r in reports} == {ts()}
    assert reports[0]["reportData"][0] == {
        "component": {"name": "ChargingStation"},
        "variable": {"name": "AvailabilityState"},
        "variableAttribute": [
            {
                "type": "Actual",
                "value": "Available",
                "mutability": "ReadOnly",
                "persistent": False,
                "constant": False,
            }
        ],
        "variableCharacteristics": {
            "dataType": "OptionList",
            "supportsMonitoring": True,
            "valuesList": "Available,Occupied,Reserved,Unavailable,Faulted",
        },
    }
    assert _entry(reports, "EVSE", "Power") == {
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Power"},
        "variableAttribute": [
            {
                "type": "Actual",
                "value": "0.0",
                "mutability": "ReadOnly",
                "persistent": False,
                "constant": False,
            },
            {
                "type": "MaxSet",
                "value": "7360",
                "mutability": "ReadOnly",
                "persistent": False,
                "constant": False,
            },
        ],
        "variableCharacteristics": {
            "dataType": "decimal",
            "supportsMonitoring": True,
            "unit": "W",
            "maxLimit": 7360,
        },
    }
    assert _entry(reports, "Connector", "ConnectorType")["component"] == {
        "name": "Connector",
        "evse": {"id": 1, "connectorId": 1},
    }


def test_b07_configuration_inventory_lists_what_the_csms_may_write(online: Link) -> None:
    answer, reports = _report(online, "ConfigurationInventory")
    assert answer == {"status": "Accepted"}
    entries = [entry for report in reports for entry in report["reportData"]]
    assert {e["variableAttribute"][0]["mutability"] for e in entries} == {"ReadWrite", "WriteOnly"}
    assert _entry(reports, "TxCtrlr", "TxStartPoint") == {
        "component": {"name": "TxCtrlr"},
        "variable": {"name": "TxStartPoint"},
        "variableAttribute": [
            {
                "type": "Actual",
                "value": "PowerPathClosed",
                "mutability": "ReadWrite",
                "persistent": True,
                "constant": False,
            }
        ],
        "variableCharacteristics": {
            "dataType": "MemberList",
            "supportsMonitoring": True,
            "valuesList": "EVConnected,Authorized,PowerPathClosed,EnergyTransfer",
        },
    }
    # A WriteOnly value is never reported.
    assert _entry(reports, "SecurityCtrlr", "BasicAuthPassword")["variableAttribute"] == [
        {"type": "Actual", "mutability": "WriteOnly", "persistent": True, "constant": False}
    ]
    # The template's 1.6 values seed the 2.0.1 variables (Alfen: ConnectionTimeOut 120).
    timeout = _entry(reports, "TxCtrlr", "EVConnectionTimeOut")
    assert timeout["variableAttribute"][0]["value"] == "120"
    assert timeout["variableCharacteristics"]["unit"] == "s"


def test_b07_summary_inventory_reports_the_state_of_the_components(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    station.inject_fault(1, 1)
    online.csms.clear()
    answer, reports = _report(online, "SummaryInventory", request_id=3)
    assert answer == {"status": "Accepted"}
    assert len(reports) == 1
    assert "tbc" not in reports[0]
    summary = [
        (e["component"]["name"], e["variable"]["name"], e["variableAttribute"][0]["value"])
        for e in reports[0]["reportData"]
    ]
    assert summary == [
        ("ChargingStation", "AvailabilityState", "Available"),
        ("ChargingStation", "Problem", "true"),
        ("EVSE", "AvailabilityState", "Faulted"),
        ("Connector", "AvailabilityState", "Faulted"),
    ]


def test_b07_a_base_the_station_does_not_offer_is_not_supported(clock: ManualClock) -> None:
    station = StationV201("CS-3", make_station(clock).template, clock=clock)
    station.provisioning.report_bases = frozenset({"FullInventory"})
    link = make_link(station, clock)
    link.connect()
    link.csms.clear()
    answer, reports = _report(link, "SummaryInventory")
    assert (answer, reports) == ({"status": "NotSupported"}, [])


def test_b07_nothing_to_report_is_an_empty_result_set(online: Link) -> None:
    online.station.device_model = DeviceModel()  # type: ignore[attr-defined]
    answer, reports = _report(online, "ConfigurationInventory")
    assert (answer, reports) == ({"status": "EmptyResultSet"}, [])
