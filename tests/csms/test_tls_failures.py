"""Failed TLS handshakes are logged once per source with their reason, then at most once every
LOG_EVERY_S per source, with how many were not written."""

from __future__ import annotations

import logging
import ssl

import pytest

from chargeyard.csms.tls_failures import LOG_EVERY_S, Failure, HandshakeFailures, describe
from tests.protocol.support import FakeClock


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]


def test_a_source_is_logged_once_then_at_most_once_every_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    failures = HandshakeFailures(clock)
    old = Failure("it offers TLS 1.1 at most")
    for _ in range(5):
        failures.failed(("192.0.2.1", 50000), old)
        clock.advance(10)
    failures.failed(("198.51.100.2", 50000), old)  # another source: its own line
    assert lines(caplog) == [
        "TLS handshake from 192.0.2.1 failed: it offers TLS 1.1 at most",
        "TLS handshake from 198.51.100.2 failed: it offers TLS 1.1 at most",
    ]
    caplog.clear()
    clock.advance(LOG_EVERY_S)
    failures.failed(("192.0.2.1", 50001), Failure("it offers none of the cipher suites"))
    assert lines(caplog) == [
        "TLS handshake from 192.0.2.1 failed: it offers none of the cipher suites"
        " (4 more from 192.0.2.1 in the 11 min before)"
    ]
    assert failures.count == 7


def test_a_connection_that_sent_nothing_is_not_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    HandshakeFailures(FakeClock()).failed(("192.0.2.1", 1), Failure("closed", logging.DEBUG))
    assert lines(caplog) == []
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]


def test_openssl_reasons_are_said_in_words_with_their_code() -> None:
    error = ssl.SSLError(1, "[SSL: NO_SHARED_CIPHER] no shared cipher")
    error.reason = "NO_SHARED_CIPHER"
    assert describe(error) == Failure(
        "it offers none of the listener's cipher suites (A00.FR.318) (NO_SHARED_CIPHER)"
    )
    other = ssl.SSLError(1, "x")
    other.reason = "BAD_KEY_SHARE"
    assert describe(other).reason == "bad key share (BAD_KEY_SHARE)"
    assert describe(ConnectionResetError()).level == logging.INFO
    assert describe(TimeoutError()).level == logging.WARNING
