"""Reservation profile (OCPP 1.6 sections 5.2 and 5.13): ReserveNow, CancelReservation, expiry."""

from __future__ import annotations

from chargeyard.station.v16.base import StationV16Base


class ReservationV16(StationV16Base):
    """To be filled: see the module docstring."""
