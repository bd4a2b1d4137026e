"""Salted scrypt hashes for secrets the store must check but never reveal: station passwords
(OCPP security profiles 1 and 2, HTTP Basic) and API keys.

A stored hash is ``scrypt$<n>$<r>$<p>$<salt>$<digest>`` (salt and digest in URL-safe base64),
so the cost can be raised later without invalidating what is stored. Verification recomputes
the digest with the stored parameters and compares with :func:`hmac.compare_digest`, whose time
does not depend on where the digests first differ.

Two costs: :data:`PASSWORD_COST` for secrets a person may have chosen (16 MiB, ~50 ms here), and
:data:`TOKEN_COST` for API keys, which carry 256 random bits; for them the salt and the KDF add
defence in depth but no brute-force margin is needed, and a request must not wait 50 ms for its
key check. Both are CPU-bound: async callers run them in a thread. :func:`hash_password` and
:func:`hash_token` read their cost when called, so a test suite that checks many logins (not
the hash's strength) may lower both for its own process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScryptCost:
    n: int
    r: int = 8
    p: int = 1


PASSWORD_COST = ScryptCost(n=2**14)
TOKEN_COST = ScryptCost(n=2**10)
_SALT_BYTES = 16
_DIGEST_BYTES = 32


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(secret: str, salt: bytes, cost: ScryptCost) -> bytes:
    return hashlib.scrypt(
        secret.encode(),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=256 * cost.n * cost.r * cost.p,
        dklen=_DIGEST_BYTES,
    )


def hash_password(secret: str) -> str:
    """A new hash of a secret a person may have chosen, at :data:`PASSWORD_COST`."""
    return hash_secret(secret, PASSWORD_COST)


def hash_token(secret: str) -> str:
    """A new hash of a random token (an API key), at :data:`TOKEN_COST`."""
    return hash_secret(secret, TOKEN_COST)


def hash_secret(secret: str, cost: ScryptCost) -> str:
    """A new salted hash of ``secret`` at ``cost``, in the self-describing format above."""
    salt = os.urandom(_SALT_BYTES)
    digest = _scrypt(secret, salt, cost)
    return f"scrypt${cost.n}${cost.r}${cost.p}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` hashes to ``stored``; False for a malformed ``stored`` too."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        cost = ScryptCost(n=int(n), r=int(r), p=int(p))
        expected = _unb64(digest)
        actual = _scrypt(secret, _unb64(salt), cost)
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
