"""Where a station's connection to a loopback central system leaves from: the first stations of a
process from the kernel's choice, the ones past each block from an address of their own, kept
across reconnections (fleet/source_addresses.py)."""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import ssl
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from chargeyard.conformance.tls_chain import CertificateAuthority
from chargeyard.fleet import source_addresses
from chargeyard.fleet.connector import Connector
from chargeyard.fleet.source_addresses import SourceAddresses
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import SystemClock
from chargeyard.station.v16 import StationV16
from tests.polling import until


def test_the_first_block_keeps_the_kernel_s_choice_and_each_next_block_has_an_address() -> None:
    sources = SourceAddresses(per_source=2, spread=True)
    given = [sources.source_for("127.0.0.5", 9000) for _ in range(7)]
    assert given == [None, None, "127.0.1.1", "127.0.1.1", "127.0.2.1", "127.0.2.1", "127.0.3.1"]


def test_each_destination_counts_its_own_stations() -> None:
    sources = SourceAddresses(per_source=1, spread=True)
    assert sources.source_for("127.0.0.1", 9000) is None
    assert sources.source_for("127.0.0.1", 9001) is None  # another port
    assert sources.source_for("127.0.0.2", 9000) is None  # another address
    assert sources.source_for("127.0.0.1", 9000) == "127.0.1.1"


def test_past_256_blocks_the_addresses_go_on_in_the_next_16() -> None:
    sources = SourceAddresses(per_source=1, spread=True)
    given = [sources.source_for("127.0.0.1", 9000) for _ in range(258)]
    assert given[255:] == ["127.0.255.1", "127.1.0.1", "127.1.1.1"]


@pytest.mark.parametrize("host", ["10.0.0.7", "::1", "localhost", "csms.example"])
def test_other_destinations_keep_the_kernel_s_choice(host: str) -> None:
    sources = SourceAddresses(per_source=1, spread=True)
    assert [sources.source_for(host, 9000) for _ in range(3)] == [None, None, None]


def test_without_spreading_every_station_keeps_the_kernel_s_choice() -> None:
    sources = SourceAddresses(per_source=1, spread=False)
    assert [sources.source_for("127.0.0.1", 9000) for _ in range(3)] == [None, None, None]


def test_a_block_of_no_stations_is_refused() -> None:
    with pytest.raises(ValueError, match="per_source must be at least 1"):
        SourceAddresses(per_source=0)


class _Held(asyncio.Protocol):
    """A connection opened and closed at once: the test looks only at its source address."""

    endpoint = None  # the runtime's URL, as a Link without a network connection profile

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


def _connector(url: str, sources: SourceAddresses) -> Connector:
    return Connector(url, dialer=None, outbound=None, handshake_headers=(), sources=sources)


def _station() -> StationV16:
    template = load_catalog().template("alfen-eve-single-pro-line")
    return StationV16("CP-1", template, clock=SystemClock())


@pytest.mark.skipif(sys.platform != "linux", reason="127.0.0.0/8 is all local on Linux only")
@pytest.mark.parametrize("scheme", ["ws", "wss"])
async def test_stations_connect_from_their_addresses_and_keep_them_when_they_connect_again(
    scheme: str, tmp_path: Path
) -> None:
    peers: list[str] = []
    seen = asyncio.Event()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.append(writer.get_extra_info("peername")[0])
        seen.set()
        writer.close()

    station = _station()
    tls = None
    if scheme == "wss":  # the TLS handshake over a socket bound beforehand, checked by name
        ca = CertificateAuthority(tmp_path / "ca")
        pair = ca.server("127.0.0.1")
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(pair.cert_file, pair.key_file)
        outcome = station.model.certificates.install(
            station.CSMS_ROOT, ca.root_pem, station.clock.now().timestamp()
        )
        assert outcome.reason is None
    server = await asyncio.start_server(accept, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    sources = SourceAddresses(per_source=2, spread=True)
    connectors = [
        _connector(f"{scheme}://127.0.0.1:{port}/ocpp/CP-{number}", sources)
        for number in range(1, 6)
    ]
    async with server:
        # Each station connects, then the first and the last connect again.
        for connector in [*connectors, connectors[0], connectors[-1]]:
            seen.clear()
            await connector.connect(cast(Any, _Held()), connector.uri, station, None)
            async with asyncio.timeout(5):
                await seen.wait()
    assert peers == [
        "127.0.0.1",
        "127.0.0.1",
        "127.0.1.1",
        "127.0.1.1",
        "127.0.2.1",
        "127.0.0.1",
        "127.0.2.1",
    ]


@pytest.mark.skipif(sys.platform != "linux", reason="127.0.0.0/8 is all local on Linux only")
async def test_a_refused_connect_from_a_source_address_is_an_os_error_and_leaves_no_socket() -> (
    None
):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = SourceAddresses(per_source=1, spread=True)
    assert sources.source_for("127.0.0.1", port) is None  # the first block is taken
    connector = _connector(f"ws://127.0.0.1:{port}/ocpp/CP-1", sources)
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(ConnectionRefusedError):
        await connector.connect(cast(Any, _Held()), connector.uri, _station(), None)
    assert len(os.listdir("/proc/self/fd")) == before


async def test_where_the_system_refuses_the_address_stations_keep_the_kernel_s_choice(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    tried: list[str] = []

    def refused(source: str) -> socket.socket:
        tried.append(source)
        raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")

    monkeypatch.setattr(source_addresses, "source_socket", refused)
    peers: list[str] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.append(writer.get_extra_info("peername")[0])
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sources = SourceAddresses(per_source=1, spread=True)
    connectors = [
        _connector(f"ws://127.0.0.1:{port}/ocpp/CP-{number}", sources) for number in range(1, 4)
    ]
    async with server:
        # CP-2, given 127.0.1.1 before it was refused, connects again: no second try.
        for connector in [*connectors, connectors[1]]:
            await connector.connect(cast(Any, _Held()), connector.uri, _station(), None)
        await until(lambda: len(peers) == 4)
    assert peers == ["127.0.0.1"] * 4
    assert tried == ["127.0.1.1"]
    assert sources.source_for("127.0.0.1", port) is None  # no address given any more
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "cannot connect from 127.0.1.1 ([Errno 99] Cannot assign requested address): the "
        "stations' connections leave from the system's own choice of address"
    ]


async def test_a_source_socket_that_cannot_be_made_fails_the_connect_and_spreading_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_files(source: str) -> socket.socket:
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(source_addresses, "source_socket", no_files)
    sources = SourceAddresses(per_source=1, spread=True)
    assert sources.source_for("127.0.0.1", 9) is None
    connector = _connector("ws://127.0.0.1:9/ocpp/CP-2", sources)
    with pytest.raises(OSError, match="Too many open files"):
        await connector.connect(cast(Any, _Held()), connector.uri, _station(), None)
    assert sources.source_for("127.0.0.1", 9) == "127.0.2.1"  # still spreading
