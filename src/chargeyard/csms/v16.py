"""The central system's handlers for OCPP 1.6-J (messages initiated by the charge point).

Every handler is a coroutine that writes what the station reported through the store and
answers after the write committed; each takes and answers its action's message type
(``protocol/messages/v16.py``). DiagnosticsStatusNotification and the security extension's
SignedFirmwareStatusNotification are kept as station notifications here; Heartbeat,
DataTransfer, FirmwareStatusNotification and the security extension's LogStatusNotification
and SecurityEventNotification are answered as 2.0.1's are (``handlers.py``). The extension's
SignCertificate is kept and answered Rejected (``certificates.py``: this central system has no
certificate authority).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from chargeyard.csms import event_data, orphans
from chargeyard.csms.boot import BootReport, boot
from chargeyard.csms.certificates import CertificatesV16
from chargeyard.csms.context import (
    StationContext,
    id_tag_info,
    parse_time,
)
from chargeyard.csms.energy import reading, unusable_readings
from chargeyard.csms.handlers import CentralSystemHandlers
from chargeyard.csms.resent import ResentMeterValues
from chargeyard.protocol import on
from chargeyard.protocol.messages import v16
from chargeyard.store import NotFoundError
from chargeyard.store.models import NotificationKind
from chargeyard.store.repositories import SampledValue
from chargeyard.store.station_writer import StatusReport

logger = logging.getLogger(__name__)


class CentralSystemV16(CentralSystemHandlers, CertificatesV16):
    """Answers a 1.6 charge point and keeps what it reports in the store."""

    def __init__(self, context: StationContext) -> None:
        super().__init__(context)
        self._resent_meter_values = ResentMeterValues()

    @on("BootNotification")
    async def boot_notification(
        self, payload: v16.BootNotificationRequest
    ) -> v16.BootNotificationResponse:
        report = BootReport(
            vendor=payload["chargePointVendor"],
            model=payload["chargePointModel"],
            serial_number=payload.get("chargePointSerialNumber"),
            firmware_version=payload.get("firmwareVersion"),
        )
        answer = await boot(self.context, report)
        self.booted()
        logger.info("%s booted: %s %s", self.identity, report.vendor, report.model)
        return {
            "status": answer.status,
            "currentTime": answer.current_time,
            "interval": answer.interval,
        }

    @on("StatusNotification")
    async def status_notification(
        self, payload: v16.StatusNotificationRequest
    ) -> v16.StatusNotificationResponse:
        at = parse_time(payload.get("timestamp"))
        await self.context.keep(
            StatusReport(
                self.identity,
                payload["connectorId"],
                payload["status"],
                error_code=payload["errorCode"],
                info=payload.get("info"),
                vendor_id=payload.get("vendorId"),
                vendor_error_code=payload.get("vendorErrorCode"),
                at=at,
            )
        )
        if (
            self.first_report_since_boot(0, payload["connectorId"])
            and payload["status"] == "Available"
            and payload["connectorId"] > 0
        ):
            await self.available_after_boot(at, connector_id=payload["connectorId"], evse_id=None)
        self.events.publish(
            self.connector_statuses.changed(
                payload["connectorId"],
                payload["status"],
                error_code=payload["errorCode"],
                info=payload.get("info"),
            )
        )
        logger.info(
            "%s connector %s: %s (%s)",
            self.identity,
            payload["connectorId"],
            payload["status"],
            payload["errorCode"],
        )
        return {}

    @on("Authorize")
    async def authorize(self, payload: v16.AuthorizeRequest) -> v16.AuthorizeResponse:
        authorization = await self.context.authorize(payload["idTag"], starting=True)
        return {"idTagInfo": id_tag_info(authorization)}

    @on("StartTransaction")
    async def start_transaction(
        self, payload: v16.StartTransactionRequest
    ) -> v16.StartTransactionResponse:
        # The id is handed out even when the tag is refused: the charge point then stops the
        # transaction itself (OCPP 1.6 section 4.8).
        connector_id, id_tag = payload["connectorId"], payload["idTag"]
        authorization = await self.context.authorize(id_tag, starting=True)
        may_supersede = orphans.opening(self.context)
        transaction, new = await self.store.transactions.start_once(
            self.identity,
            connector_id=connector_id,
            meter_start_wh=payload["meterStart"],
            started_at=parse_time(payload["timestamp"]),
            id_tag=id_tag,
            # StartTransaction.req has no remote marker (6.45): a start we asked for we remember.
            remote_started=lambda: self.context.remote_starts.claim(
                self.identity, connector_id=connector_id, id_tag=id_tag
            ),
        )
        if not new:
            # The same StartTransaction again (its answer was lost, 1.6 section 4.8's
            # TransactionMessageAttempts): the same transaction, answered as the first was
            # answered now, and nothing opened or published twice. A single-session tag is
            # not in another transaction because it is in this one.
            if authorization.status == "ConcurrentTx":
                authorization = await self.context.authorize(
                    id_tag, starting=True, excluding=transaction.id
                )
            return {
                "transactionId": int(transaction.transaction_id),
                "idTagInfo": id_tag_info(authorization),
            }
        self._resent_meter_values.opened(int(transaction.transaction_id))
        self.samples.opened(
            transaction.transaction_id,
            station_pk=transaction.station_id,
            transaction_pk=transaction.id,
        )
        self.events.publish(event_data.transaction_started(self.identity, transaction))
        logger.info("%s started transaction %s", self.identity, transaction.transaction_id)
        if may_supersede:
            await orphans.close_superseded(self.context, transaction)
        return {
            "transactionId": int(transaction.transaction_id),
            "idTagInfo": id_tag_info(authorization),
        }

    @on("StopTransaction")
    async def stop_transaction(
        self, payload: v16.StopTransactionRequest
    ) -> v16.StopTransactionResponse:
        transaction_id = payload["transactionId"]
        samples = _samples(self.identity, payload.get("transactionData", []))
        try:
            # transactionData may repeat readings the transaction's MeterValues carried
            # (section 4.10): each is kept once.
            await self.store.transactions.add_samples(
                self.identity, samples, transaction_id=transaction_id, skip_kept=True
            )
            transaction = await self.store.transactions.stop(
                self.identity,
                transaction_id,
                meter_stop_wh=payload["meterStop"],
                stopped_at=parse_time(payload["timestamp"]),
                reason=payload.get("reason", "Local"),
                id_tag=payload.get("idTag"),
            )
            self.events.publish(event_data.transaction_stopped(self.identity, transaction))
            logger.info(
                "%s stopped transaction %s: %s Wh",
                self.identity,
                transaction_id,
                transaction.energy_wh,
            )
        except NotFoundError:
            # Still answered: a charge point re-sends until it gets an answer (section 4.10).
            logger.warning("%s stopped unknown transaction %s", self.identity, transaction_id)
            await self.store.transactions.add_samples(self.identity, samples)
        if "idTag" in payload:
            return {"idTagInfo": id_tag_info(await self.context.authorize(payload["idTag"]))}
        return {}

    @on("MeterValues")
    async def meter_values(self, payload: v16.MeterValuesRequest) -> v16.MeterValuesResponse:
        samples = _samples(self.identity, payload["meterValue"])
        transaction_id = payload.get("transactionId")
        connector_id = payload["connectorId"]
        resent = self._resent_meter_values
        if resent.is_copy(payload):
            return {}  # this connection stored it moments ago: a copy after a timeout
        try:
            stored = await self.samples.add(
                samples,
                transaction_id=transaction_id,
                connector_id=connector_id,
                skip_kept=resent.first_of(transaction_id),
            )
            resent.stored(payload)
            # Building the event is a fifth of this handler's cost: skipped when nobody listens.
            if transaction_id is not None and stored and len(self.events):
                self.events.publish(
                    event_data.transaction_updated(
                        self.identity, transaction_id, samples, connector_id=connector_id
                    )
                )
        except NotFoundError:
            logger.warning(
                "%s: meter values for unknown transaction %s", self.identity, transaction_id
            )
            await self.samples.add(samples, connector_id=connector_id)
        return {}

    @on("DiagnosticsStatusNotification")
    async def diagnostics_status_notification(
        self, payload: v16.DiagnosticsStatusNotificationRequest
    ) -> v16.DiagnosticsStatusNotificationResponse:
        logger.info("%s diagnostics: %s", self.identity, payload["status"])
        await self.context.note(
            NotificationKind.DIAGNOSTICS,
            "DiagnosticsStatusNotification",
            status=payload["status"],
        )
        return {}

    @on("SignedFirmwareStatusNotification")
    async def signed_firmware_status_notification(
        self, payload: v16.SignedFirmwareStatusNotificationRequest
    ) -> v16.SignedFirmwareStatusNotificationResponse:
        # The security extension's signed update (SignedUpdateFirmware): the statuses of
        # 2.0.1's FirmwareStatusEnumType, kept as the charger's firmware status.
        logger.info("%s signed firmware: %s", self.identity, payload["status"])
        await self.context.note(
            NotificationKind.FIRMWARE,
            "SignedFirmwareStatusNotification",
            status=payload["status"],
            request_id=payload.get("requestId"),
        )
        return {}


def _samples(
    identity: str, meter_values: Sequence[v16.MeterValue | v16.TransactionData]
) -> list[SampledValue]:
    """The sampled values of 1.6 MeterValues (section 7.32: value is a string, Wh by default).

    A value that is not a finite decimal number (SignedData, ``NaN``, ``Infinity``, ``1e999``)
    is no reading: it is left out and the rest of the message kept (the frame log has it
    whole), rather than the message refused with a CALLERROR, which would lose the other
    readings and, in StopTransaction, the transaction's end."""
    samples = []
    unusable = 0
    for meter_value in meter_values:
        at = parse_time(meter_value["timestamp"])
        for sampled in meter_value["sampledValue"]:
            value = reading(sampled["value"])
            if value is None:
                unusable += sampled.get("format", "Raw") == "Raw"
                continue
            samples.append(
                SampledValue(
                    sampled_at=at,
                    value=value,
                    measurand=sampled.get("measurand", "Energy.Active.Import.Register"),
                    phase=sampled.get("phase"),
                    unit=sampled.get("unit", "Wh"),
                    context=sampled.get("context"),
                    location=sampled.get("location"),
                )
            )
    if unusable:
        unusable_readings(identity, unusable)
    return samples
