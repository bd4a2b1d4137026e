"""The central system's handlers for OCPP 1.6-J (messages initiated by the charge point)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from chargeyard.csms.policy import BootPolicy
from chargeyard.csms.records import (
    ConnectorRecord,
    StationRecord,
    TransactionRecord,
    iso,
    utc_now,
)
from chargeyard.protocol import ActionHandlers, Payload, on

logger = logging.getLogger(__name__)


class CentralSystemV16(ActionHandlers):
    """Answers a 1.6 charge point and keeps what it reports in its :class:`StationRecord`."""

    def __init__(
        self,
        station: StationRecord,
        boot_policy: BootPolicy,
        next_transaction_id: Callable[[], int],
    ) -> None:
        self.station = station
        self.boot_policy = boot_policy
        # 1.6 transaction ids are integers the central system chooses (StartTransaction.conf),
        # unique across all its stations, so the server hands out the counter.
        self._next_transaction_id = next_transaction_id

    @on("BootNotification")
    def boot_notification(self, payload: Payload) -> Payload:
        station = self.station
        station.vendor = payload["chargePointVendor"]
        station.model = payload["chargePointModel"]
        station.serial_number = payload.get("chargePointSerialNumber")
        station.firmware_version = payload.get("firmwareVersion")
        station.registration = self.boot_policy.status
        logger.info("%s booted: %s %s", station.identity, station.vendor, station.model)
        return {
            "status": self.boot_policy.status,
            "currentTime": iso(utc_now()),
            "interval": self.boot_policy.interval,
        }

    @on("Heartbeat")
    def heartbeat(self, payload: Payload) -> Payload:
        now = utc_now()
        self.station.last_heartbeat = now
        return {"currentTime": iso(now)}

    @on("StatusNotification")
    def status_notification(self, payload: Payload) -> Payload:
        connector = str(payload["connectorId"])
        self.station.connectors[connector] = ConnectorRecord(
            payload["status"], payload["errorCode"]
        )
        logger.info(
            "%s connector %s: %s (%s)",
            self.station.identity,
            connector,
            payload["status"],
            payload["errorCode"],
        )
        return {}

    @on("Authorize")
    def authorize(self, payload: Payload) -> Payload:
        return {"idTagInfo": {"status": "Accepted"}}

    @on("StartTransaction")
    def start_transaction(self, payload: Payload) -> Payload:
        transaction_id = self._next_transaction_id()
        self.station.transactions[str(transaction_id)] = TransactionRecord(
            transaction_id=str(transaction_id),
            connector=str(payload["connectorId"]),
            id_tag=payload["idTag"],
            meter_start_wh=payload["meterStart"],
            started_at=utc_now(),
        )
        logger.info("%s started transaction %d", self.station.identity, transaction_id)
        return {"transactionId": transaction_id, "idTagInfo": {"status": "Accepted"}}

    @on("StopTransaction")
    def stop_transaction(self, payload: Payload) -> Payload:
        transaction = self.station.transactions.get(str(payload["transactionId"]))
        if transaction is not None:
            transaction.meter_stop_wh = payload["meterStop"]
            transaction.stopped_at = utc_now()
            transaction.stop_reason = payload.get("reason", "Local")
            logger.info(
                "%s stopped transaction %s: %s Wh",
                self.station.identity,
                transaction.transaction_id,
                transaction.energy_wh,
            )
        if "idTag" in payload:
            return {"idTagInfo": {"status": "Accepted"}}
        return {}

    @on("MeterValues")
    def meter_values(self, payload: Payload) -> Payload:
        return {}

    @on("DataTransfer")
    def data_transfer(self, payload: Payload) -> Payload:
        # No vendor extensions are known yet: OCPP 1.6 section 6.18 names this answer.
        return {"status": "UnknownVendorId"}

    @on("DiagnosticsStatusNotification")
    def diagnostics_status_notification(self, payload: Payload) -> Payload:
        return {}

    @on("FirmwareStatusNotification")
    def firmware_status_notification(self, payload: Payload) -> Payload:
        return {}
