"""OCPP 2.1 GetCertificateChainStatus from the station (``station/v21/certificate_status.py``):
an EV's contract certificate chain asked about, each certificate by its OCSP CertID hashes with
the OCSP responder (else the CRL) it names; the answer kept; what cannot be asked refused before
anything is sent. Every message is held to the 2.1 schemas."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chargeyard.protocol import V21, OcppError, Payload
from chargeyard.protocol.certificates import read_certificate
from chargeyard.station.v21 import StationV21
from chargeyard.station.v21.certificate_status import CertificateStatus
from tests.certificates import Issued, make_root, make_signed
from tests.station.harness import Link
from tests.station.v21.recorder import FrameRecorder

OCSP = "http://ocsp.mo.example/"
CRL = "http://crl.mo.example/sub.crl"


@pytest.fixture
def online(link: Link) -> Link:
    link.csms.answers["GetCertificateChainStatus"] = _all_good
    link.connect()
    link.csms.clear()
    return link


def _all_good(request: Payload) -> Payload:
    return {
        "certificateStatus": [
            {
                "certificateHashData": item["certificateHashData"],
                "source": item["source"],
                "status": "Good",
                "nextUpdate": "2026-01-02T00:00:00Z",
            }
            for item in request["certificateStatusRequests"]
        ]
    }


def _hashes(issued: Issued, issuer: Issued) -> Payload:
    return dict(read_certificate(issued.pem).hash_data("SHA256", read_certificate(issuer.pem)))


def test_a_contract_chain_is_asked_about_certificate_by_certificate(
    online: Link, station: StationV21
) -> None:
    recorder = FrameRecorder(station)
    root = make_root("MO root", ocsp=OCSP)
    sub = make_signed(root, "MO sub-CA", crl=CRL)
    contract = make_signed(sub, "EMAID DE8AA001234567", ocsp=OCSP)
    assert station.check_certificate_chain(contract.pem + sub.pem + root.pem) == 3
    online.pump()
    assert online.csms.payloads("GetCertificateChainStatus") == [
        {
            "certificateStatusRequests": [
                {"certificateHashData": _hashes(contract, sub), "source": "OCSP", "urls": [OCSP]},
                {"certificateHashData": _hashes(sub, root), "source": "CRL", "urls": [CRL]},
                {"certificateHashData": _hashes(root, root), "source": "OCSP", "urls": [OCSP]},
            ]
        }
    ]
    serials = [format(issued.certificate.serial_number, "x") for issued in (contract, sub, root)]
    assert station.certificate_chain_status() == [
        CertificateStatus(serial, source, "Good", "2026-01-02T00:00:00Z")
        for serial, source in zip(serials, ("OCSP", "CRL", "OCSP"), strict=True)
    ]
    assert recorder.violations(V21) == []


def test_a_chain_s_last_issuer_is_found_among_the_certificates_the_station_trusts(
    online: Link, station: StationV21
) -> None:
    # Valid at the station's clock, wherever the harness set it.
    root = make_root("MO root", not_before=datetime(2020, 1, 1, tzinfo=UTC), valid_days=5000)
    answer = online.call_station(
        "InstallCertificate", {"certificateType": "MORootCertificate", "certificate": root.pem}
    )
    assert answer["status"] == "Accepted"
    contract = make_signed(root, "EMAID DE8AA001234567", ocsp=OCSP)
    assert station.check_certificate_chain(contract.pem) == 1
    online.pump()
    [request] = online.csms.payloads("GetCertificateChainStatus")
    assert request["certificateStatusRequests"][0]["certificateHashData"] == _hashes(contract, root)


@pytest.mark.parametrize(
    ("chain", "why"),
    [
        (lambda root, leaf, other: leaf.pem, "an issuer the station does not trust"),
        (lambda root, leaf, other: leaf.pem + other.pem, "is not issued by the next"),
        (lambda root, leaf, other: make_root("no URLs").pem, "names no OCSP responder and no CRL"),
        (lambda root, leaf, other: (leaf.pem + root.pem) * 2 + root.pem, "5 certificates"),
        (lambda root, leaf, other: "not a certificate", "not a PEM certificate"),
    ],
)
def test_a_chain_that_cannot_be_asked_about_is_refused_and_nothing_sent(
    online: Link, station: StationV21, chain: object, why: str
) -> None:
    root = make_root("MO root", ocsp=OCSP)
    leaf = make_signed(root, "EMAID DE8AA001234567", ocsp=OCSP)
    other = make_root("another root", ocsp=OCSP)
    assert callable(chain)
    with pytest.raises(ValueError, match=why):
        station.check_certificate_chain(chain(root, leaf, other))
    online.pump()
    assert online.csms.payloads("GetCertificateChainStatus") == []
    assert station.certificate_chain_status() is None


def test_offline_the_chain_is_not_checked(link: Link, station: StationV21) -> None:
    root = make_root("MO root", ocsp=OCSP)
    with pytest.raises(OcppError, match="offline"):
        station.check_certificate_chain(root.pem)
