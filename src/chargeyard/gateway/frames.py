"""The gateway side's frame log: every OCPP frame a hosted charger sends and receives, written
in batches to the store's ``frames`` table for ``GET /ocpp/chargers/{id}/logs``.

The stations already keep their last frames (``SimulatedStation.frame_log``, for a
diagnostics file) through a :class:`~chargeyard.station.maintenance.FrameLog`;
:class:`TeeFrameLog` is that log with a second listener, so no station code changes. Each frame
goes to the store's batched, bounded :class:`~chargeyard.store.FrameLog` writer (one
``INSERT`` per batch, never an await on the station's path).

Rows are keyed by the **charger id** (``dep-…``), not the OCPP identity: identities are unique
per organization only, and our own CSMS writes its side of the same conversation under the
identity. ``direction`` is seen from the station: ``outgoing`` is ``cp_to_csms``,
``incoming`` is ``csms_to_cp`` (:data:`API_DIRECTIONS`). A CALLRESULT or CALLERROR carries the
action of the CALL it answers, remembered per charger until the answer. A CALL from the CSMS
that sets the charger's Basic password (2.0.1 SetVariables of SecurityCtrlr.BasicAuthPassword,
1.6 ChangeConfiguration of AuthorizationKey) is kept with the password masked: a station does
not disclose it in its logging (2.0.1 A01.FR.12), and this log is the charger's. A frame a
network fault dropped, duplicated or delayed (``fleet/chaos/``) gets a second row naming the
fault (``fault``): the station's row says what it sent, the marked one what the network did.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import orjson

from chargeyard.loop_clock import now
from chargeyard.protocol.passwords import PASSWORD_ACTIONS, without_password
from chargeyard.station.maintenance import FrameLog as StationFrameLog
from chargeyard.store import FrameLog as StoreFrameLog
from chargeyard.store.models import Direction

API_DIRECTIONS: Mapping[str, str] = {
    Direction.OUTGOING: "cp_to_csms",
    Direction.INCOMING: "csms_to_cp",
}
"""The frames table's direction (seen from the station) -> the gateway API's."""

FROM_API_DIRECTIONS: Mapping[str, str] = {api: row for row, api in API_DIRECTIONS.items()}

# CALLs awaiting an answer per charger, at most (a peer that never answers must not grow it).
_MAX_PENDING = 256


class FrameRecorder:
    """Turns one charger's frames into rows of the store's frame log."""

    __slots__ = ("_pending", "charger_id", "sink")

    def __init__(self, charger_id: str, sink: StoreFrameLog) -> None:
        self.charger_id = charger_id
        self.sink = sink
        self._pending: dict[str, str] = {}  # unique id -> action of a CALL not yet answered

    def record(self, direction: Direction, at: datetime, frame: str | bytes) -> None:
        text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
        action: str | None = None
        unique_id: str | None = None
        try:
            message = orjson.loads(frame)
            kind, unique_id = message[0], str(message[1])
            if kind == 2:
                action = str(message[2])
                if len(self._pending) >= _MAX_PENDING:
                    self._pending.pop(next(iter(self._pending)))
                self._pending[unique_id] = action
                if direction is Direction.INCOMING and action in PASSWORD_ACTIONS:
                    text = _masked(message, text)
            else:
                action = self._pending.pop(unique_id, None)
        except (orjson.JSONDecodeError, IndexError, KeyError, TypeError):
            pass  # not an OCPP-J message: kept as text, without an action
        self.sink.record(self.charger_id, direction, action, unique_id, text, at)

    def mark(self, effect: str, frame: bytes) -> None:
        """Record what a network fault did to a frame the station sent (``effect``, one of
        ``fleet/chaos/engine.py``'s EFFECTS): a row of its own, after the station's row of
        the frame, since the station believes it sent it as usual."""
        text = frame.decode("utf-8", "replace")
        action: str | None = None
        unique_id: str | None = None
        try:
            message = orjson.loads(frame)
            unique_id = str(message[1])
            if message[0] == 2:
                action = str(message[2])
        except (orjson.JSONDecodeError, IndexError, KeyError, TypeError):
            pass
        self.sink.record(
            self.charger_id, Direction.OUTGOING, action, unique_id, text, now(), fault=effect
        )


def _masked(call: list[object], text: str) -> str:
    """The text of a CALL that may set the password, the password masked (``text`` itself
    when it sets none)."""
    payload = call[3] if len(call) == 4 else None
    if not isinstance(payload, dict):
        return text
    masked = without_password(str(call[2]), payload)
    return text if masked is payload else orjson.dumps([*call[:3], masked]).decode()


class TeeFrameLog(StationFrameLog):
    """A station's own frame log that also hands every frame to a :class:`FrameRecorder`."""

    def __init__(self, size: int, recorder: FrameRecorder) -> None:
        super().__init__(size)
        self.recorder = recorder

    def received(self, at: datetime, frame: str | bytes) -> None:
        super().received(at, frame)
        self.recorder.record(Direction.INCOMING, at, frame)

    def sent(self, at: datetime, frames: list[bytes]) -> None:
        super().sent(at, frames)
        for frame in frames:
            self.recorder.record(Direction.OUTGOING, at, frame)
