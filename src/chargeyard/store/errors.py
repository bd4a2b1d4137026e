"""The store's domain errors: the API maps each to one HTTP status, the CSMS to an OCPP answer.

Lookups (``get``) answer ``None`` for a missing row; changes to a missing row raise
:class:`NotFoundError`, so a caller never mistakes "nothing happened" for success.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

DatabaseError = SQLAlchemyError
"""Whatever the database or its driver raised (unreachable, refused, a statement failed):
what a caller that opens or uses the store catches, without importing SQLAlchemy."""

IntegrityViolation = IntegrityError
"""A write the database refused for one of its constraints (a unique key, a foreign key)."""


class StoreError(Exception):
    """Base class of everything the store raises on purpose."""


class NotFoundError(StoreError):
    """The row a change refers to does not exist (or belongs to another organization)."""

    def __init__(self, kind: str, key: object, where: str = "") -> None:
        """``where``: what the search was limited to, e.g. ``"on charger CP-1"``."""
        super().__init__(f"{kind} {key!r} not found{' ' + where if where else ''}")
        self.kind = kind
        self.key = key


class ConflictError(StoreError):
    """The change would break a uniqueness rule (a second station with the same chargeBoxId,
    a transaction id the station already used, ...) or refers to a row that is gone.

    Its message is the store's own words, fit for a client (``conflicts.py``): never the
    database's text, which names tables and columns and differs per database.
    """
