"""Reservations: a connector held for one id token (or its group) until it expires or is used.

Theory of operation
-------------------
A :class:`Reservation` names a specific EVSE (1.6 connector; ``evse_id`` >= 1) or none
(``evse_id`` None: 1.6 connectorId 0, 2.0.1 ReserveNow without evseId, optionally for a
``connector_type``). It is for an id token and, optionally, the token's group (1.6
parentIdTag, 2.0.1 groupIdToken): a token may use it when it is the reserved token or when
both name the same group (1.6 section 5.13; 2.0.1 H01). The :class:`ReservationBook` keeps the
reservations of one station; the caller keeps the connector statuses (1.6 ChargePointStatus
names, key 0 for the station itself) and passes them in.

Reserving (1.6 sections 5.13, 6.37, 7.40; 2.0.1 H01), in this order:

* the book is configured not to take reservations, or the reservation has already expired:
  Rejected; a reservation without an EVSE where that is not supported (1.6
  ReserveConnectorZeroSupported; 2.0.1 ReservationCtrlr.NonEvseSpecific, H01.FR.19): Rejected;
* the station (status 0) or the reserved connector is Faulted: Faulted; Unavailable:
  Unavailable;
* the connector is in use or reserved by another reservation, "for the same or another
  idTag": Occupied;
* the reservations without an EVSE must each keep one connector of their type available "at
  any time during the validity of the reservation" (1.6 section 5.13): a new reservation is
  Occupied when it would take a connector one of them needs, or (itself without an EVSE) when
  no connector is left for it. Which reservation gets which connector is a bipartite matching
  (a connector type narrows the choice); a reservation "needs" a connector when the largest
  matching shrinks without it. Connectors count as available when their status is Available,
  or Reserved with no specific reservation holding them (a station may show the connectors it
  keeps for these reservations as Reserved).

A reservation with the id of an existing one replaces it (1.6 section 5.13; 2.0.1 H01): the
new one is checked as if the old one were gone, and if refused the old one stays.

A reservation ends when its expiry is reached (:meth:`ReservationBook.expire`; at the instant
``expires_at`` it is over), when it is cancelled, when a transaction starts with it
(:meth:`ReservationBook.consume`; 1.6 sections 4.8 and 5.13: StartTransaction carries its id),
or when its connector or the station becomes Faulted or Unavailable
(:meth:`ReservationBook.drop_inoperative`; 1.6 section 5.13 (3); 2.0.1 ReservationStatusUpdate
Removed). The caller then makes the connector Available (1.6 section 4.9, G1) and, in 2.0.1,
sends ReservationStatusUpdate. Nothing here reads a clock or does I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chargeyard.station.model.authorization import IdToken
from chargeyard.station.model.states import ConnectorStatus

_C = ConnectorStatus
_INOPERATIVE = frozenset({_C.FAULTED, _C.UNAVAILABLE})
# Statuses in which a connector can be given to a reservation (see the module docstring).
_TAKEABLE = frozenset({_C.AVAILABLE, _C.RESERVED})


class ReserveStatus(StrEnum):
    """1.6 ReservationStatus (section 7.40), 2.0.1 ReserveNowStatusEnumType: the same five."""

    ACCEPTED = "Accepted"
    FAULTED = "Faulted"
    OCCUPIED = "Occupied"
    REJECTED = "Rejected"
    UNAVAILABLE = "Unavailable"


@dataclass(frozen=True, slots=True)
class Reservation:
    """One ReserveNow. ``evse_id`` 0 is read as None (no specific EVSE: 1.6 connectorId 0)."""

    id: int
    evse_id: int | None
    connector_type: str | None
    id_token: IdToken
    parent_id: str | None
    expires_at: datetime

    def __post_init__(self) -> None:
        if self.evse_id == 0:
            object.__setattr__(self, "evse_id", None)
        if self.evse_id is not None and self.evse_id < 0:
            raise ValueError(f"no EVSE has a negative id: {self.evse_id}")
        if self.expires_at.utcoffset() is None:
            raise ValueError(f"expires_at must be timezone-aware: {self.expires_at!r}")

    def is_for(self, id_token: IdToken, parent_id: str | None) -> bool:
        """The reserved token, or one of the same group (1.6 section 5.13: "the incoming
        idTag or the parent idTag match the idTag or parent idTag of the reservation"; a group
        id is not compared with a token value, 1.6 section 3.10)."""
        if id_token == self.id_token:
            return True
        return (
            self.parent_id is not None
            and parent_id is not None
            and self.parent_id.casefold() == parent_id.casefold()
        )


class ReservationBook:
    """The reservations of one station.

    Args:
        enabled: whether the station takes reservations at all (1.6 Reservation profile;
            2.0.1 ReservationCtrlr.Enabled); when not, every ReserveNow is Rejected.
        unspecified_supported: 1.6 ReserveConnectorZeroSupported; 2.0.1
            ReservationCtrlr.NonEvseSpecific.
        connector_types: per EVSE, the connector types it offers (2.0.1 ConnectorEnumType
            values); None when unknown, and then every EVSE offers every type.
    """

    def __init__(
        self,
        *,
        enabled: bool = True,
        unspecified_supported: bool = False,
        connector_types: Mapping[int, Collection[str]] | None = None,
    ) -> None:
        self._enabled = enabled
        self._unspecified_supported = unspecified_supported
        self._connector_types = connector_types
        self._by_id: dict[int, Reservation] = {}

    @property
    def reservations(self) -> tuple[Reservation, ...]:
        """All reservations, by id."""
        return tuple(self._by_id[key] for key in sorted(self._by_id))

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, reservation_id: int) -> Reservation | None:
        return self._by_id.get(reservation_id)

    def for_evse(self, evse_id: int) -> Reservation | None:
        """The reservation holding this specific EVSE, if any."""
        return next((r for r in self._by_id.values() if r.evse_id == evse_id), None)

    def next_expiry(self) -> datetime | None:
        """When the next reservation expires: the caller's next timer."""
        return min((r.expires_at for r in self._by_id.values()), default=None)

    def reserve(
        self, reservation: Reservation, *, now: datetime, connector_states: Mapping[int, str]
    ) -> ReserveStatus:
        """Take (or replace) a reservation; the rules are in the module docstring.

        On Accepted the caller sets a specific connector Reserved (1.6 section 4.9, A7); if the
        reservation replaced one for another connector (see :meth:`get` before), it frees that.
        """
        status = self._check(reservation, now, connector_states)
        if status is ReserveStatus.ACCEPTED:
            self._by_id[reservation.id] = reservation
        return status

    def cancel(self, reservation_id: int) -> Reservation | None:
        """CancelReservation: the reservation removed, or None for an unknown id (1.6 section
        5.1: Rejected; 2.0.1 H02)."""
        return self._by_id.pop(reservation_id, None)

    def expire(self, now: datetime) -> list[Reservation]:
        """Remove and return the reservations whose expiry is reached, earliest first."""
        return self._remove(r for r in self._by_id.values() if r.expires_at <= now)

    def drop_inoperative(self, connector_states: Mapping[int, str]) -> list[Reservation]:
        """Remove and return the reservations ended by a Faulted or Unavailable connector, or
        all of them when the station itself (status 0) is (1.6 section 5.13 (3))."""
        if connector_states.get(0) in _INOPERATIVE:
            return self._remove(self._by_id.values())
        return self._remove(
            r
            for r in self._by_id.values()
            if r.evse_id is not None and connector_states.get(r.evse_id) in _INOPERATIVE
        )

    def may_use(
        self,
        evse_id: int,
        id_token: IdToken,
        parent_id: str | None,
        now: datetime,
        *,
        connector_states: Mapping[int, str],
        tentative: bool = False,
    ) -> bool:
        """Whether the token may start charging on ``evse_id`` as far as reservations go.

        A reserved EVSE refuses every token but the reservation's own and its group's (1.6
        section 5.13; 2.0.1 H01, H03). Any other EVSE may be used unless one of the
        reservations that name no EVSE needs it (module docstring); a token holding such a
        reservation may use any EVSE of its type. Reservations expired at
        ``now`` are ignored. ``parent_id`` is the token's group as the local list, the cache
        or an Authorize answer gave it (1.6 section 5.13).

        ``tentative``: the token's group is not known yet (``parent_id`` None) and the station
        asks Authorize to learn it; until the answer, a live reservation for a group may still
        turn out to be the token's (1.6 section 5.13; 2.0.1 H03).
        """
        # Until the Authorize answer tells the token's group, a live group reservation on this
        # EVSE (or on none) may turn out to be the token's.
        if (tentative and parent_id is None) and any(
            r.parent_id is not None and r.expires_at > now and r.evse_id in (None, evse_id)
            for r in self._by_id.values()
        ):
            return True
        live = [r for r in self._by_id.values() if r.expires_at > now]
        held = next((r for r in live if r.evse_id == evse_id), None)
        if held is not None:
            return held.is_for(id_token, parent_id)
        pool = [r for r in live if r.evse_id is None]
        free = self._free(connector_states, live) | {evse_id}
        rest = free - {evse_id}
        served = self._served(pool, free)
        # The token's own reservation may take this EVSE if the others keep what they had.
        mine = [r for r in pool if r.is_for(id_token, parent_id)]
        if any(
            self._offers(evse_id, own.connector_type)
            and self._served([r for r in pool if r is not own], rest) + 1 >= served
            for own in mine
        ):
            return True
        return self._served(pool, rest) >= served

    def consume(self, evse_id: int, id_token: IdToken, parent_id: str | None) -> Reservation | None:
        """A transaction started on ``evse_id`` for this token: remove and return the
        reservation it ends (its id goes into 1.6 StartTransaction.req, 2.0.1 TransactionEvent
        reservationId), or None. That is the EVSE's own reservation when the token may use it,
        else the earliest-expiring reservation without an EVSE that the token may use here.
        Call :meth:`expire` first: this does not look at the clock."""
        held = self.for_evse(evse_id)
        if held is not None:
            return self._by_id.pop(held.id) if held.is_for(id_token, parent_id) else None
        for reservation in sorted(self._by_id.values(), key=lambda r: (r.expires_at, r.id)):
            if (
                reservation.evse_id is None
                and reservation.is_for(id_token, parent_id)
                and self._offers(evse_id, reservation.connector_type)
            ):
                return self._by_id.pop(reservation.id)
        return None

    # --- internals -----------------------------------------------------------------------------

    def _check(self, new: Reservation, now: datetime, states: Mapping[int, str]) -> ReserveStatus:
        if not self._enabled or new.expires_at <= now:
            return ReserveStatus.REJECTED
        if new.evse_id is None and not self._unspecified_supported:
            return ReserveStatus.REJECTED
        if states.get(0) == _C.FAULTED:
            return ReserveStatus.FAULTED
        if states.get(0) == _C.UNAVAILABLE:
            return ReserveStatus.UNAVAILABLE
        # The one being replaced (same id) does not count; expired ones are gone already.
        others = [r for r in self._by_id.values() if r.id != new.id and r.expires_at > now]
        pool = [r for r in others if r.evse_id is None]
        free = self._free(states, others)
        if new.evse_id is None:
            candidates = [e for e in states if e > 0 and self._offers(e, new.connector_type)]
            if not candidates:
                return ReserveStatus.REJECTED  # no EVSE with that connector type
            if self._served([*pool, new], free) > self._served(pool, free):
                return ReserveStatus.ACCEPTED
            return self._why_not(candidates, states)
        state = states.get(new.evse_id)
        if state is None or not self._offers(new.evse_id, new.connector_type):
            return ReserveStatus.REJECTED  # no such EVSE, or not of the asked type
        if state in _INOPERATIVE:
            return ReserveStatus(state)  # Faulted or Unavailable, the same words
        if new.evse_id not in free or (
            self._served(pool, free - {new.evse_id}) < self._served(pool, free)
        ):
            return ReserveStatus.OCCUPIED
        return ReserveStatus.ACCEPTED

    @staticmethod
    def _why_not(candidates: list[int], states: Mapping[int, str]) -> ReserveStatus:
        # 1.6 section 7.40: Faulted / Unavailable when the connectors are, else Occupied.
        if all(states[e] == _C.FAULTED for e in candidates):
            return ReserveStatus.FAULTED
        if all(states[e] in _INOPERATIVE for e in candidates):
            return ReserveStatus.UNAVAILABLE
        return ReserveStatus.OCCUPIED

    def _offers(self, evse_id: int, connector_type: str | None) -> bool:
        if connector_type is None or self._connector_types is None:
            return True
        return connector_type in self._connector_types.get(evse_id, ())

    @staticmethod
    def _free(states: Mapping[int, str], reservations: Iterable[Reservation]) -> set[int]:
        """EVSEs that could be given to a reservation: takeable status, no specific holder."""
        held = {r.evse_id for r in reservations if r.evse_id is not None}
        return {e for e, s in states.items() if e > 0 and s in _TAKEABLE and e not in held}

    def _served(self, pool: list[Reservation], free: set[int]) -> int:
        """How many reservations of ``pool`` can each have an EVSE of their own, of their type,
        from ``free``: the size of a maximum bipartite matching (Kuhn's augmenting paths)."""
        holder: dict[int, Reservation] = {}

        def place(reservation: Reservation, seen: set[int]) -> bool:
            for evse in sorted(free):
                if evse in seen or not self._offers(evse, reservation.connector_type):
                    continue
                seen.add(evse)
                if evse not in holder or place(holder[evse], seen):
                    holder[evse] = reservation
                    return True
            return False

        return sum(place(reservation, set()) for reservation in pool)

    def _remove(self, gone: Iterable[Reservation]) -> list[Reservation]:
        removed = sorted(gone, key=lambda r: (r.expires_at, r.id))
        for reservation in removed:
            del self._by_id[reservation.id]
        return removed
