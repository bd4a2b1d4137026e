"""Request and response bodies of the command API, field for field as the API documents them
(camelCase on the wire). Enumerations are ``Literal`` types, so a bad value is a 422 that names
the allowed ones. Unknown fields are refused: a misspelt optional field would otherwise be
dropped without a word."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from chargeyard.api.ocpp_version import OcppVersionName
from chargeyard.api.shapes import MAX_INT32
from chargeyard.csms.commands import (
    AvailabilityType,
    ConfigurationStatus,
    ResetType,
    TriggerableMessage,
)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# The schemes a charging station downloads firmware from and uploads diagnostics or logs to
# (OCPP 1.6 sections 5.16 and 5.9: "URI"; 2.0.1 L01 and N01: a URL, typically HTTP(S) or
# FTP(S)). A location the station could not reach is refused before anything is sent.
_TRANSFER_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp"})


def _transfer_url(location: str) -> str:
    parts = urlsplit(location)
    if parts.scheme.lower() not in _TRANSFER_SCHEMES or not parts.hostname:
        raise ValueError(
            "must be an absolute URL with a host, over "
            + ", ".join(sorted(_TRANSFER_SCHEMES))
            + " (e.g. https://files.example.com/firmware.bin)"
        )
    return location


TransferUrl = Annotated[str, AfterValidator(_transfer_url)]


# -- requests ---------------------------------------------------------------------------------


class ResetRequest(_Request):
    type: ResetType = Field(description='"Soft" (graceful) or "Hard" (full reboot)')
    evseId: int | None = Field(
        default=None,
        ge=1,
        le=MAX_INT32,
        description="OCPP 2.0.1 only: reset this EVSE, not the station (B11, B12); a 1.6"
        " charger answers 422",
    )


class UnlockRequest(_Request):
    connectorId: int = Field(ge=1, le=MAX_INT32)


class TriggerRequest(_Request):
    """A message the charger sends when asked. SignChargePointCertificate (or its 2.0.1 name,
    SignChargingStationCertificate) asks it to renew its own certificate: a 1.6 charger gets
    ExtendedTriggerMessage (security extension), a 2.0.1 one TriggerMessage (A02); what
    follows (its SignCertificate, the central system's CertificateSigned and the charger's
    answer) is kept in its notifications (kind ``certificate``) and told as events."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"requestedMessage": "StatusNotification", "connectorId": 1},
                {"requestedMessage": "SignChargePointCertificate"},
            ]
        }
    )

    requestedMessage: TriggerableMessage
    connectorId: int | None = Field(
        default=None,
        ge=0,
        le=MAX_INT32,
        description="Target connector (for StatusNotification, MeterValues)",
    )


class AvailabilityRequest(_Request):
    connectorId: int = Field(ge=0, le=MAX_INT32, description="Connector id; 0 is the whole charger")
    type: AvailabilityType


class GetConfigurationRequest(_Request):
    key: list[str] = Field(
        default_factory=list,
        description="Keys to read ({} for all), answered by the names sent. A 2.0.1 charger"
        " takes the common 1.6 keys (HeartbeatInterval is OCPPCommCtrlr.HeartbeatInterval,"
        " MeterValueSampleInterval SampledDataCtrlr.TxUpdatedInterval, ...) and any variable"
        ' as "Component.Variable", qualified where needed: "EVSE@1.AvailabilityState",'
        ' "Connector@1:1.ConnectorType", "DeviceDataCtrlr.ItemsPerMessage[GetReport]"; a 1.6'
        " charger takes those 2.0.1 names of its 1.6 keys",
    )


class ChangeConfigurationRequest(_Request):
    key: str = Field(
        min_length=1,
        max_length=50,
        description="A key as configuration/get takes it; one the charger's version has no"
        " name for is answered NotSupported, and nothing is sent",
    )
    value: str = Field(max_length=1000)


class _Retries(_Request):
    retries: int | None = Field(default=None, ge=0, le=MAX_INT32, description="Retry attempts")
    retryInterval: int | None = Field(
        default=None, ge=0, le=MAX_INT32, description="Seconds between retries"
    )


class UpdateFirmwareRequest(_Retries):
    location: TransferUrl = Field(
        min_length=1,
        max_length=512,
        description="Firmware download URL: http, https, ftp, ftps or sftp, with a host",
    )
    retrieveDate: AwareDatetime = Field(description="ISO 8601 time to start the download")
    installDate: AwareDatetime | None = Field(
        default=None,
        description="When to install the image (2.0.1 UpdateFirmware installDateTime, L01;"
        " 1.6 SignedUpdateFirmware's); absent, once downloaded. An unsigned update of a 1.6"
        " charger has none: 422",
    )
    signingCertificate: str | None = Field(
        default=None,
        min_length=1,
        max_length=5500,
        description="A secure update (2.0.1 L01; 1.6 SignedUpdateFirmware): the PEM Firmware"
        " Signing certificate the image is signed with; with signature",
    )
    signature: str | None = Field(
        default=None,
        min_length=1,
        max_length=800,
        description="The image's signature, base64; with signingCertificate",
    )

    @model_validator(mode="after")
    def _signed_whole(self) -> UpdateFirmwareRequest:
        # L01.FR.11: a secure update carries its signing certificate; a station verifies the
        # signature with it, so one without the other cannot be checked.
        if (self.signingCertificate is None) != (self.signature is None):
            raise ValueError("signingCertificate and signature come together, or neither")
        return self


class DiagnosticsRequest(_Retries):
    location: TransferUrl = Field(
        min_length=1,
        max_length=512,
        description="Upload URL: http, https, ftp, ftps or sftp, with a host",
    )
    startTime: AwareDatetime | None = None
    stopTime: AwareDatetime | None = None
    logType: Literal["DiagnosticsLog", "SecurityLog"] | None = Field(
        default=None,
        description="The log to upload with GetLog (2.0.1 N01; on 1.6 the security"
        " extension's GetLog). Absent: a 1.6 charger gets GetDiagnostics, a 2.0.1 charger"
        " GetLog of its DiagnosticsLog",
    )


class DataTransferRequest(_Request):
    vendorId: str = Field(min_length=1, max_length=255)
    messageId: str | None = Field(default=None, max_length=50)
    data: str | None = None


class RawCallRequest(_Request):
    """Any action a central system sends, in the words of the station's OCPP version."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"action": "GetLocalListVersion", "payload": {}},
                {
                    "action": "SetChargingProfile",
                    "payload": {
                        "connectorId": 1,
                        "csChargingProfiles": {
                            "chargingProfileId": 7,
                            "stackLevel": 0,
                            "chargingProfilePurpose": "TxDefaultProfile",
                            "chargingProfileKind": "Absolute",
                            "chargingSchedule": {
                                "chargingRateUnit": "A",
                                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}],
                            },
                        },
                    },
                },
            ]
        },
    )

    action: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9]+$",
        description="An action a central system sends in the station's OCPP version"
        ' ("Reset", "GetVariables", ...): anything else is a 422 that lists them',
    )
    payload: dict[str, Any] = Field(
        default_factory=dict,
        description="The request as OCPP writes it, checked against the action's official"
        " schema before it is sent (422 with the schema's complaint)",
    )


# -- responses --------------------------------------------------------------------------------


class ResetResponse(BaseModel):
    message: str
    chargeBoxId: str
    type: ResetType
    evseId: int | None = Field(default=None, description="The EVSE reset, when one was named")
    status: str


class UnlockResponse(BaseModel):
    message: str
    chargeBoxId: str
    connectorId: int
    status: str


class ClearCacheResponse(BaseModel):
    message: str
    chargeBoxId: str
    status: str


class TriggerResponse(BaseModel):
    message: str
    chargeBoxId: str
    requestedMessage: TriggerableMessage
    connectorId: int | None
    status: str


class AvailabilityResponse(BaseModel):
    message: str
    chargeBoxId: str
    connectorId: int
    type: AvailabilityType
    status: str


class ConfigurationKey(BaseModel):
    key: str
    readonly: bool
    value: str | None


class GetConfigurationResponse(BaseModel):
    chargeBoxId: str
    configurationKey: list[ConfigurationKey]
    unknownKey: list[str]


class ChangeConfigurationResponse(BaseModel):
    chargeBoxId: str
    key: str
    value: str
    status: ConfigurationStatus
    message: str


class UpdateFirmwareResponse(BaseModel):
    message: str
    chargeBoxId: str
    location: str
    retrieveDate: str
    status: str


class DiagnosticsResponse(BaseModel):
    message: str
    chargeBoxId: str
    location: str
    fileName: str | None
    status: str


class DataTransferResponse(BaseModel):
    message: str
    chargeBoxId: str
    vendorId: str
    messageId: str | None
    status: str
    responseData: str | None


class DataTransferItem(BaseModel):
    id: str
    direction: Literal["incoming", "outgoing"]
    vendorId: str
    messageId: str | None
    data: str | None = Field(description="In a list, only its beginning when `truncated`")
    responseStatus: str | None
    responseData: str | None = Field(description="In a list, only its beginning when `truncated`")
    createdAt: str
    truncated: bool = Field(
        description="`data` or `responseData` is the beginning of a longer text: read the"
        " transfer whole at `/chargers/{chargeBoxId}/data-transfer/{id}`"
    )


class DataTransferHistory(BaseModel):
    chargeBoxId: str
    dataTransfers: list[DataTransferItem]
    count: int


class RawCallResponse(BaseModel):
    chargeBoxId: str
    ocppVersion: OcppVersionName = Field(
        description='The version the station speaks: "1.6", "2.0.1"'
    )
    action: str
    response: dict[str, Any] = Field(description="The station's CALLRESULT payload, as it came")


class ErrorResponse(BaseModel):
    detail: str


class StationErrorResponse(ErrorResponse):
    """A 502: the station answered with a CALLERROR (OCPP-J section 4.2.3), whose code and
    description are given apart from the sentence, for a program to read."""

    errorCode: str | None = Field(
        default=None, description="The CALLERROR's code (NotSupported, NotImplemented, ...)"
    )
    errorDescription: str | None = Field(default=None, description="Its description")
