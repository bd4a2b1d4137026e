"""The opening handshake of a station under test, as the suite's listener sees it: who
connects (the last segment of the path, OCPP-J 1.6 section 3.1.1), with which subprotocols, and
whether its HTTP Basic credentials do (the 1.6 security whitepaper, profile 1: the identity as
user name and the AuthorizationKey as password; 2.0.1 part 2 A00 says the same)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import ServerConnection


@dataclass(frozen=True, slots=True)
class Connection:
    """One WebSocket connection of the station, as its handshake showed it.

    Attributes:
        number: 1 for the first connection of the run, then 2, 3...
        identity: the last segment of the path.
        offered: the subprotocols the station offered.
        subprotocol: the one agreed (None: none of them is the version's).
        authorization: the ``Authorization`` header it sent, if any.
        local_host: the address of the suite the station reached (for the URLs it is sent).
        tls_version: the TLS version of a ``wss://`` connection ("TLSv1.3"...; None: no TLS).
        certificate_names: the commonNames of the client certificate it presented (security
            profile 3, verified by the listener; empty: none).
    """

    number: int
    path: str
    identity: str
    offered: tuple[str, ...]
    subprotocol: str | None
    authorization: str | None
    local_host: str
    tls_version: str | None = None
    certificate_names: tuple[str, ...] = ()


def identity_of(path: str) -> str:
    """The identity a request's path names: its last segment (``/ocpp/CP-1`` -> ``CP-1``)."""
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def connection_of(number: int, socket: ServerConnection) -> Connection:
    """The connection ``socket`` opened, numbered ``number``."""
    request = socket.request
    assert request is not None, "the handshake is done"
    return Connection(
        number=number,
        path=request.path,
        identity=identity_of(request.path),
        offered=tuple(
            part.strip()
            for value in request.headers.get_all("Sec-WebSocket-Protocol")
            for part in value.split(",")
            if part.strip()
        ),
        subprotocol=socket.subprotocol,
        authorization=request.headers.get("Authorization"),
        local_host=str(socket.local_address[0]),
        **_tls_of(socket),
    )


def _tls_of(socket: ServerConnection) -> dict[str, Any]:
    """The TLS version and the client certificate's commonNames of a ``wss://`` connection
    (nothing for ``ws://``)."""
    tls = socket.transport.get_extra_info("ssl_object")
    if tls is None:
        return {}
    peer = tls.getpeercert() or {}
    subject = peer.get("subject", ())
    names = tuple(
        str(attribute[1])
        for rdn in (subject if isinstance(subject, tuple) else ())
        for attribute in rdn
        if isinstance(attribute, tuple) and attribute[0] == "commonName"
    )
    return {"tls_version": tls.version(), "certificate_names": names}


def credentials_refused(identity: str, password: str | None, header: str | None) -> str | None:
    """Why the ``Authorization`` header does not carry ``identity`` and ``password`` as HTTP
    Basic credentials, or None (they do, or no password is asked)."""
    if password is None:
        return None
    if header is None:
        return "no HTTP Basic credentials (an Authorization header) were sent"
    scheme, _, encoded = header.partition(" ")
    try:
        user, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "the Authorization header is not HTTP Basic credentials"
    if scheme.lower() != "basic":
        return f"the Authorization header's scheme is {scheme!r}, not Basic"
    if user != identity:
        return f"the Basic user name {user!r} is not the identity {identity!r}"
    if secret != password:
        return "the Basic password is not the station's"
    return None
