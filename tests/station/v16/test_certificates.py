"""Certificate management on a 1.6 station (security extension, no TLS): InstallCertificate,
GetInstalledCertificateIds, DeleteCertificate, each status, and the store kept through a
reboot."""

from __future__ import annotations

from datetime import timedelta

from chargeyard.protocol.certificates import read_certificate
from chargeyard.station.clock import ManualClock
from chargeyard.station.v16 import StationV16
from tests.certificates import make_root
from tests.station.harness import Link
from tests.station.v16.core_support import reboot_fully

CSMS_ROOT = "CentralSystemRootCertificate"
MANUFACTURER_ROOT = "ManufacturerRootCertificate"


def _root(clock: ManualClock, name: str = "root", *, valid_days: int = 365) -> str:
    return make_root(name, not_before=clock.now() - timedelta(days=1), valid_days=valid_days).pem


def _install(link: Link, kind: str, pem: str) -> object:
    return link.call_station("InstallCertificate", {"certificateType": kind, "certificate": pem})


def test_install_accepted_then_listed_by_its_hash_data(online: Link, clock: ManualClock) -> None:
    pem = _root(clock)
    assert _install(online, CSMS_ROOT, pem) == {"status": "Accepted"}
    assert online.call_station("GetInstalledCertificateIds", {"certificateType": CSMS_ROOT}) == {
        "status": "Accepted",
        "certificateHashData": [read_certificate(pem).hash_data("SHA256")],
    }
    # The other type holds nothing.
    assert online.call_station(
        "GetInstalledCertificateIds", {"certificateType": MANUFACTURER_ROOT}
    ) == {"status": "NotFound"}


def test_install_rejects_an_unreadable_an_expired_and_a_future_certificate(
    online: Link, clock: ManualClock
) -> None:
    expired = make_root(not_before=clock.now() - timedelta(days=30), valid_days=10).pem
    future = make_root(not_before=clock.now() + timedelta(days=1)).pem
    for pem in ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", expired, future):
        assert _install(online, MANUFACTURER_ROOT, pem) == {"status": "Rejected"}
    assert online.call_station(
        "GetInstalledCertificateIds", {"certificateType": MANUFACTURER_ROOT}
    ) == {"status": "NotFound"}


def test_install_beyond_certificate_store_max_length_is_rejected(
    online: Link, station: StationV16, clock: ManualClock
) -> None:
    answer = online.call_station("GetConfiguration", {"key": ["CertificateStoreMaxLength"]})
    assert answer == {
        "configurationKey": [{"key": "CertificateStoreMaxLength", "readonly": True, "value": "20"}]
    }
    station.model.certificates.max_entries = 2  # as a template with CertificateStoreMaxLength 2
    assert _install(online, CSMS_ROOT, _root(clock, "one")) == {"status": "Accepted"}
    assert _install(online, MANUFACTURER_ROOT, _root(clock, "two")) == {"status": "Accepted"}
    assert _install(online, CSMS_ROOT, _root(clock, "three")) == {"status": "Rejected"}


def test_delete_accepted_then_not_found(online: Link, clock: ManualClock) -> None:
    kept, deleted = _root(clock, "kept"), _root(clock, "deleted")
    _install(online, CSMS_ROOT, kept)
    _install(online, CSMS_ROOT, deleted)
    names = read_certificate(deleted).hash_data("SHA512")
    assert online.call_station("DeleteCertificate", {"certificateHashData": names}) == {
        "status": "Accepted"
    }
    assert online.call_station("DeleteCertificate", {"certificateHashData": names}) == {
        "status": "NotFound"
    }
    assert online.call_station("GetInstalledCertificateIds", {"certificateType": CSMS_ROOT}) == {
        "status": "Accepted",
        "certificateHashData": [read_certificate(kept).hash_data()],
    }


def test_the_certificates_are_kept_through_a_reboot(online: Link, clock: ManualClock) -> None:
    pem = _root(clock)
    _install(online, MANUFACTURER_ROOT, pem)
    online.csms.clear()
    assert online.call_station("Reset", {"type": "Hard"}) == {"status": "Accepted"}
    reboot_fully(online)
    assert online.csms.actions()[0] == "BootNotification"
    assert online.call_station(
        "GetInstalledCertificateIds", {"certificateType": MANUFACTURER_ROOT}
    ) == {"status": "Accepted", "certificateHashData": [read_certificate(pem).hash_data()]}
