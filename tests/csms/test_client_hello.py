"""The versions a ClientHello offers, read from the first TLS record as real clients send it
(A00.FR.313: TLS 1.2 or above), and the alert that refuses an older one (RFC 8446 4.2.1)."""

from __future__ import annotations

import ssl
import warnings

import pytest

from chargeyard.csms.client_hello import (
    ClientHello,
    Unread,
    protocol_version_alert,
    read_client_hello,
)


def client_hello(maximum: ssl.TLSVersion) -> bytes:
    """The first flight of an OpenSSL client whose newest version is ``maximum``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = maximum
    context.set_ciphers("ALL:@SECLEVEL=0")
    outgoing = ssl.MemoryBIO()
    tls = context.wrap_bio(ssl.MemoryBIO(), outgoing)
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    return outgoing.read()


@pytest.mark.parametrize(
    ("maximum", "highest", "too_old", "name"),
    [
        (ssl.TLSVersion.TLSv1, 0x0301, True, "TLS 1.0"),
        (ssl.TLSVersion.TLSv1_1, 0x0302, True, "TLS 1.1"),
        (ssl.TLSVersion.TLSv1_2, 0x0303, False, "TLS 1.2"),
        (ssl.TLSVersion.TLSv1_3, 0x0304, False, "TLS 1.3"),
    ],
)
def test_the_newest_version_a_client_offers_is_read(
    maximum: ssl.TLSVersion, highest: int, too_old: bool, name: str
) -> None:
    hello = read_client_hello(client_hello(maximum))
    assert hello == ClientHello(highest)
    assert isinstance(hello, ClientHello)
    assert (hello.too_old, hello.version_name) == (too_old, name)


def test_a_record_not_yet_complete_asks_for_more() -> None:
    whole = client_hello(ssl.TLSVersion.TLSv1_3)
    for cut in (0, 3, 5, len(whole) - 1):
        assert read_client_hello(whole[:cut]) is Unread.MORE


@pytest.mark.parametrize(
    "data",
    [
        b"GET /ocpp/CP-1 HTTP/1.1\r\nHost: csms\r\n\r\n",  # ws:// to a wss:// port
        b"\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00",  # a ServerHello, not a ClientHello
        b"\x16\x03\x01\x00\x06\x01\x00\x10\x00\x03\x03",  # a ClientHello longer than its record
        b"\x16\x03\x01\x00\x08\x01\x00\x00\x04\x03\x03\xff\xff",  # cut inside its random
        b"\x16\x03\x01\xff\xff",  # a record longer than TLS allows
    ],
)
def test_what_is_not_one_readable_client_hello_is_left_to_openssl(data: bytes) -> None:
    assert read_client_hello(data) is Unread.UNREADABLE


def test_grease_versions_are_not_versions() -> None:
    # RFC 8701: a client may list 0x?A?A values among its versions; they say nothing.
    body = (
        b"\x03\x03"
        + bytes(32)
        + b"\x00"
        + b"\x00\x02\x13\x01"
        + b"\x01\x00"
        + b"\x00\x09"  # extensions
        + b"\x00\x2b\x00\x05\x04\x7a\x7a\x03\x02"  # supported_versions: GREASE, TLS 1.1
    )
    handshake = b"\x01" + len(body).to_bytes(3) + body
    record = b"\x16\x03\x01" + len(handshake).to_bytes(2) + handshake
    assert read_client_hello(record) == ClientHello(0x0302)


def test_the_alert_is_a_fatal_protocol_version_alert() -> None:
    assert protocol_version_alert(0x0302) == b"\x15\x03\x02\x00\x02\x02\x46"
