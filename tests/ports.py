"""A free TCP port on 127.0.0.1, for what a test must name before it listens or connects (a
child process's flags, a URL nobody listens on). Listeners in the test's own process bind
port 0 instead.

A port is named here before anything listens on it, so it must stay free until then. A port
the kernel hands out for port 0 is an ephemeral one, which the kernel also gives any outgoing
connection for its own end (a test's client of PostgreSQL, Redis or a station): between the
naming and the listening, one of the suite's thousands of connections could take it. So the
ports come from below the ephemeral range, which the kernel never hands out by itself, each
pytest-xdist worker from a slice of its own (no two workers name the same port), in turn, and
each checked free when named.
"""

from __future__ import annotations

import itertools
import os
import socket
from pathlib import Path

_LOWEST = 10_000
_SLICES = 16  # pytest-xdist workers gw0 to gw15, and the main process


def _ephemeral_start() -> int:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
        return int(text.split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def _own_slice() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    number = int(worker.removeprefix("gw")) + 1 if worker.startswith("gw") else 0
    width = (_ephemeral_start() - _LOWEST) // (_SLICES + 1)
    start = _LOWEST + (number % (_SLICES + 1)) * width
    return range(start, start + width)


_CANDIDATES = itertools.cycle(_own_slice())


def free_port() -> int:
    """A port of this worker's slice that nothing listens on now."""
    for _ in range(len(_own_slice())):
        port = next(_CANDIDATES)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # taken (another service of the machine): the next one
            return port
    raise RuntimeError("no free port in this worker's slice")
