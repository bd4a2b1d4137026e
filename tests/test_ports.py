"""Claiming and checking the ports a command listens on (``ports.py``)."""

from __future__ import annotations

import socket

import pytest

from chargeyard.ports import ListenPort, PortUnavailable, check, claim, release


def _api(port: int, host: str = "127.0.0.1") -> ListenPort:
    return ListenPort(host, port, "the HTTP API", "--api-port", "CHARGEYARD_API_PORT")


def test_a_claimed_port_is_held_until_released() -> None:
    sockets = claim(_api(0))
    port = sockets[0].getsockname()[1]
    # Held even against a server that binds with SO_REUSEADDR, as asyncio's do.
    with pytest.raises(PortUnavailable) as taken:
        check(_api(port))
    assert str(taken.value) == (
        f"the HTTP API cannot listen on 127.0.0.1:{port}: the port is in use; give another"
        " with --api-port (or CHARGEYARD_API_PORT)"
    )
    release(sockets)
    check(_api(port))


def test_a_port_taken_on_every_interface_is_taken_on_loopback_too() -> None:
    with socket.socket() as other:
        other.bind(("0.0.0.0", 0))
        other.listen()
        with pytest.raises(PortUnavailable):
            check(_api(other.getsockname()[1]))


def test_any_free_port_is_always_free() -> None:
    check(_api(0))


def test_a_host_that_does_not_resolve_is_named_with_the_options_to_check() -> None:
    with pytest.raises(PortUnavailable) as unusable:
        check(_api(8000, host="no-such-host.invalid"))
    message = str(unusable.value)
    assert message.startswith("the HTTP API cannot listen on no-such-host.invalid:8000: ")
    assert message.endswith("; check --host and --api-port")
