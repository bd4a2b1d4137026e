"""Which ``ws_url`` dials the built-in central system, and under which identity: decided on the
addresses the URL's host resolves to, its port and the path the station sends, as the dial
reads them, never on the URL's spelling."""

from __future__ import annotations

import socket

import pytest

from chargeyard.gateway.built_in_csms import BuiltInCsms
from chargeyard.gateway.dial_targets import Lookup, Resolver

NAMES = {"localhost": ["127.0.0.1", "::1"], "lab.internal": ["127.0.0.1"]}


async def _lookup(host: str, port: int) -> list[str]:
    """The system's resolver for numeric hosts (the forms a dial reads: ``127.1``,
    ``0x7f.1``...), a hosts file of our own for names: no DNS query leaves the test."""
    if host.lower() in NAMES:
        return NAMES[host.lower()]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    return [str(info[4][0]) for info in infos]


def _lab(*urls: str) -> BuiltInCsms:
    return BuiltInCsms.of(*urls, resolver=Resolver(lookup=_lookup))


LAB = _lab("ws://127.0.0.1:9000/ocpp")


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:9000/ocpp",
        "ws://127.0.0.1:9000/ocpp/",  # the station appends "/" and its identity
        "ws://127.1:9000/ocpp",
        "ws://0x7f.1:9000/ocpp",
        "ws://2130706433:9000/ocpp",
        "ws://017700000001:9000/ocpp",  # octal
        "ws://[::ffff:127.0.0.1]:9000/ocpp",
        "WS://LOCALHOST:9000/ocpp",
        "ws://localhost.:9000/ocpp",  # a trailing dot: localhost is loopback (RFC 6761)
        "ws://LocalHost.:9000/ocpp",
        "ws://lab.internal:9000/ocpp",  # any name that resolves here
        "ws://127.0.0.2:9000/ocpp",  # all of 127.0.0.0/8 is this machine
        "ws://[::1]:9000/ocpp",
        "ws://0.0.0.0:9000/ocpp",  # a connection to the wildcard address reaches the loopback
        "ws://127.0.0.1:9000//ocpp",  # as a proxy that merges slashes reads it
        "ws://127.0.0.1:9000/x/../ocpp",
    ],
)
async def test_every_spelling_of_this_machine_dials_the_lab_s_listener(url: str) -> None:
    assert await LAB.known_as("CP-1", url) == {"CP-1"}


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:9001/ocpp",  # another port
        "wss://127.0.0.1:9000/ocpp",  # another scheme: TLS, which the listener does not speak
        "ws://127.0.0.1:9000/other",  # another path
        "ws://127.0.0.1:9000/OCPP",  # paths are case-sensitive
        "ws://192.0.2.7:9000/ocpp",  # another machine
        "ws://unresolvable.invalid:9000/ocpp",
        "http://127.0.0.1:9000/ocpp",
        "ws://127.0.0.1:99999/ocpp",  # no such port
        "not a url",
        None,
    ],
)
async def test_any_other_url_is_another_central_system(url: str | None) -> None:
    assert await LAB.known_as("CP-1", url) == frozenset()
    assert not await LAB.serves(url)


async def test_the_scheme_s_default_port_is_the_port_of_a_url_without_one() -> None:
    lab = _lab("ws://127.0.0.1/ocpp")
    assert await lab.serves("ws://localhost:80/ocpp")
    assert await lab.serves("ws://127.1/ocpp")
    assert not await lab.serves("ws://127.0.0.1:443/ocpp")
    secure = _lab("wss://127.0.0.1/ocpp")
    assert await secure.serves("wss://127.1:443/ocpp")


async def test_a_listener_on_every_interface_is_reached_at_every_address_of_this_machine() -> None:
    lab = _lab("ws://0.0.0.0:9000/ocpp")
    assert await lab.serves("ws://127.0.0.2:9000/ocpp")
    assert await lab.serves("ws://127.1:9000/ocpp")
    assert await lab.serves("ws://[::ffff:127.0.0.9]:9000/ocpp")
    assert not await lab.serves("ws://192.0.2.7:9000/ocpp")


async def test_the_identity_is_the_one_the_listener_reads_from_the_path_sent() -> None:
    # The station sends its URL with "/" and its identity appended; a query in the URL keeps
    # the path the listener reads, whatever the charger's own identity.
    known = await LAB.known_as("CP-MINE", "ws://127.1:9000/ocpp/CP-VICTIM?")
    assert known == {"CP-VICTIM"}
    # "/ocpp/CP-VICTIM/CP-MINE" is no station's path at the listener.
    assert await LAB.known_as("CP-MINE", "ws://127.0.0.1:9000/ocpp/CP-VICTIM") == frozenset()
    assert await LAB.known_as("a:b", "ws://127.0.0.1:9000/ocpp") == {"a:b"}  # sent as a%3Ab


async def test_a_public_name_is_its_addresses() -> None:
    proxied = BuiltInCsms.of(
        "wss://csms.example.com/ocpp",
        resolver=Resolver(lookup=_names({"csms.example.com": ["192.0.2.10"]})),
    )
    assert await proxied.serves("wss://CSMS.example.com.:443/ocpp/")
    assert await proxied.serves("wss://192.0.2.10/ocpp")
    assert not await proxied.serves("ws://127.0.0.1:443/ocpp")
    assert not await proxied.serves("wss://192.0.2.11/ocpp")


def _names(table: dict[str, list[str]]) -> Lookup:
    async def lookup(host: str, port: int) -> list[str]:
        if host.lower().rstrip(".") in table:
            return table[host.lower().rstrip(".")]
        return await _lookup(host, port)

    return lookup
