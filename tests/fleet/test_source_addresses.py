"""Where a station's connection to a loopback central system leaves from: the first stations of a
process from the kernel's choice, the ones past each block from an address of their own, kept
across reconnections (fleet/source_addresses.py)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any, cast

import pytest

from chargeyard.fleet.connector import Connector
from chargeyard.fleet.source_addresses import SourceAddresses


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

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


@pytest.mark.skipif(sys.platform != "linux", reason="127.0.0.0/8 is all local on Linux only")
async def test_stations_connect_from_their_addresses_and_keep_them_when_they_connect_again() -> (
    None
):
    peers: list[str] = []
    seen = asyncio.Event()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.append(writer.get_extra_info("peername")[0])
        seen.set()
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sources = SourceAddresses(per_source=2, spread=True)
    connectors = [
        Connector(
            f"ws://127.0.0.1:{port}/ocpp/CP-{number}",
            dialer=None,
            outbound=None,
            handshake_headers=(),
            sources=sources,
        )
        for number in range(1, 6)
    ]
    async with server:
        # Each station connects, then the first and the last connect again.
        for connector in [*connectors, connectors[0], connectors[-1]]:
            seen.clear()
            link = cast(Any, _Held())
            await connector.connect(link, connector.uri, cast(Any, None), None)
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
