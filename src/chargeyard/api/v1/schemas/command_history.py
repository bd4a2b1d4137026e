"""The command history's bodies: each OCPP call the API sent, as ``GET /commands`` and
``GET /chargers/{chargeBoxId}/commands`` list it (``csms/commands/command_history.py``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

# The values of ``store.models.CallOutcome`` (tests/api/test_command_history.py holds them equal).
Outcome = Literal[
    "answered",
    "callError",
    "timeout",
    "invalidAnswer",
    "notConnected",
    "rejected",
    "unreachable",
    "failed",
]


class SentBy(BaseModel):
    apiKeyId: str | None = Field(description="The API key the command was sent with")
    name: str | None = Field(description="That key's name, as it was when the command was sent")


class CommandView(BaseModel):
    id: str = Field(examples=["cmd_5f0c2a9e7b1d4c3a8e6f"])
    chargeBoxId: str
    endpoint: str = Field(
        description="The API request that sent it",
        examples=["POST /api/v1/chargers/{chargeBoxId}/reset"],
    )
    action: str = Field(description="The OCPP action sent", examples=["Reset"])
    request: dict[str, Any] | None = Field(
        description="The OCPP payload sent (null when stored cut: see `truncated`)",
        examples=[{"type": "Soft"}],
    )
    response: dict[str, Any] | None = Field(
        description="The station's answer as it came; null when there was none, or stored cut",
        examples=[{"status": "Accepted"}],
    )
    outcome: Outcome = Field(
        description="answered: a valid CALLRESULT; callError: a CALLERROR (`status` holds its"
        " code); timeout: no answer in time; invalidAnswer: an answer that breaks the action's"
        " schema; notConnected, rejected (the station's boot was Rejected), unreachable (the"
        " path to the station's node was down): nothing was sent; failed: anything else"
    )
    status: str | None = Field(
        description="The answer's `status` field (Accepted, Rejected, ...), or the CALLERROR's"
        " code; null when the answer has no status",
        examples=["Accepted"],
    )
    error: str | None = Field(description="What went wrong, when the outcome is not answered")
    sentBy: SentBy
    sentAt: str = Field(examples=["2026-02-10T14:00:00.000Z"])
    durationMs: float = Field(description="From sending to the answer or the error")
    truncated: bool = Field(
        description="`request` or `response` was larger than the store keeps whole"
    )


class CommandPage(BaseModel):
    data: list[CommandView]
    total: int = Field(description="Commands matching the filters, over all pages")
    limit: int
    offset: int
