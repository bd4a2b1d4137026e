"""A simulated charger deleted during a transaction goes down as a station does: its
transaction ends with a reason its central system hears (1.6 StopTransaction, 2.0.1
TransactionEvent Ended, E06) before it disconnects; one it could not report (stopped,
offline) is closed by the built-in central system (``api/gateway/removal.py``,
``csms/orphans.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.store.models import Transaction
from tests.api.gateway_chargers_lab import (
    CHARGERS,
    accepted_by_csms,
    charger_lab,
    create_charger,
    location,
)
from tests.api.gateway_fleet import ORG
from tests.polling import polled
from tests.stack_lab import StackLab

VERSIONS = pytest.mark.parametrize("version", ["ocpp1.6", "ocpp2.0.1"])


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with charger_lab(tmp_path) as lab:
        yield lab


async def _charging(lab: StackLab, identity: str, version: str, **body: str) -> str:
    """A charger created through the API whose station runs a transaction the CSMS holds
    open; its id."""
    accepted = await create_charger(lab, identity, ocpp_version=version, **body)
    charger_id: str = accepted["charger_id"]
    await accepted_by_csms(lab, charger_id)
    station = lab.hosted(charger_id)
    station.plug(1, 1)
    station.present_id_token("TAG-1", 1)
    await polled(lambda: _transactions(lab, identity), lambda found: len(found) == 1)
    return charger_id


async def _transactions(lab: StackLab, identity: str) -> list[Transaction]:
    return list(await lab.csms.store.transactions.list(charge_box_id=identity))


@VERSIONS
async def test_e06_a_charger_deleted_while_charging_reports_its_transaction_ended(
    lab: StackLab, version: str
) -> None:
    charger_id = await _charging(lab, "CP-1", version)
    station = lab.hosted(charger_id)
    response = await lab.client.delete(f"{CHARGERS}/{charger_id}")
    assert (response.status_code, response.content) == (204, b"")
    # The station said it ended, then went: the central system closed nothing itself.
    [ended] = await _transactions(lab, "CP-1")
    assert (ended.status, ended.stop_reason, ended.csms_close_reason) == (
        "completed",
        "Other",
        None,
    )
    assert not station.powered
    assert len(station.transaction_queue) == 0
    assert charger_id not in lab.host.hosted()


@VERSIONS
async def test_a_charger_deleted_offline_has_its_transaction_closed_by_the_built_in_csms(
    lab: StackLab, version: str
) -> None:
    charger_id = await _charging(lab, "CP-1", version)
    stopped = await lab.client.post(f"{CHARGERS}/{charger_id}/stop-charger")
    assert stopped.status_code == 200, stopped.text  # offline: its transaction kept, unsent
    events = lab.events.subscribe(accept=lambda event: event.type == "transaction.stopped")
    response = await lab.client.delete(f"{CHARGERS}/{charger_id}")
    assert response.status_code == 204, response.text
    [closed] = await _transactions(lab, "CP-1")
    assert (closed.status, closed.stop_reason, closed.csms_close_reason) == (
        "completed",
        "Other",
        "SimulatedChargerDeleted",
    )
    [event] = events.take()
    assert (event.organization_id, event.data["closedByCsms"]) == (ORG, True)
    assert event.data["csmsCloseReason"] == "SimulatedChargerDeleted"


async def test_a_location_s_chargers_deleted_in_bulk_go_down_the_same_way(lab: StackLab) -> None:
    depot = await location(lab)
    online = await _charging(lab, "CP-1", "ocpp1.6", location_id=depot)
    offline = await _charging(lab, "CP-2", "ocpp2.0.1", location_id=depot)
    stopped = await lab.client.post(f"{CHARGERS}/{offline}/stop-charger")
    assert stopped.status_code == 200, stopped.text
    response = await lab.client.delete(
        f"/ocpp/locations/{depot}/chargers", params={"charger_ids": f"{online},{offline}"}
    )
    assert response.status_code == 204, response.text
    [reported] = await _transactions(lab, "CP-1")
    assert (reported.stop_reason, reported.csms_close_reason) == ("Other", None)
    [closed] = await _transactions(lab, "CP-2")
    assert (closed.status, closed.csms_close_reason) == (
        "completed",
        "SimulatedChargerDeleted",
    )


async def test_a_station_connected_under_the_deleted_charger_s_identity_keeps_its_own(
    lab: StackLab,
) -> None:
    # Another station dials in as CP-1 once the charger is stopped: what CP-1 has open is
    # that station's to report (its boot report closes it, after the boot's grace).
    charger_id = await _charging(lab, "CP-1", "ocpp1.6")
    stopped = await lab.client.post(f"{CHARGERS}/{charger_id}/stop-charger")
    assert stopped.status_code == 200, stopped.text
    await lab.station("CP-1")
    response = await lab.client.delete(f"{CHARGERS}/{charger_id}")
    assert response.status_code == 204, response.text
    [still] = await _transactions(lab, "CP-1")
    assert (still.status, still.csms_close_reason) == ("active", None)
