"""What the fast-forward loop waits for before its clock jumps (``fast_forward_waits.py``):
bytes one socket of this process sent to another are followed from the first send to a socket
its server has accepted, and only a socket it does not know is waited for by time."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator

import pytest

from chargeyard.fast_forward_waits import install_hooks, sends_in_flight, unheard_sends_count


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    install_hooks()  # (once a process; the virtual-time tests' module installs them too)
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def test_a_request_to_a_socket_this_process_accepted_is_followed_not_waited_for(
    listener: socket.socket,
) -> None:
    with socket.create_connection(listener.getsockname()) as client:
        accepted, _ = listener.accept()
        with accepted:
            unheard = unheard_sends_count()
            client.sendall(b"GET /ocpp/CP-1 HTTP/1.1\r\n\r\n")
            # A server's side of a connection, before its first answer: known since its
            # acceptance, so the loop follows the request by the kernel's count.
            assert unheard_sends_count() == unheard
            readable, _, _ = select.select([accepted], [], [], 5.0)
            assert readable == [accepted]
            assert not sends_in_flight()  # the kernel's count of what it received says so
            assert accepted.recv(100).startswith(b"GET /ocpp/CP-1")


def test_a_request_to_a_socket_not_accepted_yet_is_waited_for_by_time(
    listener: socket.socket,
) -> None:
    with socket.create_connection(listener.getsockname()) as client:
        unheard = unheard_sends_count()
        client.sendall(b"GET /ocpp/CP-1 HTTP/1.1\r\n\r\n")
        assert unheard_sends_count() == unheard + 1
        accepted, _ = listener.accept()
        accepted.close()
