"""The suite's own roots, and how it recognises them in either version's
GetInstalledCertificateIds answer."""

from __future__ import annotations

from datetime import UTC, datetime

from chargeyard.conformance.station_under_test.certificates import listed, new_root, reported
from chargeyard.protocol.certificates import read_certificate


def test_a_new_root_is_a_self_signed_ca_valid_now_and_an_expired_one_is_not() -> None:
    now = datetime.now(UTC).timestamp()
    valid = read_certificate(new_root("valid"))
    expired = read_certificate(new_root("expired", expired=True))
    assert valid.self_signed
    assert valid.valid_from < now < valid.expired_at
    assert expired.expired_at < now


def test_a_certificate_is_recognised_in_a_1_6_answer_in_the_station_s_algorithm() -> None:
    pem, other = new_root("mine"), new_root("other")
    names = read_certificate(pem).hash_data("SHA384")
    answer = {
        "status": "Accepted",
        "certificateHashData": [read_certificate(other).hash_data(), names],
    }
    assert listed(answer) == [(None, read_certificate(other).hash_data()), (None, names)]
    assert reported(answer, pem) == names
    assert reported({"status": "NotFound"}, pem) is None


def test_a_2_0_1_answer_names_a_certificate_only_under_its_type() -> None:
    pem = new_root("mine")
    names = read_certificate(pem).hash_data()
    answer = {
        "status": "Accepted",
        "certificateHashDataChain": [
            {"certificateType": "ManufacturerRootCertificate", "certificateHashData": names}
        ],
    }
    assert listed(answer) == [("ManufacturerRootCertificate", names)]
    assert reported(answer, pem, "ManufacturerRootCertificate") == names
    assert reported(answer, pem, "CSMSRootCertificate") is None
