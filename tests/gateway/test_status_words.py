"""What the gateway shows of a connector is in the words of the station's OCPP version: a
2.0.1 station's connector is Available, Occupied, Reserved, Unavailable or Faulted
(ConnectorStatusEnumType, G01), never a 1.6 ChargePointStatus such as Preparing or Finishing."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.gateway.executor import Executor
from tests.gateway.stations import online


@pytest.mark.parametrize(("version", "status"), [("1.6", "Preparing"), ("2.0.1", "Occupied")])
async def test_a_cleared_fault_with_a_cable_in_reports_the_versions_status(
    version: str, status: str
) -> None:
    link = online(version)
    station: Any = link.station
    station.plug(1, 1)
    executor = Executor()
    faulted = await executor.apply(station, "inject_fault", {})
    assert faulted.ok, faulted.error
    cleared = await executor.apply(station, "clear_fault", {})
    assert cleared.result == {"evse_id": 1, "connector_id": 1, "status": status}
