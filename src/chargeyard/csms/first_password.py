"""Security profile 2 with auto-registration: the first password a station presents is kept.

Profile 2 is TLS plus HTTP Basic authentication (OCPP 2.0.1 part 2 A00.FR.301-304; OCPP 1.6
security whitepaper section 2.4): every station presents its password. A station the central
system does not know yet, or knows without a password, has none to check against; with
auto-registration the listener keeps the first password such a station presents (stored hashed,
``store/hashing.py``), much as a CSMS that provisions a station's password with
SetVariables BasicAuthPassword (2.0.1 A01) or ChangeConfiguration AuthorizationKey (1.6) keeps
the one it set. From then on the station is checked against it like any other, and a
connection with another password is refused (401). Of two first connections at the same moment
with different passwords, the one stored first wins; the other is checked against it.

An operator who wants to choose the passwords registers the stations with one
(``chargeyard station add ID --password ...``, ``POST /api/v1/chargers``) and runs without
``--auto-register``.
"""

from __future__ import annotations

import asyncio

from chargeyard.store.hashing import hash_password, verify_secret
from chargeyard.store.repositories.stations import StationRepository


class FirstPasswords:
    """Keeps a station's first password, registering the station in ``organization_id`` if
    the store does not know it (module docstring)."""

    def __init__(self, stations: StationRepository, organization_id: str) -> None:
        self._stations = stations
        self._organization_id = organization_id

    async def keep(self, identity: str, password: str) -> bool:
        """Whether ``password`` is now ``identity``'s: kept as its first, or the same as the
        one another connection kept first."""
        hashed = await asyncio.to_thread(hash_password, password)
        stored = await self._stations.keep_first_password(
            identity, hashed, organization_id=self._organization_id
        )
        if stored == hashed:
            return True
        return await asyncio.to_thread(verify_secret, password, stored)
