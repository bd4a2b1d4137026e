"""Bodies of ``/ocpp/deployment-runtime-ops``: stop, restart or delete a charger or a whole
location, and read where chargers are in their deployment (OCPPLab's shapes, as its Python
SDK parses them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from chargeyard.api.gateway.schemas.chargers import RowId
from chargeyard.api.gateway.schemas.common import GatewayRequest, Timestamp
from chargeyard.api.ocpp_version import OcppVersion

RuntimeOpAction = Literal["stop", "restart", "delete"]


class RuntimeOpsRequest(GatewayRequest):
    """One charger (``deployment_id``: done before the answer) or every charger of a location
    (``location_id``: done in the background, 202)."""

    action: RuntimeOpAction
    deployment_id: RowId | None = None
    location_id: RowId | None = None

    @model_validator(mode="after")
    def _one_target(self) -> RuntimeOpsRequest:
        if (self.deployment_id is None) == (self.location_id is None):
            raise ValueError("give deployment_id or location_id (one of them)")
        return self


class RuntimeOpResult(BaseModel):
    """What became of one charger."""

    deployment_id: str
    status: Literal["accepted", "failed"]
    response: dict[str, Any] | None = Field(
        description="The runtime's answer (start-charger's shape); null for a deletion"
    )
    error: str | None


class RuntimeOpsResponse(BaseModel):
    """The answer for one charger."""

    action: RuntimeOpAction
    target_type: Literal["deployment", "location"]
    deployment_id: str | None
    location_id: str | None
    accepted_count: int
    failed_count: int
    results: list[RuntimeOpResult]


class AcceptedResponse(BaseModel):
    """``202``: the work runs in the background (it does not survive a restart of the
    process)."""

    status: str = "accepted"
    detail: str


class SimulatorHealthResponse(BaseModel):
    """OCPPLab's simulator health check, for one charger."""

    status: Literal["ok", "degraded"] = Field(
        description="ok while its station runs here and its central system accepted its boot"
    )
    charger_id: str
    identity: str
    ocpp_version: OcppVersion
    running: bool
    registration: str | None = Field(description="The last BootNotification's answer")


class StageEventResponse(BaseModel):
    identity: str
    attempt: int
    stage: str = Field(examples=["online"])
    outcome: str = Field(examples=["succeeded"])
    code: str | None
    hint: str | None
    at: Timestamp


class StageStatusResponse(BaseModel):
    identity: str
    attempt: int = Field(description="How many times its runtime was started")
    stage: str | None = Field(
        examples=["online"],
        description="queued, starting, connecting, registering, online, offline, stopped or "
        "not_deployed",
    )
    outcome: str | None = Field(
        examples=["succeeded"], description="in_progress, succeeded, failed or stuck"
    )
    code: str | None
    hint: str | None = Field(description="What went wrong, in words")
    since: Timestamp | None
    events: list[StageEventResponse] | None = Field(
        None, description="The stage changes (events=true with one identity)"
    )


class StageStatusListResponse(BaseModel):
    items: list[StageStatusResponse]


class StageEventListResponse(BaseModel):
    events: list[StageEventResponse]


class DiagnosticsWindow(BaseModel):
    since: str
    until: str


class DiagnosticsVerdict(BaseModel):
    code: str = Field(examples=["connected"])
    severity: Literal["ok", "info", "warning", "error"]
    title: str
    hint: str
    evidence: str | None = None


class DiagnosticsDeployment(BaseModel):
    """Desired and ready instances: 1 or 0 (one station per charger)."""

    replicas: int
    ready_replicas: int


class DiagnosticsPod(BaseModel):
    """The charger's station as its fleet host runs it."""

    phase: str | None
    ready: bool
    restart_count: int
    waiting_reason: str | None = None
    waiting_message: str | None = None
    started_at: str | None = None


class DiagnosticsEvent(BaseModel):
    ts: str
    type: str = Field(examples=["Normal"])
    reason: str | None
    message: str
    count: int


class DiagnosticsLogLine(BaseModel):
    ts: str
    level: str
    text: str


class DiagnosticsLogs(BaseModel):
    source: Literal["current", "previous", "history", "none"]
    truncated: bool
    lines: list[DiagnosticsLogLine]


class DiagnosticsResponse(BaseModel):
    """A charger's runtime over a window: a verdict, its station, and its host's log lines
    about it (the OCPP frames are at ``/ocpp/logs``)."""

    window: DiagnosticsWindow
    verdict: DiagnosticsVerdict
    deployment: DiagnosticsDeployment
    pods: list[DiagnosticsPod]
    events: list[DiagnosticsEvent]
    logs: DiagnosticsLogs
    notes: list[str] | None = None
