"""A 2.1 charger of the gateway against chargeyard's own central system, which answers 2.1 with
its 2.0.1 handlers: it boots, charges a session and ends it, every frame either way a CALL or a
CALLRESULT (no message refused by either side); and its driver asks for priority charging
(the gateway's ``priority-charging``, 2.1 only), which the central system is told of."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from chargeyard.protocol import V21, V201
from chargeyard.store.models import CommandStatus, NotificationKind
from tests.gateway.conftest import ORG
from tests.polling import eventually, polled, until
from tests.stack_lab import StackLab

# Every wait is on the loop's clock or on SQLite: the stack lab, its gateway and its chargers
# run on the test's loop (tests/virtual_time.py), so idle waits pass at once.
pytestmark = pytest.mark.virtual_time

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


async def test_k_the_driver_asks_a_2_1_charger_for_priority_charging(lab: StackLab) -> None:
    charger = await lab.charger("CP-21", V21, template=WALLBOX_21)
    await lab.host.start_charger(ORG, charger.id)
    await until(lambda: lab.booted(charger.id))
    await eventually(lambda: lab.has_status("CP-21", "Available"))
    # Refused before it is queued: no transaction yet.
    assert await lab.refused(charger, "priority_charging", {}) == (
        "no transaction is running on EVSE 1"
    )
    started = await lab.run(charger, "start_session", {"id_tag": "TAG1"})
    assert started.status == CommandStatus.SUCCEEDED
    await until(lambda: lab.hosted(charger.id).model.evses[1].transaction is not None)
    assert await lab.refused(charger, "priority_charging", {}) == (
        "no PriorityCharging profile serves EVSE 1"
    )
    priority = {
        "id": 9,
        "stackLevel": 0,
        "chargingProfilePurpose": "PriorityCharging",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
            }
        ],
    }
    request = {"evseId": 1, "chargingProfile": priority}
    assert await lab.registry.call("CP-21", "SetChargingProfile", request) == {"status": "Accepted"}

    command = await lab.run(charger, "priority_charging", {"evse_id": 1})
    assert (command.status, command.result) == (
        CommandStatus.SUCCEEDED,
        {"evse_id": 1, "activated": True, "changed": True},
    )
    [noted] = await polled(
        lambda: lab.store.notifications.history("CP-21", kind=NotificationKind.PRIORITY),
        lambda rows: len(rows) == 1,
    )
    assert (noted.action, noted.status) == ("NotifyPriorityCharging", "activated")


async def test_k_a_2_0_1_charger_has_no_priority_charging(lab: StackLab) -> None:
    charger = await lab.running("CP-1", V201)
    assert await lab.refused(charger, "priority_charging", {}) == (
        "OCPP 2.0.1 has no priority charging (OCPP 2.1 has)"
    )
