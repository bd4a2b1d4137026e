"""Unique ids for outgoing messages: what a session gives a CALL unless a generator is injected.

A message id is unique per sender and at most 36 characters (OCPP-J 1.6 section 4.1.3; OCPP
2.0.1 part 4 section 4.1.3).
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from collections.abc import Callable


def new_unique_id() -> str:
    """A random UUID, 36 characters: a generator for callers who want UUIDs."""
    return str(uuid.uuid4())


def unique_ids() -> Callable[[], str]:
    """The default message id generator of a session: a random 64-bit prefix, then a counter.

    Unique within the session by construction and across sessions with overwhelming
    probability; about ten times cheaper per message than ``uuid4`` (which measured 8.8 % of a
    busy station's CPU) and at most 36 characters for 10**19 messages.
    """
    prefix = secrets.token_hex(8)
    counter = itertools.count(1)
    return lambda: f"{prefix}-{next(counter)}"


__all__ = ["new_unique_id", "unique_ids"]
