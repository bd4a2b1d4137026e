"""The relay between a charger and its upstream, with scripted peers on real sockets: frames
pass as they came and are recorded as they pass, the subprotocol and the credentials pass
through, a charger without a route is refused, closes travel both ways, and no password is
ever logged."""

from __future__ import annotations

import base64
import logging
import ssl
from http import HTTPStatus
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.headers import build_authorization_basic
from websockets.http11 import Request, Response

from chargeyard.conformance.tls_chain import CertificateAuthority
from chargeyard.protocol import V16, V201
from chargeyard.protocol.passwords import MASK
from chargeyard.tls_settings import TlsSettings
from chargeyard.trace import Direction
from tests.polling import until
from tests.proxy.harness import PEERS, ScriptedUpstream, proxy_to, recorded

ANSWER = '[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]'


async def test_frames_pass_byte_for_byte_and_are_recorded_as_they_pass(tmp_path: Path) -> None:
    # Spacing, key order and escapes that a re-serialisation would change.
    odd = '[2, "1",  "Heartbeat" , {"b": 1, "a": "\\u00e9"}]'
    async with (
        ScriptedUpstream(answer=ANSWER) as upstream,
        proxy_to(upstream.url, tmp_path) as proxy,
        connect(f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"]) as charger,
    ):
        await charger.send(odd)
        assert await charger.recv() == ANSWER
        await charger.send(b"\x00binary")
        await until(lambda: len(upstream.received) == 2)
        assert upstream.received == [odd, b"\x00binary"]
        assert upstream.headers[0]["Host"].startswith("127.0.0.1:")

        trace = recorded(proxy)  # read while the connection is open: written as frames pass
    assert trace.header.identity == "CP-1"
    assert trace.header.version is V16
    assert trace.header.source == "proxy"
    assert trace.header.extra == {"upstream": f"{upstream.url}/CP-1"}
    assert [(r.direction, r.message, r.text) for r in trace.records] == [
        (Direction.STATION_TO_CSMS, [2, "1", "Heartbeat", {"b": 1, "a": "é"}], None),
        (Direction.CSMS_TO_STATION, [3, "1", {"currentTime": "2026-01-01T00:00:00Z"}], None),
        (Direction.STATION_TO_CSMS, None, "\x00binary"),  # no JSON: kept as its text
    ]
    times = [r.at for r in trace.records]
    assert times == sorted(times)


async def test_the_upstream_chooses_among_the_subprotocols_the_charger_offered(
    tmp_path: Path,
) -> None:
    async with (
        ScriptedUpstream(subprotocols=["ocpp2.0.1", "ocpp1.6"]) as upstream,
        proxy_to(upstream.url, tmp_path) as proxy,
        connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6", "ocpp2.0.1"]
        ) as charger,
    ):
        assert charger.subprotocol == "ocpp2.0.1"
        assert upstream.headers[0]["Sec-WebSocket-Protocol"] == "ocpp1.6, ocpp2.0.1"
        await until(lambda: len(proxy.recorded) == 1)
        assert recorded(proxy).header.version is V201


async def test_the_chargers_basic_credentials_pass_through(tmp_path: Path) -> None:
    credentials = build_authorization_basic("CP-1", "charger-secret-1234")
    async with (
        ScriptedUpstream() as upstream,
        proxy_to(upstream.url, tmp_path) as proxy,
        connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1",
            subprotocols=["ocpp1.6"],
            additional_headers={"Authorization": credentials},
        ),
    ):
        assert upstream.headers[0]["Authorization"] == credentials


async def test_a_routes_password_replaces_the_chargers(tmp_path: Path) -> None:
    async with ScriptedUpstream() as upstream, ScriptedUpstream() as other:
        routes = tmp_path / "routes.toml"
        routes.write_text(
            f'[[route]]\nmatch = "ACME-*"\nupstream = "{other.url}"\npassword = "route-pw-5678"\n'
        )
        async with (
            proxy_to(upstream.url, tmp_path, routes) as proxy,
            connect(
                f"ws://127.0.0.1:{proxy.port}/ocpp/ACME-7",
                subprotocols=["ocpp1.6"],
                additional_headers={"Authorization": build_authorization_basic("ACME-7", "x")},
            ),
            connect(f"ws://127.0.0.1:{proxy.port}/ocpp/CP-2", subprotocols=["ocpp1.6"]),
        ):
            assert other.headers[0]["Authorization"] == build_authorization_basic(
                "ACME-7", "route-pw-5678"
            )
            assert "Authorization" not in upstream.headers[0]  # CP-2: the default, none given
            assert other.connections[0].request.path == "/ocpp/ACME-7"  # type: ignore[union-attr]
            assert upstream.connections[0].request.path == "/ocpp/CP-2"  # type: ignore[union-attr]


async def test_a_charger_without_a_route_is_refused_404_and_the_log_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with ScriptedUpstream() as upstream:
        routes = tmp_path / "routes.toml"
        routes.write_text(f'[[route]]\nmatch = "CP-*"\nupstream = "{upstream.url}"\n')
        async with proxy_to(None, tmp_path, routes) as proxy:
            with pytest.raises(InvalidStatus) as refused:
                async with connect(f"ws://127.0.0.1:{proxy.port}/ocpp/XY-1"):
                    pass
    assert refused.value.response.status_code == 404
    assert upstream.headers == []  # never dialled
    assert "refused XY-1 (404): no route matches it" in caplog.text
    assert proxy.recorded == []


async def test_an_upstream_refusal_reaches_the_charger_with_its_status(tmp_path: Path) -> None:
    async def refuse(connection: ServerConnection, request: Request) -> Response:
        response = connection.respond(HTTPStatus.UNAUTHORIZED, "who are you\n")
        response.headers["WWW-Authenticate"] = 'Basic realm="csms"'
        return response

    async with serve(_never, "127.0.0.1", 0, process_request=refuse, logger=PEERS) as server:
        port = server.sockets[0].getsockname()[1]
        async with proxy_to(f"ws://127.0.0.1:{port}/ocpp", tmp_path) as proxy:
            with pytest.raises(InvalidStatus) as refused:
                async with connect(f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1"):
                    pass
    assert refused.value.response.status_code == 401
    assert refused.value.response.headers["WWW-Authenticate"] == 'Basic realm="csms"'


async def test_an_unreachable_upstream_is_502(tmp_path: Path) -> None:
    async with ScriptedUpstream() as upstream:
        gone = upstream.url
    async with proxy_to(gone, tmp_path) as proxy:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1"):
                pass
    assert refused.value.response.status_code == 502


async def _never(connection: ServerConnection) -> None:
    raise AssertionError("the handshake was refused")


@pytest.mark.parametrize("closer", ["charger", "upstream"])
async def test_a_close_reaches_the_other_side_with_its_code(tmp_path: Path, closer: str) -> None:
    async with (
        ScriptedUpstream() as upstream,
        proxy_to(upstream.url, tmp_path) as proxy,
        connect(f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"]) as charger,
    ):
        await until(lambda: len(upstream.connections) == 1 and proxy.relaying == 1)
        [near] = upstream.connections
        if closer == "charger":
            await charger.close(4001, "maintenance")
            await near.wait_closed()
            assert (near.close_code, near.close_reason) == (4001, "maintenance")
        else:
            await near.close(1012, "restarting")
            with pytest.raises(ConnectionClosed):
                await charger.recv()
            assert (charger.close_code, charger.close_reason) == (1012, "restarting")
        await until(lambda: proxy.relaying == 0)


async def test_no_password_reaches_the_log_even_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "never-logged-9876"
    credentials = build_authorization_basic("CP-1", password)
    async with ScriptedUpstream(answer=ANSWER) as upstream:
        routes = tmp_path / "routes.toml"
        routes.write_text(
            f'[[route]]\nmatch = "CP-R"\nupstream = "{upstream.url}"\npassword = "{password}"\n'
        )
        async with proxy_to(upstream.url, tmp_path, routes) as proxy:
            for identity in ("CP-1", "CP-R"):
                async with connect(
                    f"ws://127.0.0.1:{proxy.port}/ocpp/{identity}",
                    subprotocols=["ocpp1.6"],
                    additional_headers={"Authorization": credentials},
                    logger=PEERS,
                ) as charger:
                    await charger.send('[2,"1","Heartbeat",{}]')
                    await charger.recv()
            await until(lambda: proxy.relaying == 0)
    assert len(upstream.headers) == 2  # both relayed, both with a password
    assert "CP-1 relayed to" in caplog.text  # the log was written, at DEBUG
    secrets = {
        password,
        credentials.removeprefix("Basic "),
        build_authorization_basic("CP-R", password).removeprefix("Basic "),
        base64.b64encode(password.encode()).decode(),
    }
    # Every line but the test's own charger's and upstream's, which log their headers at
    # DEBUG, as websockets does: the proxy's and its sockets'.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != PEERS.name)
    assert any(r.name == "chargeyard.proxy.relay" for r in caplog.records)
    for secret in secrets:
        assert secret not in ours


async def test_a_password_the_csms_sets_is_relayed_but_masked_in_the_trace_and_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sets = '[2,"9","ChangeConfiguration",{"key":"AuthorizationKey","value":"new-secret-4321"}]'
    async with (
        ScriptedUpstream(answer=sets) as upstream,
        proxy_to(upstream.url, tmp_path) as proxy,
        connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
        ) as charger,
    ):
        await charger.send('[2,"1","Heartbeat",{}]')
        assert await charger.recv() == sets  # the station needs it (A01)
    await until(lambda: proxy.relaying == 0)
    [_, relayed] = recorded(proxy).records
    assert relayed.message == [
        2,
        "9",
        "ChangeConfiguration",
        {"key": "AuthorizationKey", "value": MASK},
    ]
    assert "new-secret-4321" not in proxy.recorded[0].read_text()
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != PEERS.name)
    assert "CP-1 <- " in ours
    assert "new-secret-4321" not in ours


async def test_stopping_the_proxy_closes_both_sides_going_away(tmp_path: Path) -> None:
    async with ScriptedUpstream() as upstream:
        async with proxy_to(upstream.url, tmp_path) as proxy:
            charger = await connect(
                f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
            )
            await until(lambda: proxy.relaying == 1)
        [near] = upstream.connections
        await near.wait_closed()
        await charger.wait_closed()
    assert near.close_code == charger.close_code == 1001


async def test_wss_on_both_sides_with_the_upstreams_ca(tmp_path: Path) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    upstream_pair = ca.server("127.0.0.1", file_name="upstream")
    proxy_pair = ca.server("127.0.0.1", file_name="proxy")
    upstream_tls = TlsSettings(upstream_pair.cert_file, upstream_pair.key_file, None)
    trusting = ssl.create_default_context(cafile=str(ca.root_file))
    async with (
        ScriptedUpstream(answer=ANSWER, tls=upstream_tls.server_context()) as upstream,
        proxy_to(
            upstream.url,
            tmp_path,
            listen_tls=TlsSettings(
                proxy_pair.cert_file, proxy_pair.key_file, None
            ).server_context(),
            upstream_tls=trusting,
        ) as proxy,
        connect(
            f"wss://127.0.0.1:{proxy.port}/ocpp/CP-1",
            subprotocols=["ocpp1.6"],
            ssl=trusting,
            logger=PEERS,
        ) as charger,
    ):
        assert upstream.url.startswith("wss://")
        await charger.send('[2,"1","Heartbeat",{}]')
        assert await charger.recv() == ANSWER


async def test_a_wss_upstream_the_proxy_cannot_verify_is_502(tmp_path: Path) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    pair = ca.server("127.0.0.1")
    tls = TlsSettings(pair.cert_file, pair.key_file, None).server_context()
    async with ScriptedUpstream(tls=tls) as upstream, proxy_to(upstream.url, tmp_path) as proxy:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", logger=PEERS):
                pass
    assert refused.value.response.status_code == 502
    assert upstream.headers == []


async def test_a_redirect_is_not_followed_to_an_upstream_not_configured(tmp_path: Path) -> None:
    async with ScriptedUpstream() as elsewhere:

        async def redirect(connection: ServerConnection, request: Request) -> Response:
            response = connection.respond(HTTPStatus.FOUND, "over there\n")
            response.headers["Location"] = f"{elsewhere.url}/CP-1"
            return response

        async with (
            serve(_never, "127.0.0.1", 0, process_request=redirect, logger=PEERS) as server,
            proxy_to(
                f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ocpp", tmp_path
            ) as proxy,
        ):
            with pytest.raises(InvalidStatus) as refused:
                async with connect(f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", logger=PEERS):
                    pass
    assert refused.value.response.status_code == 502
    assert elsewhere.headers == []


async def test_a_message_over_the_limit_closes_both_sides_1009(tmp_path: Path) -> None:
    async with (
        ScriptedUpstream() as upstream,
        proxy_to(upstream.url, tmp_path, max_message_bytes=1024) as proxy,
        connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
        ) as charger,
    ):
        await until(lambda: len(upstream.connections) == 1)
        await charger.send(f'[2,"1","DataTransfer",{{"vendorId":"{"x" * 2000}"}}]')
        await charger.wait_closed()
        [near] = upstream.connections
        await near.wait_closed()
    assert charger.close_code == near.close_code == 1009
    assert upstream.received == []
