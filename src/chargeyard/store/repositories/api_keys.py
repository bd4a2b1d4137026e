"""API keys for the ``X-API-Key`` header.

A key reads ``cy_<prefix>_<secret>``: the 8-hex-digit prefix is stored in clear (it names the
key in listings and finds its row), the 256-bit secret only as a salted scrypt hash of the whole
key (``chargeyard.store.hashing``). :meth:`ApiKeyRepository.create` returns the plaintext once;
nothing can show it again. :meth:`ApiKeyRepository.verify` finds the row by prefix and compares
hashes in constant time; a malformed key or an unknown prefix costs the same hash computation,
so the answer's timing does not tell which prefixes exist.

A key that verified is remembered for :data:`VERIFIED_TTL` (``_verified_keys.py``): every API
request presents its key, and a database read plus a hash per request is what made the REST
API slow behind a thousand stations' traffic. Revoking a key (:meth:`ApiKeyRepository.delete`)
forgets it at once in this process; another process that remembers it stops accepting it
within the TTL.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from datetime import timedelta
from functools import cache

from sqlalchemy import delete, select, update

from chargeyard.store.engine import Sessions
from chargeyard.store.errors import NotFoundError
from chargeyard.store.hashing import hash_token, verify_secret
from chargeyard.store.ids import new_id
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID, ApiKey, ApiKeyRole
from chargeyard.store.repositories._base import Repository
from chargeyard.store.repositories._verified_keys import VerifiedKeys
from chargeyard.store.types import utc_now

KEY_SCHEME = "cy"
# Writing last_used_at at every request would make every API call a database write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@cache
def _dummy_hash() -> str:
    return hash_token("cy_00000000_not-a-key")


def _parse(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    scheme, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or len(prefix) != 8 or not secret:
        return None
    return prefix


class ApiKeyRepository(Repository):
    def __init__(self, sessions: Sessions) -> None:
        super().__init__(sessions)
        self._verified = VerifiedKeys()

    async def create(
        self,
        name: str,
        role: ApiKeyRole = ApiKeyRole.ADMIN,
        *,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
    ) -> tuple[ApiKey, str]:
        """A new key named ``name`` with ``role`` in ``organization_id``: the stored row and
        the plaintext key (shown once)."""
        prefix = secrets.token_hex(4)
        plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        key_hash = await asyncio.to_thread(hash_token, plaintext)
        api_key = ApiKey(
            id=new_id("key_"),
            organization_id=organization_id,
            name=name,
            role=ApiKeyRole(role).value,
            prefix=prefix,
            key_hash=key_hash,
        )
        async with self._write() as session:
            session.add(api_key)
        return api_key, plaintext

    async def verify(self, plaintext: str) -> ApiKey | None:
        """The key's row if ``plaintext`` is a valid key, else None."""
        remembered = self._verified.get(plaintext)
        if remembered is not None:
            return remembered
        prefix = _parse(plaintext)
        api_key = None
        if prefix is not None:
            async with self._read() as session:
                api_key = await session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        stored = api_key.key_hash if api_key is not None else _dummy_hash()
        valid = await asyncio.to_thread(verify_secret, plaintext, stored)
        if api_key is None or not valid:
            return None
        now = utc_now()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
            async with self._write() as session:
                await session.execute(
                    update(ApiKey).where(ApiKey.id == api_key.id).values(last_used_at=now)
                )
            api_key.last_used_at = now
        self._verified.add(plaintext, api_key)
        return api_key

    async def get(self, key_id: str, *, organization_id: str | None = None) -> ApiKey | None:
        """The key ``key_id`` (of ``organization_id``, when given)."""
        async with self._read() as session:
            api_key = await session.get(ApiKey, key_id)
        if api_key is None or organization_id not in (None, api_key.organization_id):
            return None
        return api_key

    async def list(self, *, organization_id: str | None = None) -> Sequence[ApiKey]:
        """The keys of ``organization_id`` (every organization's for None), oldest first."""
        statement = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
        if organization_id is not None:
            statement = statement.where(ApiKey.organization_id == organization_id)
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def move(self, key_id: str, organization_id: str) -> None:
        """Give the key ``key_id`` to ``organization_id`` (a platform's own doing: no API
        route moves a key). This process forgets it had verified it.

        Raises:
            NotFoundError: no such key.
        """
        async with self._write() as session:
            moved = await session.scalar(
                update(ApiKey)
                .where(ApiKey.id == key_id)
                .values(organization_id=organization_id)
                .returning(ApiKey.id)
            )
        self._verified.forget(key_id)
        if moved is None:
            raise NotFoundError("api key", key_id)

    async def delete(self, key_id: str, *, organization_id: str | None = None) -> None:
        """Revoke a key (of ``organization_id``, when given).

        Raises:
            NotFoundError: no such key (in that organization).
        """
        statement = delete(ApiKey).where(ApiKey.id == key_id)
        if organization_id is not None:
            statement = statement.where(ApiKey.organization_id == organization_id)
        async with self._write() as session:
            deleted = await session.scalar(statement.returning(ApiKey.id))
        self._verified.forget(key_id)
        if deleted is None:
            raise NotFoundError("api key", key_id)
