"""The frames of a hosted charger, written in batches under its charger id and queryable as
``GET /ocpp/chargers/{id}/logs`` will list them."""

from __future__ import annotations

import asyncio

import orjson

from chargeyard.bus import InMemoryBus
from chargeyard.gateway.frames import API_DIRECTIONS
from chargeyard.gateway.host import FleetHost
from chargeyard.store.models import Frame
from tests.gateway.conftest import ORG
from tests.polling import eventually, until
from tests.stack_lab import StackLab, fast_fleet


async def test_frames_are_recorded_per_charger_with_direction_and_action(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    await lab.run(charger, "plug")

    async def preparing_logged() -> bool:
        rows, _ = await lab.store.charger_logs.frames(ORG, charger.id, action="StatusNotification")
        return any(b"Preparing" in row.text.encode() for row in rows)

    await eventually(preparing_logged)
    rows, total = await lab.store.charger_logs.frames(ORG, charger.id)
    assert total == len(rows)
    first, answer = rows[0], rows[1]
    assert (API_DIRECTIONS[first.direction], first.action) == ("cp_to_csms", "BootNotification")
    # The answer carries the action of the CALL it answers.
    assert (API_DIRECTIONS[answer.direction], answer.action) == ("csms_to_cp", "BootNotification")
    assert orjson.loads(answer.text)[0] == 3
    assert orjson.loads(answer.text)[1] == orjson.loads(first.text)[1]
    assert {row.identity for row in rows} == {charger.id}

    statuses, count = await lab.store.charger_logs.frames(
        ORG, charger.id, action="StatusNotification", limit=2, offset=1
    )
    assert count >= 4  # connector 0, connector 1, Preparing, and the answers
    assert len(statuses) == 2
    assert all(isinstance(row, Frame) and row.action == "StatusNotification" for row in statuses)


async def test_frames_are_filtered_by_time(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    await asyncio.sleep(0.1)  # the frame log's flush interval
    rows, _ = await lab.store.charger_logs.frames(ORG, charger.id)
    middle = rows[len(rows) // 2].at
    before, n_before = await lab.store.charger_logs.frames(ORG, charger.id, until=middle)
    after, n_after = await lab.store.charger_logs.frames(ORG, charger.id, since=middle)
    assert n_before + n_after == len(rows)
    assert all(row.at < middle for row in before)
    assert all(row.at >= middle for row in after)


async def test_no_frames_without_recording(lab: StackLab) -> None:
    charger = await lab.charger("CP-9")
    quiet = FleetHost(lab.store, InMemoryBus(), fleet_factory=fast_fleet, record_frames=False)
    async with quiet:
        await quiet.start_charger(ORG, charger.id)
        await until(lambda: "CP-9" in lab.csms.registry)
        station = quiet.station(charger.id)
        await until(lambda: station is not None and station.registration.value == "Accepted")
    assert await lab.store.charger_logs.frames(ORG, charger.id) == ([], 0)
