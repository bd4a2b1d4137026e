"""The OCPP 2.1 operations a central system sends that are neither tariffs, payments nor DER
control: periodic event streams, priority charging, dynamic schedules and battery swaps.

Each is run as the 2.0.1 operations of ``device_model.py`` are: the API body is the request's
payload as OCPP 2.1 writes it, checked against the official 2.1 schema (a 422 with the schema's
complaint, nothing sent), and the answer is the station's, as it came. On a 1.6 or 2.0.1
station each is a 422 naming the version it needs: neither has such a message.

The streams' other messages, OpenPeriodicEventStream and ClosePeriodicEventStream, and
GetCertificateChainStatus are the station's to send (``protocol/initiators.py``): the central
system answers them (``csms/v21/``) and has no command for them.
"""

from __future__ import annotations

from chargeyard.csms.commands.device_model import Operation
from chargeyard.protocol import V21

OPERATIONS_21: tuple[Operation, ...] = (
    Operation(
        "event-streams",
        "GetPeriodicEventStream",
        "Get periodic event streams",
        "N (periodic event streams)",
        {},
        description="The streams the station has open, each with its monitor and parameters.",
        since=V21,
    ),
    Operation(
        "event-streams/adjust",
        "AdjustPeriodicEventStream",
        "Adjust periodic event stream",
        "N (periodic event streams)",
        {"id": 7, "params": {"interval": 30, "values": 20}},
        description="New parameters of one open stream: the values sent together (`values`)"
        " and the seconds after which they go at the latest (`interval`).",
        since=V21,
    ),
    Operation(
        "priority-charging",
        "UsePriorityCharging",
        "Use priority charging",
        "K (priority charging)",
        {"transactionId": "f1c0e7a2-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "activate": True},
        description="Switch a transaction to its PriorityCharging profile, or back; the"
        " station confirms with NotifyPriorityCharging, kept as a `priority` notification.",
        since=V21,
    ),
    Operation(
        "charging-profiles/dynamic-update",
        "UpdateDynamicSchedule",
        "Update dynamic schedule",
        "K28",
        {"chargingProfileId": 5, "scheduleUpdate": {"limit": 11000.0, "setpoint": 7000.0}},
        description="New limits and setpoints of a charging profile of kind Dynamic. Once"
        " Accepted, a PullDynamicScheduleUpdate of the station for that profile is answered"
        " with them.",
        since=V21,
    ),
    Operation(
        "battery-swap",
        "RequestBatterySwap",
        "Request battery swap",
        "battery swap",
        {"idToken": {"idToken": "04A1B2C3D4", "type": "ISO14443"}},
        description="Start a battery swap for a driver's token; the station reports the"
        " batteries taken and put back in BatterySwap, with the requestId, kept as"
        " `battery_swap` notifications.",
        numbered=True,
        since=V21,
    ),
)
