"""The TLS versions a station's ClientHello offers, read before the TLS library sees it, and the
``protocol_version`` alert that refuses one offering only versions below TLS 1.2.

Why read it ourselves: OCPP asks for TLS 1.2 or above (2.0.1 part 2 A00.FR.313, 416) and the
listener's TLS context allows nothing older, so OpenSSL answers an older ClientHello with a
fatal ``protocol_version`` alert (RFC 8446 section 4.2.1; RFC 5246 section 7.2.2). But the
event loop's TLS layer (asyncio's and uvloop's ``SSLProtocol``) closes the socket on a failed
handshake without writing what OpenSSL left to send, so the station saw the connection dropped
with no reason. The listener therefore reads the first TLS record itself and, for a station
offering only TLS 1.1 or below, writes the alert before it closes (``tls_accept.py``).

Sans-I/O: bytes in, a verdict out. Only the first record is read: a ClientHello longer than one
record, or anything that is not a TLS handshake record, is left to OpenSSL, which refuses what
it must.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

TLS_1_2 = 0x0303
_HANDSHAKE_RECORD = 22
_ALERT_RECORD = 21
_CLIENT_HELLO = 1
_SUPPORTED_VERSIONS = 43  # RFC 8446 section 4.2.1
_MAX_RECORD = 2**14 + 2048  # RFC 5246 section 6.2.3
_FATAL = 2
_PROTOCOL_VERSION = 70  # RFC 5246 section 7.2.2, RFC 8446 section 6.2

MAX_HELLO_BYTES = 5 + _MAX_RECORD
"""Bytes read at most before the ClientHello is left to OpenSSL whatever it holds."""

_NAMES = {
    0x0300: "SSL 3.0",
    0x0301: "TLS 1.0",
    0x0302: "TLS 1.1",
    0x0303: "TLS 1.2",
    0x0304: "TLS 1.3",
}


class Unread(Enum):
    MORE = "more"  # the first record is not complete yet
    UNREADABLE = "unreadable"  # not a ClientHello in one TLS record: OpenSSL decides


@dataclass(frozen=True, slots=True)
class ClientHello:
    """The newest version a ClientHello offers (its supported_versions, else its
    legacy_version)."""

    highest_version: int

    @property
    def too_old(self) -> bool:
        return self.highest_version < TLS_1_2

    @property
    def version_name(self) -> str:
        return _NAMES.get(self.highest_version, f"version 0x{self.highest_version:04x}")


def read_client_hello(data: bytes) -> ClientHello | Unread:
    """What the first TLS record of ``data`` says of the versions the client offers."""
    if len(data) < 5:
        return Unread.MORE
    length = int.from_bytes(data[3:5])
    if data[0] != _HANDSHAKE_RECORD or data[1] != 3 or length > _MAX_RECORD:
        return Unread.UNREADABLE
    if len(data) < 5 + length:
        return Unread.MORE
    try:
        return _parse(memoryview(data)[5 : 5 + length])
    except _Truncated:
        return Unread.UNREADABLE


def protocol_version_alert(version: int) -> bytes:
    """A fatal ``protocol_version`` alert record, in a record of ``version`` (the one the
    client offered, which it reads)."""
    alert = bytes([_FATAL, _PROTOCOL_VERSION])
    return bytes([_ALERT_RECORD]) + version.to_bytes(2) + len(alert).to_bytes(2) + alert


class _Truncated(Exception):
    pass


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self._data = data
        self._at = 0

    def take(self, size: int) -> memoryview:
        if self._at + size > len(self._data):
            raise _Truncated
        chunk = self._data[self._at : self._at + size]
        self._at += size
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size))

    def vector(self, length_size: int) -> memoryview:
        return self.take(self.number(length_size))

    @property
    def left(self) -> int:
        return len(self._data) - self._at


def _parse(fragment: memoryview) -> ClientHello | Unread:
    record = _Reader(fragment)
    if record.number(1) != _CLIENT_HELLO:
        return Unread.UNREADABLE
    body_length = record.number(3)
    if body_length > record.left:  # the ClientHello goes on in the next record
        return Unread.UNREADABLE
    hello = _Reader(record.take(body_length))
    legacy_version = hello.number(2)
    hello.take(32)  # random
    hello.vector(1)  # legacy_session_id
    hello.vector(2)  # cipher_suites
    hello.vector(1)  # legacy_compression_methods
    if hello.left == 0:  # no extensions (RFC 5246 section 7.4.1.2)
        return ClientHello(legacy_version)
    extensions = _Reader(hello.vector(2))
    while extensions.left:
        kind = extensions.number(2)
        body = extensions.vector(2)
        if kind == _SUPPORTED_VERSIONS:
            listed = _Reader(_Reader(body).vector(1))
            versions = [listed.number(2) for _ in range(listed.left // 2)]
            # GREASE values (RFC 8701: 0x?A?A) are not versions.
            offered = [v for v in versions if v & 0x0F0F != 0x0A0A]
            if offered:
                return ClientHello(max(offered))
    return ClientHello(legacy_version)
