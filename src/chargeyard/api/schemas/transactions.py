"""Request and response bodies of the transaction API (camelCase on the wire, as the command
API). Energy is in Wh and times are ISO 8601 UTC with a ``Z``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RemoteStatus = Literal["accepted", "rejected"]
TransactionState = Literal["active", "completed"]


class RemoteStartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connectorId: int = Field(ge=1, description="Connector (OCPP 2.0.1: EVSE) to charge on")
    idTag: str = Field(
        min_length=1,
        max_length=36,
        description="Id tag the transaction is for (OCPP 1.6 allows 20 characters, 2.0.1 36)",
    )


class RemoteStartResponse(BaseModel):
    message: str
    chargeBoxId: str
    connectorId: int
    idTag: str
    status: RemoteStatus


class RemoteStopResponse(BaseModel):
    message: str
    chargeBoxId: str
    transactionId: int | str = Field(description="An integer for OCPP 1.6, a string for 2.0.1")
    status: RemoteStatus


class TransactionView(BaseModel):
    transactionId: int | str = Field(description="An integer for OCPP 1.6, a string for 2.0.1")
    chargeBoxId: str
    connectorId: int
    evseId: int | None = Field(description="OCPP 2.0.1 EVSE; null for 1.6")
    idTag: str | None
    stopIdTag: str | None
    status: TransactionState
    startedAt: str
    stoppedAt: str | None
    meterStart: float = Field(description="Meter register at the start, Wh")
    meterStop: float | None = Field(description="Meter register at the stop, Wh")
    energyDelivered: float | None = Field(
        description="Wh: meterStop - meterStart; while active, the latest "
        "Energy.Active.Import.Register reading - meterStart (null before the first reading)"
    )
    durationMinutes: float = Field(description="Minutes from start to stop, or to now if active")
    stopReason: str | None
    remoteStarted: bool = Field(description="Started by a remote start request of this API")
    chargingState: str | None = Field(description="OCPP 2.0.1 chargingState; null for 1.6")


class TransactionPage(BaseModel):
    data: list[TransactionView]
    total: int = Field(description="Transactions matching the filters, over all pages")
    limit: int
    offset: int


class MeterSampleView(BaseModel):
    timestamp: str
    measurand: str
    value: float = Field(description="In ``unit`` (2.0.1: with the multiplier applied)")
    unit: str | None
    phase: str | None
    context: str | None
    location: str | None


class MeterValuesPage(BaseModel):
    transactionId: int | str
    chargeBoxId: str
    meterValues: list[MeterSampleView] = Field(description="Oldest first")
    count: int
