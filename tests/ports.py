"""A free TCP port on 127.0.0.1, for what a test must name before it listens or connects (a
child process's flags, a URL nobody listens on). Listeners in the test's own process bind
port 0 instead."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
