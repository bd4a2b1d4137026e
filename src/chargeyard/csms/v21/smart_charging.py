"""The 2.1 smart charging messages a station sends: NotifyPriorityCharging and
PullDynamicScheduleUpdate (OCPP 2.1 functional block K; dynamic charging profiles are K28).

NotifyPriorityCharging tells that priority charging (a profile of purpose PriorityCharging)
was activated or deactivated for a transaction, by the driver at the station or by a
UsePriorityCharging of the central system; it is kept (kind ``priority``, ``status``
``activated`` or ``deactivated``, the transaction in ``detail``) and answered.

PullDynamicScheduleUpdate asks for the current limits and setpoints of a dynamic charging
profile (K28: a station pulls every ``dynUpdateInterval`` seconds). It is answered from the
profile as the central system set it and last changed it (``dynamic_schedules.py``): Accepted
with its ``scheduleUpdate`` for a Dynamic profile that stands; Rejected, naming why in
``statusInfo``, for an id the central system set no profile of (or removed) and for a profile
of another kind, which has no schedule to update. Each pull is kept (kind ``dynamic_schedule``,
``status`` the answer's, the profile id in ``request_id``).
"""

from __future__ import annotations

import logging

from chargeyard.csms.context import StationContext
from chargeyard.csms.notifications_v201 import as_json
from chargeyard.csms.v21.dynamic_schedules import PROFILE_ACTIONS, standing
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v21
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)

# How many of the station's newest accepted profile calls are read to find a profile.
PROFILE_CALLS_READ = 200


class SmartChargingV21(ActionHandlers):
    """Mixed into :class:`~chargeyard.csms.v21.CentralSystemV21`, which sets ``context``."""

    context: StationContext

    @on("NotifyPriorityCharging")
    async def notify_priority_charging(
        self, payload: v21.NotifyPriorityChargingRequest
    ) -> v21.NotifyPriorityChargingResponse:
        state = "activated" if payload["activated"] else "deactivated"
        logger.info(
            "%s priority charging %s for transaction %s",
            self.context.identity,
            state,
            payload["transactionId"],
        )
        await self.context.note(
            NotificationKind.PRIORITY,
            "NotifyPriorityCharging",
            status=state,
            detail=as_json({"transactionId": payload["transactionId"]}),
        )
        return {}

    @on("PullDynamicScheduleUpdate")
    async def pull_dynamic_schedule_update(
        self, payload: v21.PullDynamicScheduleUpdateRequest
    ) -> v21.PullDynamicScheduleUpdateResponse:
        profile_id = payload["chargingProfileId"]
        calls = await self.context.store.sent_commands.accepted_requests(
            self.context.identity, PROFILE_ACTIONS, PROFILE_CALLS_READ
        )
        found = standing(profile_id, calls)
        answer: v21.PullDynamicScheduleUpdateResponse
        if found.kind is None:
            answer = {
                "status": "Rejected",
                "statusInfo": {
                    "reasonCode": "NotFound",
                    "additionalInfo": f"no charging profile {profile_id} was set by this "
                    "central system",
                },
            }
        elif found.update is None:
            answer = {
                "status": "Rejected",
                "statusInfo": {
                    "reasonCode": "InvalidProfile",
                    "additionalInfo": f"charging profile {profile_id} is {found.kind}, not Dynamic",
                },
            }
        else:
            answer = {"status": "Accepted", "scheduleUpdate": found.update}
        logger.info(
            "%s pulled dynamic schedule %s: %s", self.context.identity, profile_id, answer["status"]
        )
        await self.context.note(
            NotificationKind.DYNAMIC_SCHEDULE,
            "PullDynamicScheduleUpdate",
            status=answer["status"],
            request_id=profile_id,
            detail=as_json(answer),
        )
        return answer
