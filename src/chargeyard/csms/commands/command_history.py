"""The command history as the API shows it: a page (``history``) and one command (``command``).

Each entry is one OCPP call the API sent (``csms/command_journal.py`` keeps them): the request
and the answer as JSON objects, how the call ended (``outcome``), the answer's ``status`` or the
CALLERROR's code, who sent it and how long it took. A request or answer stored cut (larger
than the store's payload cap, ``store/payload_cap.py``) is shown as null with ``truncated``.
"""

from __future__ import annotations

import json
from typing import Any

from chargeyard.csms.commands.base import Result, millis
from chargeyard.store import NotFoundError
from chargeyard.store.payload_cap import stored_extent
from chargeyard.store.repositories import CommandQuery, CommandRecord, SentCommandRepository


async def history(
    commands: SentCommandRepository, query: CommandQuery, *, limit: int, offset: int
) -> Result:
    """A page of the commands ``query`` matches, newest first, with how many match in all.

    Raises:
        NotFoundError: ``query`` names a charger that does not exist.
    """
    rows, total = await commands.listing(query, limit, offset)
    return {"data": [_view(row) for row in rows], "total": total, "limit": limit, "offset": offset}


async def command(
    commands: SentCommandRepository, command_id: str, *, organization_id: str | None = None
) -> Result:
    """Raises: NotFoundError: no such command (to a station of ``organization_id``)."""
    row = await commands.get(command_id, organization_id=organization_id)
    if row is None:
        raise NotFoundError("command", command_id)
    return _view(row)


def _decoded(text: str | None) -> tuple[Any, bool]:
    """The JSON value ``text`` holds, and whether it was stored cut (then the value is None)."""
    if text is None:
        return None, False
    if stored_extent(text)[0]:
        return None, True
    return json.loads(text), False


def _view(row: CommandRecord) -> Result:
    request, request_cut = _decoded(row.request)
    response, response_cut = _decoded(row.response)
    return {
        "id": row.id,
        "chargeBoxId": row.charge_box_id,
        "endpoint": row.endpoint,
        "action": row.action,
        "request": request,
        "response": response,
        "outcome": row.outcome,
        "status": row.status,
        "error": row.error,
        "sentBy": {"apiKeyId": row.api_key_id, "name": row.api_key_name},
        "sentAt": millis(row.sent_at),
        "durationMs": round(row.duration_ms, 1),
        "truncated": request_cut or response_cut,
    }
