"""The body of ``GET /chargers/{chargeBoxId}/frames``: the central system's OCPP frame log of
one charger, newest first (camelCase, as the rest of ``/api/v1``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chargeyard.api.schemas.common import Timestamp
from chargeyard.store.models import Frame


class FrameOut(BaseModel):
    id: int = Field(description="Grows with each recorded frame: poll with `after=<id>`")
    direction: Literal["incoming", "outgoing"] = Field(
        description="Seen from the central system: incoming came from the charger"
    )
    action: str | None = Field(
        description="The CALL's action; an answer carries the action of the CALL it answers"
        " (null when that CALL is unknown)"
    )
    uniqueId: str | None = Field(description="The OCPP-J message id")
    message: str = Field(description="The frame as sent on the wire (OCPP-J JSON text)")
    timestamp: Timestamp

    @classmethod
    def of(cls, row: Frame) -> FrameOut:
        return cls(
            id=row.id,
            direction="incoming" if row.direction == "incoming" else "outgoing",
            action=row.action,
            uniqueId=row.unique_id,
            message=row.text,
            timestamp=row.at,
        )


class FrameLogOut(BaseModel):
    chargeBoxId: str
    frames: list[FrameOut] = Field(description="Newest first")
    count: int = Field(description="Frames in this answer")
