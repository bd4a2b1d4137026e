"""The gateway's seams carry messages: two fleet hosts on one bus, as two processes would be,
each handling the commands and requests of the chargers it holds, and a precheck that runs
where the station runs and comes back as the answer.

The two-host tests run on both buses: in memory (one bus, one process) and on Redis (a bus
per host and one for the asking API, as separate processes would hold them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from chargeyard.bus import BusUnreachable, CommandBus
from chargeyard.gateway.dispatch import dispatch
from chargeyard.gateway.executor import Executor
from chargeyard.gateway.host import NOT_RUNNING, FleetHost
from chargeyard.gateway.runtime_client import RuntimeClient
from chargeyard.gateway.runtimes import NoAnswer
from chargeyard.station.model.states import Registration
from chargeyard.store import Store
from chargeyard.store.models import CommandStatus
from tests.bus.buses import BUSES, Bus, bus_maker
from tests.gateway.conftest import ORG
from tests.polling import eventually, until
from tests.stack_lab import StackLab, fast_fleet


@pytest.fixture(params=BUSES)
async def buses(request: pytest.FixtureRequest) -> AsyncIterator[Callable[[], Bus]]:
    """Makes a bus per process of the test (one shared bus in memory)."""
    async with bus_maker(request.param) as make:
        yield make


def host_on(store: Store, bus: CommandBus, node: str) -> FleetHost:
    """A fleet host as the lab makes them (``new_host``), on any bus."""
    return FleetHost(
        store,
        bus,
        fleet_factory=fast_fleet,
        executor=Executor(session_check_s=0.05, proxy_timeout_s=2.0),
        restart_delay_s=0.1,
        node=node,
    )


def _plugged(station: Any) -> bool:
    return bool(station.model.evses[1].connectors[1].cable_plugged)


async def test_two_hosts_on_one_bus_each_handle_the_messages_of_their_own_chargers(
    lab: StackLab, buses: Callable[[], Bus]
) -> None:
    ours = await lab.charger("CP-1")
    theirs = await lab.charger("CP-2")
    api_bus = buses()
    async with (
        host_on(lab.store, buses(), node="first") as first,
        host_on(lab.store, buses(), node="second") as second,
    ):
        await first.start_charger(ORG, ours.id)  # the first host holds CP-1
        await second.start_charger(ORG, theirs.id)  # the second host holds CP-2

        def booted() -> bool:
            one, two = first.station(ours.id), second.station(theirs.id)
            return all(
                s is not None and s.registration is Registration.ACCEPTED for s in (one, two)
            )

        await until(booted)
        assert first.station(theirs.id) is None
        assert second.station(ours.id) is None
        await eventually(lambda: lab.has_status("CP-2", "Available"))
        client = RuntimeClient(api_bus, deadline_s=5.0)
        # One precheck request, split between the hosts: each answers for its station.
        assert await client.precheck(ORG, [ours.id, theirs.id], "plug", {}) == {
            ours.id: None,
            theirs.id: None,
        }
        before = (first.applied, second.applied)
        sent = await dispatch(lab.store, api_bus, client.precheck, ORG, [ours, theirs], "plug", {})
        assert len(sent.queued) == 2
        async with asyncio.timeout(5):  # (the hosts report an outcome once it is stored)
            for item in sent.queued:
                await api_bus.wait_outcome(item.command.id)
        # Each command was applied once, by the host that runs its charger.
        assert (first.applied, second.applied) == (before[0] + 1, before[1] + 1)
        assert _plugged(first.station(ours.id))
        assert _plugged(second.station(theirs.id))
        for item in sent.queued:
            stored = await lab.store.commands.get(ORG, item.command.id)
            assert stored is not None
            assert stored.status == CommandStatus.SUCCEEDED
        # The live status of both, asked in one request.
        statuses = await client.station_statuses(ORG, [ours.id, theirs.id])
        assert {s.identity for s in statuses.values()} == {"CP-1", "CP-2"}
        assert statuses[theirs.id].connectors[0][2] == "Preparing"
        # A runtime verb goes to the holder too: the second host stops its own charger.
        report = await client.stop_charger(ORG, theirs.id)
        assert report.desired_count == 0
        assert not second.is_running(theirs.id)
        assert first.is_running(ours.id)


async def test_a_precheck_refusal_travels_back_as_the_answer(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    client = RuntimeClient(lab.bus, deadline_s=5.0)
    await lab.run(charger, "plug")
    # The station, where it runs, refuses a second plug; the answer says why.
    assert await client.precheck(ORG, [charger.id], "plug", {}) == {
        charger.id: "a cable is already plugged in EVSE 1 connector 1"
    }
    sent = await dispatch(lab.store, lab.bus, client.precheck, ORG, [charger], "plug", {})
    assert not sent.queued
    assert sent.as_response()["failed"] == [
        {"identity": "CP-1", "error": "a cable is already plugged in EVSE 1 connector 1"}
    ]
    # A charger that runs nowhere: the placement host answers it does not run.
    parked = await lab.charger("CP-2")
    assert await client.precheck(ORG, [parked.id], "plug", {}) == {
        parked.id: "charger is not running"
    }


async def test_a_host_that_never_answers_is_a_clear_error(lab: StackLab) -> None:
    charger = await lab.charger("CP-1")
    # A node holds the charger and takes no requests (a process that hung).
    await lab.bus.hold("silent", [charger.id])
    client = RuntimeClient(lab.bus, deadline_s=0.1)
    sent = await dispatch(lab.store, lab.bus, client.precheck, ORG, [charger], "plug", {})
    assert not sent.queued
    assert [(f.identity, f.reason) for f in sent.failed] == [
        ("CP-1", "the charger's host did not answer within 0.1 s")
    ]
    assert await lab.store.commands.list(ORG) == []
    with pytest.raises(NoAnswer, match=r"^the charger's host did not answer within 0\.1 s$"):
        await client.start_charger(ORG, charger.id)
    assert lab.bus.waiting() == 0


class _LostBus:
    """The lab's bus, except that a publish finds its server gone (a Redis bus's outage)."""

    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    async def publish_many(self, messages: list[Any]) -> None:
        raise BusUnreachable("Redis at 127.0.0.1:1 cannot be reached (gone)")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bus, name)


async def test_a_command_the_bus_cannot_take_is_stored_failed_and_the_error_raised(
    lab: StackLab,
) -> None:
    charger = await lab.running("CP-1")
    client = RuntimeClient(lab.bus, deadline_s=5.0)
    lost: Any = _LostBus(lab.bus)

    with pytest.raises(BusUnreachable, match=r"^the simulator gateway cannot reach its fleet"):
        await dispatch(lab.store, lost, client.precheck, ORG, [charger], "plug", {})

    # The row says it was not sent, instead of queued for ever.
    [command] = await lab.store.commands.list(ORG)
    assert command.status == CommandStatus.FAILED
    assert command.error == "not sent: Redis at 127.0.0.1:1 cannot be reached (gone)"


async def test_a_closed_placement_host_leaves_the_bus_and_the_next_answers(
    lab: StackLab, buses: Callable[[], Bus]
) -> None:
    # Buses of their own, whose placement node is the first host below.
    idle = await lab.charger("CP-2")  # running nowhere: its requests go to the placement node
    client = RuntimeClient(buses(), deadline_s=2.0)
    first = host_on(lab.store, buses(), node="first")
    await first.start()
    # Answered while the first host is the only node: it is the placement node.
    assert await client.precheck(ORG, [idle.id], "plug", {}) == {idle.id: NOT_RUNNING}
    async with host_on(lab.store, buses(), node="second"):
        assert await client.precheck(ORG, [idle.id], "plug", {}) == {idle.id: NOT_RUNNING}
        await first.close()
        # The second host, still there, answers for what no node holds; a closed node's
        # inbox would leave the request unanswered.
        assert await client.precheck(ORG, [idle.id], "plug", {}) == {idle.id: NOT_RUNNING}
