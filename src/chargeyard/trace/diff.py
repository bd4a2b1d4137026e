"""The central system's answers in a replay against the recorded ones, field by field.

Ignored, because they must differ from one run to the next: unique ids (the replay sends its
own), times (two date-times compare equal: ``currentTime``, an ``expiryDate`` moved with the
clock) and transaction ids (``transactionId``, assigned anew by the central system in 1.6).
A field present on one side only is a difference, as is every other value that differs: a
status, an interval, an idTagInfo. An answer that is a CALLERROR on one side and not the other,
or a CALLERROR of another code, differs too; a CALL the central system left unanswered
differs as ``no answer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

_IDS = frozenset({"transactionId"})


@dataclass(frozen=True, slots=True)
class Answer:
    """A central system's answer to a station CALL: CALLRESULT payload or CALLERROR."""

    payload: dict[str, Any] | None = None
    error_code: str | None = None
    error_description: str = ""

    @classmethod
    def of(cls, message: list[Any]) -> Answer:
        if message[0] == 4:
            description = str(message[3]) if len(message) > 3 else ""
            return cls(error_code=str(message[2]), error_description=description)
        payload = message[2] if len(message) > 2 and isinstance(message[2], dict) else {}
        return cls(payload)

    def as_json(self) -> dict[str, Any]:
        if self.error_code is not None:
            return {"error": self.error_code, "description": self.error_description}
        return {"result": self.payload}


@dataclass(frozen=True, slots=True)
class Difference:
    """One field that differs in meaning (``path`` in JSON Pointer style, "" for the whole
    answer); ``recorded`` and ``replayed`` are the two values (None: absent)."""

    index: int  # the station's CALL, counted from 1 in the trace
    action: str
    path: str
    recorded: Any
    replayed: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "call": self.index,
            "action": self.action,
            "path": self.path,
            "recorded": self.recorded,
            "replayed": self.replayed,
        }

    def __str__(self) -> str:
        where = f"{self.action} (call {self.index})" + (f" {self.path}" if self.path else "")
        return f"{where}: recorded {_shown(self.recorded)}, replayed {_shown(self.replayed)}"


_ABSENT = object()


@dataclass(slots=True)
class Comparison:
    """Every station CALL of a replay, with the differences found in its answer."""

    compared: int = 0
    differences: list[Difference] = field(default_factory=list)

    def compare(
        self, index: int, action: str, recorded: Answer | None, replayed: Answer | None
    ) -> list[Difference]:
        """The differences of one CALL's answers (None: no answer), added to the comparison."""
        self.compared += 1
        found = list(_answers(index, action, recorded, replayed))
        self.differences.extend(found)
        return found


def _answers(
    index: int, action: str, recorded: Answer | None, replayed: Answer | None
) -> list[Difference]:
    if recorded is None:
        return []  # nothing recorded to compare with (the trace ended before the answer)
    if replayed is None:
        return [Difference(index, action, "", recorded.as_json(), "no answer")]
    if recorded.error_code is not None or replayed.error_code is not None:
        if recorded.error_code == replayed.error_code:
            return []
        return [Difference(index, action, "", recorded.as_json(), replayed.as_json())]
    found: list[Difference] = []
    _values(index, action, "", recorded.payload, replayed.payload, found)
    return found


def _values(
    index: int, action: str, path: str, recorded: Any, replayed: Any, found: list[Difference]
) -> None:
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for key in sorted(recorded.keys() | replayed.keys()):
            here = f"{path}/{key}"
            one, other = recorded.get(key, _ABSENT), replayed.get(key, _ABSENT)
            if one is _ABSENT or other is _ABSENT:
                found.append(
                    Difference(
                        index,
                        action,
                        here,
                        None if one is _ABSENT else one,
                        None if other is _ABSENT else other,
                    )
                )
            elif key not in _IDS:
                _values(index, action, here, one, other, found)
        return
    if isinstance(recorded, list) and isinstance(replayed, list) and len(recorded) == len(replayed):
        for n, (one, other) in enumerate(zip(recorded, replayed, strict=True)):
            _values(index, action, f"{path}/{n}", one, other, found)
        return
    if recorded == replayed or (_is_time(recorded) and _is_time(replayed)):
        return
    found.append(Difference(index, action, path, recorded, replayed))


def _is_time(value: Any) -> bool:
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _shown(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, str) and value == "no answer":
        return value
    return orjson.dumps(value).decode()
