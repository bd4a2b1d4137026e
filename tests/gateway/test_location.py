"""A location of 100 chargers pointed at the built-in CSMS: started together, then
plug-connector, start-session and unplug-connector fanned out to all of them, each
charger going through the whole cycle in the CSMS's own records."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chargeyard.gateway.dispatch import dispatch
from chargeyard.gateway.host import RuntimeReport
from chargeyard.protocol import V16, V201
from chargeyard.store.models import Command, CommandStatus
from tests.gateway.conftest import ORG
from tests.polling import eventually
from tests.stack_lab import TEMPLATE, StackLab

COUNT = 100


@pytest.mark.slow  # a hundred chargers: the full run keeps it
async def test_a_location_of_100_chargers_goes_through_a_session(lab: StackLab) -> None:
    location = await lab.store.locations.create(ORG, "Depot", location_id="loc-depot")
    for n in range(COUNT):
        await lab.store.chargers.create(
            ORG,
            identity=f"CP-{n:03d}",
            ocpp_version=V16 if n % 2 == 0 else V201,
            csms_url=lab.csms_url,
            template=TEMPLATE,
            location_id=location.id,
        )
    chargers = list(await lab.store.chargers.list(ORG, location_id=location.id, limit=1000))
    assert len(chargers) == COUNT
    reports = await lab.host.start_chargers(ORG, [c.id for c in chargers])
    assert all(isinstance(report, RuntimeReport) for report in reports.values())
    stored = await lab.store.chargers.list(ORG, location_id=location.id, limit=1000)
    assert {(c.desired_state, c.status) for c in stored} == {("running", "running")}
    await eventually(lambda: _true(all(lab.booted(c.id) for c in chargers)), within=20)

    async def fan_out(event_type: str, payload: dict[str, object]) -> None:
        sent = await dispatch(
            lab.store, lab.bus, lab.gateway_runtimes.precheck, ORG, chargers, event_type, payload
        )
        assert sent.as_response()["queued_count"] == COUNT, sent.failed[:3]
        # A deadline, not a measure: 100 stations answering on a loaded 2-core CI machine.
        await lab.outcomes(sent, within=30)

    await fan_out("plug", {"evse_id": 1, "connector_id": 1})
    await fan_out("start_session", {"id_tag": "FLEET", "duration_seconds": 2.0})

    async def all_completed() -> bool:
        count = await lab.csms.store.transactions.count(status="completed")
        return count == COUNT

    # Polled gently: the CSMS writes every message of 100 stations to the same database.
    await eventually(all_completed, within=40, every=0.25)
    await fan_out("unplug", {"evse_id": 1, "connector_id": 1})

    async def all_available() -> bool:
        statuses = await lab.csms.store.connectors.list_by_station([c.identity for c in chargers])
        return all(
            found and all(connector.status == "Available" for connector in found)
            for found in statuses.values()
        )

    await eventually(all_available, within=20, every=0.25)
    transactions = await lab.csms.store.transactions.list(status="completed", limit=1000)
    assert {t.id_tag for t in transactions} == {"FLEET"}
    assert all((t.energy_wh or 0) > 0 for t in transactions)
    async with lab.store.sessions.read() as session:
        outcomes = await session.execute(
            select(Command.status, func.count()).group_by(Command.status)
        )
        assert dict(outcomes.all()) == {CommandStatus.SUCCEEDED: 3 * COUNT}


async def test_start_chargers_reports_each_that_cannot_be_built(lab: StackLab) -> None:
    good = await lab.charger("CP-1")
    bad = await lab.charger("CP-2", csms_url=None)
    answers = await lab.host.start_chargers(ORG, [good.id, bad.id])
    assert isinstance(answers[good.id], RuntimeReport)
    assert answers[bad.id] == f"charger {bad.id} has no ws_url to connect to"
    stored = {c.id: c.status for c in await lab.store.chargers.list(ORG)}
    assert stored == {good.id: "running", bad.id: "failed"}


async def _true(value: bool) -> bool:
    return value
