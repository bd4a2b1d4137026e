"""A charger's live status on a read (``api/gateway/chargers_shared.py``): shown without it
when its host cannot be asked, and Redis away is the bus's to log, once per outage, not once
per read."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import SimpleNamespace

import pytest

from chargeyard.api.gateway.chargers_shared import live_statuses
from chargeyard.bus import BusUnreachable
from chargeyard.fleet.fleet import StationStatus
from chargeyard.gateway.runtimes import NoAnswer


class Hosts:
    """The one method of ``ChargerRuntimes`` a read asks, failing with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def station_statuses(
        self, organization_id: str, charger_ids: Sequence[str]
    ) -> dict[str, StationStatus]:
        raise self.error


CHARGERS = [SimpleNamespace(id="dep-1")]


async def test_reads_while_redis_is_away_show_no_live_status_and_log_no_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    away = Hosts(BusUnreachable("Redis at 127.0.0.1:6379 cannot be reached (refused)"))

    for _ in range(3):
        assert await live_statuses(away, "org-1", CHARGERS) == {}  # type: ignore[arg-type]

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_host_that_does_not_answer_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    silent = Hosts(NoAnswer("the fleet host did not answer within 5 s"))

    assert await live_statuses(silent, "org-1", CHARGERS) == {}  # type: ignore[arg-type]

    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith("live status of 1 chargers not shown")
