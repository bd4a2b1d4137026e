"""Over HTTP: a location of 100 chargers (half OCPP 1.6, half 2.0.1) pointed
at chargeyard's own CSMS receives ``plug-connector``, ``start-session`` and
``unplug-connector`` through ``/ocpp/commands``, and the CSMS's own records (each connector's
status history, each station's transaction with its energy) show that every charger went
through the whole cycle.

The chargers are created and started through the store and the fleet host (the
``/ocpp/chargers`` routes are tested on their own). The CSMS's database is polled every
0.25 s: it takes every message of 100 stations, and a tighter loop would starve its writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from chargeyard.protocol import V16, V201
from chargeyard.station.model.states import Registration
from chargeyard.store.models import SimulatedCharger
from tests.api.gateway_fleet import ORG, fleet_lab
from tests.polling import eventually
from tests.stack_lab import TEMPLATE, StackLab

COUNT = 100
POLL = 0.25
OUTCOMES_WITHIN_S = 30.0
"""How long a location's command may take to have all its outcomes: a guard against a command
that never ends, not a figure (a hundred start-sessions, each an authorization and a transaction
the CSMS stores, took over 10 s on a 2-core machine busy with the rest of the suite)."""

# What each version reports for plug -> charge -> (session ends) -> unplug, in order
# (1.6 section 4.9 StatusNotification; 2.0.1 G01 / E02: a connector is Occupied while a cable
# is in, the charging state travels in TransactionEvent instead).
CYCLE = {
    "1.6": ["Available", "Preparing", "Charging", "Finishing", "Available"],
    "2.0.1": ["Available", "Occupied", "Available"],
}


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with fleet_lab(tmp_path) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        yield lab


def _in_order(wanted: Sequence[str], seen: Sequence[str]) -> bool:
    """Whether ``wanted`` appears in ``seen`` in this order (other statuses may come
    between, such as SuspendedEV while the EV's battery tops up)."""
    rest = iter(seen)
    return all(status in rest for status in wanted)


@pytest.mark.slow  # a hundred chargers: the full run keeps it
async def test_a_location_of_100_chargers_goes_through_the_cycle(lab: StackLab) -> None:
    location = await lab.store.locations.create(ORG, "Depot")
    chargers = [
        await lab.store.chargers.create(
            ORG,
            identity=f"CP-{n:03d}",
            ocpp_version=V16 if n % 2 == 0 else V201,
            csms_url=lab.csms_url,
            template=TEMPLATE,
            location_id=location.id,
        )
        for n in range(COUNT)
    ]
    await lab.host.start_chargers(ORG, [c.id for c in chargers])
    await eventually(lambda: _all_booted(lab, chargers), within=30, every=POLL)
    target = {"location_id": location.id}

    async def send(path: str, event: dict[str, Any]) -> None:
        response = await lab.client.post(
            f"/ocpp/commands/{path}", json={"target": target, "event": event}
        )
        assert response.status_code == 202, response.text
        body = response.json()
        assert (body["targeted_count"], body["queued_count"]) == (COUNT, COUNT), body["failed"]
        async with asyncio.timeout(OUTCOMES_WITHIN_S):
            for result in body["results"]:
                await lab.bus.wait_outcome(result["command"]["id"])
        for result in body["results"][:: COUNT // 10]:  # a sample; each a GET
            command = result["command"]["id"]
            outcome = (await lab.client.get(f"/ocpp/commands/{command}")).json()
            assert outcome["status"] == "applied", outcome

    await send("plug-connector", {"evse_id": 1, "connector_id": 1})
    await send("start-session", {"id_tag": "FLEET", "duration_seconds": 2.0})

    async def all_sessions_ended() -> bool:
        return await lab.csms.store.transactions.count(status="completed") == COUNT

    await eventually(all_sessions_ended, within=40, every=POLL)
    await send("unplug-connector", {"evse_id": 1, "connector_id": 1})

    async def all_available() -> bool:
        found = await lab.csms.store.connectors.list_by_station([c.identity for c in chargers])
        return len(found) == COUNT and all(
            connectors and all(c.status == "Available" for c in connectors)
            for connectors in found.values()
        )

    await eventually(all_available, within=20, every=POLL)

    for charger in chargers:
        version = charger.ocpp_version.name
        history = await lab.csms.store.connectors.history(
            charger.identity, 1, evse_id=0 if charger.ocpp_version is V16 else 1
        )
        statuses = [change.status for change in reversed(history)]
        assert _in_order(CYCLE[version], statuses), (charger.identity, statuses)
        [transaction] = await lab.csms.store.transactions.list(charge_box_id=charger.identity)
        assert (transaction.status, transaction.id_tag) == ("completed", "FLEET")
        assert (transaction.energy_wh or 0) > 0, charger.identity


async def _all_booted(lab: StackLab, chargers: Sequence[SimulatedCharger]) -> bool:
    for charger in chargers:
        station = lab.host.station(charger.id)
        if station is None or station.registration is not Registration.ACCEPTED:
            return False
    return True
