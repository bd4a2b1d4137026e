"""The DER control messages a station sends (OCPP 2.1 functional block R, distributed energy
resources): NotifyDERAlarm (a DER control's alarm raised or ended), NotifyDERStartStop (a
scheduled DER control started or stopped) and ReportDERControl (the controls GetDERControl
asked for, in parts). Each is kept as one of the station's notifications of kind ``der`` and
answered: an alarm with ``status`` its control type, ``alarm`` or ``alarm ended`` in front,
at the station's timestamp; a start or stop with ``status`` ``started`` or ``stopped``, the
control's id and those it superseded in ``detail``; a report part with ``status``
``more to come`` or ``last part``, its ``requestId`` and the controls in ``detail``.
"""

from __future__ import annotations

import logging

from chargeyard.csms.context import StationContext, parse_time
from chargeyard.csms.notifications_v201 import as_json, without
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v21
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)


class DerControlV21(ActionHandlers):
    """Mixed into :class:`~chargeyard.csms.v21.CentralSystemV21`, which sets ``context``."""

    context: StationContext

    @on("NotifyDERAlarm")
    async def notify_der_alarm(
        self, payload: v21.NotifyDERAlarmRequest
    ) -> v21.NotifyDERAlarmResponse:
        ended = payload.get("alarmEnded", False)
        status = f"{'alarm ended' if ended else 'alarm'}: {payload['controlType']}"
        logger.warning("%s DER %s", self.context.identity, status)
        await self.context.note(
            NotificationKind.DER,
            "NotifyDERAlarm",
            status=status,
            detail=as_json(without(payload, "timestamp")),
            at=parse_time(payload["timestamp"]),
        )
        return {}

    @on("NotifyDERStartStop")
    async def notify_der_start_stop(
        self, payload: v21.NotifyDERStartStopRequest
    ) -> v21.NotifyDERStartStopResponse:
        status = "started" if payload["started"] else "stopped"
        logger.info("%s DER control %s %s", self.context.identity, payload["controlId"], status)
        await self.context.note(
            NotificationKind.DER,
            "NotifyDERStartStop",
            status=status,
            detail=as_json(without(payload, "started", "timestamp")),
            at=parse_time(payload["timestamp"]),
        )
        return {}

    @on("ReportDERControl")
    async def report_der_control(
        self, payload: v21.ReportDERControlRequest
    ) -> v21.ReportDERControlResponse:
        # seqNo is not part of ReportDERControl: the part says only whether more follow.
        more = "more to come" if payload.get("tbc", False) else "last part"
        await self.context.note(
            NotificationKind.DER,
            "ReportDERControl",
            status=more,
            request_id=payload["requestId"],
            detail=as_json(without(payload, "requestId", "tbc")),
        )
        return {}
