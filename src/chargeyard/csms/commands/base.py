"""What every command shares: its errors, its target, its vocabulary and the dialect each
OCPP version implements (``v16.py``, ``v201.py``)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from chargeyard.csms.message_limits import (
    LimitsSource,
    TooLarge,
    batches,
    joined,
    splittable,
)
from chargeyard.csms.station_link import StationLink
from chargeyard.protocol import MalformedCallResult, Payload
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID
from chargeyard.store.repositories import StationRepository

ResetType = Literal["Soft", "Hard"]
AvailabilityType = Literal["Operative", "Inoperative"]
TriggerableMessage = Literal[
    "BootNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    # OCPP 2.0.1 only (F06's MessageTriggerEnumType): a 1.6 charger is refused before
    # anything is sent (DiagnosticsStatusNotification is 1.6's name of LogStatusNotification).
    "LogStatusNotification",
    "TransactionEvent",
    "PublishFirmwareStatusNotification",
    # The station's own certificate renewed (1.6 security extension, 2.0.1 A02): either name,
    # each sent in the charger's version's words.
    "SignChargePointCertificate",
    "SignChargingStationCertificate",
]
# The renewal of the station's own certificate, in each version's words.
SIGN_CERTIFICATE_TRIGGERS = frozenset(
    {"SignChargePointCertificate", "SignChargingStationCertificate"}
)
# The triggerable messages OCPP 1.6's TriggerMessage lacks.
TRIGGERS_201_ONLY = frozenset(
    {"LogStatusNotification", "TransactionEvent", "PublishFirmwareStatusNotification"}
)
# GetLog's LogEnumType (2.0.1 N01; the 1.6 security extension's the same).
LogType = Literal["DiagnosticsLog", "SecurityLog"]
ConfigurationStatus = Literal["Accepted", "RebootRequired", "Rejected", "NotSupported"]
Result = dict[str, Any]
Send = Callable[[str, Payload], Awaitable[Payload]]
# Asks the station for a device-model report (2.0.1: ``Reporter("GetBaseReport", {...})``, B07,
# or ``Reporter("GetReport", {...})``, B08; the requestId is added) and returns every
# ReportDataType of it, [] for EmptyResultSet, or None if the station gives no such report.
Reporter = Callable[[str, Payload], Awaitable[list[Payload] | None]]

# Asked of a 2.0.1 station by ``configuration/get {}`` when it gives no full report (OCPP 2.0.1
# part 2, appendix 3).
STANDARD_VARIABLES_201: tuple[str, ...] = (
    "OCPPCommCtrlr.HeartbeatInterval",
    "SampledDataCtrlr.TxUpdatedInterval",
    "AlignedDataCtrlr.Interval",
    "TxCtrlr.EVConnectionTimeOut",
    "AuthCtrlr.AuthorizeRemoteStart",
    "AuthCacheCtrlr.Enabled",
    "LocalAuthListCtrlr.Enabled",
)


class UnknownStation(Exception):
    """No station with this chargeBoxId is registered."""

    def __init__(self, charge_box_id: str) -> None:
        super().__init__(f"charger {charge_box_id} not found")
        self.charge_box_id = charge_box_id


class InvalidCommand(Exception):
    """The request cannot be expressed in the station's OCPP version."""


class UnknownConfigurationKey(Exception):
    """A configuration key the station's OCPP version has no name for: on 2.0.1 neither a 1.6
    key with a 2.0.1 counterpart nor ``Component.Variable``. ``configuration/get`` lists it as
    unknown, ``configuration/change`` answers NotSupported; nothing is sent."""

    def __init__(self, key: str) -> None:
        super().__init__(f"configuration key {key!r} is unknown to the charger's OCPP version")
        self.key = key


class StationAnsweredBadly(Exception):
    """The station's answer broke the frame format or the action's response schema (the
    link lets :class:`MalformedCallResult` through; here it gets the station's name)."""

    def __init__(self, charge_box_id: str, action: str, description: str) -> None:
        super().__init__(
            f"charger {charge_box_id} answered {action} with an invalid payload: {description}"
        )
        self.charge_box_id = charge_box_id


@dataclass(frozen=True, slots=True)
class SignedFirmware:
    """What makes a firmware update secure (2.0.1 L01, the 1.6 security extension's
    SignedUpdateFirmware): the PEM Firmware Signing certificate and the image's base64
    signature (L01.FR.11: the CSMS includes the certificate)."""

    signing_certificate: str
    signature: str


@dataclass(frozen=True, slots=True)
class Charger:
    """The station a command goes to: its identity, the link that reaches it, the seconds
    to wait for its answer (None: the link's default), the organization it belongs to
    (whose id tags a command names) and where the limits it reported on a request's items
    are read (None: none are kept to).
    """

    link: StationLink
    identity: str
    timeout: float | None = None
    organization_id: str = DEFAULT_ORGANIZATION_ID
    limits: LimitsSource | None = None


async def require_station(stations: StationRepository, charge_box_id: str) -> None:
    """Raises: UnknownStation: ``charge_box_id`` is not a registered station."""
    if await stations.get(charge_box_id) is None:
        raise UnknownStation(charge_box_id)


def sender(charger: Charger) -> Send:
    """A ``send`` to the charger: ``StationLink.call`` with its timeout, an answer that breaks
    its schema raised as :class:`StationAnsweredBadly` (with the station's name). A 2.0.1
    request with a list the station limits (GetVariables, SetVariables,
    ClearVariableMonitoring: B06.FR.05, B05.FR.11, N06.FR.04) goes in as many calls as the
    limits it reported allow, their answers joined into one (``csms/message_limits.py``).

    Raises (from ``send``):
        InvalidCommand: one item alone is over the station's bytes limit (nothing is sent).
    """

    async def call(action: str, payload: Payload) -> Payload:
        try:
            return await charger.link.call(charger.identity, action, payload, charger.timeout)
        except MalformedCallResult as error:
            raise StationAnsweredBadly(charger.identity, action, error.description) from None

    async def send(action: str, payload: Payload) -> Payload:
        if charger.limits is None or not splittable(action, payload):
            return await call(action, payload)
        limits = await charger.limits.limits(charger.identity, action)
        try:
            parts = batches(action, payload, limits)
        except TooLarge as error:
            raise InvalidCommand(f"charger {charger.identity}: {error}") from None
        return joined(action, [await call(action, part) for part in parts])

    return send


def iso(moment: datetime) -> str:
    """``moment`` in UTC as the wire writes it: ``2026-02-10T14:00:00Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def snake(status: str) -> str:
    """``UnlockFailed`` -> ``unlock_failed``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", status).lower()


# How a message ends for each status a command's answer can carry.
_OUTCOMES: Mapping[str, str] = {
    "Accepted": "accepted by charger",
    "Rejected": "rejected by charger",
    "Scheduled": "scheduled by charger",
    "NotImplemented": "not implemented by charger",
    "AcceptedCanceled": "accepted by charger, which canceled the one in progress",
    "InvalidCertificate": "rejected by charger: invalid certificate",
    "RevokedCertificate": "rejected by charger: revoked certificate",
}


def outcome(status: str) -> str:
    """``"Rejected"`` -> ``"rejected by charger"``."""
    return _OUTCOMES.get(status, f"answered {status} by charger")


def millis(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def as_text(data: object) -> str | None:
    """1.6 data is a string; 2.0.1's may be any JSON value, given here as JSON text."""
    if data is None or isinstance(data, str):
        return data
    return json.dumps(data, separators=(",", ":"))


def retry_options(retries: int | None, retry_interval: int | None) -> Payload:
    options: Payload = {}
    if retries is not None:
        options["retries"] = retries
    if retry_interval is not None:
        options["retryInterval"] = retry_interval
    return options


class Dialect(Protocol):
    """How one OCPP version says each command and what its answer means. Methods return the
    station's status as it spelled it (``configuration`` answers in the API's four statuses)."""

    async def reset(self, send: Send, kind: ResetType, evse_id: int | None = None) -> str: ...
    async def unlock(self, send: Send, connector_id: int) -> str: ...
    async def trigger(
        self, send: Send, requested: TriggerableMessage, connector_id: int | None
    ) -> str: ...
    async def change_availability(
        self, send: Send, connector_id: int, kind: AvailabilityType
    ) -> str: ...
    async def get_configuration(
        self, send: Send, keys: list[str], report: Reporter
    ) -> tuple[list[Result], list[str]]: ...
    async def change_configuration(self, send: Send, key: str, value: str) -> str: ...
    async def update_firmware(
        self,
        send: Send,
        location: str,
        retrieve: str,
        options: Payload,
        signed: SignedFirmware | None = None,
        install: str | None = None,
    ) -> str: ...
    async def get_diagnostics(
        self,
        send: Send,
        location: str,
        window: Payload,
        options: Payload,
        log_type: LogType | None = None,
    ) -> tuple[str, str | None]: ...


def is_integer_id(text: str) -> bool:
    """Whether ``text`` is a 1.6 transaction id as we hand them out: ASCII digits only
    (``str.isdigit`` is true of "²" and "٣" too, which ``int`` refuses or reads as 3)."""
    return text.isascii() and text.isdecimal()
