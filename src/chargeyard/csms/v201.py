"""The central system's handlers for OCPP 2.0.1 (also serving 2.1, whose station-initiated
core messages answer with the same shapes; the session checks every answer against the
version's own schema). Each takes and answers its action's 2.0.1 message type
(``protocol/messages/v201.py``).

Every handler is a coroutine that writes what the station reported through the store and
answers after the write committed. Heartbeat, DataTransfer, FirmwareStatusNotification,
LogStatusNotification and SecurityEventNotification are answered as 1.6's are
(``handlers.py``); the reports that are kept as station notifications (NotifyReport,
ReservationStatusUpdate, ReportChargingProfiles, NotifyEvent and the rest) are answered by
``notifications_v201.py``, the certificate messages (SignCertificate, Get15118EVCertificate,
GetCertificateStatus) by ``certificates.py``.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Sequence

from chargeyard.csms import event_data, orphans
from chargeyard.csms.boot import BootReport, boot
from chargeyard.csms.certificates import CertificatesV201
from chargeyard.csms.context import iso, parse_time
from chargeyard.csms.energy import scaled, unusable_readings
from chargeyard.csms.handlers import CentralSystemHandlers
from chargeyard.csms.notifications_v201 import NotificationsV201
from chargeyard.protocol import on
from chargeyard.protocol.messages import is_one_of, v201
from chargeyard.store.repositories import Authorization, SampledValue
from chargeyard.store.station_writer import StatusReport

logger = logging.getLogger(__name__)

ENERGY_REGISTER = "Energy.Active.Import.Register"


class CentralSystemV201(CentralSystemHandlers, NotificationsV201, CertificatesV201):
    """Answers a 2.0.1 charging station and keeps what it reports in the store."""

    @on("BootNotification")
    async def boot_notification(
        self, payload: v201.BootNotificationRequest
    ) -> v201.BootNotificationResponse:
        charging_station = payload["chargingStation"]
        report = BootReport(
            vendor=charging_station["vendorName"],
            model=charging_station["model"],
            serial_number=charging_station.get("serialNumber"),
            firmware_version=charging_station.get("firmwareVersion"),
        )
        answer = await boot(self.context, report)
        self.booted()
        logger.info(
            "%s booted (%s): %s %s", self.identity, payload["reason"], report.vendor, report.model
        )
        return {
            "status": answer.status,
            "currentTime": answer.current_time,
            "interval": answer.interval,
        }

    @on("StatusNotification")
    async def status_notification(
        self, payload: v201.StatusNotificationRequest
    ) -> v201.StatusNotificationResponse:
        at = parse_time(payload.get("timestamp"))
        await self.context.keep(
            StatusReport(
                self.identity,
                payload["connectorId"],
                payload["connectorStatus"],
                evse_id=payload["evseId"],
                at=at,
            )
        )
        if (
            self.first_report_since_boot(payload["evseId"], payload["connectorId"])
            and payload["connectorStatus"] == "Available"
            and payload["evseId"] > 0
        ):
            # 2.0.1 numbers transactions per EVSE (E01): an Available connector of an EVSE
            # with one connector, or the one the transaction used, ends it.
            await self.available_after_boot(
                at, connector_id=payload["connectorId"], evse_id=payload["evseId"]
            )
        self.events.publish(
            self.connector_statuses.changed(
                payload["connectorId"], payload["connectorStatus"], evse_id=payload["evseId"]
            )
        )
        logger.info(
            "%s EVSE %s connector %s: %s",
            self.identity,
            payload["evseId"],
            payload["connectorId"],
            payload["connectorStatus"],
        )
        return {}

    @on("Authorize")
    async def authorize(self, payload: v201.AuthorizeRequest) -> v201.AuthorizeResponse:
        authorization = await self.context.authorize(payload["idToken"]["idToken"], starting=True)
        return {"idTokenInfo": _id_token_info(authorization)}

    @on("TransactionEvent")
    async def transaction_event(
        self, payload: v201.TransactionEventRequest
    ) -> v201.TransactionEventResponse:
        # E01-E15: Started opens, Updated changes, Ended closes; every message may carry
        # samples. A transaction first heard of in Updated or Ended is opened then, so nothing
        # the station reported is dropped (E04: a station may have lost the Started).
        transactions = self.store.transactions
        info = payload["transactionInfo"]
        transaction_id: str = info["transactionId"]
        at = parse_time(payload["timestamp"])
        evse = payload.get("evse", {})
        id_tag = payload.get("idToken", {}).get("idToken")
        first_register, register = _energy_registers_wh(payload)
        seq_no: int = payload["seqNo"]
        existing = await transactions.get(self.identity, transaction_id)
        if (
            existing is not None
            and existing.last_seq_no is not None
            and seq_no <= existing.last_seq_no
        ):
            # A copy of an event already stored, re-sent because its answer was lost (E13:
            # the station retries with the same seqNo): answered as the first was, and
            # nothing stored or published again.
            if id_tag is not None:
                authorization = await self.context.authorize(
                    id_tag, starting=payload["eventType"] == "Started", excluding=existing.id
                )
                return {"idTokenInfo": _id_token_info(authorization)}
            return {}
        if existing is None:
            may_supersede = orphans.opening(self.context)
            existing = await transactions.start(
                self.identity,
                transaction_id=transaction_id,
                evse_id=evse.get("id", 0),
                connector_id=evse.get("connectorId", 0),
                id_tag=id_tag,
                # A transaction first heard of in Updated or Ended starts at the earliest
                # reading it carries (an Ended event's Transaction.Begin sample, E06).
                meter_start_wh=first_register or 0.0,
                started_at=at,
                # F01/F02: the first event after our RequestStartTransaction names its
                # remoteStartId (claimed first, so the pending start is forgotten).
                remote_started=(
                    "remoteStartId" in info
                    and self.context.remote_starts.claim(
                        self.identity,
                        connector_id=evse.get("id", 0),
                        id_tag=id_tag,
                        remote_start_id=info["remoteStartId"],
                    )
                )
                or payload["triggerReason"] == "RemoteStart",
                charging_state=info.get("chargingState"),
            )
            self.events.publish(event_data.transaction_started(self.identity, existing))
            if payload["eventType"] == "Started":
                logger.info("%s started transaction %s", self.identity, transaction_id)
            if may_supersede:
                await orphans.close_superseded(self.context, existing)
        elif payload["eventType"] == "Updated" and (
            info.get("chargingState", existing.charging_state) != existing.charging_state
            or (id_tag or existing.id_tag) != existing.id_tag
        ):
            # Only what changed is written: most Updated events repeat the charging state
            # (a periodic or triggered meter reading, E02), and a write that changes nothing
            # would cost them a unit of work each.
            await transactions.update(
                self.identity,
                transaction_id,
                charging_state=info.get("chargingState", existing.charging_state),
                id_tag=id_tag or existing.id_tag,
            )
        samples = _samples(self.identity, payload.get("meterValue", []))
        await self.samples.add(
            samples,
            transaction_id=transaction_id,
            evse_id=evse.get("id", existing.evse_id),
            connector_id=evse.get("connectorId", existing.connector_id),
            # J02/E06: Ended sums up the transaction (TxEndedMeasurands) and so repeats
            # readings sent before, its Transaction.Begin first of all: kept once.
            skip_kept=payload["eventType"] == "Ended",
        )
        if payload["eventType"] == "Updated":
            self.events.publish(
                event_data.transaction_updated(
                    self.identity,
                    transaction_id,
                    samples,
                    connector_id=evse.get("connectorId", existing.connector_id),
                    evse_id=evse.get("id", existing.evse_id),
                    charging_state=info.get("chargingState"),
                )
            )
        if payload["eventType"] == "Ended":
            if register is None:
                # The meter values of Ended are optional (E06): then the transaction stopped
                # at the last register reading the station sent in it.
                latest = await transactions.latest_energy_wh([existing.id])
                register = latest.get(existing.id, existing.meter_start_wh)
            stopped = await transactions.stop(
                self.identity,
                transaction_id,
                meter_stop_wh=register,
                stopped_at=at,
                reason=info.get("stoppedReason", "Local"),
                id_tag=id_tag,
                # What the Ended event says, else none: the last Updated's (often Charging)
                # does not outlive the transaction. Ended reports the state it leaves when
                # that changed ("required when state has changed", ChargingStateEnumType in
                # TransactionEventRequest.json): EVConnected after a stop by the driver's
                # card with the cable still in (E07), Idle once the cable is out (E06).
                charging_state=info.get("chargingState"),
            )
            self.events.publish(event_data.transaction_stopped(self.identity, stopped))
            logger.info(
                "%s ended transaction %s: %s Wh", self.identity, transaction_id, stopped.energy_wh
            )
        await transactions.note_seq_no(self.identity, transaction_id, seq_no)
        if id_tag is not None:
            # The tag's policy weighs on a start, not on the updates of a running session.
            authorization = await self.context.authorize(
                id_tag, starting=payload["eventType"] == "Started", excluding=existing.id
            )
            return {"idTokenInfo": _id_token_info(authorization)}
        return {}

    @on("MeterValues")
    async def meter_values(self, payload: v201.MeterValuesRequest) -> v201.MeterValuesResponse:
        samples = _samples(self.identity, payload["meterValue"])
        await self.samples.add(samples, evse_id=payload["evseId"])
        return {}


_TOKEN_STATUSES: frozenset[v201.AuthorizationStatusEnumType] = frozenset(
    typing.get_args(v201.AuthorizationStatusEnumType)
)


def _token_status(status: str) -> v201.AuthorizationStatusEnumType:
    if is_one_of(status, _TOKEN_STATUSES):
        return status
    logger.warning("id token status %r is not OCPP 2.0.1's: answered Invalid", status)
    return "Invalid"


def _id_token_info(authorization: Authorization) -> v201.IdTokenInfoType:
    """OCPP 2.0.1 IdTokenInfoType: the 1.6 fields under their 2.0.1 names. A status 2.0.1
    cannot say (none that the API stores) is answered Invalid."""
    info: v201.IdTokenInfoType = {"status": _token_status(authorization.status)}
    if authorization.expiry_date is not None:
        info["cacheExpiryDateTime"] = iso(authorization.expiry_date)
    if authorization.parent_id_tag is not None:
        info["groupIdToken"] = {"idToken": authorization.parent_id_tag, "type": "Central"}
    return info


def _samples(identity: str, meter_values: Sequence[v201.MeterValueType]) -> list[SampledValue]:
    """The sampled values of MeterValueTypes, in the unit and multiplier the station used.

    A value the multiplier takes beyond a float (``unitOfMeasure.multiplier`` is any 32-bit
    integer, OCPP 2.0.1 part 2 section 2.1, so the schema allows 2**31 - 1) is no reading: it
    is left out and the rest of the message kept (the frame log has it whole). No CALLERROR
    fits a payload the schema allows, and refusing a TransactionEvent Ended for one sample
    would leave its transaction open for ever."""
    samples = []
    unusable = 0
    for meter_value in meter_values:
        at = parse_time(meter_value["timestamp"])
        for sampled in meter_value["sampledValue"]:
            unit = sampled.get("unitOfMeasure", {})
            value = scaled(float(sampled["value"]), unit.get("multiplier", 0))
            if value is None:
                unusable += 1
                continue
            samples.append(
                SampledValue(
                    sampled_at=at,
                    value=value,
                    measurand=sampled.get("measurand", ENERGY_REGISTER),
                    phase=sampled.get("phase"),
                    unit=unit.get("unit", "Wh"),
                    context=sampled.get("context"),
                    location=sampled.get("location"),
                )
            )
    if unusable:
        unusable_readings(identity, unusable)
    return samples


def _energy_registers_wh(
    payload: v201.TransactionEventRequest,
) -> tuple[float | None, float | None]:
    """The first and the last Energy.Active.Import.Register reading of a TransactionEvent, in
    Wh, (None, None) if it has none (the measurand is the default when absent: OCPP 2.0.1
    SampledValueType). An Ended event carries its Transaction.Begin reading before its
    Transaction.End, so the first is where a transaction first heard of here started and the
    last where it stands now."""
    first: float | None = None
    found: float | None = None
    for meter_value in payload.get("meterValue", []):
        for sample in meter_value["sampledValue"]:
            # Only the whole EVSE's register, as latest_energy_wh reads it: a phase's is part.
            if sample.get("measurand", ENERGY_REGISTER) != ENERGY_REGISTER or "phase" in sample:
                continue
            unit = sample.get("unitOfMeasure", {})
            kilo = 3 if unit.get("unit", "Wh") == "kWh" else 0
            # A value that is no reading (see _samples) leaves the last one unknown: Ended then
            # stops at the last reading stored, as when it carries none.
            found = scaled(float(sample["value"]), unit.get("multiplier", 0) + kilo)
            if first is None:
                first = found
    return first, found
