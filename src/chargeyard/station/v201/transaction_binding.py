"""What an OCPP 2.0.1 transaction takes from the session whose authorization it runs on
(functional block E, with F, H and K): the idToken and its info, the remoteStartId of a remote
start, the reservation the token used (H03.FR.09) and the TxProfile a remote start came with
(F01/F02).

A session's token binds to its transaction when the transaction starts authorized, or when the
authorization comes while a transaction runs (``transactions.py``); a reservation is used as
soon as its token is authorized on its EVSE, before any transaction.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from chargeyard.station.model.smart_charging import profile_from_ocpp201
from chargeyard.station.model.station import Evse, Transaction
from chargeyard.station.v201.sessions import Session

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

logger = logging.getLogger(__name__)


def use_reservation(station: StationV201, evse: Evse, session: Session) -> int | None:
    """H03.FR.09: the session's token (or its group) is the one a reservation here is for:
    the reservation is used, gone from the book; its id, for the transaction's first
    event (H01.FR.15), or None."""
    if session.token is None:
        return None
    group = session.info.group_id if session.info else None
    station.expire_reservations()  # H04: one that has just expired is not used
    reservation = station.model.reservations.consume(evse.id, session.token, group)
    if reservation is None:
        return None
    station.expire_reservations()  # H03.FR.10: the connectors follow the book
    return reservation.id


def bind_token(
    station: StationV201, evse: Evse, transaction: Transaction, session: Session
) -> None:
    """The session's token becomes the transaction's (and may end a reservation, H)."""
    transaction.id_token, transaction.id_token_info = session.token, session.info
    transaction.remote_start_id = session.remote_start_id
    if session.reservation_id is not None and transaction.reservation_id is None:
        transaction.reservation_id = session.reservation_id  # used when it was authorized
    elif session.token is not None and transaction.reservation_id is None:
        transaction.reservation_id = use_reservation(station, evse, session)
    if session.charging_profile is not None:
        # F01/F02: the TxProfile of a remote start is this transaction's (K01.FR.03 wants
        # its transactionId, which only the station knows).
        wire = {**session.charging_profile, "transactionId": transaction.local_id}
        result = station.model.profiles.install(
            evse.id,
            profile_from_ocpp201(wire),
            now=station.clock.now(),
            transaction=transaction.context,
        )
        if not result.accepted:
            logger.warning("%s: remote start profile refused: %s", station.identity, result)
        session.charging_profile = None
