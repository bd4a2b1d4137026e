"""What the system under test answered to a CALL of the suite's, as both peers hand it to a
case: the suite's station (``csms_under_test/peer.py``) and its central system
(``station_under_test/peer.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to a call: a CALLRESULT's payload or a CALLERROR."""

    payload: Payload | None
    error_code: str | None = None
    error_description: str | None = None

    @property
    def is_error(self) -> bool:
        return self.error_code is not None
