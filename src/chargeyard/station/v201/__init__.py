"""A simulated OCPP 2.0.1 charging station: functional blocks composed over one base.

Each block is a mixin module (OCPP 2.0.1 part 2): ``provisioning`` (B), ``authorization`` (C),
``transactions`` and ``transaction_events`` (E, with J02 sampling), ``control`` (F, P),
``availability`` (G), ``metering`` (J01 clock-aligned data). Their ``@on`` handlers form one
table. Blocks still to come (D local list, H reservation, K smart charging, L firmware, N
diagnostics) are further mixins over ``TransactionsV201`` or ``StationV201Base``, added to the
bases below.
"""

from chargeyard.station.v201.authorization import AuthorizationV201
from chargeyard.station.v201.availability import AvailabilityV201
from chargeyard.station.v201.base import StationV201Base
from chargeyard.station.v201.control import ControlV201
from chargeyard.station.v201.metering import MeteringV201
from chargeyard.station.v201.provisioning import ProvisioningV201
from chargeyard.station.v201.transactions import TransactionsV201


class StationV201(
    ControlV201,
    AuthorizationV201,
    AvailabilityV201,
    ProvisioningV201,
    MeteringV201,
    TransactionsV201,
    StationV201Base,
):
    """A 2.0.1 charging station built from a catalog template."""


__all__ = ["StationV201"]
