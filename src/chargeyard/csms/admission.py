"""Who may open an OCPP WebSocket: the checks of the opening handshake.

- An identity the store does not know is refused with 404, unless auto-registration is on
  (it is then registered when its WebSocket opens, or at security profile 2 when its first
  password is kept).
- A station with a password (OCPP security profile 1: HTTP Basic authentication, OCPP 2.0.1
  part 2 A00.FR.203 / OCPP 1.6 security whitepaper section 2.4) must present
  ``Authorization: Basic base64(identity:password)``; missing, malformed or wrong credentials
  are refused with 401 and a ``WWW-Authenticate`` challenge. The password is checked against
  its scrypt hash in a worker thread (the store's ``verify_password``), off the event loop,
  unless the same password already matched the same hash (``verified_passwords.py``).
- A station without a password is let in without credentials, and so is one whose client
  certificate named it already (security profile 3, ``tls_settings.py``: the certificate is its
  credential, A00.FR.401).
- At security profile 2 (TLS and HTTP Basic, A00.FR.301-304) every station presents its
  password: one without a password is refused with 403, unless auto-registration is on, which
  keeps the first password such a station presents (``first_password.py``).
- Wrong credentials in a row from one source make that source wait before its next attempt
  for the identity is checked, counted from when each check starts (``login_backoff.py``); an
  attempt during the wait is refused with 429 and ``Retry-After``.
- A station of the simulator gateway comes only as its own organization's station
  (``claims.py``: 403 otherwise).
"""

from __future__ import annotations

import asyncio
import binascii
import math
from base64 import b64decode
from dataclasses import dataclass
from http import HTTPStatus

from websockets.datastructures import Headers

from chargeyard.csms.first_password import FirstPasswords
from chargeyard.csms.login_backoff import LoginBackoff
from chargeyard.csms.peers import UNKNOWN
from chargeyard.csms.verified_passwords import VerifiedPasswords
from chargeyard.protocol.identity import loggable
from chargeyard.protocol.passwords import password_problem
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
    source: str = UNKNOWN,
    backoff: LoginBackoff | None = None,
    verified: VerifiedPasswords | None = None,
    password_required: bool = False,
    first_passwords: FirstPasswords | None = None,
) -> Refusal | None:
    """None if ``identity`` may connect with these handshake headers, else why not."""
    station = (await read_connecting(reading(store.engine), [identity])).get(identity)
    return await judge(
        station,
        identity,
        headers,
        auto_register=auto_register,
        source=source,
        backoff=backoff,
        verified=verified,
        password_required=password_required,
        first_passwords=first_passwords,
    )


async def judge(
    station: ConnectingStation | None,
    identity: str,
    headers: Headers,
    *,
    auto_register: bool,
    source: str = UNKNOWN,
    backoff: LoginBackoff | None = None,
    verified: VerifiedPasswords | None = None,
    certified: bool = False,
    password_required: bool = False,
    first_passwords: FirstPasswords | None = None,
) -> Refusal | None:
    """:func:`admit` for a station already read from the store (None: unknown), for a caller
    that keeps what it read for the connection that follows.

    Args:
        source: where the attempt comes from (``peers.py``), what ``backoff`` counts by.
        certified: a client certificate naming ``identity`` was verified (security profile
            3): it is the station's credential.
        password_required: security profile 2: every station presents its password, and one
            without a password is refused, unless ``first_passwords`` keeps the first one
            it presents (auto-registration, ``first_password.py``).
    """
    if station is None and not auto_register:
        return Refusal(HTTPStatus.NOT_FOUND, f"unknown station {identity!r}")
    if certified:
        return None
    stored = None if station is None else station.password_hash
    if stored is None:
        if not password_required:
            return None
        if first_passwords is None:
            return Refusal(
                HTTPStatus.FORBIDDEN,
                "security profile 2 needs a password, and this station has none (give it one:"
                " PATCH /api/v1/chargers/{id} with a password)",
            )
    credentials = basic_credentials(headers)
    if credentials is None:
        return Refusal(HTTPStatus.UNAUTHORIZED, "HTTP Basic credentials required")
    user, password = credentials
    if stored is None and (problem := password_problem(password)) is not None:
        return Refusal(HTTPStatus.UNAUTHORIZED, f"cannot keep this password: {problem}")
    if backoff is not None and (wait := backoff.begin(identity, source)) > 0:
        seconds = math.ceil(wait)
        return Refusal(
            HTTPStatus.TOO_MANY_REQUESTS,
            f"too many wrong credentials; try again in {seconds} s",
            retry_after_s=seconds,
        )
    try:
        # The user must be the identity in the path (OCPP 2.0.1 part 2 A00.FR.205).
        if user == identity:
            if stored is not None:
                right = await _matches(password, stored, verified)
            else:
                assert first_passwords is not None
                right = await first_passwords.keep(identity, password)
        else:
            right = False
    except BaseException:
        if backoff is not None:
            backoff.abandoned(identity, source)
        raise
    if not right:
        if backoff is not None:
            backoff.failed(identity, source, loggable(identity))
        return Refusal(HTTPStatus.UNAUTHORIZED, "wrong credentials")
    if backoff is not None:
        backoff.succeeded(identity, source)
    return None


async def _matches(password: str, stored_hash: str, verified: VerifiedPasswords | None) -> bool:
    if verified is not None and verified.known(password, stored_hash):
        return True
    if not await asyncio.to_thread(verify_secret, password, stored_hash):
        return False
    if verified is not None:
        verified.remember(password, stored_hash)
    return True
