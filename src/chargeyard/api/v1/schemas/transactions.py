"""Request and response bodies of the transaction API (camelCase on the wire, as the command
API). Energy is in Wh and times are ISO 8601 UTC with a ``Z``.

``transactionId`` is a string for every OCPP version: 2.0.1 ids are the station's own strings
(TransactionType.transactionId, up to 36 characters), which no number can hold, while a 1.6 id
(an integer the central system hands out, StartTransaction.conf section 6.46) is written in
decimal, ``"42"``. Webhooks and the event stream carry the same string, and the path takes it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chargeyard.api.shapes import MAX_INT32
from chargeyard.api.v1.schemas.operations import ChargingProfileBody

RemoteStatus = Literal["accepted", "rejected"]
TransactionState = Literal["active", "completed"]
CsmsCloseReasonName = Literal[
    "SupersededByNewTransaction", "ConnectorAvailableAfterBoot", "SimulatedChargerDeleted"
]

TransactionId = Annotated[
    str,
    Field(
        description='The OCPP transaction id as a string: 1.6 ids in decimal ("42"), 2.0.1 ids'
        " as the station chose them",
        examples=["42", "f1c0e7a2-3b4d-4e5f-8a9b-0c1d2e3f4a5b"],
    ),
]


class RemoteStartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connectorId: int = Field(
        ge=1, le=MAX_INT32, description="Connector (OCPP 2.0.1: EVSE) to charge on"
    )
    idTag: str = Field(
        min_length=1,
        max_length=36,
        description="Id tag the transaction is for (OCPP 1.6 allows 20 characters, 2.0.1 36)",
    )
    chargingProfile: ChargingProfileBody | None = Field(
        default=None,
        description="The transaction's TxProfile, without a transactionId: the one it starts"
        " has none yet (1.6 section 5.11, 2.0.1 F01, K05); as `charging-profile` takes one",
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
    transactionId: TransactionId
    status: RemoteStatus


class TransactionView(BaseModel):
    transactionId: TransactionId
    chargeBoxId: str
    connectorId: int
    evseId: int | None = Field(description="OCPP 2.0.1 EVSE; null for 1.6 (no EVSE level)")
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
    powerW: float | None = Field(
        description="W, while active: the latest Power.Active.Import reading, or from a "
        "station that samples no power, the energy between its latest two register readings "
        "over the time between them; null when neither is known, and once completed"
    )
    durationMinutes: float = Field(description="Minutes from start to stop, or to now if active")
    stopReason: str | None
    remoteStarted: bool = Field(description="Started by a remote start request of this API")
    chargingState: str | None = Field(
        description="OCPP 2.0.1 chargingState as last reported; once completed, what the "
        "Ended event reported, null if it reported none; null for 1.6"
    )
    registerWentBackwards: bool = Field(
        description="The station's energy register went backwards: its stop below its start, "
        "or a later stop below one it reported before. meterStop is kept as reported"
    )
    closedByCsms: bool = Field(
        description="Closed by the central system, not reported ended by the station: it could"
        " no longer be running (see csmsCloseReason). meterStop is the last register reading"
        " received, stopReason is Other. A stop the station reports later replaces all of it"
    )
    csmsCloseReason: CsmsCloseReasonName | None = Field(
        description="Why the central system closed it: SupersededByNewTransaction (another"
        " transaction started on its connector or EVSE), ConnectorAvailableAfterBoot (its"
        " station booted and reported the connector Available) or SimulatedChargerDeleted"
        " (the simulator's charger that was the station was deleted before it could report"
        " the end); null when the station reported the end or the transaction is active"
    )


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
    transactionId: TransactionId
    chargeBoxId: str
    meterValues: list[MeterSampleView] = Field(description="Oldest first")
    count: int
