"""The pool's check of a PostgreSQL connection before it hands it out (``engine.py``): the
kernel says whether the server closed or reset the socket, with no round trip, whatever the
descriptor's number (a CSMS node of thousands of stations has them above 1,023)."""

from __future__ import annotations

import os
import resource
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from chargeyard.store.engine import _socket_gone

HIGH_FD = 1_500


@dataclass
class _Transport:
    raw: socket.socket

    def get_extra_info(self, name: str) -> socket.socket | None:
        return self.raw if name == "socket" else None


@dataclass
class _Driver:
    _transport: _Transport


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected pair; ours on a descriptor above 1,023."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < HIGH_FD + 1:
        pytest.skip(f"the open-file limit ({hard}) is below {HIGH_FD + 1}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, HIGH_FD + 1), hard))
    ours, theirs = socket.socketpair()
    high = socket.socket(fileno=os.dup2(ours.fileno(), HIGH_FD))
    ours.close()
    try:
        yield high, theirs
    finally:
        high.close()
        theirs.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _gone(ours: socket.socket) -> bool:
    return _socket_gone(_Driver(_Transport(ours)))


def test_an_open_quiet_connection_is_kept(pair: tuple[socket.socket, socket.socket]) -> None:
    ours, _ = pair
    assert ours.fileno() >= 1024
    assert not _gone(ours)


def test_a_connection_with_a_message_waiting_is_kept(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = pair
    theirs.send(b"N")  # a notice from the server, say
    assert not _gone(ours)
    assert ours.recv(1) == b"N"  # the peek took nothing away


def test_a_connection_the_server_closed_is_replaced(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = pair
    theirs.close()
    assert _gone(ours)


def test_a_reset_connection_is_replaced() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    with listener, socket.create_connection(listener.getsockname()) as ours:
        accepted, _ = listener.accept()
        # SO_LINGER 0: closing sends RST, as a cut TCP proxy does.
        accepted.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        accepted.close()
        assert _gone(ours)
