"""The body of ``GET /chargers/{chargeBoxId}/frames``: the central system's OCPP frame log of
one charger, newest first (camelCase, as the rest of ``/api/v1``). A frame longer than the
API's ``max_listed_chars`` is listed cut, marked ``truncated``; ``GET
/chargers/{chargeBoxId}/frames/{frameId}`` reads it whole."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chargeyard.api.shapes import Timestamp
from chargeyard.store.models import Frame
from chargeyard.store.payload_cap import stored_extent
from chargeyard.store.repositories.frames import ListedFrame


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
    message: str = Field(
        description="The frame as sent on the wire (OCPP-J JSON text); in a list, only its"
        " beginning when `truncated`"
    )
    truncated: bool = Field(
        description="`message` is the beginning of a longer frame: read it whole at"
        " `/chargers/{chargeBoxId}/frames/{id}`"
    )
    messageLength: int = Field(description="The whole frame's length, in characters")
    timestamp: Timestamp

    @classmethod
    def of(cls, row: ListedFrame | Frame) -> FrameOut:
        if isinstance(row, Frame):  # read whole
            truncated, length = stored_extent(row.text)
        else:
            truncated, length = row.truncated, row.length
        return cls(
            id=row.id,
            direction="incoming" if row.direction == "incoming" else "outgoing",
            action=row.action,
            uniqueId=row.unique_id,
            message=row.text,
            truncated=truncated,
            messageLength=length,
            timestamp=row.at,
        )


class FrameLogOut(BaseModel):
    chargeBoxId: str
    frames: list[FrameOut] = Field(description="Newest first")
    count: int = Field(description="Frames in this answer")
