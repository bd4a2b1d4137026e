"""The 2.0.1 reports a station sends on its own that the central system keeps as the station's
notifications (``StationContext.note``: read through ``GET /api/v1/chargers/{id}/notifications``
and told as ``charger.notification`` events) and answers once they are kept.

Why notifications: the central system keeps no reservations, charging profiles or monitors of
its own to update, so what a station reports is kept as it came, to be read back. The parts of
a report a command asked for (NotifyReport, NotifyMonitoringReport, ReportChargingProfiles,
NotifyCustomerInformation, NotifyDisplayMessages) also feed the command waiting for them
(``reports.py``). A message sent in parts (``tbc`` true while more follow) is kept one
row per part, each saying which part it is; each event of a NotifyEvent is a row of its own,
at the event's own time. ``detail`` holds what the other fields do not, as JSON (customer
information: its text).

The certificate messages (SignCertificate, Get15118EVCertificate, GetCertificateStatus) are
kept as notifications too, and refused: ``certificates.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson

from chargeyard.csms.context import StationContext, parse_time
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v201
from chargeyard.store import Store
from chargeyard.store.models import NotificationKind
from chargeyard.store.repositories import NewNotification

logger = logging.getLogger(__name__)


class NotificationsV201(ActionHandlers):
    """Mixed into :class:`~chargeyard.csms.v201.CentralSystemV201`, which sets these."""

    context: StationContext
    identity: str
    store: Store

    @on("NotifyReport")
    async def notify_report(self, payload: v201.NotifyReportRequest) -> v201.NotifyReportResponse:
        # B07/B08: one part (seqNo) of the report asked for with requestId; tbc = more follow.
        logger.info("%s report %s part %s", self.identity, payload["requestId"], payload["seqNo"])
        await self.context.note(
            NotificationKind.REPORT,
            "NotifyReport",
            status=part_of(payload),
            request_id=payload["requestId"],
            detail=as_json(payload.get("reportData", [])),
            at=parse_time(payload["generatedAt"]),
        )
        self.context.reports.add_part(self.identity, payload)
        return {}

    @on("ReservationStatusUpdate")
    async def reservation_status_update(
        self, payload: v201.ReservationStatusUpdateRequest
    ) -> v201.ReservationStatusUpdateResponse:
        # H04: a reservation ended without being used (Expired, or Removed by the station).
        logger.info(
            "%s reservation %s: %s",
            self.identity,
            payload["reservationId"],
            payload["reservationUpdateStatus"],
        )
        await self.context.note(
            NotificationKind.RESERVATION,
            "ReservationStatusUpdate",
            status=payload["reservationUpdateStatus"],
            detail=as_json({"reservationId": payload["reservationId"]}),
        )
        return {}

    @on("ReportChargingProfiles")
    async def report_charging_profiles(
        self, payload: v201.ReportChargingProfilesRequest
    ) -> v201.ReportChargingProfilesResponse:
        # K09: the profiles of one EVSE and one source that GetChargingProfiles (requestId)
        # asked for; tbc = more messages follow for the same request.
        logger.info(
            "%s charging profiles of request %s, EVSE %s",
            self.identity,
            payload["requestId"],
            payload["evseId"],
        )
        more = "more to come" if payload.get("tbc", False) else "last part"
        await self.context.note(
            NotificationKind.CHARGING_PROFILE,
            "ReportChargingProfiles",
            status=f"{payload['chargingLimitSource']}, {more}",
            request_id=payload["requestId"],
            evse_id=payload["evseId"],
            detail=as_json(payload["chargingProfile"]),
        )
        self.context.reports.add_part(self.identity, payload)
        return {}

    @on("NotifyChargingLimit")
    async def notify_charging_limit(
        self, payload: v201.NotifyChargingLimitRequest
    ) -> v201.NotifyChargingLimitResponse:
        # K11-K13: a limit set by a source other than the CSMS (an EMS, the grid operator),
        # with the schedule it imposes if the station sends it; no evseId: the whole station.
        limit = payload["chargingLimit"]
        logger.info("%s charging limit from %s", self.identity, limit["chargingLimitSource"])
        await self.context.note(
            NotificationKind.CHARGING_LIMIT,
            "NotifyChargingLimit",
            status=limit["chargingLimitSource"],
            evse_id=payload.get("evseId"),
            detail=as_json(without(payload, "evseId")),
        )
        return {}

    @on("ClearedChargingLimit")
    async def cleared_charging_limit(
        self, payload: v201.ClearedChargingLimitRequest
    ) -> v201.ClearedChargingLimitResponse:
        # K14: the external limit of that source no longer applies.
        logger.info("%s charging limit cleared: %s", self.identity, payload["chargingLimitSource"])
        await self.context.note(
            NotificationKind.CHARGING_LIMIT,
            "ClearedChargingLimit",
            status=payload["chargingLimitSource"],
            evse_id=payload.get("evseId"),
        )
        return {}

    @on("NotifyEVChargingNeeds")
    async def notify_ev_charging_needs(
        self, payload: v201.NotifyEVChargingNeedsRequest
    ) -> v201.NotifyEVChargingNeedsResponse:
        # K15/K16: an ISO 15118 EV's needs. Rejected ("service not available",
        # NotifyEVChargingNeedsStatusEnumType): this central system sends no charging
        # schedule in return, which Accepted would promise.
        needs = payload["chargingNeeds"]
        logger.info("%s EV charging needs on EVSE %s", self.identity, payload["evseId"])
        await self.context.note(
            NotificationKind.EV_CHARGING,
            "NotifyEVChargingNeeds",
            status=needs["requestedEnergyTransfer"],
            evse_id=payload["evseId"],
            detail=as_json(without(payload, "evseId")),
        )
        return {"status": "Rejected"}

    @on("NotifyEVChargingSchedule")
    async def notify_ev_charging_schedule(
        self, payload: v201.NotifyEVChargingScheduleRequest
    ) -> v201.NotifyEVChargingScheduleResponse:
        # K15/K17: the schedule the EV chose. Accepted: this central system set no limit
        # that the schedule could exceed (a schedule outside the limits is Rejected).
        logger.info("%s EV charging schedule on EVSE %s", self.identity, payload["evseId"])
        await self.context.note(
            NotificationKind.EV_CHARGING,
            "NotifyEVChargingSchedule",
            evse_id=payload["evseId"],
            # Kept at its arrival: timeBase is where the schedule starts, not when it was sent.
            detail=as_json(without(payload, "evseId")),
        )
        return {"status": "Accepted"}

    @on("NotifyEvent")
    async def notify_event(self, payload: v201.NotifyEventRequest) -> v201.NotifyEventResponse:
        # N07/N08 (alerts, periodic and delta events of monitored variables) and G05 (a lock
        # failure: ConnectorPlugRetentionLock Problem): each event kept at its own time, with
        # the EVSE of its component.
        events = payload["eventData"]
        logger.info("%s events: %d (part %s)", self.identity, len(events), payload["seqNo"])
        await self.context.note_all(
            [
                NewNotification(
                    NotificationKind.EVENT,
                    "NotifyEvent",
                    status=event["trigger"],
                    evse_id=event["component"].get("evse", {}).get("id"),
                    detail=as_json(event),
                    at=parse_time(event["timestamp"]),
                )
                for event in events
            ],
        )
        return {}

    @on("NotifyMonitoringReport")
    async def notify_monitoring_report(
        self, payload: v201.NotifyMonitoringReportRequest
    ) -> v201.NotifyMonitoringReportResponse:
        # N02: one part (seqNo) of the monitoring report GetMonitoringReport asked for.
        await self.context.note(
            NotificationKind.MONITORING,
            "NotifyMonitoringReport",
            status=part_of(payload),
            request_id=payload["requestId"],
            detail=as_json(payload.get("monitor", [])),
            at=parse_time(payload["generatedAt"]),
        )
        self.context.reports.add_part(self.identity, payload)
        return {}

    @on("NotifyCustomerInformation")
    async def notify_customer_information(
        self, payload: v201.NotifyCustomerInformationRequest
    ) -> v201.NotifyCustomerInformationResponse:
        # N09: one part (seqNo) of the customer information CustomerInformation asked for.
        await self.context.note(
            NotificationKind.CUSTOMER,
            "NotifyCustomerInformation",
            status=part_of(payload),
            request_id=payload["requestId"],
            detail=payload["data"],
            at=parse_time(payload["generatedAt"]),
        )
        self.context.reports.add_part(self.identity, payload)
        return {}

    @on("NotifyDisplayMessages")
    async def notify_display_messages(
        self, payload: v201.NotifyDisplayMessagesRequest
    ) -> v201.NotifyDisplayMessagesResponse:
        # O04: the display messages GetDisplayMessages asked for; tbc = more follow.
        more = "more to come" if payload.get("tbc", False) else "last part"
        await self.context.note(
            NotificationKind.DISPLAY,
            "NotifyDisplayMessages",
            status=more,
            request_id=payload["requestId"],
            detail=as_json(payload.get("messageInfo", [])),
        )
        self.context.reports.add_part(self.identity, payload)
        return {}

    @on("PublishFirmwareStatusNotification")
    async def publish_firmware_status_notification(
        self, payload: v201.PublishFirmwareStatusNotificationRequest
    ) -> v201.PublishFirmwareStatusNotificationResponse:
        # L03/L04: a local controller's progress publishing firmware; once Published, the
        # URIs (location) its stations can download it from.
        logger.info("%s firmware publishing: %s", self.identity, payload["status"])
        await self.context.note(
            NotificationKind.FIRMWARE_PUBLISH,
            "PublishFirmwareStatusNotification",
            status=payload["status"],
            request_id=payload.get("requestId"),
            detail=as_json(payload["location"]) if "location" in payload else None,
        )
        return {}


def part_of(payload: Mapping[str, Any]) -> str:
    """Which part of a report sent in parts this is (seqNo from 0; tbc while more follow)."""
    more = "more to come" if payload.get("tbc", False) else "last part"
    return f"part {payload['seqNo']}, {more}"


def without(payload: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The payload less the fields kept in columns of their own, and less customData."""
    return {key: value for key, value in payload.items() if key not in {*names, "customData"}}


def as_json(value: Any) -> str:
    return orjson.dumps(value).decode()
