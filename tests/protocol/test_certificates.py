"""A certificate's CertificateHashDataType (1.6 security extension; 2.0.1 M03-M05)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization

from chargeyard.protocol.certificates import CertificateError, read_certificate, same_certificate
from tests.certificates import make_root, make_signed


def test_a_roots_hash_data_names_its_own_name_and_key() -> None:
    root = make_root("CSMS root", serial=0x00ABCDEF)
    data = read_certificate(root.pem).hash_data()
    name = hashlib.sha256(root.certificate.subject.public_bytes()).hexdigest()
    # The key hash covers the public key's bits only, not the algorithm around them: for an
    # uncompressed P-256 point that is the 65 bytes X9.62 gives.
    point = root.key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert data == {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": name,
        "issuerKeyHash": hashlib.sha256(point).hexdigest(),
        "serialNumber": "abcdef",  # hexadecimal, no leading zeroes
    }


def test_a_signed_certificate_names_its_issuer() -> None:
    root = make_root("CSMS root")
    leaf = make_signed(root, "CP-1")
    own = read_certificate(leaf.pem)
    data = own.hash_data("SHA384", issuer=read_certificate(root.pem))
    assert data["hashAlgorithm"] == "SHA384"
    assert (
        data["issuerNameHash"]
        == hashlib.sha384(root.certificate.subject.public_bytes()).hexdigest()
    )
    assert data["issuerKeyHash"] == read_certificate(root.pem).hash_data("SHA384")["issuerKeyHash"]
    assert not own.self_signed
    assert read_certificate(root.pem).self_signed


def test_hash_data_compare_by_value_not_by_spelling() -> None:
    data = read_certificate(make_root(serial=0x10).pem).hash_data()
    spelt_otherwise = {
        **data,
        "issuerKeyHash": data["issuerKeyHash"].upper(),
        "serialNumber": "0010",
    }
    assert same_certificate(data, spelt_otherwise)
    assert not same_certificate(data, {**data, "serialNumber": "11"})
    assert not same_certificate(data, {**data, "hashAlgorithm": "SHA512"})


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("hello", "no BEGIN CERTIFICATE"),
        ("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "not a readable"),
    ],
)
def test_a_text_that_is_not_one_certificate_is_refused(text: str, complaint: str) -> None:
    with pytest.raises(CertificateError, match=complaint):
        read_certificate(text)


def test_two_certificates_in_one_text_are_refused() -> None:
    with pytest.raises(CertificateError, match="2 certificates"):
        read_certificate(make_root().pem + make_root().pem)
