"""Shapes every ``/ocpp`` resource shares, in the gateway API's snake_case: the error body
(``HttpErrorResponse``), the page envelope, the timestamp format and the request base.

Lists answer ``{"data": [...], "total": N, "page": P, "limit": L}``: ``page`` counts from 1,
``limit`` is 1..100 (default 50), ``total`` counts every row the filter matches, so that a
client knows how many pages there are. Timestamps are ISO 8601 in UTC to the second with a
``Z`` (``2026-04-02T09:15:00Z``), as the hosted product writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from chargeyard.api.error_answers import error_answer

MAX_LIMIT = 100
DEFAULT_LIMIT = 50

Item = TypeVar("Item")


class HttpErrorResponse(BaseModel):
    """Standard HTTP error payload returned by the API."""

    detail: str = Field(description="Human-readable error message returned by the API.")


class GatewayPage(BaseModel, Generic[Item]):
    data: list[Item]
    total: int = Field(description="Rows matching the filter, on every page together")
    page: int = Field(description="This page's number, from 1")
    limit: int = Field(description="Rows per page")


PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")]
PageLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page (1..{MAX_LIMIT})")]


def page_slice(items: Sequence[Item], page: int, limit: int) -> list[Item]:
    """The ``page``-th run of ``limit`` items (for lists held in memory)."""
    start = (page - 1) * limit
    return list(items[start : start + limit])


def _seconds(moment: datetime) -> str:
    # Not strftime("%Y"): glibc writes year 9 as "9", which is not ISO 8601 (4 digits).
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# The store hands back aware UTC datetimes; on the wire they are strings in one format.
Timestamp = Annotated[datetime, PlainSerializer(_seconds, return_type=str)]


def _printable(text: str) -> str:
    if not text.isprintable():
        raise ValueError("must not contain control characters")
    return text


# Text a person types: no control characters (they break logs, CSV exports and headers).
PRINTABLE = AfterValidator(_printable)


class GatewayRequest(BaseModel):
    """A request body: unknown fields are refused (422), as a misspelt optional field would
    otherwise be dropped without a word."""

    model_config = ConfigDict(extra="forbid")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer (HttpErrorResponse)."""
    return {code: _ERRORS[code] for code in codes}


_ERRORS: dict[int, dict[str, Any]] = {
    401: error_answer(HttpErrorResponse, "Missing or invalid bearer token"),
    403: error_answer(HttpErrorResponse, "Insufficient permissions or missing required claims"),
    # Every route can answer it: an admin's X-Organization-Id naming no organization (auth.py).
    404: error_answer(
        HttpErrorResponse, "Not found in the caller's organization, or no such X-Organization-Id"
    ),
    409: error_answer(HttpErrorResponse, "Conflicts with an existing row"),
}
