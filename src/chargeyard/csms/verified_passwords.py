"""Passwords already checked against a station's stored hash, so that a station reconnecting
with the same one is let in without paying scrypt again.

A password hash costs ~50 ms of CPU to check (``store/hashing.py``: it is meant to be slow to
brute-force). A station that loses its connection dials again with the same password, many
times a day on a bad network, and a central system with thousands of flapping stations would
spend its cores on the same checks. So once a password has matched a stored hash, this keeps
an HMAC-SHA256 of it under a key that lives only in this process, filed by that stored hash:
the next check of the same password against the same hash is one HMAC. A changed password has
a new hash (its salt is new), so it is checked in full; nothing here outlives the process, and
what is kept cannot be turned back into the password without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections import OrderedDict

CAPACITY = 200_000
"""Stations remembered, the least recently admitted forgotten first (~150 bytes each)."""


class VerifiedPasswords:
    """What :func:`~chargeyard.store.hashing.verify_secret` said yes to, remembered."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._key = os.urandom(32)
        self._capacity = capacity
        self._seen: OrderedDict[str, bytes] = OrderedDict()

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode(), hashlib.sha256).digest()

    def known(self, password: str, stored_hash: str) -> bool:
        """Whether ``password`` already matched ``stored_hash``."""
        digest = self._seen.get(stored_hash)
        if digest is None or not hmac.compare_digest(digest, self._digest(password)):
            return False
        self._seen.move_to_end(stored_hash)
        return True

    def remember(self, password: str, stored_hash: str) -> None:
        """``password`` matched ``stored_hash``."""
        self._seen[stored_hash] = self._digest(password)
        self._seen.move_to_end(stored_hash)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
