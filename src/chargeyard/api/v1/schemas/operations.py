"""Bodies of the reservation, local-list and smart-charging commands (camelCase on the wire,
unknown fields refused, as the other commands)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from chargeyard.api.shapes import MAX_INT32, Request
from chargeyard.csms.commands import smart_charging
from chargeyard.csms.commands.smart_charging import Kind, Purpose, RateUnit, Recurrency

_IdTag = Field(min_length=1, max_length=36, description="1.6 allows 20 characters, 2.0.1 36")


# -- reservations ------------------------------------------------------------------------------


class ReservationRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"connectorId": 1, "idTag": "04A1B2C3D4", "expiryDate": "2026-02-10T15:00:00Z"}
            ]
        },
    )

    connectorId: int = Field(
        ge=0, le=MAX_INT32, description="Connector (2.0.1: EVSE) to reserve; 0: any"
    )
    idTag: str = _IdTag
    expiryDate: AwareDatetime = Field(description="When the reservation lapses")
    reservationId: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The central system picks one if absent"
    )
    parentIdTag: str | None = Field(
        default=None, min_length=1, max_length=36, description="2.0.1: the groupIdToken"
    )
    connectorType: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="2.0.1 only: reserve a connector of this type (cType2, cCCS2, ...)",
    )


class ReservationResponse(BaseModel):
    message: str
    chargeBoxId: str
    reservationId: int
    connectorId: int
    idTag: str
    expiryDate: str
    status: str = Field(description="accepted, faulted, occupied, rejected or unavailable")


class CancelReservationRequest(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reservationId": 7}]})

    reservationId: int = Field(ge=1, le=2**31 - 1)


class CancelReservationResponse(BaseModel):
    message: str
    chargeBoxId: str
    reservationId: int
    status: str = Field(description="accepted, or rejected when the station has no such one")


# -- local authorization list ------------------------------------------------------------------


class LocalListEntry(Request):
    idTag: str = _IdTag
    status: (
        Literal[
            "Accepted",
            "Blocked",
            "Expired",
            "Invalid",
            "ConcurrentTx",
            "NoCredit",
            "NotAllowedTypeEVSE",
            "NotAtThisLocation",
            "NotAtThisTime",
            "Unknown",
        ]
        | None
    ) = Field(
        default=None,
        description="Absent in a Differential update: the entry is removed. The last five are"
        " 2.0.1's only",
    )
    expiryDate: AwareDatetime | None = None
    parentIdTag: str | None = Field(default=None, min_length=1, max_length=36)


class SendLocalListRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "listVersion": 3,
                    "updateType": "Full",
                    "entries": [
                        {"idTag": "04A1B2C3D4", "status": "Accepted"},
                        {"idTag": "BLOCKED-1", "status": "Blocked"},
                    ],
                },
                {
                    "listVersion": 4,
                    "updateType": "Differential",
                    "entries": [{"idTag": "BLOCKED-1"}],
                },
            ]
        },
    )

    listVersion: int = Field(ge=1, le=2**31 - 1, description="The list's version after this")
    updateType: Literal["Full", "Differential"]
    entries: list[LocalListEntry] = Field(default_factory=list, max_length=10_000)


class SendLocalListResponse(BaseModel):
    message: str
    chargeBoxId: str
    listVersion: int
    updateType: str
    entries: int
    status: str = Field(description="accepted, failed, not_supported or version_mismatch")


class LocalListVersionResponse(BaseModel):
    chargeBoxId: str
    listVersion: int = Field(description="0: an empty list; -1 (1.6): no list support")


# -- smart charging ----------------------------------------------------------------------------


class SchedulePeriodBody(Request):
    startPeriod: int = Field(
        ge=0, le=MAX_INT32, description="Seconds from the start of the schedule"
    )
    limit: float = Field(ge=0, description="In the schedule's chargingRateUnit")
    numberPhases: int | None = Field(default=None, ge=1, le=3)


class ScheduleBody(Request):
    chargingRateUnit: RateUnit
    periods: list[SchedulePeriodBody] = Field(min_length=1, max_length=1024)
    duration: int | None = Field(
        default=None, ge=0, le=MAX_INT32, description="Seconds; absent: open-ended"
    )
    startSchedule: AwareDatetime | None = Field(
        default=None, description="Absolute and Recurring profiles (needed), Dynamic (may)"
    )
    minChargingRate: float | None = Field(default=None, ge=0)


class ChargingProfileBody(Request):
    id: int = Field(ge=1, le=2**31 - 1)
    stackLevel: int = Field(ge=0, le=2**31 - 1)
    purpose: Purpose = Field(
        description="ChargePointMaxProfile and ChargingStationMaxProfile"
        " are one purpose, named as the station's version names it; PriorityCharging and"
        " LocalGeneration: OCPP 2.1 stations only"
    )
    kind: Kind = Field(description="Dynamic: OCPP 2.1 stations only")
    recurrency: Recurrency | None = None
    validFrom: AwareDatetime | None = None
    validTo: AwareDatetime | None = None
    transactionId: str | None = Field(
        default=None, min_length=1, max_length=36, description="TxProfile only"
    )
    dynUpdateInterval: int | None = Field(
        default=None,
        ge=0,
        le=2**31 - 1,
        description="OCPP 2.1, a Dynamic profile only: seconds after its last update at which"
        " the station asks for the next with PullDynamicScheduleUpdate (K28)",
    )
    schedule: ScheduleBody

    def profile(self) -> smart_charging.ChargingProfile:
        """The profile the commands take."""
        schedule = self.schedule
        return smart_charging.ChargingProfile(
            id=self.id,
            stack_level=self.stackLevel,
            purpose=self.purpose,
            kind=self.kind,
            recurrency=self.recurrency,
            valid_from=self.validFrom,
            valid_to=self.validTo,
            transaction_id=self.transactionId,
            dyn_update_interval=self.dynUpdateInterval,
            schedule=smart_charging.Schedule(
                rate_unit=schedule.chargingRateUnit,
                periods=tuple(
                    smart_charging.SchedulePeriod(p.startPeriod, p.limit, p.numberPhases)
                    for p in schedule.periods
                ),
                duration=schedule.duration,
                start=schedule.startSchedule,
                min_rate=schedule.minChargingRate,
            ),
        )


class SetChargingProfileRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "connectorId": 1,
                    "chargingProfile": {
                        "id": 100,
                        "stackLevel": 0,
                        "purpose": "TxDefaultProfile",
                        "kind": "Absolute",
                        "schedule": {
                            "chargingRateUnit": "A",
                            "startSchedule": "2026-02-10T14:00:00Z",
                            "periods": [
                                {"startPeriod": 0, "limit": 16},
                                {"startPeriod": 3600, "limit": 8},
                            ],
                        },
                    },
                }
            ]
        },
    )

    connectorId: int = Field(
        ge=0, le=MAX_INT32, description="Connector (2.0.1: EVSE); 0: the station"
    )
    chargingProfile: ChargingProfileBody


class SetChargingProfileResponse(BaseModel):
    message: str
    chargeBoxId: str
    connectorId: int
    chargingProfileId: int
    status: str = Field(description="accepted, rejected or not_supported")


class ClearChargingProfileRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 100}, {"connectorId": 1, "purpose": "TxProfile"}]},
    )

    id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    connectorId: int | None = Field(default=None, ge=0, le=MAX_INT32)
    purpose: Purpose | None = None
    stackLevel: int | None = Field(default=None, ge=0, le=MAX_INT32)


class ClearChargingProfileResponse(BaseModel):
    message: str
    chargeBoxId: str
    status: str = Field(description="accepted, or unknown when no profile matched")


class CompositeScheduleRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"connectorId": 1, "duration": 86400}]},
    )

    connectorId: int = Field(
        ge=0, le=MAX_INT32, description="Connector (2.0.1: EVSE); 0: the station's"
    )
    duration: int = Field(ge=1, le=2**31 - 1, description="Seconds from now")
    chargingRateUnit: RateUnit | None = None


class CompositePeriod(BaseModel):
    startPeriod: int
    limit: float
    numberPhases: int | None


class CompositeScheduleBody(BaseModel):
    duration: int | None
    chargingRateUnit: str
    minChargingRate: float | None
    periods: list[CompositePeriod]


class CompositeScheduleResponse(BaseModel):
    message: str
    chargeBoxId: str
    connectorId: int
    status: str = Field(description="accepted or rejected")
    scheduleStart: str | None
    schedule: CompositeScheduleBody | None
    reason: str | None = Field(description="2.0.1: the station's reasonCode, when it gave one")
