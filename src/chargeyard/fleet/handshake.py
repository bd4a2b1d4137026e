"""The WebSocket opening handshake of a station (RFC 6455 section 4.1), by hand: the request
offering the station's one subprotocol, and the client's checks of the 101 response.

Written here rather than taken from ``websockets.client.ClientProtocol``: at ten thousand
stations its generic request and response handling was 8 % of a fleet's boot CPU (see
docs/benchmarks-fleet.md). ``websockets`` still does the framing once the connection is open.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from websockets.exceptions import InvalidHandshake
from websockets.headers import build_host
from websockets.uri import WebSocketURI
from websockets.utils import accept_key

from chargeyard import __version__

USER_AGENT = f"chargeyard/{__version__}"
# The response to an upgrade is a status line and a few headers; more is not a CSMS.
MAX_RESPONSE_HEAD_BYTES = 16 * 1024


def upgrade_request(
    uri: WebSocketURI,
    key: str,
    subprotocol: str,
    authorization: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The opening handshake's request (RFC 6455 section 4.1), offering one subprotocol, with
    ``headers`` of the station's own (``protocol/station_organization.py``).

    Written by hand rather than by ``websockets.client.ClientProtocol``: at ten thousand
    stations its generic request and response handling was 8 % of a fleet's boot CPU.
    """
    lines = [
        f"GET {uri.resource_name} HTTP/1.1",
        f"Host: {_host_header(uri.host, uri.port, uri.secure)}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Sec-WebSocket-Protocol: {subprotocol}",
        f"User-Agent: {USER_AGENT}",
    ]
    if authorization is not None:
        lines.append(f"Authorization: {authorization}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@functools.lru_cache(maxsize=64)
def _host_header(host: str, port: int, secure: bool) -> str:
    # A fleet's stations share their host; parsing it as an IP address each time was not free.
    return build_host(host, port, secure)


class UpgradeRefused(InvalidHandshake):
    """The central system answered the upgrade with another HTTP status than 101 (401: the
    credentials, 404: the path or the identity, 400: no subprotocol in common, ...)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"server rejected WebSocket connection: HTTP {status}")
        self.status = status


def check_upgrade_response(head: bytes, key: str, subprotocol: str) -> None:
    """Check the response head (without its blank line) to :func:`upgrade_request`.

    RFC 6455 section 4.1, the client's checks: status 101, ``Upgrade: websocket``, a
    ``Connection`` naming ``upgrade``, ``Sec-WebSocket-Accept`` matching the key, no extension
    (none was offered) and the subprotocol offered.

    Raises:
        UpgradeRefused: the status is not 101.
        InvalidHandshake: anything else that is wrong, in a line.
    """
    status_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    status = rest[:3]
    if not version.startswith("HTTP/1.") or not (status.isascii() and status.isdecimal()):
        raise InvalidHandshake(f"not an HTTP response: {status_line[:80]!r}")
    if status != "101":
        raise UpgradeRefused(int(status))
    headers: dict[str, str] = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise InvalidHandshake(f"invalid header line {line[:80]!r}")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    if headers.get("upgrade", "").lower() != "websocket":
        raise InvalidHandshake(f"Upgrade: {headers.get('upgrade')!r}, not websocket")
    connection = {token.strip().lower() for token in headers.get("connection", "").split(",")}
    if "upgrade" not in connection:
        raise InvalidHandshake(f"Connection: {headers.get('connection')!r}, not upgrade")
    if headers.get("sec-websocket-accept") != accept_key(key):
        raise InvalidHandshake("Sec-WebSocket-Accept does not match the key")
    if "sec-websocket-extensions" in headers:
        raise InvalidHandshake("the central system chose an extension that was not offered")
    if headers.get("sec-websocket-protocol") != subprotocol:
        raise InvalidHandshake(f"the central system did not accept {subprotocol}")
