"""Why a station cannot connect, and how its log tells it (connect_failures.py): the reason
in a user's words, from a closed port, a name that does not resolve and a handshake answered
401 or 404 on 127.0.0.1; the first failure of a run at INFO, the next ones at DEBUG, a summary
every few minutes (an injected clock); and the fleet's status line saying why."""

from __future__ import annotations

import logging
import socket
import ssl
from http import HTTPStatus

import pytest

from chargeyard.fleet.connect_failures import FailedAttempts, failure_reason
from chargeyard.fleet.fleet import Fleet, FleetStatus
from chargeyard.fleet.handshake import UpgradeRefused
from chargeyard.fleet.runtime import ReconnectPolicy
from chargeyard.outbound import HostNotFound, OutboundRefused
from chargeyard.sim_console import status_line
from tests.fleet.test_runtime import make_runtime
from tests.polling import until
from tests.ports import free_port
from tests.station.wire_csms import WireCsms

TEMPLATE = "alfen-eve-single-pro-line"
LOGGER = "chargeyard.fleet.connect_failures"


def _lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == LOGGER]


async def test_a_closed_port_is_connection_refused_told_once_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"ws://127.0.0.1:{free_port()}/ocpp/CP-1"
    runtime = make_runtime(url)
    runtime.start()
    await until(lambda: runtime.stats.failures >= 4)
    assert runtime.failure_reason == "connection refused"
    await runtime.stop()

    lines = _lines(caplog)
    assert [level for level, _ in lines[:4]] == ["INFO", "DEBUG", "DEBUG", "DEBUG"]
    assert lines[0][1].startswith(f"CP-1: cannot connect to {url}: connection refused (")
    assert lines[0][1].endswith("); trying again with back-off, a summary every 5 min")
    told = [
        r for r in caplog.records if r.name.startswith("chargeyard") and r.levelno >= logging.INFO
    ]
    assert len(told) == 1  # four failed attempts and more, one line


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (HTTPStatus.NOT_FOUND, "HTTP 404 at the handshake (unknown station or path)"),
        (HTTPStatus.UNAUTHORIZED, "HTTP 401 at the handshake (credentials refused)"),
    ],
)
async def test_a_refused_handshake_is_named_by_its_status(status: HTTPStatus, reason: str) -> None:
    async with WireCsms(refuse=status) as csms:
        runtime = make_runtime(csms.url(), password="wrong")
        runtime.start()
        await until(lambda: runtime.stats.failures >= 1)
        assert runtime.failure_reason == reason
        await runtime.stop()


async def test_a_name_that_does_not_resolve_is_a_dns_failure() -> None:
    runtime = make_runtime("ws://csms.invalid:9000/ocpp/CP-1")  # RFC 6761 section 6.4
    runtime.start()
    await until(lambda: runtime.stats.failures >= 1)
    reason = runtime.failure_reason
    await runtime.stop()
    assert reason is not None
    assert reason.startswith("DNS failure: ")


async def test_the_status_line_says_why_the_stations_are_not_connected() -> None:
    url = f"ws://127.0.0.1:{free_port()}/ocpp"
    async with Fleet(reconnect=ReconnectPolicy(initial=0.05, ceiling=0.1)) as fleet:
        fleet.add(TEMPLATE, 2, csms_url=url)
        fleet.start_all()
        await until(lambda: fleet.status().failures >= 7)
        status = fleet.status()
    assert status.failing == (("connection refused", 2),)
    line = status_line(fleet, status, 0.0)
    assert line.endswith(f"0 connects ({status.failures} failed attempts: connection refused)")


def test_several_reasons_are_counted_by_station() -> None:
    status = FleetStatus(
        stations=3,
        running=3,
        connected=0,
        booted=0,
        charging=0,
        transactions=0,
        frames_sent=0,
        frames_received=0,
        connects=0,
        disconnects=0,
        failures=9,
        errors=(),
        failing=(("connection refused", 2), ("HTTP 401 at the handshake", 1)),
    )
    assert status_line(Fleet(), status, 0.0).endswith(
        "(9 failed attempts: connection refused (2 stations),"
        " HTTP 401 at the handshake (1 station))"
    )


def test_a_run_of_failures_is_told_once_then_summarised_then_again_when_its_reason_changes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    now = [100.0]
    attempts = FailedAttempts("CP-1", "ws://csms/ocpp/CP-1", clock=lambda: now[0], interval=300)
    refused = "ConnectionRefusedError: [Errno 111] Connect call failed"
    for _ in range(3):
        attempts.failed("connection refused", refused)
        now[0] += 60
    now[0] = 400.0  # 300 s after the first line
    attempts.failed("connection refused", refused)
    attempts.failed("HTTP 401 at the handshake", "UpgradeRefused: HTTP 401")

    assert _lines(caplog) == [
        (
            "INFO",
            "CP-1: cannot connect to ws://csms/ocpp/CP-1: connection refused"
            f" ({refused}); trying again with back-off, a summary every 5 min",
        ),
        ("DEBUG", f"CP-1: cannot connect to ws://csms/ocpp/CP-1: {refused}"),
        ("DEBUG", f"CP-1: cannot connect to ws://csms/ocpp/CP-1: {refused}"),
        (
            "INFO",
            "CP-1: still cannot connect to ws://csms/ocpp/CP-1: 4 failed attempts in 5 min,"
            " the last: connection refused",
        ),
        (
            "INFO",
            "CP-1: cannot connect to ws://csms/ocpp/CP-1: HTTP 401 at the handshake"
            " (UpgradeRefused: HTTP 401); trying again with back-off, a summary every 5 min",
        ),
    ]


def test_reasons_in_a_user_s_words() -> None:
    expired = ssl.SSLCertVerificationError(1, "certificate verify failed")
    expired.verify_message = "certificate has expired"
    assert failure_reason(expired) == "TLS failure: certificate has expired"
    assert failure_reason(socket.gaierror(-2, "Name or service not known")) == (
        "DNS failure: Name or service not known"
    )
    assert failure_reason(HostNotFound("x.invalid does not resolve")) == (
        "DNS failure: x.invalid does not resolve"
    )
    assert failure_reason(OutboundRefused("no")) == ("address not allowed by the outbound networks")
    assert failure_reason(UpgradeRefused(503)) == "HTTP 503 at the handshake"
    assert failure_reason(TimeoutError()) == "timed out"
    assert failure_reason(OSError(113, "No route to host")) == "no route to host"
