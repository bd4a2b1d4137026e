"""The listener's side of a station's opening handshake, before the WebSocket is open: the
path names the identity (``/ocpp/{identity}``, its last non-empty segment), the identity
passes its rule, the listener is not too far behind to take another station
(``backpressure.py``: 503), and the station is admitted (``admission.py``: 404 unknown, 401
bad credentials; at security profile 3 first the client certificate must name it, 403,
``tls_settings.py``). What the check read of the admitted station serves the connection it
opens (:meth:`Handshake.admitted`). The version is chosen here too: the newest both sides
speak (OCPP-J 1.6 section 3.1.2, OCPP 2.0.1 part 4 section 3.1.2).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargeyard.csms.admission import CHALLENGE, judge
from chargeyard.csms.backpressure import ConnectionGate
from chargeyard.csms.claims import placed
from chargeyard.csms.first_password import FirstPasswords
from chargeyard.csms.known import KnownStation
from chargeyard.csms.login_backoff import LoginBackoff
from chargeyard.csms.peers import address_of, source_of
from chargeyard.csms.verified_passwords import VerifiedPasswords
from chargeyard.protocol import negotiate
from chargeyard.protocol.identity import identity_in_path, identity_problem, loggable
from chargeyard.store import Store
from chargeyard.store.station_lookup import StationLookup
from chargeyard.tls_settings import TlsSettings, certificate_problem

logger = logging.getLogger(__name__)

PATH_PREFIX = "/ocpp/"


class Handshake:
    """The checks of one listener's handshakes (its ``process_request``). ``lookup`` reads the
    stations whose handshakes arrive together in one query; ``gate`` holds and refuses
    handshakes while the listener is behind (None: every one let in); ``backoff`` and
    ``verified`` are the listener's (``login_backoff.py``, ``verified_passwords.py``).
    ``auto_register``: an unknown identity is let in and registered in ``register_into``.
    ``tls``: the listener's (None: ``ws://``)."""

    def __init__(
        self,
        store: Store,
        lookup: StationLookup,
        gate: ConnectionGate | None,
        backoff: LoginBackoff,
        verified: VerifiedPasswords,
        *,
        auto_register: bool,
        register_into: str,
        tls: TlsSettings | None,
    ) -> None:
        self._store = store
        self._lookup = lookup
        self._gate = gate
        self._backoff = backoff
        self._verified = verified
        self._auto_register = auto_register
        # Security profile 2: every station presents a password (``admission.py``); with
        # auto-registration a station without one keeps the first it presents.
        self._password_required = tls is not None and tls.security_profile == 2
        self._first_passwords = (
            FirstPasswords(store.stations, register_into)
            if self._password_required and auto_register
            else None
        )
        # Profile 3 checks the client certificate's name before the rest; a ws:// or profile
        # 2 listener's handshakes take the same path as ever.
        self._certified = tls is not None and tls.client_ca_file is not None
        # The station row each handshake read, for the connection it opens (weak: a handshake
        # that fails after the check opens none).
        self._admitted: weakref.WeakKeyDictionary[ServerConnection, KnownStation] = (
            weakref.WeakKeyDictionary()
        )

    async def process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        """The handshake's answer when it is refused; None lets it on."""
        if self._certified:
            return await self._check_certified(connection, request)
        return await self._check_request(connection, request)

    def admitted(self, connection: ServerConnection) -> KnownStation | None:
        """What the check of ``connection``'s handshake read of its station (once)."""
        return self._admitted.pop(connection, None)

    async def _check_certified(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        """Security profile 3: the verified client certificate must name the identity in the
        path (A00.FR.405, ``tls_settings.py``); it is then the station's credential."""
        identity = identity_from_path(request.path)
        if identity is not None:
            problem = certificate_problem(
                connection.transport.get_extra_info("ssl_object"), identity
            )
            if problem is not None:
                logger.warning("refused %s (403): %s", loggable(identity), problem)
                return connection.respond(HTTPStatus.FORBIDDEN, f"{problem}\n")
        return await self._check_request(connection, request, certified=True)

    async def _check_request(
        self, connection: ServerConnection, request: Request, *, certified: bool = False
    ) -> Response | None:
        identity = identity_from_path(request.path)
        if identity is None:
            return connection.respond(
                HTTPStatus.NOT_FOUND, f"OCPP stations connect to {PATH_PREFIX}{{identity}}\n"
            )
        problem = identity_problem(identity)
        if problem is not None:
            logger.warning("refused the identity %s (400): %s", loggable(identity), problem)
            return connection.respond(HTTPStatus.BAD_REQUEST, f"{problem}\n")
        retry_after = None if self._gate is None else await self._gate.admit()
        if retry_after is not None:
            response = connection.respond(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "the central system is behind with its stations' messages; try again later\n",
            )
            response.headers["Retry-After"] = str(retry_after)
            return response
        station = await self._lookup.get(identity)
        peer = connection.transport.get_extra_info("peername")
        refusal = await judge(
            station,
            identity,
            request.headers,
            auto_register=self._auto_register,
            source=source_of(peer),
            backoff=self._backoff,
            verified=self._verified,
            certified=certified,
            password_required=self._password_required,
            first_passwords=self._first_passwords,
        )
        if refusal is None:
            # A station of the gateway only as its organization's; an unknown one registered
            # as it connects (auto_register), in its organization (claims.py).
            known = await placed(self._store, identity, station, request.headers)
            if isinstance(known, KnownStation):
                self._admitted[connection] = known
                return None
            refusal = known
        if refusal.status == HTTPStatus.NOT_FOUND:
            logger.warning(
                "refused %s (404, unknown): register it with `chargeyard station add %s`,"
                " or run the CSMS with --auto-register",
                identity,
                identity,
            )
        else:
            logger.warning(
                "refused %s from %s (%d): %s",
                identity,
                address_of(peer),
                refusal.status,
                refusal.reason,
            )
        response = connection.respond(refusal.status, refusal.reason + "\n")
        if refusal.status == HTTPStatus.UNAUTHORIZED:
            response.headers["WWW-Authenticate"] = CHALLENGE
        if refusal.retry_after_s is not None:
            response.headers["Retry-After"] = str(refusal.retry_after_s)
        return response


def select_subprotocol(
    connection: ServerConnection, subprotocols: Sequence[Subprotocol]
) -> Subprotocol | None:
    """The newest OCPP version the station offers and the listener speaks (None: none)."""
    spec = negotiate(subprotocols)
    return None if spec is None else Subprotocol(spec.subprotocol)


def identity_from_path(path: str) -> str | None:
    """The identity the path names under ``/ocpp/`` (:func:`identity_in_path`)."""
    return identity_in_path(path, PATH_PREFIX)
