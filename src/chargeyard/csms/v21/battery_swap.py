"""BatterySwap (OCPP 2.1): a battery swap station tells that batteries went in or out of its
slots, for the swap a driver's token started (by RequestBatterySwap of the central system, or at
the station). The central system keeps each as one of the station's notifications (kind
``battery_swap``, ``status`` the event, the swap's ``requestId``, the EVSE when every battery
is in one slot, the batteries and the token in ``detail``) and answers it.
"""

from __future__ import annotations

import logging

from chargeyard.csms.context import StationContext
from chargeyard.csms.notifications_v201 import as_json, without
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v21
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)


class BatterySwapV21(ActionHandlers):
    """Mixed into :class:`~chargeyard.csms.v21.CentralSystemV21`, which sets ``context``."""

    context: StationContext

    @on("BatterySwap")
    async def battery_swap(self, payload: v21.BatterySwapRequest) -> v21.BatterySwapResponse:
        slots = {battery["evseId"] for battery in payload["batteryData"]}
        logger.info(
            "%s battery swap %s: %s (%d batteries)",
            self.context.identity,
            payload["requestId"],
            payload["eventType"],
            len(payload["batteryData"]),
        )
        await self.context.note(
            NotificationKind.BATTERY_SWAP,
            "BatterySwap",
            status=payload["eventType"],
            request_id=payload["requestId"],
            evse_id=next(iter(slots)) if len(slots) == 1 else None,
            detail=as_json(without(payload, "eventType", "requestId")),
        )
        return {}
