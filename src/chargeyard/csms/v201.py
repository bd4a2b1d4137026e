"""The central system's handlers for OCPP 2.0.1 (also serving 2.1, whose station-initiated
core messages answer with the same shapes; the session checks every answer against the
version's own schema)."""

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


class CentralSystemV201(ActionHandlers):
    """Answers a 2.0.1 charging station and keeps what it reports in its
    :class:`StationRecord`."""

    def __init__(
        self,
        station: StationRecord,
        boot_policy: BootPolicy,
        next_transaction_id: Callable[[], int],
    ) -> None:
        # 2.0.1 stations choose their own transaction ids; the counter is unused here and
        # taken only so every version's handlers are built the same way.
        del next_transaction_id
        self.station = station
        self.boot_policy = boot_policy

    @on("BootNotification")
    def boot_notification(self, payload: Payload) -> Payload:
        station, charging_station = self.station, payload["chargingStation"]
        station.vendor = charging_station["vendorName"]
        station.model = charging_station["model"]
        station.serial_number = charging_station.get("serialNumber")
        station.firmware_version = charging_station.get("firmwareVersion")
        station.registration = self.boot_policy.status
        logger.info(
            "%s booted (%s): %s %s",
            station.identity,
            payload["reason"],
            station.vendor,
            station.model,
        )
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
        connector = f"{payload['evseId']}/{payload['connectorId']}"
        self.station.connectors[connector] = ConnectorRecord(payload["connectorStatus"])
        logger.info(
            "%s EVSE/connector %s: %s", self.station.identity, connector, payload["connectorStatus"]
        )
        return {}

    @on("Authorize")
    def authorize(self, payload: Payload) -> Payload:
        return {"idTokenInfo": {"status": "Accepted"}}

    @on("TransactionEvent")
    def transaction_event(self, payload: Payload) -> Payload:
        info = payload["transactionInfo"]
        transaction_id = info["transactionId"]
        transactions = self.station.transactions
        if payload["eventType"] == "Started" and transaction_id not in transactions:
            evse = payload.get("evse", {})
            transactions[transaction_id] = TransactionRecord(
                transaction_id=transaction_id,
                connector=f"{evse.get('id', 0)}/{evse.get('connectorId', 0)}",
                id_tag=payload.get("idToken", {}).get("idToken", ""),
                meter_start_wh=_energy_register_wh(payload) or 0.0,
                started_at=utc_now(),
            )
            logger.info("%s started transaction %s", self.station.identity, transaction_id)
        elif payload["eventType"] == "Ended" and transaction_id in transactions:
            transaction = transactions[transaction_id]
            stop = _energy_register_wh(payload)
            transaction.meter_stop_wh = transaction.meter_start_wh if stop is None else stop
            transaction.stopped_at = utc_now()
            transaction.stop_reason = info.get("stoppedReason", "Local")
            logger.info("%s ended transaction %s", self.station.identity, transaction_id)
        if "idToken" in payload:
            return {"idTokenInfo": {"status": "Accepted"}}
        return {}

    @on("MeterValues")
    def meter_values(self, payload: Payload) -> Payload:
        return {}

    @on("NotifyReport")
    def notify_report(self, payload: Payload) -> Payload:
        return {}

    @on("DataTransfer")
    def data_transfer(self, payload: Payload) -> Payload:
        return {"status": "UnknownVendorId"}

    @on("FirmwareStatusNotification")
    def firmware_status_notification(self, payload: Payload) -> Payload:
        return {}

    @on("LogStatusNotification")
    def log_status_notification(self, payload: Payload) -> Payload:
        return {}

    @on("SecurityEventNotification")
    def security_event_notification(self, payload: Payload) -> Payload:
        return {}


def _energy_register_wh(payload: Payload) -> float | None:
    """The Energy.Active.Import.Register reading of a TransactionEvent, in Wh, if it has one
    (the measurand is the default when absent: OCPP 2.0.1 SampledValueType)."""
    for meter_value in payload.get("meterValue", []):
        for sample in meter_value["sampledValue"]:
            if (
                sample.get("measurand", "Energy.Active.Import.Register")
                != "Energy.Active.Import.Register"
            ):
                continue
            multiplier = 10 ** sample.get("unitOfMeasure", {}).get("multiplier", 0)
            unit = sample.get("unitOfMeasure", {}).get("unit", "Wh")
            value: float = float(sample["value"]) * multiplier
            return value * 1000 if unit == "kWh" else value
    return None
