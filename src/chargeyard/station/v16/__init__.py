"""A simulated OCPP 1.6-J charge point: the six feature profiles composed over one base.

Each profile is a mixin module (OCPP 1.6 section 3); their ``@on`` handlers form one table.
"""

from chargeyard.station.v16.base import StationV16Base
from chargeyard.station.v16.core_profile import CoreProfileV16
from chargeyard.station.v16.firmware import FirmwareManagementV16
from chargeyard.station.v16.local_list import LocalAuthListV16
from chargeyard.station.v16.remote_trigger import RemoteTriggerV16
from chargeyard.station.v16.reservation import ReservationV16
from chargeyard.station.v16.smart_charging import SmartChargingV16
from chargeyard.station.v16.transactions import TransactionsV16


class StationV16(
    TransactionsV16,
    CoreProfileV16,
    RemoteTriggerV16,
    SmartChargingV16,
    LocalAuthListV16,
    ReservationV16,
    FirmwareManagementV16,
    StationV16Base,
):
    """A 1.6 charge point built from a catalog template."""


__all__ = ["StationV16"]
