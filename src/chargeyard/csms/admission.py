"""Who may open an OCPP WebSocket: the checks of the opening handshake.

- An identity the store does not know is refused with 404, unless auto-registration is on
  (it is then registered when its WebSocket opens).
- A station with a password (OCPP security profile 1: HTTP Basic authentication, OCPP 2.0.1
  part 2 A00.FR.203 / OCPP 1.6 security whitepaper section 2.4) must present
  ``Authorization: Basic base64(identity:password)``; missing, malformed or wrong credentials
  are refused with 401 and a ``WWW-Authenticate`` challenge. The password is checked against
  its scrypt hash in a worker thread (the store's ``verify_password``), off the event loop,
  unless the same password already matched the same hash (``verified_passwords.py``).
- A station without a password is let in without credentials, and so is one whose client
  certificate named it already (security profile 3, ``tls.py``: the certificate is its
  credential, A00.FR.401).
- A station of the simulator gateway comes only as its own organization's station
  (``claims.py``: 403 otherwise).
- Wrong credentials in a row make an identity wait before its next attempt is checked
  (``login_backoff.py``); an attempt during the wait is refused with 429 and ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import binascii
import math
from base64 import b64decode
from dataclasses import dataclass
from http import HTTPStatus

from websockets.datastructures import Headers

from chargeyard.csms.login_backoff import LoginBackoff
from chargeyard.csms.verified_passwords import VerifiedPasswords
from chargeyard.protocol.identity import loggable
from chargeyard.store import Store
from chargeyard.store.engine import reading
from chargeyard.store.hashing import verify_secret
from chargeyard.store.station_lookup import ConnectingStation, read_connecting

REALM = "chargeyard"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'


@dataclass(frozen=True, slots=True)
class Refusal:
    status: HTTPStatus
    reason: str
    retry_after_s: int | None = None


def basic_credentials(headers: Headers) -> tuple[str, str] | None:
    """The (user, password) of a ``Basic`` Authorization header, or None."""
    value = headers.get("Authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon else None


async def admit(
    store: Store,
    identity: str,
    headers: Headers,
    *,
    auto_register: bool,
    backoff: LoginBackoff | None = None,
    verified: VerifiedPasswords | None = None,
) -> Refusal | None:
    """None if ``identity`` may connect with these handshake headers, else why not."""
    station = (await read_connecting(reading(store.engine), [identity])).get(identity)
    return await judge(
        station,
        identity,
        headers,
        auto_register=auto_register,
        backoff=backoff,
        verified=verified,
    )


async def judge(
    station: ConnectingStation | None,
    identity: str,
    headers: Headers,
    *,
    auto_register: bool,
    backoff: LoginBackoff | None = None,
    verified: VerifiedPasswords | None = None,
    certified: bool = False,
) -> Refusal | None:
    """:func:`admit` for a station already read from the store (None: unknown), for a caller
    that keeps what it read for the connection that follows. ``certified``: a client
    certificate naming ``identity`` was verified (security profile 3)."""
    if station is None:
        if auto_register:
            return None
        return Refusal(HTTPStatus.NOT_FOUND, f"unknown station {identity!r}")
    if station.password_hash is None or certified:
        return None
    credentials = basic_credentials(headers)
    if credentials is None:
        return Refusal(HTTPStatus.UNAUTHORIZED, "HTTP Basic credentials required")
    if backoff is not None and (wait := backoff.wait_left(identity)) > 0:
        seconds = math.ceil(wait)
        return Refusal(
            HTTPStatus.TOO_MANY_REQUESTS,
            f"too many wrong credentials; try again in {seconds} s",
            retry_after_s=seconds,
        )
    user, password = credentials
    # The user must be the identity in the path (OCPP 2.0.1 part 2 A00.FR.205).
    if user != identity or not await _matches(password, station.password_hash, verified):
        if backoff is not None:
            backoff.failed(identity, loggable(identity))
        return Refusal(HTTPStatus.UNAUTHORIZED, "wrong credentials")
    if backoff is not None:
        backoff.succeeded(identity)
    return None


async def _matches(password: str, stored_hash: str, verified: VerifiedPasswords | None) -> bool:
    if verified is not None and verified.known(password, stored_hash):
        return True
    if not await asyncio.to_thread(verify_secret, password, stored_hash):
        return False
    if verified is not None:
        verified.remember(password, stored_hash)
    return True
