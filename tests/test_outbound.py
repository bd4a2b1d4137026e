"""Where the server's own connections may go (outbound.py): the policy's words, and its
enforcement at connect time for a webhook delivery, a simulated station's WebSocket and a
station's file transfer (a redirect included); the HTTP transport's failures, raised as
httpx's own."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response

from chargeyard.api.serve import serving
from chargeyard.csms.webhook_delivery import ReceiverUnreachable, ping
from chargeyard.fleet.transfers import AsyncioTransfers
from chargeyard.lab.settings import LabSettings
from chargeyard.outbound import OutboundPolicy, OutboundRefused
from chargeyard.store import Store
from chargeyard.store.models import DeliveryStatus
from tests.csms.webhook_receiver import receiving
from tests.fleet.test_runtime import make_runtime
from tests.migrated import migrated_sqlite_url
from tests.polling import until
from tests.station.wire_csms import WireCsms

PUBLIC = OutboundPolicy.parse("public")


def test_the_policy_s_words() -> None:
    assert OutboundPolicy.parse("any").anything
    both = OutboundPolicy.parse(" public , 10.20.0.0/16,fd00::/8 ")
    assert both.describe() == "public,10.20.0.0/16,fd00::/8"
    assert both.allows(ipaddress.ip_address("93.184.216.34"))  # a global address
    assert both.allows(ipaddress.ip_address("10.20.1.2"))
    assert not both.allows(ipaddress.ip_address("10.21.0.1"))
    for refused in (
        "127.0.0.1",
        "::1",
        "169.254.169.254",
        "192.168.1.1",
        "100.64.0.1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ):
        assert not PUBLIC.allows(ipaddress.ip_address(refused)), refused
    own = PUBLIC.with_own_port(9000)
    assert own.allows(ipaddress.ip_address("127.0.0.1"), 9000)
    assert not own.allows(ipaddress.ip_address("127.0.0.1"), 8299)
    for bad, why in (
        ("", "empty"),
        ("everything", "not 'public' or a network"),
        ("any,public", "'any' stands alone"),
        ("10.0.0.0/33", "not 'public' or a network"),
    ):
        with pytest.raises(ValueError, match=why):
            OutboundPolicy.parse(bad)


def test_the_default_follows_the_address_the_server_listens_on() -> None:
    assert OutboundPolicy.default_for("127.0.0.1").anything
    assert OutboundPolicy.default_for("::1").anything
    assert OutboundPolicy.default_for("localhost").anything
    assert OutboundPolicy.default_for("0.0.0.0") == PUBLIC
    lab = LabSettings(host="0.0.0.0")
    assert lab.outbound(own_ocpp_port=9000) == PUBLIC.with_own_port(9000)
    assert LabSettings(outbound_networks="10.0.0.0/8").outbound().networks == (
        ipaddress.ip_network("10.0.0.0/8"),
    )
    with pytest.raises(ValueError, match="'bogus' is not 'public' or a network"):
        LabSettings(outbound_networks="public,bogus")


async def test_a_name_is_resolved_and_each_of_its_addresses_checked() -> None:
    with pytest.raises(OutboundRefused, match=r"127\.0\.0\.1 \(from localhost\) are not allowed"):
        await PUBLIC.resolve("localhost", 80)
    assert await OutboundPolicy.parse("127.0.0.0/8,::1/128").resolve("localhost", 80)


async def test_a_webhook_to_a_refused_address_fails_with_why_and_nothing_is_posted(
    tmp_path: Path,
) -> None:
    database = migrated_sqlite_url(tmp_path, "hooks.db")
    async with await Store.open(database) as store, receiving() as receiver:
        webhook = await store.webhooks.create(receiver.url, ["*"])
        with pytest.raises(ReceiverUnreachable) as unreachable:
            await ping(store, webhook, outbound=PUBLIC)
        refused = unreachable.value.delivery
        assert receiver.requests == []
        allowed = await ping(store, webhook, outbound=OutboundPolicy.parse("127.0.0.0/8"))
        assert len(receiver.requests) == 1
    assert refused.status == DeliveryStatus.FAILED
    assert refused.last_error is not None
    assert "outbound connections to 127.0.0.1 are not allowed" in refused.last_error
    assert allowed.status == DeliveryStatus.DELIVERED


async def test_a_station_does_not_dial_a_refused_address_but_may_dial_the_lab_s_own_port() -> None:
    async with WireCsms() as csms:
        refused = make_runtime(csms.url(), outbound=PUBLIC)
        refused.start()
        await until(lambda: refused.stats.failures >= 1)
        await refused.stop()
        assert refused.last_error is not None
        assert refused.last_error.startswith("OutboundRefused: outbound connections to 127.0.0.1")
        assert csms.connects.get("CP-1") is None  # no TCP connection reached it
        own = make_runtime(csms.url(), outbound=PUBLIC.with_own_port(csms.port))
        own.start()
        await until(lambda: csms.connects.get("CP-1") == 1)
        await own.stop()


@asynccontextmanager
async def _files(host: str, redirect_to: str | None = None) -> AsyncIterator[str]:
    app = FastAPI()

    @app.get("/firmware.bin")
    async def firmware() -> Response:
        if redirect_to is not None:
            return RedirectResponse(redirect_to)
        return Response(b"image")

    async with serving(app, host, 0) as port:
        yield f"http://{host}:{port}/firmware.bin"


async def _download(transfers: AsyncioTransfers, url: str) -> str | bytes:
    done: asyncio.Future[str | bytes] = asyncio.get_running_loop().create_future()
    transfers.download(url, done.set_result, lambda reason: done.set_result(f"error: {reason}"))
    return await asyncio.wait_for(done, 5)


async def test_a_transfer_is_checked_at_every_connection_a_redirect_included() -> None:
    # 127.0.0.2 is allowed, 127.0.0.1 is not: the first connection goes through, the
    # redirect's is refused where it is made.
    only = OutboundPolicy.parse("127.0.0.2/32")
    async with _files("127.0.0.1") as inside, _files("127.0.0.2", redirect_to=inside) as hop:
        transfers = AsyncioTransfers(outbound=only)
        assert await _download(AsyncioTransfers(), inside) == b"image"  # no policy: any
        answer = await _download(transfers, hop)
        assert isinstance(answer, str)
        assert "outbound connections to 127.0.0.1 are not allowed" in answer
        refused_ftp = await _download(transfers, "ftp://127.0.0.1:2121/firmware.bin")
        assert "outbound connections to 127.0.0.1 are not allowed" in str(refused_ftp)
        await transfers.aclose()


@asynccontextmanager
async def _answering(reply: bytes | None) -> AsyncIterator[tuple[str, list[int]]]:
    """An HTTP server on 127.0.0.1 that reads a request's head, writes ``reply`` and closes
    (None: answers nothing and holds the connection). Yields its URL and a list that counts
    the connections it accepted."""
    accepted: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        await reader.readuntil(b"\r\n\r\n")
        if reply is None:
            await reader.read()  # until the client gives up
        else:
            writer.write(reply)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/firmware.bin", accepted


async def test_the_transport_refuses_a_disallowed_address_and_fails_as_httpx_does() -> None:
    cut_short = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
    loopback = OutboundPolicy.parse("127.0.0.0/8")
    async with _answering(cut_short) as (url, accepted):
        async with httpx.AsyncClient(transport=PUBLIC.http_transport()) as refused:
            with pytest.raises(httpx.ConnectError) as raised:
                await refused.get(url)
        assert str(raised.value).startswith("outbound connections to 127.0.0.1 are not allowed")
        assert accepted == []  # refused before any connection was made
        async with httpx.AsyncClient(transport=loopback.http_transport()) as client:
            # The body ends before its Content-Length: httpcore's failure while the body is
            # read, as httpx's own transport raises it.
            with pytest.raises(httpx.RemoteProtocolError, match=r"body \(received 3 bytes"):
                await client.get(url)
        assert accepted == [1]
    async with (
        _answering(b"") as (url, _),
        httpx.AsyncClient(transport=loopback.http_transport()) as client,
    ):
        # No answer at all: the failure of the request itself.
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await client.get(url)
    async with (
        _answering(None) as (url, _),
        httpx.AsyncClient(transport=loopback.http_transport(), timeout=0.2) as client,
    ):
        # The most specific of httpx's exceptions: a ReadTimeout, not just a TimeoutException.
        with pytest.raises(httpx.ReadTimeout):
            await client.get(url)
