"""API keys that verified recently, remembered so that a request need not read and hash again.

Entries are found by the SHA-256 digest of the presented key, never by the key itself: the
plaintext is not kept in memory, and finding an entry compares digests, so the time a lookup
takes says nothing about how close a guess came to a real key (a wrong key is never
remembered, and always pays the store's full, constant-time check). An entry lives
:data:`VERIFIED_TTL` seconds: the bound on how long another process (``chargeyard key
delete``) may take to be heard; a revocation in this process forgets the key at once.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from chargeyard.store.models import ApiKey

VERIFIED_TTL = 60.0
_MAX_REMEMBERED = 1024


class VerifiedKeys:
    """Keys that verified, by digest, for ``ttl`` seconds on ``clock``."""

    def __init__(
        self, ttl: float = VERIFIED_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[bytes, tuple[ApiKey, float]] = {}

    def get(self, plaintext: str) -> ApiKey | None:
        """The key's row if ``plaintext`` verified less than ``ttl`` seconds ago."""
        digest = _digest(plaintext)
        entry = self._entries.get(digest)
        if entry is None:
            return None
        api_key, expires = entry
        if self._clock() >= expires:
            del self._entries[digest]
            return None
        return api_key

    def add(self, plaintext: str, api_key: ApiKey) -> None:
        if len(self._entries) >= _MAX_REMEMBERED:
            self._entries.clear()  # many keys in use at once: start over rather than grow
        self._entries[_digest(plaintext)] = (api_key, self._clock() + self._ttl)

    def forget(self, key_id: str) -> None:
        """Forget the key with row id ``key_id`` (revoked)."""
        for digest in [d for d, (api_key, _) in self._entries.items() if api_key.id == key_id]:
            del self._entries[digest]


def _digest(plaintext: str) -> bytes:
    return hashlib.sha256(plaintext.encode()).digest()
