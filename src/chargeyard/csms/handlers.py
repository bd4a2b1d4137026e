"""What the central system answers alike to every OCPP version's stations.

:class:`CentralSystemHandlers` holds one connection's state (its context, the connector
statuses it last published, its sample keeper) and the handlers whose messages carry the same
fields in 1.6 and 2.0.1, each typed with both versions' messages: Heartbeat (1.6 section 4.6;
2.0.1 G02), DataTransfer (1.6 section 4.3; 2.0.1 P01: ``data`` is a string in 1.6 and any JSON
value in 2.0.1, as the vendor's handler answers it), FirmwareStatusNotification (1.6 section
4.5; 2.0.1 L01, whose status values differ and are kept as sent, with 2.0.1's ``requestId``),
LogStatusNotification and SecurityEventNotification (2.0.1 N01 and A04; in 1.6 the messages
of its security extension, whose schemas the ``ocpp`` package ships with the same fields).
``v16.py`` and ``v201.py`` add the rest; a version that answers one of these differently
overrides it with an ``@on`` method of the same action.

The reports that have no table of their own (firmware, diagnostics and log status, security
events, the 2.0.1 reports of ``notifications_v201.py``, the certificate requests of
``certificates.py``) go into the
``station_notifications`` table (``StationContext.note``, which then tells each as a
``charger.notification`` event) before the station is answered, as the handlers with tables of
their own keep theirs.
"""

from __future__ import annotations

import logging
from datetime import datetime

from chargeyard.csms import event_data, orphans
from chargeyard.csms.context import (
    DataTransferRequest,
    StationContext,
    data_transfer,
    iso,
    parse_time,
    utc_now,
)
from chargeyard.csms.samples import MeterSamples
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v16, v201
from chargeyard.store import station_writer
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)


class CentralSystemHandlers(ActionHandlers):
    """The base of a version's central-system handlers for one connected station."""

    def __init__(self, context: StationContext) -> None:
        self.context = context
        self.identity = context.identity
        self.store = context.store
        self.events = context.events
        self.connector_statuses = event_data.ConnectorStatuses(context.identity)
        self.samples = MeterSamples(context)
        # The connectors (evse, connector) not yet reported since this connection carried a
        # BootNotification; None before one. The first report of each after a boot is the one
        # that tells a forgotten transaction (orphans.py).
        self._unreported_since_boot: set[tuple[int, int]] | None = None
        # When the grace of the last boot on this connection ends (boot_grace.py).
        self._grace_ends: float | None = None

    def booted(self) -> None:
        """A BootNotification was answered on this connection."""
        self._unreported_since_boot = set()
        grace = self.context.boot_grace
        self._grace_ends = None if grace is None else grace.ends()

    async def available_after_boot(
        self, at: datetime, *, connector_id: int, evse_id: int | None
    ) -> None:
        """A connector's first report since the boot said Available: its transactions are
        closed once the boot's grace is over (``orphans.py``)."""
        await orphans.close_after_boot(
            self.context,
            at,
            connector_id=connector_id,
            evse_id=evse_id,
            grace_ends=self._grace_ends,
        )

    def first_report_since_boot(self, evse_id: int, connector_id: int) -> bool:
        """Whether this StatusNotification is the connector's first since the boot on this
        connection (False on a connection that carried none)."""
        reported = self._unreported_since_boot
        if reported is None or (evse_id, connector_id) in reported:
            return False
        reported.add((evse_id, connector_id))
        return True

    @on("Heartbeat")
    async def heartbeat(
        self, payload: v16.HeartbeatRequest | v201.HeartbeatRequest
    ) -> v16.HeartbeatResponse | v201.HeartbeatResponse:
        now = utc_now()
        await self.context.keep(station_writer.heartbeat(self.identity, now))
        return {"currentTime": iso(now)}

    @on("DataTransfer")
    async def data_transfer(
        self, payload: v16.DataTransferRequest | v201.DataTransferRequest
    ) -> v16.DataTransferResponse | v201.DataTransferResponse:
        request = DataTransferRequest(
            self.identity, payload["vendorId"], payload.get("messageId"), payload.get("data")
        )
        answer = await data_transfer(self.context, request)
        if answer.data is None:
            return {"status": answer.status}
        return {"status": answer.status, "data": answer.data}

    @on("FirmwareStatusNotification")
    async def firmware_status_notification(
        self,
        payload: v16.FirmwareStatusNotificationRequest | v201.FirmwareStatusNotificationRequest,
    ) -> v16.FirmwareStatusNotificationResponse | v201.FirmwareStatusNotificationResponse:
        logger.info("%s firmware: %s", self.identity, payload["status"])
        await self.context.note(
            NotificationKind.FIRMWARE,
            "FirmwareStatusNotification",
            status=payload["status"],
            # 2.0.1's, for an update it asked for (L01); 1.6's message has none.
            request_id=payload.get("requestId") if "requestId" in payload else None,
        )
        return {}

    @on("LogStatusNotification")
    async def log_status_notification(
        self, payload: v16.LogStatusNotificationRequest | v201.LogStatusNotificationRequest
    ) -> v16.LogStatusNotificationResponse | v201.LogStatusNotificationResponse:
        logger.info("%s log upload: %s", self.identity, payload["status"])
        await self.context.note(
            NotificationKind.DIAGNOSTICS,
            "LogStatusNotification",
            status=payload["status"],
            request_id=payload.get("requestId"),
        )
        return {}

    @on("SecurityEventNotification")
    async def security_event_notification(
        self,
        payload: v16.SecurityEventNotificationRequest | v201.SecurityEventNotificationRequest,
    ) -> v16.SecurityEventNotificationResponse | v201.SecurityEventNotificationResponse:
        logger.warning("%s security event: %s", self.identity, payload["type"])
        await self.context.note(
            NotificationKind.SECURITY,
            "SecurityEventNotification",
            status=payload["type"],
            detail=payload.get("techInfo"),
            at=parse_time(payload["timestamp"]),
        )
        return {}
