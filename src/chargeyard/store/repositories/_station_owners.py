"""Which organization a station belongs to, remembered for a few seconds.

Every ``/api/v1`` request that names a charger asks whose it is (``api/tenant.py``): a read per
command, which under a thousand stations' traffic waits behind their writes and tripled the
REST round trip. A station's organization is fixed while it is registered (``Station``), so
the answer can be kept; it changes only when the station is deleted and registered again,
which forgets it at once in the process that does it. Another process of a cluster may answer
from what it read for :data:`OWNER_TTL` seconds more, the bound the API keys' cache keeps for a
revoked key (``_verified_keys.py``), shorter because a charger is re-registered more often
than a key is revoked.

A station connected to this process's central system is held (:meth:`StationOwners.hold`)
until its connection closes, without a time limit: the listener read its organization when
it admitted it, and deleting a station closes its connection wherever it is (the API does
both), so the entry cannot outlive the registration it was read from. In one process
(``chargeyard up``, ``chargeyard csms``) the API's commands to connected stations thus read
nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

OWNER_TTL = 10.0
_MAX_REMEMBERED = 200_000  # about 20 MB; a cluster's API node with more starts over


class StationOwners:
    """The organization of each station looked up less than ``ttl`` seconds ago."""

    def __init__(self, ttl: float = OWNER_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[str, float]] = {}

    def get(self, charge_box_id: str) -> str | None:
        entry = self._entries.get(charge_box_id)
        if entry is None:
            return None
        organization_id, expires = entry
        if self._clock() >= expires:
            del self._entries[charge_box_id]
            return None
        return organization_id

    def add(self, charge_box_id: str, organization_id: str) -> None:
        """Remember what was read, for ``ttl`` seconds."""
        self._keep(charge_box_id, organization_id, self._clock() + self._ttl)

    def hold(self, charge_box_id: str, organization_id: str) -> None:
        """Remember a station connected here until :meth:`forget` (its connection closed)."""
        self._keep(charge_box_id, organization_id, math.inf)

    def forget(self, charge_box_id: str) -> None:
        self._entries.pop(charge_box_id, None)

    def _keep(self, charge_box_id: str, organization_id: str, expires: float) -> None:
        if len(self._entries) >= _MAX_REMEMBERED:
            self._entries.clear()
        self._entries[charge_box_id] = (organization_id, expires)
