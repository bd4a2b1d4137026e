"""The checks of a signed firmware image (``station/firmware_signing.py``, L01.FR.04,
L01.FR.12, L01.FR.21/22): the signing certificate against the installed manufacturer roots, the
signature with its key (ECDSA, RSA-PSS and RSA PKCS #1 v1.5, SHA-256)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from chargeyard.station.firmware_signing import (
    MANUFACTURER_ROOT,
    signature_refusal,
    signing_certificate_refusal,
)
from chargeyard.station.model.certificates import CertificateStore, InstallStatus
from tests.certificates import Issued, make_root, make_signed, sign_image

NOW = datetime(2026, 6, 1, tzinfo=UTC)
IMAGE = b"chargeyard-firmware 3.0.0\n" + bytes(range(256))


def _root() -> Issued:
    return make_root("manufacturer", not_before=NOW - timedelta(days=1))


def _store(*roots: tuple[str, Issued]) -> CertificateStore:
    store = CertificateStore()
    for kind, root in roots:
        assert store.install(kind, root.pem, NOW.timestamp()).status is InstallStatus.ACCEPTED
    return store


def test_a_certificate_issued_by_an_installed_manufacturer_root_may_sign() -> None:
    root = _root()
    signer = make_signed(root, "firmware signer", not_before=NOW - timedelta(hours=1))
    store = _store((MANUFACTURER_ROOT, root))
    assert signing_certificate_refusal(signer.pem, store, NOW.timestamp()) is None


def test_without_a_manufacturer_root_no_certificate_can_be_verified() -> None:
    root = _root()
    signer = make_signed(root, "firmware signer", not_before=NOW - timedelta(hours=1))
    # The same root as a CSMS root is not a manufacturer's.
    store = _store(("CentralSystemRootCertificate", root))
    assert signing_certificate_refusal(signer.pem, store, NOW.timestamp()) == (
        "no ManufacturerRootCertificate is installed"
    )


def test_a_certificate_of_another_root_is_refused() -> None:
    other = make_signed(_root(), "someone else", not_before=NOW - timedelta(hours=1))
    store = _store((MANUFACTURER_ROOT, _root()))
    assert signing_certificate_refusal(other.pem, store, NOW.timestamp()) == (
        "not issued by an installed ManufacturerRootCertificate"
    )


def test_an_expired_a_future_and_an_unreadable_certificate_are_refused() -> None:
    root = _root()
    store = _store((MANUFACTURER_ROOT, root))
    expired = make_signed(root, "old", not_before=NOW - timedelta(days=20), valid_days=10)
    future = make_signed(root, "new", not_before=NOW + timedelta(days=1))
    now = NOW.timestamp()
    assert signing_certificate_refusal(expired.pem, store, now) == (
        "the signing certificate has expired"
    )
    assert signing_certificate_refusal(future.pem, store, now) == (
        "the signing certificate is not valid yet"
    )
    refusal = signing_certificate_refusal("-----BEGIN CERTIFICATE-----", store, now)
    assert refusal is not None
    assert refusal.startswith("not a readable X.509 certificate")
    assert signing_certificate_refusal(None, store, now) == "no signing certificate"


def test_an_ecdsa_signature_over_the_image_verifies_and_nothing_else_does() -> None:
    signer = make_signed(_root(), "firmware signer")
    signature = sign_image(signer, IMAGE)
    assert signature_refusal(IMAGE, signature, signer.pem) is None
    assert signature_refusal(IMAGE + b"!", signature, signer.pem) == (
        "the signature does not verify"
    )
    assert signature_refusal(IMAGE, sign_image(signer, b"another image"), signer.pem) == (
        "the signature does not verify"
    )
    assert signature_refusal(IMAGE, "not base64!", signer.pem) == "the signature is not base64"
    assert signature_refusal(IMAGE, None, signer.pem) == "no signature"


def test_an_rsa_signature_verifies_in_pss_and_in_pkcs1_v1_5() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rsa firmware signer")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    for scheme in (pss, padding.PKCS1v15()):
        signature = base64.b64encode(key.sign(IMAGE, scheme, hashes.SHA256())).decode()
        assert signature_refusal(IMAGE, signature, pem) is None
        assert signature_refusal(IMAGE[1:], signature, pem) == "the signature does not verify"
