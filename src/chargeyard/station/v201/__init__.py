"""A simulated OCPP 2.0.1 charging station: functional blocks composed over one base.

Each block is a mixin module (OCPP 2.0.1 part 2): ``provisioning`` (B), ``authorization`` (C),
``local_list`` (D), ``transactions`` and ``transaction_events`` (E, with J02 sampling),
``control`` (F, P), ``availability`` (G), ``reservation`` (H), ``metering`` (J01 clock-aligned
data), ``smart_charging`` (K), ``firmware`` (L), ``diagnostics`` (N). Their ``@on`` handlers form
one table.

The order of the bases is the order in which a hook runs: each block extends the hooks of the
base and of ``TransactionsV201`` and calls ``super()``, so a block stands before the blocks it
builds on. ``ReservationV201`` and ``SmartChargingV201`` extend ``set_status``,
``on_transaction_started`` and ``update_charging_status`` of the transaction engine;
``FirmwareV201`` (``accepts_sessions``, ``on_evse_idle``, ``may_reset``) and
``DiagnosticsV201`` (``security_event``, ``reboot``) share ``maintenance.FrameLogging``, the
station's log of frames, which stands after both.
"""

from chargeyard.station.v201.authorization import AuthorizationV201
from chargeyard.station.v201.availability import AvailabilityV201
from chargeyard.station.v201.base import StationV201Base
from chargeyard.station.v201.control import ControlV201
from chargeyard.station.v201.diagnostics import DiagnosticsV201
from chargeyard.station.v201.firmware import FirmwareV201
from chargeyard.station.v201.local_list import LocalListV201
from chargeyard.station.v201.metering import MeteringV201
from chargeyard.station.v201.provisioning import ProvisioningV201
from chargeyard.station.v201.reservation import ReservationV201
from chargeyard.station.v201.smart_charging import SmartChargingV201
from chargeyard.station.v201.transactions import TransactionsV201


class StationV201(
    ControlV201,
    AuthorizationV201,
    ReservationV201,
    SmartChargingV201,
    AvailabilityV201,
    ProvisioningV201,
    FirmwareV201,
    DiagnosticsV201,
    LocalListV201,
    MeteringV201,
    TransactionsV201,
    StationV201Base,
):
    """A 2.0.1 charging station built from a catalog template."""


__all__ = ["StationV201"]
