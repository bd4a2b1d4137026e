"""A 2.1 charger of the gateway against chargeyard's own central system, which answers 2.1 with
its 2.0.1 handlers: it boots, charges a session and ends it, every frame either way a CALL or a
CALLRESULT (no message refused by either side)."""

from __future__ import annotations

import asyncio

import orjson

from chargeyard.protocol import V21
from chargeyard.store.models import CommandStatus
from tests.gateway.conftest import ORG
from tests.polling import eventually, until
from tests.stack_lab import StackLab

WALLBOX_21 = "chargeyard-ac-wallbox-21"


async def test_a_2_1_charger_boots_and_charges_against_chargeyards_csms(lab: StackLab) -> None:
    charger = await lab.charger("CP-21", V21, template=WALLBOX_21)
    report = await lab.host.start_charger(ORG, charger.id)
    assert report.as_response()["ocpp_version"] == "OCPP2.1"
    await until(lambda: lab.booted(charger.id))
    await eventually(lambda: lab.has_status("CP-21", "Available"))
    station = await lab.csms.store.stations.get("CP-21")
    assert station is not None
    assert (station.ocpp_version, station.vendor, station.model) == (
        V21,
        "chargeyard",
        "CY-AC22-21",
    )

    command = await lab.run(charger, "start_session", {"id_tag": "TAG1", "duration_seconds": 1.0})
    assert (command.status, command.error) == (CommandStatus.SUCCEEDED, None)

    async def completed() -> bool:
        done = await lab.csms.store.transactions.list(charge_box_id="CP-21", status="completed")
        return len(list(done)) == 1

    await eventually(completed)
    [transaction] = await lab.csms.store.transactions.list(
        charge_box_id="CP-21", status="completed"
    )
    assert (transaction.id_tag, transaction.stop_reason) == ("TAG1", "TimeLimitReached")
    assert transaction.energy_wh is not None
    assert transaction.energy_wh > 0
    await eventually(lambda: lab.has_status("CP-21", "Available"))
    async with asyncio.timeout(5):
        await lab.host.wait_idle()

    frames = await lab.csms.store.frames.list("CP-21", limit=1000)
    types = {orjson.loads(frame.text)[0] for frame in frames}
    assert types == {2, 3}  # CALLs and CALLRESULTs only: no CALLERROR, no CALLRESULTERROR
    actions = {frame.action for frame in frames if frame.direction == "incoming"}
    assert {"BootNotification", "StatusNotification", "Authorize", "TransactionEvent"} <= actions
