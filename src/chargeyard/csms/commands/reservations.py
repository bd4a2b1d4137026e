"""Reservations, whatever OCPP version the station speaks.

==================  ==================================  ========================================
command             1.6                                 2.0.1 / 2.1
==================  ==================================  ========================================
reservation         ReserveNow {connectorId,            ReserveNow {id, expiryDateTime, idToken
                    expiryDate, idTag, reservationId,   {idToken, type}, evseId (none for
                    parentIdTag} (5.13)                 connector 0), connectorType,
                                                        groupIdToken} (H01)
reservation/cancel  CancelReservation {reservationId}   CancelReservation {reservationId} (H02)
                    (5.3)
==================  ==================================  ========================================

Connector 0 reserves any connector of the station (1.6 section 5.13, when the station's
ReserveConnectorZeroSupported allows it; 2.0.1 H01: a reservation without an EVSE). The
reservation id is the caller's, or a random one the central system picks (ids stay distinct
across restarts, as remote start's do). The idToken type of a 2.0.1 reservation is the tag's
stored ``token_type``, else ``Central``, as for remote start. ``connectorType`` exists in
2.0.1 only: on a 1.6 station it is refused before anything is sent.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chargeyard.csms.commands.base import (
    Charger,
    InvalidCommand,
    Result,
    Send,
    iso,
    outcome,
    sender,
    snake,
)
from chargeyard.csms.commands.transactions import CENTRAL_TOKEN, token_type_of
from chargeyard.protocol import V16, V21, V201, Payload, VersionTable
from chargeyard.store.repositories import IdTagRepository
from chargeyard.store.types import utc_now


@dataclass(frozen=True, slots=True)
class Reservation:
    """What the user asks to reserve; ``connector_id`` 0 is any connector."""

    connector_id: int
    id_tag: str
    expiry: datetime
    reservation_id: int
    parent_id_tag: str | None = None
    connector_type: str | None = None


class ReservationDialect(Protocol):
    async def reserve(self, send: Send, reservation: Reservation, token_type: str) -> str: ...
    async def cancel(self, send: Send, reservation_id: int) -> str: ...


class _Ocpp16:
    async def reserve(self, send: Send, reservation: Reservation, token_type: str) -> str:
        if reservation.connector_type is not None:
            raise InvalidCommand(
                "connectorType is an OCPP 2.0.1 field of ReserveNow (H01): a 1.6 reservation"
                " names a connector"
            )
        payload: Payload = {
            "connectorId": reservation.connector_id,
            "expiryDate": iso(reservation.expiry),
            "idTag": reservation.id_tag,
            "reservationId": reservation.reservation_id,
        }
        if reservation.parent_id_tag is not None:
            payload["parentIdTag"] = reservation.parent_id_tag
        return str((await send("ReserveNow", payload))["status"])

    async def cancel(self, send: Send, reservation_id: int) -> str:
        answer = await send("CancelReservation", {"reservationId": reservation_id})
        return str(answer["status"])


class _Ocpp201:
    async def reserve(self, send: Send, reservation: Reservation, token_type: str) -> str:
        payload: Payload = {
            "id": reservation.reservation_id,
            "expiryDateTime": iso(reservation.expiry),
            "idToken": {"idToken": reservation.id_tag, "type": token_type},
        }
        if reservation.connector_id:
            payload["evseId"] = reservation.connector_id
        if reservation.connector_type is not None:
            payload["connectorType"] = reservation.connector_type
        if reservation.parent_id_tag is not None:
            payload["groupIdToken"] = {"idToken": reservation.parent_id_tag, "type": CENTRAL_TOKEN}
        return str((await send("ReserveNow", payload))["status"])

    async def cancel(self, send: Send, reservation_id: int) -> str:
        answer = await send("CancelReservation", {"reservationId": reservation_id})
        return str(answer["status"])


RESERVATION_DIALECTS: VersionTable[ReservationDialect] = VersionTable(
    "how reservations are said",
    {V16: _Ocpp16(), V201: _Ocpp201(), V21: _Ocpp201()},
)


def new_reservation_id() -> int:
    """A reservation id the central system picks: random, positive, 32-bit."""
    return secrets.randbelow(2**31 - 1) + 1


async def reserve_now(
    charger: Charger,
    reservation: Reservation,
    *,
    id_tags: IdTagRepository,
    now: Callable[[], datetime] = utc_now,
) -> Result:
    """Ask the station to reserve a connector (0: any) for an id tag until ``expiry``.

    Raises:
        InvalidCommand: the expiry has passed, or the station's version cannot say it.
    """
    if reservation.expiry <= now():
        raise InvalidCommand(f"expiryDate {iso(reservation.expiry)} has passed already")
    dialect = RESERVATION_DIALECTS[await charger.link.version_of(charger.identity)]
    token_type = await token_type_of(id_tags, charger, reservation.id_tag)
    status = await dialect.reserve(sender(charger), reservation, token_type)
    return {
        "message": f"Reservation {outcome(status)}",
        "chargeBoxId": charger.identity,
        "reservationId": reservation.reservation_id,
        "connectorId": reservation.connector_id,
        "idTag": reservation.id_tag,
        "expiryDate": iso(reservation.expiry),
        "status": snake(status),
    }


async def cancel_reservation(charger: Charger, reservation_id: int) -> Result:
    """Ask the station to cancel a reservation: ``rejected`` when it has none of this id."""
    dialect = RESERVATION_DIALECTS[await charger.link.version_of(charger.identity)]
    status = await dialect.cancel(sender(charger), reservation_id)
    return {
        "message": f"Reservation cancel {outcome(status)}",
        "chargeBoxId": charger.identity,
        "reservationId": reservation_id,
        "status": snake(status),
    }
