"""The asyncio runtime of one station over real WebSockets on 127.0.0.1.

Connect and boot, keep the connection, come back after losing it, authenticate, stop cleanly.
The central systems are our CSMS listener and a scripted one (``wire_csms.py``) that can
misbehave on purpose.
"""

from __future__ import annotations

import asyncio
import base64
import random
import socket
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from websockets.exceptions import InvalidHandshake, InvalidURI
from websockets.protocol import Protocol, Side, State
from websockets.uri import parse_uri
from websockets.utils import accept_key

from chargeyard.fleet.connector import Connector
from chargeyard.fleet.handshake import USER_AGENT, check_upgrade_response, upgrade_request
from chargeyard.fleet.link import Link
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.fleet.scheduling import Dialer
from chargeyard.protocol.station_organization import organization_header
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import SystemClock
from chargeyard.station.endpoint import Endpoint
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from chargeyard.station.v201 import StationV201
from tests.polling import eventually, until
from tests.ports import free_port
from tests.station.wire_csms import NOW, WireCsms, our_csms

FAST = ReconnectPolicy(initial=0.05, factor=2.0, ceiling=0.2)


def make_station(identity: str = "CP-1") -> StationV16:
    template = load_catalog().template("alfen-eve-single-pro-line")
    return StationV16(identity, template, clock=SystemClock())


def make_runtime(url: str, identity: str = "CP-1", **options: Any) -> StationRuntime:
    return StationRuntime(make_station(identity), url, reconnect=FAST, **options)


def accepted(runtime: StationRuntime) -> bool:
    return runtime.station.registration is Registration.ACCEPTED


# -- connect and boot -----------------------------------------------------------------------------


async def test_b01_boots_against_our_csms_and_reports_every_connector(tmp_path: Path) -> None:
    async with our_csms(tmp_path, heartbeat_interval=60) as csms:
        runtime = make_runtime(f"ws://127.0.0.1:{csms.port}/ocpp/CP-1")
        runtime.start()

        async def connectors_reported() -> bool:
            if await csms.store.stations.get("CP-1") is None:
                return False  # not yet connected: registered at the handshake
            return len(await csms.store.connectors.list("CP-1")) == 2

        await eventually(connectors_reported)
        record = await csms.store.stations.get("CP-1")
        assert record is not None
        assert (record.registration_status, record.vendor, record.model, record.is_online) == (
            "Accepted",
            "Alfen BV",
            "NG910-60003",
            True,
        )
        connectors = await csms.store.connectors.list("CP-1")
        assert sorted((c.connector_id, c.status) for c in connectors) == [
            (0, "Available"),
            (1, "Available"),
        ]
        assert accepted(runtime)
        assert runtime.connected
        assert runtime.station.heartbeat_interval == 60
        assert (runtime.stats.connects, runtime.stats.frames_sent) == (1, 3)
        await runtime.stop()
        assert not runtime.running
        assert runtime.phase == "stopped"
        await until(lambda: not csms.registry.is_connected("CP-1"))


async def test_a_connection_open_before_its_dial_resumes_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a loaded loop the central system's 101 is read, and the session started, before the
    dialing task resumes after its TCP connect: the connection is open then, not stopped,
    and the station keeps it (taken for a stopped station's, it was aborted and dialed again:
    a sixth of a fleet's stations in a boot storm of minutes)."""
    connect = Connector.connect

    async def connect_then_wait_for_the_answer(self: Connector, link: Link, *args: Any) -> None:
        await connect(self, link, *args)
        await link.handshake  # the loop reads the 101 before the dial goes on

    monkeypatch.setattr(Connector, "connect", connect_then_wait_for_the_answer)
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        assert (runtime.stats.connects, runtime.stats.disconnects) == (1, 0)
        assert runtime.connected
        assert csms.connects == {"CP-1": 1}
        await runtime.stop()


async def test_offers_its_subprotocol_and_no_credentials_without_a_password() -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        await runtime.stop()
    headers = csms.headers["CP-1"]
    assert headers["Sec-WebSocket-Protocol"] == "ocpp1.6"
    assert "Authorization" not in headers
    assert headers["User-Agent"].startswith("chargeyard/")
    assert "Sec-WebSocket-Extensions" not in headers  # no compression: frames are tiny


async def test_a00_sends_basic_credentials_when_it_has_a_password() -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url(), password="s3cret:with colon")
        runtime.start()
        await until(lambda: accepted(runtime))
        await runtime.stop()
    expected = base64.b64encode(b"CP-1:s3cret:with colon").decode()
    assert csms.headers["CP-1"]["Authorization"] == f"Basic {expected}"


# The interval is whole seconds (1.6 BootNotification.conf): on the virtual-time loop the
# second passes at once, the scripted CSMS and the station both running on the test's loop.
@pytest.mark.virtual_time
async def test_a_heartbeat_follows_the_interval_the_csms_gave() -> None:
    async with WireCsms(interval=1) as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: "Heartbeat" in csms.actions(), within=3)
        await runtime.stop()
    assert csms.actions()[:4] == [
        "BootNotification",
        "StatusNotification",
        "StatusNotification",
        "Heartbeat",
    ]


# Pending, the station boots again after the interval, whole seconds (1.6 section 4.2): on the
# virtual-time loop that second passes at once, the scripted CSMS on the test's loop too.
@pytest.mark.virtual_time
async def test_b02_a_pending_station_sends_nothing_but_bootnotification() -> None:
    async with WireCsms(interval=1, boot_status="Pending") as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        # The CSMS logs the second boot when it arrives; the station is Pending again once
        # it has read the answer, so wait for both.
        await until(
            lambda: (
                csms.actions().count("BootNotification") == 2
                and runtime.station.registration is Registration.PENDING
            ),
            within=3,
        )
        await runtime.stop()
    assert set(csms.actions()) == {"BootNotification"}


# -- frames in every shape ------------------------------------------------------------------------


async def test_answers_a_call_from_the_csms() -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        answer = await csms.call("CP-1", "GetConfiguration", {"key": ["HeartbeatInterval"]})
        await runtime.stop()
    assert answer == {
        "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
    }


async def test_reassembles_messages_the_csms_sends_in_fragments() -> None:
    async with WireCsms(fragment_answers=True) as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        # The boot's answer and those of the two StatusNotifications after it, each in
        # fragments (waited for: Accepted comes with the first, the others may still travel).
        await until(lambda: runtime.stats.frames_received >= 3)
        assert runtime.connected
        await runtime.stop()


async def test_answers_the_csms_pings_and_stays_connected(monkeypatch: pytest.MonkeyPatch) -> None:
    async with WireCsms(ping_interval=0.05) as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        await until(lambda: runtime.stats.frames_received >= 3)  # the two statuses' answers
        steps = 0
        step = StationRuntime._step

        def counted_step(self: StationRuntime) -> None:
            nonlocal steps
            steps += 1
            step(self)

        monkeypatch.setattr(StationRuntime, "_step", counted_step)
        await asyncio.sleep(0.4)  # eight pings: an unanswered one closes the connection
        assert runtime.connected
        assert csms.connects["CP-1"] == 1
        # A ping is the protocol's to answer: the station is not stepped for it.
        assert steps == 0
        await runtime.stop()


# -- the opening handshake (RFC 6455 section 4.1) -------------------------------------------------

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # the RFC's example: accepted as s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
ACCEPTED = (
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    "Sec-WebSocket-Protocol: ocpp1.6",
)


def head(*lines: str) -> bytes:
    return "\r\n".join(lines).encode()


def test_the_upgrade_request_offers_one_subprotocol_and_credentials() -> None:
    request = upgrade_request(parse_uri("ws://csms.example:9000/ocpp/CP%201?x=1"), KEY, "ocpp1.6")
    assert request.decode().split("\r\n") == [
        "GET /ocpp/CP%201?x=1 HTTP/1.1",
        "Host: csms.example:9000",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {KEY}",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: ocpp1.6",
        f"User-Agent: {USER_AGENT}",
        "",
        "",
    ]
    secure = upgrade_request(parse_uri("wss://csms.example/ocpp/X"), KEY, "ocpp2.0.1", "Basic eA==")
    assert b"Host: csms.example\r\n" in secure
    assert secure.endswith(b"Authorization: Basic eA==\r\n\r\n")
    # The gateway's stations say whose they are (protocol/station_organization.py).
    gateway = upgrade_request(
        parse_uri("ws://csms.example/ocpp/X"),
        KEY,
        "ocpp1.6",
        headers=[organization_header("org a/b")],
    )
    assert gateway.endswith(b"X-Chargeyard-Organization: org%20a%2Fb\r\n\r\n")


def test_a_101_with_every_required_header_is_accepted_whatever_their_case() -> None:
    check_upgrade_response(head(*ACCEPTED), KEY, "ocpp1.6")
    status, *headers = ACCEPTED
    relaxed = [line.lower() if "Accept" not in line else line for line in headers]
    check_upgrade_response(head(status, *relaxed, "Connection: keep-alive"), KEY, "ocpp1.6")


@pytest.mark.parametrize(
    ("lines", "complaint"),
    [
        (("HTTP/1.1 401 Unauthorized", "WWW-Authenticate: Basic"), "HTTP 401"),
        (("SSH-2.0-OpenSSH_9.6",), "not an HTTP response"),
        (ACCEPTED[:1] + ACCEPTED[2:], "Upgrade"),
        ((*ACCEPTED[:2], "Connection: keep-alive", *ACCEPTED[3:]), "Connection"),
        ((*ACCEPTED[:3], "Sec-WebSocket-Accept: nope", *ACCEPTED[4:]), "Accept"),
        ((*ACCEPTED, "Sec-WebSocket-Extensions: permessage-deflate"), "extension"),
        (ACCEPTED[:4], "did not accept ocpp1.6"),
        ((*ACCEPTED, "no colon here"), "invalid header line"),
    ],
)
def test_a_response_that_does_not_accept_the_upgrade_is_refused(
    lines: tuple[str, ...], complaint: str
) -> None:
    with pytest.raises(InvalidHandshake, match=complaint):
        check_upgrade_response(head(*lines), KEY, "ocpp1.6")


async def test_a_csms_without_the_stations_version_is_refused_and_retried() -> None:
    station = StationV201(
        "CP-1", load_catalog().template("alfen-eve-single-pro-line"), clock=SystemClock()
    )
    async with WireCsms() as csms:  # speaks ocpp1.6 only
        runtime = StationRuntime(station, csms.url(), reconnect=FAST)
        runtime.start()
        await until(lambda: runtime.stats.failures >= 2)
        await runtime.stop()
    assert runtime.last_error == "UpgradeRefused: server rejected WebSocket connection: HTTP 400"
    assert csms.received == []


async def test_a_response_split_across_segments_then_a_call_in_the_same_segment() -> None:
    """The 101 comes in two pieces, a CALL right behind the last one; both are understood."""
    seen: list[list[Any]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        key = next(
            line.split(b":", 1)[1].strip().decode()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = f"Sec-WebSocket-Accept: {accept_key(key)}"
        response = head(*ACCEPTED[:3], accept, ACCEPTED[4]) + b"\r\n\r\n"
        writer.write(response[:20])
        await writer.drain()
        await asyncio.sleep(0.05)
        call = b'[2,"c1","GetConfiguration",{"key":["HeartbeatInterval"]}]'
        writer.write(response[20:] + bytes([0x81, len(call)]) + call)
        ws = Protocol(Side.SERVER, state=State.OPEN)
        while len(seen) < 2:  # the BootNotification and the answer to c1
            ws.receive_data(await reader.read(4096))
            seen.extend(orjson.loads(event.data) for event in ws.events_received())
        boot_id = next(message[1] for message in seen if message[0] == 2)
        ws.send_text(
            orjson.dumps([3, boot_id, {"status": "Accepted", "currentTime": NOW, "interval": 300}])
        )
        writer.write(b"".join(ws.data_to_send()))
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        # This server never answers a close frame: give up on it quickly.
        runtime = make_runtime(f"ws://127.0.0.1:{port}/ocpp/CP-1", close_timeout=0.1)
        runtime.start()
        await until(lambda: accepted(runtime))
        await runtime.stop()
    assert [
        3,
        "c1",
        {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]},
    ] in seen


# -- losing the connection ------------------------------------------------------------------------


async def test_b04_reconnects_after_the_csms_drops_it_and_does_not_boot_again() -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        await csms.drop("CP-1")
        await until(lambda: csms.connects.get("CP-1") == 2 and accepted(runtime))
        await runtime.stop()
    assert csms.actions().count("BootNotification") == 1
    assert (runtime.stats.connects, runtime.stats.disconnects) == (2, 2)


async def test_retries_with_backoff_while_the_csms_is_down_then_connects() -> None:
    port = free_port()
    runtime = make_runtime(f"ws://127.0.0.1:{port}/ocpp/CP-1")
    runtime.start()
    await until(lambda: runtime.stats.failures >= 2)
    assert runtime.last_error is not None
    assert "Connect" in runtime.last_error  # ConnectionRefusedError
    assert runtime.phase in ("backoff", "dialing")
    async with WireCsms(port=port) as csms:
        await until(lambda: accepted(runtime))
        assert runtime.last_error is None
        await runtime.stop()
    assert csms.actions("CP-1")[0] == "BootNotification"


@dataclass(frozen=True)
class _RecordedPolicy(ReconnectPolicy):
    """The default policy's waits, recorded; the runtime itself waits a millisecond."""

    waits: list[float] = field(default_factory=list)

    def wait(self, attempt: int, rng: random.Random) -> float:
        self.waits.append(ReconnectPolicy.wait(self, attempt, rng))
        return 0.001


class _LongestWaits(random.Random):
    """Full jitter at its upper bound: each wait is the policy's interval itself."""

    def uniform(self, a: float, b: float) -> float:
        return b


async def _accept_and_drop(
    subprotocol: str,
    handshakes: list[bytes],
    *,
    at_once: bool = False,
    close_frame: tuple[int, str] | None = None,
) -> asyncio.Server:
    """A CSMS that accepts the WebSocket and closes the TCP connection before any answer: once
    the station's first frame came, or (``at_once``) right after the handshake; with
    ``close_frame`` (code, reason), after sending that close frame (RFC 6455 5.5.1)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        handshakes.append(request)
        key = next(
            line.split(b":", 1)[1].strip().decode()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = f"Sec-WebSocket-Accept: {accept_key(key)}"
        protocol = f"Sec-WebSocket-Protocol: {subprotocol}"
        writer.write(head(*ACCEPTED[:3], accept, protocol) + b"\r\n\r\n")
        if not at_once:
            await reader.read(4096)  # the BootNotification, never answered
        if close_frame is not None:
            code, reason = close_frame
            body = code.to_bytes(2, "big") + reason.encode()
            writer.write(bytes([0x88, len(body)]) + body)  # FIN, close; unmasked from a server
            await reader.read(4096)  # the station's close frame
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


@pytest.mark.parametrize("version", [StationV16, StationV201])
async def test_b01_a_csms_that_drops_before_accepting_the_boot_is_redialled_ever_more_slowly(
    version: type[StationV16] | type[StationV201],
) -> None:
    """A connection counts as a failed attempt until its BootNotification is Accepted: each
    wait doubles up to the ceiling (2.0.1 part 4 section 5.3, RetryBackOff; the same on 1.6)."""
    station = version(
        "CP-1", load_catalog().template("alfen-eve-single-pro-line"), clock=SystemClock()
    )
    policy = _RecordedPolicy()
    handshakes: list[bytes] = []
    server = await _accept_and_drop(station.version.subprotocol, handshakes)
    async with server:
        port = server.sockets[0].getsockname()[1]
        runtime = StationRuntime(
            station, f"ws://127.0.0.1:{port}/ocpp/CP-1", reconnect=policy, rng=_LongestWaits()
        )
        runtime.start()
        await until(lambda: len(policy.waits) >= 8)
        await runtime.stop()
    assert policy.waits[:8] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert runtime.stats.connects >= 8  # every one a WebSocket that opened, then dropped
    assert runtime.attempt >= 8
    # Each is a connection problem the fleet tells, with how it ended.
    assert runtime.stats.failures >= 8
    assert runtime.stats.errors[-1][2] == (
        "dropped before it was Accepted: closed by the central system without a close frame"
    )


async def test_a_connection_the_csms_closes_before_the_boot_is_accepted_is_a_problem_told() -> None:
    """The fleet's latest connection problems name a connection the central system closed
    before the station was Accepted, with the close frame's code and reason; the station's
    own stop is none."""
    station = StationV16(
        "CP-1", load_catalog().template("alfen-eve-single-pro-line"), clock=SystemClock()
    )
    server = await _accept_and_drop(
        station.version.subprotocol, [], close_frame=(1013, "try again later")
    )
    async with server:
        port = server.sockets[0].getsockname()[1]
        runtime = StationRuntime(station, f"ws://127.0.0.1:{port}/ocpp/CP-1", reconnect=FAST)
        runtime.start()
        await until(lambda: runtime.stats.failures >= 1)
        await runtime.stop()
    assert runtime.stats.errors[-1][1:] == (
        "CP-1",
        "dropped before it was Accepted: closed by the central system (1013 try again later)",
    )

    async with WireCsms() as csms:
        runtime = StationRuntime(station, csms.url("CP-1"), reconnect=FAST)
        runtime.start()
        await until(lambda: runtime.stats.connects == 1)
        await runtime.stop()
    assert runtime.stats.failures == 0


@pytest.mark.parametrize("version", [StationV16, StationV201])
async def test_b04_a_registered_station_whose_csms_drops_every_connection_backs_off_too(
    version: type[StationV16] | type[StationV201], tmp_path: Path
) -> None:
    """A station whose registration stands is Accepted on a new connection at once, without a
    boot (B04); until the CSMS said something on it (or it lived a minute), a connection
    dropped right after the handshake is a failed attempt all the same: each wait doubles up
    to the ceiling."""
    station = version(
        "CP-1", load_catalog().template("alfen-eve-single-pro-line"), clock=SystemClock()
    )
    async with our_csms(tmp_path) as csms:
        runtime = StationRuntime(station, f"ws://127.0.0.1:{csms.port}/ocpp/CP-1", reconnect=FAST)
        runtime.start()
        try:
            await until(lambda: accepted(runtime))
        finally:
            await runtime.stop()
    policy = _RecordedPolicy()
    handshakes: list[bytes] = []
    server = await _accept_and_drop(station.version.subprotocol, handshakes, at_once=True)
    async with server:
        port = server.sockets[0].getsockname()[1]
        runtime = StationRuntime(
            station, f"ws://127.0.0.1:{port}/ocpp/CP-1", reconnect=policy, rng=_LongestWaits()
        )
        runtime.start()
        try:
            await until(lambda: len(policy.waits) >= 8)
        finally:
            await runtime.stop()
    assert policy.waits[:8] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert runtime.stats.connects >= 8  # each opened, the station Accepted on it, then dropped
    assert station.in_service  # its registration stood throughout: it never booted again


# A back-off that would keep a station away for a minute after a lost connection.
_MINUTE = ReconnectPolicy(initial=60.0, factor=1.0, ceiling=60.0)


async def test_a01_a_redial_dials_again_at_once_whatever_the_back_off(tmp_path: Path) -> None:
    """A station that closes its connection to dial again (``Station.redial``: new credentials
    take effect, 1.6 security whitepaper A01, 2.0.1 A01) dials at once, not after the back-off
    of a lost connection."""
    async with our_csms(tmp_path) as csms:
        runtime = StationRuntime(
            make_station(),
            f"ws://127.0.0.1:{csms.port}/ocpp/CP-1",
            reconnect=_MINUTE,
            rng=_LongestWaits(),
        )
        runtime.start()
        try:
            station = runtime.station
            await until(lambda: accepted(runtime))
            station.redial()
            await until(lambda: runtime.stats.disconnects == 1 and station.connected)
            assert accepted(runtime)  # no second boot
        finally:
            await runtime.stop()


def test_a01_the_at_once_is_for_the_redial_s_own_close_only() -> None:
    """A redial that then fails backs off as any attempt; a connection lost on its own leaves
    the back-off to the runner."""
    station = make_station()
    station.connect()
    station.redial()
    station.disconnect()
    assert (station.take_dial_at_once(), station.take_dial_at_once()) == (True, False)
    station.connect()
    station.disconnect()
    assert station.take_dial_at_once() is False


async def test_a_stop_during_a_dial_returns_whatever_the_dial_was_doing() -> None:
    """A stop may come while the dial connects or shakes hands: it returns all the same, at
    once (uvloop closes the transport of a cancelled connect without telling the protocol,
    which left stop() waiting for a connection_lost that never came). Stops at many moments
    of a station's redials against a CSMS that drops every connection."""
    station = make_station()
    server = await _accept_and_drop(station.version.subprotocol, [])
    async with server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ocpp/CP-1"
        for moment in range(40):
            runtime = StationRuntime(station, url, reconnect=_RecordedPolicy())
            runtime.start()
            # (Not a wait for something: the moment of the stop, in steps of half a millisecond.)
            await asyncio.sleep(moment * 0.0005)
            async with asyncio.timeout(2):
                await runtime.stop()
            assert runtime.phase == "stopped"


async def test_b04_a_connection_whose_boot_was_accepted_resets_the_backoff() -> None:
    policy = _RecordedPolicy()
    async with WireCsms() as csms:
        runtime = StationRuntime(make_station(), csms.url(), reconnect=policy, rng=_LongestWaits())
        runtime.start()
        await until(lambda: accepted(runtime))
        await csms.drop("CP-1")
        await until(lambda: csms.connects.get("CP-1") == 2 and accepted(runtime))
        assert runtime.attempt == 0
        await runtime.stop()
    assert policy.waits == [1.0]  # the first wait, as after no failure at all


async def test_a_refused_handshake_is_reported_and_retried() -> None:
    async with WireCsms(refuse=HTTPStatus.UNAUTHORIZED) as csms:
        runtime = make_runtime(csms.url(), password="wrong")
        runtime.start()
        await until(lambda: runtime.stats.failures >= 2)
        await runtime.stop()
    assert runtime.last_error is not None
    assert "401" in runtime.last_error
    assert not runtime.station.connected
    assert runtime.stats.errors[-1][1] == "CP-1"


async def test_a_station_going_offline_closes_its_socket_and_comes_back() -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        runtime.station.go_offline()
        await until(lambda: runtime.phase == "off" and "CP-1" not in csms.connections)
        runtime.station.come_online()
        await until(lambda: csms.connects.get("CP-1") == 2 and accepted(runtime))
        await runtime.stop()
    assert csms.actions().count("BootNotification") == 1


async def test_a_reboot_closes_the_connection_and_boots_again() -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        runtime.station.reboot(delay_s=0.05)
        await until(lambda: csms.actions().count("BootNotification") == 2 and accepted(runtime))
        await runtime.stop()
    assert csms.connects["CP-1"] == 2


class _ElsewhereStation(StationV16):
    """A station that names where its attempts go, as a 2.0.1 station's network connection
    profiles do (B10): ``endpoints`` in turn, then the runner's URL."""

    endpoints: list[Endpoint | None]

    def endpoint(self) -> Endpoint | None:
        return self.endpoints.pop(0) if self.endpoints else None


async def test_each_attempt_dials_the_endpoint_the_station_names_with_its_credentials() -> None:
    async with WireCsms() as runner_csms, WireCsms() as other_csms:
        template = load_catalog().template("alfen-eve-single-pro-line")
        station = _ElsewhereStation("CP-1", template, clock=SystemClock())
        other = f"ws://127.0.0.1:{other_csms.port}/other"
        station.endpoints = [Endpoint.of(other, "CP-1", 0)]
        runtime = StationRuntime(station, runner_csms.url(), password="s3cret", reconnect=FAST)
        runtime.start()
        await until(lambda: accepted(runtime))
        assert other_csms.connects == {"CP-1": 1}
        assert runner_csms.connects == {}
        # Security profile 0: no credentials, although the station has a password.
        assert "Authorization" not in other_csms.headers["CP-1"]
        # Its next attempt names none: the runner's URL, with the credentials.
        runtime.station.reboot(delay_s=0.05)
        await until(lambda: runner_csms.connects.get("CP-1") == 1 and accepted(runtime))
        await runtime.stop()
    assert runner_csms.headers["CP-1"]["Authorization"].startswith("Basic ")


# -- stopping -------------------------------------------------------------------------------------


async def test_stop_sends_a_close_frame_going_away() -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        await runtime.stop()
        await until(lambda: len(csms.close_codes) == 1)
    assert csms.close_codes == [1001]
    assert not runtime.station.connected


async def test_stop_during_an_unanswered_handshake_returns_at_once() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # hold the TCP connection; never answer the upgrade
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        runtime = make_runtime(f"ws://127.0.0.1:{port}/ocpp/CP-1")
        runtime.start()
        await asyncio.sleep(0.1)
        assert runtime.phase == "dialing"
        async with asyncio.timeout(1):
            await runtime.stop()
    assert not runtime.running


async def test_stop_during_a_tcp_connect_that_hangs_returns_at_once() -> None:
    with socket.socket() as full:
        full.bind(("127.0.0.1", 0))
        full.listen(0)  # never accepted: once its queue is full, SYNs go unanswered
        address = full.getsockname()
        fillers = [socket.create_connection(address, timeout=1)]
        try:
            runtime = make_runtime(f"ws://127.0.0.1:{address[1]}/ocpp/CP-1", open_timeout=30)
            runtime.start()
            await asyncio.sleep(0.2)
            assert runtime.phase == "dialing"
            async with asyncio.timeout(1):
                await runtime.stop()
        finally:
            for filler in fillers:
                filler.close()
    assert not runtime.running
    assert runtime.stats.connects == 0


async def test_a_stopped_runtime_starts_again_without_a_new_boot() -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))
        await runtime.stop()
        runtime.start()
        await until(lambda: csms.connects.get("CP-1") == 2 and accepted(runtime))
        await runtime.stop()
    assert csms.actions().count("BootNotification") == 1


# -- opening many connections ---------------------------------------------------------------------


async def test_a_shared_dialer_bounds_the_handshakes_in_flight() -> None:
    dialer = Dialer(limit=2)
    async with WireCsms(handshake_delay=0.05) as csms:
        runtimes = [
            make_runtime(csms.url(f"CP-{n}"), f"CP-{n}", dialer=dialer) for n in range(1, 7)
        ]
        for runtime in runtimes:
            runtime.start()
        await until(lambda: all(accepted(runtime) for runtime in runtimes))
        await asyncio.gather(*(runtime.stop() for runtime in runtimes))
        await dialer.close()
    assert csms.most_handshaking == 2


async def test_a_runtime_submitted_as_the_last_worker_ends_is_still_dialed() -> None:
    """The first dial schedules the second submit before its worker's done callback runs: the
    worker has ended by then, so the dialer must start another (it used to count the ended
    worker as busy and leave the second runtime queued for ever)."""
    dialer = Dialer(limit=1)
    dialed: list[str] = []
    loop = asyncio.get_running_loop()

    class Queued:
        def __init__(self, name: str, then: Queued | None = None) -> None:
            self.name, self.then = name, then

        async def _dial(self) -> None:
            dialed.append(self.name)
            if self.then is not None:
                loop.call_soon(dialer.submit, self.then)

    dialer.submit(Queued("first", then=Queued("second")))  # type: ignore[arg-type]
    await until(lambda: dialed == ["first", "second"], within=1.0)
    await dialer.close()


def test_a_url_that_is_no_websocket_url_is_refused_at_once() -> None:
    with pytest.raises(InvalidURI):
        StationRuntime(make_station(), "http://127.0.0.1:9000/ocpp/CP-1")


@pytest.mark.parametrize("limit", [0, -1])
def test_a_dialer_needs_a_positive_limit(limit: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Dialer(limit)


# A runtime without network faults (fleet/chaos/): all a link's write asks of its runtime.
_FAULTLESS = SimpleNamespace(chaos=None)


class _AbortedTransport:
    """A transport aborted whose loss is not delivered yet: uvloop's refuses writes."""

    def is_closing(self) -> bool:
        return True

    def write(self, data: bytes) -> None:
        raise RuntimeError("unable to perform operation: the handler is closed")


async def test_a_link_whose_transport_was_aborted_sends_nothing() -> None:
    # A timer of the station fires between the abort and connection_lost: its frames are
    # lost with the socket, as they would be on asyncio's loop, instead of raising.
    link = Link(_FAULTLESS, None)  # type: ignore[arg-type]  # nothing else of it is reached
    link.transport = _AbortedTransport()  # type: ignore[assignment]
    link.ws = Protocol(Side.CLIENT, state=State.OPEN)
    link.send_text([b'[2,"1","Heartbeat",{}]'])


class _FailedTransport(_AbortedTransport):
    """A uvloop transport whose socket failed under it (reset by the peer): closed, though it
    does not say it is closing yet."""

    def is_closing(self) -> bool:
        return False


async def test_a_link_whose_socket_failed_under_it_sends_nothing() -> None:
    link = Link(_FAULTLESS, None)  # type: ignore[arg-type]  # nothing else of it is reached
    link.transport = _FailedTransport()  # type: ignore[assignment]
    link.ws = Protocol(Side.CLIENT, state=State.OPEN)
    link.send_text([b'[2,"1","Heartbeat",{}]'])  # dropped with the socket, not raised


class _FlakyOutbound:
    """An outbound policy whose first resolution fails in a way no dial expects."""

    anything = False

    def __init__(self) -> None:
        self.asked = 0

    async def resolve(self, host: str, port: int) -> list[str]:
        self.asked += 1
        if self.asked == 1:
            raise RuntimeError("unable to perform operation on <TCPTransport closed=True>")
        return [host]


async def test_an_unexpected_error_in_a_dial_is_a_failed_attempt_and_retried() -> None:
    async with WireCsms() as csms:
        outbound = _FlakyOutbound()
        runtime = make_runtime(csms.url(), outbound=outbound)
        runtime.start()
        await until(lambda: accepted(runtime))
        await runtime.stop()
    assert outbound.asked == 2
    assert (runtime.stats.failures, runtime.stats.connects) == (1, 1)


async def test_a_session_that_fails_to_end_does_not_keep_the_station_from_dialing_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with WireCsms() as csms:
        runtime = make_runtime(csms.url())
        runtime.start()
        await until(lambda: accepted(runtime))

        def fail() -> None:
            raise RuntimeError("a bug in the station's disconnect")

        monkeypatch.setattr(runtime.station, "disconnect", fail)
        await csms.drop("CP-1")

        await until(lambda: csms.connects.get("CP-1") == 2 and runtime.connected)
        await runtime.stop()
