"""OCPP 2.0.1 M03-M05 on the station: CA certificates installed, listed and deleted, each status
and statusInfo, SecurityCtrlr.CertificateEntries, and the store kept through a reboot."""

from __future__ import annotations

from datetime import timedelta

from chargeyard.protocol import Payload
from chargeyard.protocol.certificates import read_certificate
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from tests.certificates import make_root
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station


def _root(clock: ManualClock, name: str = "root") -> str:
    return make_root(name, not_before=clock.now() - timedelta(days=1)).pem


def _install(link: Link, kind: str, pem: str) -> Payload:
    return link.call_station("InstallCertificate", {"certificateType": kind, "certificate": pem})


def _entries(link: Link) -> object:
    answer = link.call_station(
        "GetVariables",
        {
            "getVariableData": [
                {
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "CertificateEntries"},
                }
            ]
        },
    )
    return answer["getVariableResult"][0]["attributeValue"]


def _chain(kind: str, pem: str) -> Payload:
    return {"certificateType": kind, "certificateHashData": read_certificate(pem).hash_data()}


def test_m05_fr_02_m03_fr_03_installed_roots_are_listed_by_type(
    online: Link, clock: ManualClock
) -> None:
    csms, manufacturer, v2g = _root(clock, "csms"), _root(clock, "mf"), _root(clock, "v2g")
    assert _install(online, "CSMSRootCertificate", csms) == {"status": "Accepted"}
    assert _install(online, "ManufacturerRootCertificate", manufacturer) == {"status": "Accepted"}
    assert _install(online, "V2GRootCertificate", v2g) == {"status": "Accepted"}
    assert _entries(online) == "3"
    asked = {"certificateType": ["CSMSRootCertificate", "ManufacturerRootCertificate"]}
    assert online.call_station("GetInstalledCertificateIds", asked) == {
        "status": "Accepted",
        "certificateHashDataChain": [
            _chain("CSMSRootCertificate", csms),
            _chain("ManufacturerRootCertificate", manufacturer),
        ],
    }
    # Without certificateType: every type.
    everything = online.call_station("GetInstalledCertificateIds", {})
    assert [item["certificateType"] for item in everything["certificateHashDataChain"]] == [
        "CSMSRootCertificate",
        "ManufacturerRootCertificate",
        "V2GRootCertificate",
    ]


def test_m03_fr_02_none_of_the_types_asked_is_not_found(online: Link, clock: ManualClock) -> None:
    _install(online, "CSMSRootCertificate", _root(clock))
    for types in (["MORootCertificate"], ["V2GCertificateChain"]):
        answer = online.call_station("GetInstalledCertificateIds", {"certificateType": types})
        assert answer == {"status": "NotFound", "statusInfo": {"reasonCode": "NotFound"}}


def test_m05_fr_07_an_invalid_certificate_is_rejected_invalid_certificate(
    online: Link, clock: ManualClock
) -> None:
    expired = make_root(not_before=clock.now() - timedelta(days=30), valid_days=10).pem
    assert _install(online, "CSMSRootCertificate", expired) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "InvalidCertificate", "additionalInfo": "expired"},
    }
    garbled = _install(online, "CSMSRootCertificate", "garbage")
    assert (garbled["status"], garbled["statusInfo"]["reasonCode"]) == (
        "Rejected",
        "InvalidCertificate",
    )
    assert _entries(online) == "0"


def test_m05_fr_06_past_certificate_entries_max_limit_is_rejected_out_of_storage(
    clock: ManualClock,
) -> None:
    station = make_station(clock)
    variable = station.device_model.variable("SecurityCtrlr", "CertificateEntries")
    assert variable is not None
    assert variable.max_limit == 20  # the template's default
    station.model.certificates.max_entries = 1  # as a template with CertificateStoreMaxLength 1
    link = make_link(station, clock)
    link.connect()
    assert _install(link, "CSMSRootCertificate", _root(clock, "one")) == {"status": "Accepted"}
    full = _install(link, "MORootCertificate", _root(clock, "two"))
    assert (full["status"], full["statusInfo"]["reasonCode"]) == ("Rejected", "OutOfStorage")


def test_m04_fr_02_04_a_deletion_accepted_then_not_found(online: Link, clock: ManualClock) -> None:
    kept, deleted = _root(clock, "kept"), _root(clock, "deleted")
    _install(online, "CSMSRootCertificate", kept)
    _install(online, "CSMSRootCertificate", deleted)
    names = read_certificate(deleted).hash_data("SHA384")
    assert online.call_station("DeleteCertificate", {"certificateHashData": names}) == {
        "status": "Accepted"
    }
    assert online.call_station("DeleteCertificate", {"certificateHashData": names}) == {
        "status": "NotFound"
    }
    assert online.call_station("GetInstalledCertificateIds", {}) == {
        "status": "Accepted",
        "certificateHashDataChain": [_chain("CSMSRootCertificate", kept)],
    }


def test_the_certificates_are_kept_through_a_reboot(
    online: Link, station: StationV201, clock: ManualClock
) -> None:
    pem = _root(clock)
    _install(online, "ManufacturerRootCertificate", pem)
    online.csms.clear()
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    online.run_for(1)  # (the CSMS's moment to close first: power.CLOSE_WAIT_AFTER_RESET_S)
    assert not online.up
    online.run_for(6)
    assert online.csms.payloads("BootNotification")[0]["reason"] == "RemoteReset"
    assert online.call_station("GetInstalledCertificateIds", {}) == {
        "status": "Accepted",
        "certificateHashDataChain": [_chain("ManufacturerRootCertificate", pem)],
    }
    assert _entries(online) == "1"
