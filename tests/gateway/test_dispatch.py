"""A command to a charger that wants to run but that no fleet host runs yet waits for a host to
run it (``gateway/dispatch.py``): a charger whose creation was answered 202 is started by its
worker a moment later, a charger handed between workers is off for a moment; either takes the
command once it runs, within ``PICKUP_WAIT_S``. A charger that does not want to run, or that
cannot be built, is refused at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from chargeyard.gateway.dispatch import PICKUP_WAIT_S, dispatch
from chargeyard.gateway.host import NOT_RUNNING
from chargeyard.gateway.runtimes import FAILED
from chargeyard.store.models import CommandStatus, DesiredState, SimulatedCharger
from tests.gateway.conftest import ORG
from tests.polling import until
from tests.stack_lab import StackLab

# Every wait is on the loop's clock or on SQLite: the stack lab, its gateway and its chargers
# run on the test's loop (tests/virtual_time.py), so idle waits pass at once.
pytestmark = pytest.mark.virtual_time


class CountedPrecheck:
    """The lab's precheck (over the bus, as the API asks it), counting the questions."""

    def __init__(self, lab: StackLab) -> None:
        self.lab = lab
        self.asked: list[list[str]] = []

    async def __call__(
        self,
        organization_id: str,
        charger_ids: Sequence[str],
        event_type: str,
        payload: dict[str, Any],
    ) -> dict[str, str | None]:
        self.asked.append(list(charger_ids))
        return await self.lab.gateway_runtimes.precheck(
            organization_id, charger_ids, event_type, payload
        )


async def _wanting_to_run(lab: StackLab, identity: str) -> SimulatedCharger:
    """A charger created to run (as ``POST /ocpp/chargers`` makes one) that no host runs yet."""
    return await lab.charger(identity, desired_state=DesiredState.RUNNING)


def _plugged(lab: StackLab, charger: SimulatedCharger) -> bool:
    return bool(lab.hosted(charger.id).model.evses[1].connectors[1].cable_plugged)


async def test_a_command_to_a_charger_created_to_run_waits_until_its_host_runs_it(
    lab: StackLab,
) -> None:
    charger = await _wanting_to_run(lab, "CP-1")
    precheck = CountedPrecheck(lab)
    sending = asyncio.create_task(
        dispatch(lab.store, lab.bus, precheck, ORG, [charger], "plug", {})
    )
    await until(lambda: len(precheck.asked) >= 2)  # not running yet: asked again
    assert not sending.done()

    await lab.host.start_charger(ORG, charger.id)  # its host takes it up

    sent = await asyncio.wait_for(sending, PICKUP_WAIT_S)
    assert sent.failed == []
    [queued] = sent.queued
    await lab.outcomes(sent)
    command = await lab.store.commands.get(ORG, queued.command.id)
    assert command is not None
    assert command.status == CommandStatus.SUCCEEDED
    assert _plugged(lab, charger)


async def test_a_charger_no_host_takes_up_in_time_is_not_running(lab: StackLab) -> None:
    charger = await _wanting_to_run(lab, "CP-1")
    precheck = CountedPrecheck(lab)

    sent = await dispatch(lab.store, lab.bus, precheck, ORG, [charger], "plug", {}, pickup_s=0.5)

    assert sent.as_response()["failed"] == [{"identity": "CP-1", "error": NOT_RUNNING}]
    assert len(precheck.asked) >= 2  # asked again while it waited
    assert await lab.store.commands.list(ORG) == []


async def test_a_charger_that_does_not_want_to_run_or_cannot_is_refused_at_once(
    lab: StackLab,
) -> None:
    stopped = await lab.charger("CP-STOPPED")
    broken = await _wanting_to_run(lab, "CP-BROKEN")
    [broken] = await lab.store.chargers.set_states(ORG, [broken.id], status=FAILED)
    running = await lab.running("CP-ON")
    precheck = CountedPrecheck(lab)

    sent = await dispatch(lab.store, lab.bus, precheck, ORG, [stopped, broken, running], "plug", {})

    assert precheck.asked == [[stopped.id, broken.id, running.id]]  # once, no wait
    assert sent.as_response()["failed"] == [
        {"identity": "CP-STOPPED", "error": NOT_RUNNING},
        {"identity": "CP-BROKEN", "error": NOT_RUNNING},
    ]
    assert [item.charger.id for item in sent.queued] == [running.id]
