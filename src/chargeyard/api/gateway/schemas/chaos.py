"""Bodies and answers of ``/ocpp/chaos``: network faults for chargers (the faults' own models
are ``gateway/chaos_profile.py``'s, shared with ``chargeyard sim --chaos``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chargeyard.api.gateway.schemas.commands import CommandTarget
from chargeyard.gateway.chaos_profile import ChaosProfile

CHAOS_EXAMPLE: dict[str, Any] = {
    "target": {"charger_id": "dep-123"},
    "seed": 42,
    "faults": [
        {"kind": "latency", "up_ms": 300, "down_ms": 300, "jitter_ms": 100},
        {"kind": "disconnect", "per_minute": 0.1, "offline_s": 20, "for_s": 3600},
        {"kind": "drop_frames", "share": 0.05, "for_s": 3600},
    ],
}


class ChaosRequest(ChaosProfile):
    """Faults for the chargers of ``target``, drawn from ``seed``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CHAOS_EXAMPLE]})

    target: CommandTarget


class ChargerFaults(BaseModel):
    charger_id: str
    identity: str
    faults: list[dict[str, Any]] = Field(
        description="The faults the charger has now, each with `remaining_s` (null: until cleared)"
    )


class ChaosFailure(BaseModel):
    identity: str | None
    error: str


class ChaosResponse(BaseModel):
    seed: int | None = Field(
        description="The random seed the faults' draws come from (null: cleared)"
    )
    targeted_count: int
    applied_count: int
    failed_count: int
    results: list[ChargerFaults]
    failed: list[ChaosFailure]
