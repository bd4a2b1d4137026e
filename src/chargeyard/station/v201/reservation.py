"""OCPP 2.0.1 reservations (functional block H): ReserveNow (H01), CancelReservation (H02), using
a reservation (H03) and its end (H04).

Theory of operation
-------------------
The rules of reserving live in the model's :class:`ReservationBook`; this module feeds it the
EVSE states and the device model, and makes the connectors show what the book holds.

ReserveNow (H01) answers Rejected while ReservationCtrlr.Enabled is false (H01.FR.01), for an
evseId the station lacks, for a connectorType no EVSE offers, for an expiryDateTime already
past, and without evseId unless ReservationCtrlr.NonEvseSpecific is true (H01.FR.19); Faulted
or Unavailable when the EVSE (or, without evseId, every EVSE that could serve) is; Occupied when
it is in use or reserved (H01.FR.11), or is needed by reservations without an EVSE. A known id
replaces its reservation (H01.FR.02), only if the new one is Accepted. The reservation is for
the idToken, or any token of its groupIdToken (H03: the group as the Authorize answer, the
local list or the cache give it; until an Authorize answers, a token whose group is unknown may
still be on its way to a group's reservation).

What a connector shows is re-derived after every change of the book and every status change
(:meth:`ReservationV201._follow_reservations`):

* every connector of an EVSE a reservation names is Reserved (StatusNotification after the
  ReserveNow answer; H01.FR.23 errata); a reservation without evseId reserves none, until the
  reservations without EVSE need every EVSE left: those are then Reserved (H01.FR.20);
* a reservation ends when its expiryDateTime is reached: the EVSE becomes Available and
  ReservationStatusUpdate(Expired) follows (H04.FR.01-03); when its EVSE (or the station)
  becomes Faulted or Unavailable, it is Removed (H01.FR.16, H01.FR.17); when cancelled (H02,
  no ReservationStatusUpdate); when a transaction uses it, the first TransactionEvent after it
  carries the reservationId (H01.FR.15, ``transaction_event_requests.py``).

A cable plugged into a Reserved connector makes it Occupied (the driver is there; only the
reservation's tokens may start, :meth:`ReservationV201.may_start_session`); unplugged without a
transaction, it is Reserved again. ReservationStatusUpdate is not a transaction message: like
StatusNotification it is dropped while offline. One timer, ``reservation_expiry``, waits for the
next expiry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.maintenance import parse_time
from chargeyard.station.model.authorization import (
    IdToken,
    IdTokenInfo,
    id_token_from_ocpp201,
)
from chargeyard.station.model.reservations import Reservation, ReservationBook, ReserveStatus
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Connector, Evse

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_S = ConnectorStatus
_INOPERATIVE = frozenset({_S.FAULTED, _S.UNAVAILABLE})
# A token no reservation is for: "could anyone else still use this EVSE?"
_ANYONE_ELSE = IdToken("\x00anyone-else", "Central")


class ReservationV201(Block["StationV201"]):
    """ReserveNow and CancelReservation; see the module docstring."""

    __slots__ = ("_following",)

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        self.station.model.reservations = ReservationBook(
            unspecified_supported=self.station.device_model.get_bool(
                "ReservationCtrlr", "NonEvseSpecific"
            ),
            connector_types={
                evse.id: {connector.type for connector in evse.connectors.values()}
                for evse in self.station.model.evses.values()
            },
        )
        self._following = False

    # -- H01 ---------------------------------------------------------------------------------------

    @on("ReserveNow")
    def reserve_now(self, payload: v201.ReserveNowRequest) -> v201.ReserveNowResponse:
        evse_id: int | None = payload.get("evseId")
        dm = self.station.device_model
        if not (
            dm.get_bool("ReservationCtrlr", "Enabled")
            and dm.get_bool("ReservationCtrlr", "Available")
        ):
            return {"status": ReserveStatus.REJECTED.value}  # H01.FR.01
        if evse_id is not None and evse_id not in self.station.model.evses:
            return {"status": ReserveStatus.REJECTED.value}
        group = payload.get("groupIdToken")
        reservation = Reservation(
            id=payload["id"],
            evse_id=evse_id,
            connector_type=payload.get("connectorType"),
            id_token=id_token_from_ocpp201(payload["idToken"]),
            parent_id=None if group is None else group["idToken"],
            expires_at=parse_time(payload["expiryDateTime"]),
        )
        now = self.station.clock.now()
        self._follow_reservations()  # what has expired is gone before the new one is checked
        status = self.station.model.reservations.reserve(
            reservation, now=now, connector_states=self._states()
        )
        if status is ReserveStatus.ACCEPTED:
            # H01.FR.23: Reserved after the answer.
            self.station.after_answer(self._follow_reservations)
        return {"status": status.value}

    # -- H02 ---------------------------------------------------------------------------------------

    @on("CancelReservation")
    def cancel_reservation(
        self, payload: v201.CancelReservationRequest
    ) -> v201.CancelReservationResponse:
        if self.station.model.reservations.cancel(payload["reservationId"]) is None:
            return {"status": "Rejected"}  # H02.FR.01: no such reservation
        # H02.FR.02: Available after the answer.
        self.station.after_answer(self._follow_reservations)
        return {"status": "Accepted"}

    # -- H03: using a reservation ------------------------------------------------------------------

    def may_start_session(
        self, evse: Evse, token: IdToken, info: IdTokenInfo | None, *, tentative: bool = False
    ) -> bool:
        """H03: a reserved EVSE takes its reservation's idToken, or one of its groupIdToken;
        a group not known here comes with the Authorize answer, and until then
        (``tentative``) a group's reservation may still be this token's."""
        now, model = self.station.clock.now(), self.station.model
        group = model.known_group(token, info, now)
        return model.reservations.may_use(
            evse.id, token, group, now, connector_states=self._states(), tentative=tentative
        )

    def expire_reservations(self) -> None:
        """H04: end the reservations whose expiryDateTime is reached, and report them."""
        self._follow_reservations()

    def on_transaction_started(self, evse: Evse) -> None:
        self._follow_reservations()  # a reservation it used frees its connectors

    # -- the connectors follow the book ------------------------------------------------------------

    def on_status_set(self, connector: Connector, status: ConnectorStatus) -> None:
        """A connector was set to ``status`` (moved or not): what it shows follows the book."""
        self._follow_reservations()

    def on_power_on(self) -> None:
        self._follow_reservations()  # a reboot cancelled the expiry timer

    def _follow_reservations(self) -> None:
        """End what is over, show what is reserved, and arm the expiry timer."""
        if self._following:
            return  # the statuses set below come back through set_status
        if len(self.station.model.reservations) == 0 and not any(
            connector.status is _S.RESERVED for connector in self.station.model.connectors()
        ):
            self.station.timers.cancel("reservation_expiry")  # nothing to follow: the common case
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
        expired = book.expire(self.station.clock.now())
        removed = book.drop_inoperative(self._states())
        if not expired and not removed:
            return
        self._show_reservations()  # H04.FR.02: the EVSE is Available before the update
        for reservation in expired:
            self._status_update(reservation, "Expired")  # H04.FR.03
        for reservation in removed:
            self._status_update(reservation, "Removed")  # H01.FR.16, H01.FR.17

    def _status_update(
        self, reservation: Reservation, status: v201.ReservationUpdateStatusEnumType
    ) -> None:
        payload: v201.ReservationStatusUpdateRequest = {
            "reservationId": reservation.id,
            "reservationUpdateStatus": status,
        }
        self.station.call("ReservationStatusUpdate", payload)

    def _show_reservations(self) -> None:
        book = self.station.model.reservations
        now = self.station.clock.now()
        pooled = any(reservation.evse_id is None for reservation in book.reservations)
        states = self._states()
        for evse in self.station.model.evses.values():
            reserved = book.for_evse(evse.id) is not None or (
                pooled
                and not book.may_use(evse.id, _ANYONE_ELSE, None, now, connector_states=states)
            )
            for connector in evse.connectors.values():
                if reserved and connector.status is _S.AVAILABLE and not connector.cable_plugged:
                    self.station.set_status(connector, _S.RESERVED)  # H01.FR.20, H01.FR.23
                elif not reserved and connector.status is _S.RESERVED:
                    self.station.set_status(connector, self._unreserved_status(connector))

    def _unreserved_status(self, connector: Connector) -> ConnectorStatus:
        """Where a connector goes when no reservation holds it: Occupied when a cable waits in
        it, Unavailable when it (or the station) was made Inoperative, else Available."""
        if connector.cable_plugged:
            return _S.PREPARING
        operative = connector.operative and self.station.station_operative
        return _S.AVAILABLE if operative else _S.UNAVAILABLE

    def _arm_expiry(self) -> None:
        expiry = self.station.model.reservations.next_expiry()
        self.station.set_timer_at("reservation_expiry", expiry, self._expiry_due)

    def _expiry_due(self) -> None:
        self._follow_reservations()
        self.station.wake()

    def _states(self) -> Mapping[int, str]:
        """What the book needs: the station's status (key 0) and each EVSE's."""
        states: dict[int, str] = {
            0: _S.AVAILABLE if self.station.station_operative else _S.UNAVAILABLE
        }
        for evse in self.station.model.evses.values():
            states[evse.id] = evse.status_for_reservations()
        return states
