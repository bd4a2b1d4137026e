"""Dialling a charger's upstream during the charger's handshake: what the upstream is offered
and shown, and what the charger is told when the upstream will not have it.

The upstream is offered exactly the subprotocols the charger offered (it chooses the OCPP
version, OCPP-J 1.6 section 3.1.2, 2.0.1 part 4 section 3.1.2) and shown the charger's
``Authorization`` header as it came, or HTTP Basic with the route's password and the identity
as user-id (OCPP-J 1.6 security profiles 1 and 2, 2.0.1 part 2 A00.FR.203). No redirect is
followed: the proxy dials only the upstreams it was given.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus
from websockets.headers import build_authorization_basic
from websockets.typing import Subprotocol

from chargeyard.proxy.routes import Route

__all__ = ["WIRE_LOGGER", "UpstreamRefused", "dial"]

WIRE_LOGGER = logging.getLogger("chargeyard.proxy.wire")
"""websockets logs every handshake header at DEBUG, the Authorization header too: the proxy's
sockets log here, held at WARNING (its INFO lines, a connection opened or closed, repeat the
proxy's own), so that ``--log-level DEBUG`` never writes a charger's password (base64 is no
secret)."""
WIRE_LOGGER.setLevel(logging.WARNING)

_STATUSES = frozenset(HTTPStatus)


class UpstreamRefused(Exception):
    """The upstream refused the charger (``status`` its own, with its ``challenge``, the
    ``WWW-Authenticate`` of a 401) or could not be reached (502): ``why`` for the log."""

    def __init__(self, status: HTTPStatus, why: str, challenge: str | None = None) -> None:
        super().__init__(why)
        self.status = status
        self.why = why
        self.challenge = challenge


@dataclass(frozen=True, slots=True)
class UpstreamOptions:
    """``tls``: the context of ``wss://`` upstreams (None: the system's trusted CAs)."""

    tls: ssl.SSLContext | None
    open_timeout: float
    max_message_bytes: int | None


async def dial(
    route: Route,
    identity: str,
    offered: Sequence[str],
    authorization: str | None,
    options: UpstreamOptions,
) -> ClientConnection:
    """The open connection to ``identity``'s upstream.

    Args:
        offered: the subprotocols the charger offered.
        authorization: the charger's ``Authorization`` header (None: it sent none).

    Raises:
        UpstreamRefused: the upstream refused or cannot be reached.
    """
    url = route.upstream_url(identity)
    if route.password is not None:
        authorization = build_authorization_basic(identity, route.password)
    extra: dict[str, Any] = {}
    if url.lower().startswith("wss://") and options.tls is not None:
        extra["ssl"] = options.tls
    try:
        return await _WithoutRedirects(
            url,
            subprotocols=[Subprotocol(p) for p in offered] or None,
            additional_headers={} if authorization is None else {"Authorization": authorization},
            open_timeout=options.open_timeout,
            max_size=options.max_message_bytes,
            compression=None,
            logger=WIRE_LOGGER,
            **extra,
        )
    except InvalidStatus as refused:
        status = refused.response.status_code
        if 400 <= status < 600 and status in _STATUSES:
            challenge = refused.response.headers.get("WWW-Authenticate")
            raise UpstreamRefused(HTTPStatus(status), f"it answered {status}", challenge) from None
        # A redirect, which is not followed, or a status HTTP does not name.
        raise UpstreamRefused(HTTPStatus.BAD_GATEWAY, f"it answered {status}") from None
    except (OSError, InvalidHandshake, TimeoutError) as error:
        why = f"it cannot be reached: {str(error) or type(error).__name__}"
        raise UpstreamRefused(HTTPStatus.BAD_GATEWAY, why) from None


class _WithoutRedirects(connect):
    """websockets' client, which follows no redirect."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc
