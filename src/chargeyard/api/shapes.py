"""Shapes the resource modules share: the list envelope, the timestamp format, the answer to a
DELETE, and the text rules of identifiers.

Lists answer ``{"data": [...], "total": N, "limit": L, "offset": O}``: ``total`` counts every
row the filter matches (not only this page), so a client knows when it has seen them all.
Timestamps are ISO 8601 in UTC with milliseconds and a ``Z``
(``2026-02-10T14:00:00.000Z``), as the API's data-transfer history writes them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

MAX_LIMIT = 100
# Text in a path, query or header that the store looks up: no control characters. PostgreSQL
# refuses a whole query with a NUL byte in it (a 500), and no stored id has one (bodies are
# PRINTABLE), so such a value is 422.
LOOKUP_TEXT = r"^[^\x00-\x1f\x7f]*$"
# OCPP's integers (connectorId, evseId) live in 32-bit INTEGER columns (PostgreSQL).
MAX_INT32 = 2**31 - 1
# The largest SQL BIGINT (SQLite INTEGER, PostgreSQL OFFSET): a larger offset is 422, not a
# driver overflow.
MAX_OFFSET = 2**63 - 1

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    data: list[Item]
    total: int
    limit: int
    offset: int


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per page")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip")]


def _millis(moment: datetime) -> str:
    # Not strftime("%Y"): glibc writes year 9 as "9", which is not ISO 8601 (4 digits).
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# The store hands back aware UTC datetimes; on the wire they are strings in one format.
Timestamp = Annotated[
    datetime,
    PlainSerializer(_millis, return_type=str),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "example": "2026-02-10T14:00:00.000Z"}
    ),
]


def _printable(text: str) -> str:
    if not text.isprintable():
        raise ValueError("must not contain control characters")
    return text


# Text a person types and a protocol carries has no control characters (they break logs,
# headers and the OCPP CiString types). Placed after a ``Field``'s length limits, so that a
# too long text gets the plain length message.
PRINTABLE = AfterValidator(_printable)


class Request(BaseModel):
    """A request body: unknown fields are refused (422), as a misspelt optional field would
    otherwise be dropped without a word."""

    model_config = ConfigDict(extra="forbid")
