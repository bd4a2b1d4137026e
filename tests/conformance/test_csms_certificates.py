"""The CA certificates the suite's station keeps in a CSMS case
(``csms_under_test/certificates.py``), and how chargeyard's trigger words the certificate orders for
its /api/v1."""

from __future__ import annotations

from typing import Any

from chargeyard.conformance.csms_under_test.certificates import (
    SUITE_ROOTS,
    CertificateStore,
    keeping,
)
from chargeyard.conformance.csms_under_test.chargeyard_routes import route
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.protocol.certificates import read_certificate
from tests.certificates import make_root


def test_m05_a_readable_certificate_is_kept_an_unreadable_text_rejected() -> None:
    store = CertificateStore()
    root = make_root()
    assert store.install("CSMSRootCertificate", root.pem) == "Accepted"
    assert store.install("CSMSRootCertificate", "-----BEGIN CERTIFICATE-----\nx") == "Rejected"
    assert store.ids([], "SHA256") == [
        ("CSMSRootCertificate", read_certificate(root.pem).hash_data("SHA256"))
    ]


def test_m03_ids_of_the_uses_asked_in_the_algorithm_asked() -> None:
    store = keeping("CSMSRootCertificate", "ManufacturerRootCertificate")
    maker = read_certificate(SUITE_ROOTS["ManufacturerRootCertificate"])
    assert store.ids(["ManufacturerRootCertificate"], "SHA384") == [
        ("ManufacturerRootCertificate", maker.hash_data("SHA384"))
    ]
    assert [use for use, _ in store.ids([], "SHA512")] == [
        "CSMSRootCertificate",
        "ManufacturerRootCertificate",
    ]
    assert store.ids(["V2GRootCertificate"], "SHA256") == []


def test_m04_a_certificate_is_deleted_by_its_id_in_any_algorithm_once() -> None:
    store = keeping("CSMSRootCertificate")
    named = read_certificate(SUITE_ROOTS["CSMSRootCertificate"]).hash_data("SHA512")
    assert store.delete({**named, "serialNumber": "1"}) == "NotFound"
    assert store.delete({**named, "hashAlgorithm": "MD5"}) == "NotFound"
    assert store.delete(named) == "Accepted"
    assert store.delete(named) == "NotFound"
    assert store.kept == []


def _body(version: VersionSpec, action: str, payload: dict[str, Any]) -> Any:
    chosen = route(version, "CP-1", action, payload)
    assert chosen.raw_because is None
    return chosen.body


def test_chargeyard_s_trigger_names_uses_as_its_api_does() -> None:
    pem = SUITE_ROOTS["CSMSRootCertificate"]
    install_16 = {"certificateType": "CentralSystemRootCertificate", "certificate": pem}
    assert _body(V16, "InstallCertificate", install_16) == {
        "certificateType": "CSMSRootCertificate",
        "certificate": pem,
    }
    ids_16 = {"certificateType": "CentralSystemRootCertificate"}
    assert _body(V16, "GetInstalledCertificateIds", ids_16) == {
        "certificateTypes": ["CSMSRootCertificate"]
    }
    ids_201 = {"certificateType": ["CSMSRootCertificate", "ManufacturerRootCertificate"]}
    assert _body(V201, "GetInstalledCertificateIds", ids_201) == {
        "certificateTypes": ["CSMSRootCertificate", "ManufacturerRootCertificate"]
    }
    assert _body(V201, "GetInstalledCertificateIds", {}) == {"certificateTypes": []}
    named = read_certificate(pem).hash_data()
    assert _body(V201, "DeleteCertificate", {"certificateHashData": named}) == {
        "certificateHashData": named
    }
