"""What a replay changes in the station's messages of a trace before it sends them, sans-I/O.

- The unique id of each CALL: a new one (``replay-1``, ``replay-2``, ...).
- The transaction ids the central system assigned (OCPP 1.6 5.19: StartTransaction.conf
  ``transactionId``): every later ``transactionId`` of the station's messages carrying a
  recorded one carries the live one instead. In 2.0.1 the station assigns ``transactionId``
  (E01.FR.16) and it is kept as recorded.
- Times: every ``timestamp`` and ``generatedAt`` of a payload moves by the same shift, the
  replay's start less the trace's first frame, so their spacing is kept.

The identity is the URL's (the replay dials with the one asked for).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chargeyard.protocol import V16, V21, V201, VersionSpec, VersionTable

ASSIGNED_TRANSACTION_IDS: VersionTable[frozenset[str]] = VersionTable(
    "the station's CALLs answered with a transaction id the central system assigns",
    {V16: frozenset({"StartTransaction"}), V201: frozenset()},
    lacking={V21: "no 2.1 trace is replayed yet"},
)

_TIME_FIELDS = frozenset({"timestamp", "generatedAt"})


class Rewriter:
    """The state of one replay's rewriting: the ids given and the transaction ids learnt."""

    def __init__(self, version: VersionSpec, shift: timedelta) -> None:
        self._assigning = ASSIGNED_TRANSACTION_IDS[version]
        self._shift = shift
        self._count = 0
        self.transaction_ids: dict[object, object] = {}  # recorded -> live

    def call(self, message: list[Any]) -> tuple[str, list[Any]]:
        """The station's recorded CALL as the replay sends it, and its new unique id."""
        self._count += 1
        unique_id = f"replay-{self._count}"
        action = str(message[2])
        payload = self._payload(message[3] if len(message) > 3 else {})
        return unique_id, [2, unique_id, action, payload]

    def answered(self, action: str, recorded: object, live: object) -> None:
        """Learn the transaction id of a StartTransaction (1.6) from its two answers."""
        if action not in self._assigning:
            return
        if (
            isinstance(recorded, dict)
            and isinstance(live, dict)
            and "transactionId" in recorded
            and "transactionId" in live
        ):
            self.transaction_ids[recorded["transactionId"]] = live["transactionId"]

    def _payload(self, value: Any) -> Any:
        if isinstance(value, dict):
            rewritten: dict[str, Any] = {}
            for key, item in value.items():
                if key in _TIME_FIELDS and isinstance(item, str):
                    rewritten[key] = self._time(item)
                elif key == "transactionId" and self._assigning:
                    rewritten[key] = self.transaction_ids.get(item, item)
                else:
                    rewritten[key] = self._payload(item)
            return rewritten
        if isinstance(value, list):
            return [self._payload(item) for item in value]
        return value

    def _time(self, text: str) -> str:
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            return text  # not a time this replay can move: as recorded
        moved = (at + self._shift).isoformat(timespec="milliseconds")
        return moved.replace("+00:00", "Z")
