"""The certificate store both versions share: what an installation comes to (M05, the 1.6
security extension), finding by hashes and deleting (M04)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chargeyard.protocol.certificates import read_certificate
from chargeyard.station.model.certificates import (
    CertificateStore,
    InstallOutcome,
    InstallStatus,
)
from tests.certificates import make_root, make_signed

NOW = datetime(2026, 6, 1, tzinfo=UTC)
STAMP = NOW.timestamp()
ACCEPTED = InstallOutcome(InstallStatus.ACCEPTED)


def _root(name: str = "root") -> str:
    return make_root(name, not_before=NOW - timedelta(days=1)).pem


def test_a_valid_root_is_installed_and_listed_by_type() -> None:
    store = CertificateStore()
    csms, manufacturer = _root("csms"), _root("manufacturer")
    assert store.install("CSMSRootCertificate", csms, STAMP) == ACCEPTED
    assert store.install("ManufacturerRootCertificate", manufacturer, STAMP) == ACCEPTED
    assert [item.certificate.pem for item in store.of(["CSMSRootCertificate"])] == [csms]
    assert [item.kind for item in store.of()] == [
        "CSMSRootCertificate",
        "ManufacturerRootCertificate",
    ]
    assert len(store) == 2


def test_m05_fr_07_an_unreadable_text_is_rejected_as_invalid() -> None:
    store = CertificateStore()
    outcome = store.install("CSMSRootCertificate", "not a certificate", STAMP)
    assert (outcome.status, outcome.reason) == (InstallStatus.REJECTED, "InvalidCertificate")
    assert len(store) == 0


def test_m05_fr_07_an_expired_or_future_certificate_is_rejected() -> None:
    store = CertificateStore()
    expired = make_root(not_before=NOW - timedelta(days=30), valid_days=10).pem
    future = make_root(not_before=NOW + timedelta(days=1)).pem
    for pem, why in ((expired, "expired"), (future, "not valid yet")):
        outcome = store.install("CSMSRootCertificate", pem, STAMP)
        assert outcome == InstallOutcome(InstallStatus.REJECTED, "InvalidCertificate", why)
    assert len(store) == 0


def test_m05_fr_07_a_certificate_that_is_no_ca_is_rejected() -> None:
    root = make_root(not_before=NOW - timedelta(days=1))
    leaf = make_signed(root, valid_days=3650)
    store = CertificateStore()
    # make_signed starts now; the store's clock is later, within its validity.
    outcome = store.install("CSMSRootCertificate", leaf.pem, datetime.now(UTC).timestamp())
    assert outcome == InstallOutcome(
        InstallStatus.REJECTED, "InvalidCertificate", "not a CA certificate"
    )


def test_m05_fr_06_a_full_store_rejects_a_new_certificate() -> None:
    store = CertificateStore(max_entries=1)
    first = _root("first")
    assert store.install("CSMSRootCertificate", first, STAMP) == ACCEPTED
    outcome = store.install("CSMSRootCertificate", _root("second"), STAMP)
    assert (outcome.status, outcome.reason) == (InstallStatus.REJECTED, "OutOfStorage")
    # M05.FR.17: the one installed again replaces itself and takes no second place.
    assert store.install("CSMSRootCertificate", first, STAMP) == ACCEPTED
    assert len(store) == 1


def test_m04_a_certificate_is_found_and_deleted_by_its_hashes_in_any_algorithm() -> None:
    store = CertificateStore()
    pem = make_root(serial=0x0ABC, not_before=NOW - timedelta(days=1)).pem
    store.install("ManufacturerRootCertificate", pem, STAMP)
    [installed] = store.of()
    names = installed.hash_data("SHA384")
    padded = {**names, "serialNumber": "000" + str(names["serialNumber"]).upper()}
    assert store.find(padded) is installed
    assert store.delete(padded) is True
    assert store.delete(padded) is False  # M04.FR.04: nothing left to find
    assert store.of() == []


def test_m04_other_hashes_find_nothing() -> None:
    store = CertificateStore()
    store.install("CSMSRootCertificate", _root(), STAMP)
    other = make_root("other", not_before=NOW - timedelta(days=1))
    assert store.find(read_certificate(other.pem).hash_data()) is None
    assert store.find({"hashAlgorithm": "MD5", "serialNumber": "1"}) is None
