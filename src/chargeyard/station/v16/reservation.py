"""Reservation profile (OCPP 1.6 sections 5.1 and 5.13): ReserveNow, CancelReservation, expiry.

Theory of operation
-------------------
The rules of reserving live in the model's :class:`ReservationBook` (by EVSE); this module
feeds it the connector states, keeps which 1.6 connector each reservation named, and makes the
connectors show what the book holds. The book takes reservations only when the station has the
Reservation profile (SupportedFeatureProfiles) and, for connectorId 0, when
ReserveConnectorZeroSupported is true (section 9.3); otherwise ReserveNow answers Rejected,
"not configured to accept reservations" (section 7.40).

What a connector shows follows from the book, re-derived after every change of the book and
every status change (:meth:`ReservationV16.follow_reservations`, which the station's hooks call
after a connector's status is set, after connector 0's is reported, and at power-on, since a
reboot cancelled the expiry timer):

* a connector a reservation names is Reserved (section 4.9, A7), announced after the
  ReserveNow.conf;
* a reservation for connectorId 0 reserves no specific connector but keeps one available for
  its idTag (section 5.13); a connector is shown Reserved when those reservations need it,
  i.e. when no other idTag could use it any more (on a one-connector station: at once);
* when a reservation ends (cancelled, expired at its expiryDate, used by a transaction) its
  connector becomes Available again (G1), or Preparing if a cable waits in it (G2);
* a reservation ends when its connector, or the station, becomes Faulted or Unavailable
  (section 5.13); the connector keeps that status.

One timer, ``reservation_expiry``, waits for :meth:`ReservationBook.next_expiry`.

Starting a session (``transactions.py``) asks :meth:`ReservationV16.may_start_session`: a
reserved connector takes only the reservation's idTag or an idTag with its parentIdTag (section
5.13), the parent found in the local list, the cache or the Authorize.conf; a plug into a
Reserved connector leaves it Reserved until such a tag comes. StartTransaction.req then carries
the reservationId (``ReservationBook.consume``, section 6.45).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.model.authorization import IdToken, IdTokenInfo
from chargeyard.station.model.reservations import Reservation, ReservationBook, ReserveStatus
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Connector, Evse

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

_S = ConnectorStatus
_INOPERATIVE = frozenset({_S.FAULTED, _S.UNAVAILABLE})
# An idTag no reservation is for: "could anyone else still use this connector?"
_ANYONE_ELSE = IdToken("\x00anyone-else")


class ReservationV16(Block["StationV16"]):
    """ReserveNow and CancelReservation; see the module docstring."""

    __slots__ = ("_following", "_reserved_connectors")

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        self.station.model.reservations = ReservationBook(
            enabled="Reservation" in self.station.config.get_list("SupportedFeatureProfiles"),
            unspecified_supported=self.station.config.get_bool("ReserveConnectorZeroSupported"),
        )
        # Per reservation id, the 1.6 connector it named (0: none); the book keeps EVSEs.
        self._reserved_connectors: dict[int, int] = {}
        self._following = False

    # -- ReserveNow (sections 5.13, 6.37) -------------------------------------------------------

    @on("ReserveNow")
    def reserve_now(self, payload: v16.ReserveNowRequest) -> v16.ReserveNowResponse:
        number: int = payload["connectorId"]
        try:
            connector = None if number == 0 else self.station.connector_of(number)
        except KeyError:
            return {"status": ReserveStatus.REJECTED.value}
        now = self.station.clock.now()
        book = self.station.model.reservations
        book.expire(now)
        reservation = Reservation(
            id=payload["reservationId"],
            evse_id=None if connector is None else connector.evse_id,
            connector_type=None,
            id_token=IdToken(payload["idTag"]),
            parent_id=payload.get("parentIdTag"),
            expires_at=_parse_time(payload["expiryDate"]),
        )
        status = book.reserve(reservation, now=now, connector_states=self._states(connector))
        if status is ReserveStatus.ACCEPTED:
            # A reservationId already known is replaced (section 5.13), perhaps elsewhere.
            self._reserved_connectors[reservation.id] = number
            self.station.after_answer(self.follow_reservations)
        return {"status": status.value}

    # -- CancelReservation (sections 5.1, 6.5) --------------------------------------------------

    @on("CancelReservation")
    def cancel_reservation(
        self, payload: v16.CancelReservationRequest
    ) -> v16.CancelReservationResponse:
        cancelled = self.station.model.reservations.cancel(payload["reservationId"])
        if cancelled is None:
            return {"status": "Rejected"}  # no reservation with that id (section 5.1)
        self._reserved_connectors.pop(cancelled.id, None)
        self.station.after_answer(self.follow_reservations)
        return {"status": "Accepted"}

    # -- starting a session ---------------------------------------------------------------------

    def may_start_session(
        self, evse: Evse, token: IdToken, info: IdTokenInfo | None, *, tentative: bool = False
    ) -> bool:
        """Section 5.13: a reserved connector takes its reservation's idTag, or one whose
        parentIdTag is the reservation's; a parent not known here is asked of the central
        system (Authorize.req), and until then (``tentative``) a group's reservation may
        still be this idTag's."""
        now, model = self.station.clock.now(), self.station.model
        group = model.known_group(token, info, now)
        return model.reservations.may_use(
            evse.id, token, group, now, connector_states=self._states(), tentative=tentative
        )

    # -- the connectors follow the book ---------------------------------------------------------

    def status_set(self, connector: Connector) -> None:
        """A connector's status was set: the book may have to follow (section 5.13)."""
        self.follow_reservations()

    def follow_reservations(self) -> None:
        """End what is over, show what is reserved, and arm the expiry timer."""
        if self._following:
            return  # the statuses set below come back through set_status
        model = self.station.model
        if (
            len(model.reservations) == 0
            and not self._reserved_connectors
            and not any(connector.status is _S.RESERVED for connector in model.connectors())
        ):
            # Nothing to follow, the common case (every status change, every boot of a fleet);
            # as in v201/reservation.py.
            self.station.timers.cancel("reservation_expiry")
            return
        self._following = True
        try:
            self._end_reservations()
            self._show_reservations()
            self._arm_expiry()
        finally:
            self._following = False

    def _end_reservations(self) -> None:
        book = self.station.model.reservations
        book.expire(self.station.clock.now())
        # Section 5.13: a reservation ends when its connector (or the station, connector 0)
        # becomes Faulted or Unavailable.
        for reservation in book.reservations:
            number = self._reserved_connectors.get(reservation.id, 0)
            if number and self.station.connector_of(number).status in _INOPERATIVE:
                book.cancel(reservation.id)
        book.drop_inoperative({0: self.station.station_status})
        live = {reservation.id for reservation in book.reservations}
        for reservation_id in [r for r in self._reserved_connectors if r not in live]:
            del self._reserved_connectors[reservation_id]  # also those used by a transaction

    def _show_reservations(self) -> None:
        book = self.station.model.reservations
        now = self.station.clock.now()
        named = set(self._reserved_connectors.values()) - {0}
        pooled = any(reservation.evse_id is None for reservation in book.reservations)
        states = self._states()
        for connector in list(self.station.model.connectors()):
            if connector.status not in (_S.AVAILABLE, _S.RESERVED):
                continue
            reserved = connector.number_16 in named or (
                pooled
                and book.for_evse(connector.evse_id) is None
                and not book.may_use(
                    connector.evse_id, _ANYONE_ELSE, None, now, connector_states=states
                )
            )
            if reserved and connector.status is _S.AVAILABLE:
                self.station.set_status(connector, _S.RESERVED)  # A7
            elif not reserved and connector.status is _S.RESERVED:
                # G1, or G2 when a cable was plugged in while it was reserved.
                self.station.set_status(
                    connector, _S.PREPARING if connector.cable_plugged else _S.AVAILABLE
                )

    def _arm_expiry(self) -> None:
        expiry = self.station.model.reservations.next_expiry()
        self.station.set_timer_at("reservation_expiry", expiry, self._expiry_due)

    def _expiry_due(self) -> None:
        self.follow_reservations()
        self.station.wake()

    # -- helpers --------------------------------------------------------------------------------

    def _states(self, named: Connector | None = None) -> Mapping[int, str]:
        """What the book needs: the station's status (key 0) and each EVSE's. A connector a
        request names counts with its own status when it is Faulted or Unavailable."""
        states: dict[int, str] = {0: self.station.station_status}
        for evse in self.station.model.evses.values():
            states[evse.id] = evse.status_for_reservations()
        if named is not None and named.status in _INOPERATIVE:
            states[named.evse_id] = named.status
        return states


def _parse_time(text: str) -> datetime:
    """An OCPP dateTime as aware UTC (one without a zone is read as UTC)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
