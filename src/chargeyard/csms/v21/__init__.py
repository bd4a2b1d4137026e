"""The central system's handlers for OCPP 2.1: the 2.0.1 handlers (``csms/v201.py``), whose
messages 2.1 keeps with the same fields, and one block per 2.1 functional area for the
messages a 2.1 station sends that 2.0.1 has not (``protocol/initiators.py``).

Every answer is checked by the session against the 2.1 schema; what a station reports is kept
as its notifications (``StationContext.note``) before it is answered, as in 2.0.1
(``notifications_v201.py``).
"""

from __future__ import annotations

from chargeyard.csms.v21.battery_swap import BatterySwapV21
from chargeyard.csms.v21.certificates import CertificatesV21
from chargeyard.csms.v21.der import DerControlV21
from chargeyard.csms.v21.event_streams import EventStreamsV21
from chargeyard.csms.v21.payments import PaymentsV21
from chargeyard.csms.v21.smart_charging import SmartChargingV21
from chargeyard.csms.v201 import CentralSystemV201


class CentralSystemV21(
    CentralSystemV201,
    EventStreamsV21,
    SmartChargingV21,
    BatterySwapV21,
    PaymentsV21,
    DerControlV21,
    CertificatesV21,
):
    """Answers a 2.1 charging station and keeps what it reports in the store."""


__all__ = ["CentralSystemV21"]
