"""Workers sharing the durable chargers by leases (``gateway/leases.py``): each runs a share,
one that stops renewing loses its chargers to the others, which run them as after a power
loss; a charger started on a worker is leased by it first, so no two workers run it. The
workers are two fleet hosts on one store and bus, on a clock the test moves."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta

from chargeyard.bus import CommandMessage
from chargeyard.fleet.fleet import Fleet
from chargeyard.gateway.host import FleetHost
from chargeyard.gateway.leases import LeaseKeeper
from chargeyard.gateway.memory import REGISTER_EVERY_S
from chargeyard.protocol import V16, VersionSpec
from chargeyard.station import power_loss
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.states import Registration
from chargeyard.store.models import DesiredState, SimulatedCharger
from tests.gateway.conftest import ORG, VERSIONS
from tests.polling import polled, until
from tests.stack_lab import FAST, StackLab, new_host


class Worker:
    """A fleet host and its lease keeper, on the lab's store and bus."""

    keeper: LeaseKeeper

    def __init__(
        self,
        lab: StackLab,
        name: str,
        clock: list[datetime],
        fleet: Callable[[], Fleet] | None = None,
        register_every_s: float = REGISTER_EVERY_S,
    ) -> None:
        self.name = name
        self.host: FleetHost = new_host(
            lab.store,
            lab.bus,
            node=name,
            admit=self._admit,
            keep_memory=True,
            leased=True,
            fleet_factory=fleet,
            register_every_s=register_every_s,
        )
        self.keeper = LeaseKeeper(self.host, lab.store, worker=name, clock=lambda: clock[0])

    async def _admit(self, chargers: Sequence[SimulatedCharger]) -> set[str]:
        return await self.keeper.admit(chargers)

    def booted(self) -> set[str]:
        """The chargers this worker runs whose stations the CSMS has Accepted."""
        return {
            charger_id
            for charger_id in self.host.hosted()
            if (station := self.host.station(charger_id)) is not None
            and station.registration is Registration.ACCEPTED
        }


@contextlib.asynccontextmanager
async def workers(
    lab: StackLab,
    clock: list[datetime],
    fleet: Callable[[], Fleet] | None = None,
    register_every_s: float = REGISTER_EVERY_S,
) -> AsyncIterator[list[Worker]]:
    made = [Worker(lab, name, clock, fleet, register_every_s) for name in ("worker-a", "worker-b")]
    async with contextlib.AsyncExitStack() as running:
        for worker in made:
            await running.enter_async_context(worker.host)
        yield made


async def _wanted(lab: StackLab, count: int, version: VersionSpec = V16) -> list[str]:
    ids = []
    for n in range(count):
        charger = await lab.charger(f"CP-{n}", version)
        await lab.store.chargers.set_desired_state(ORG, charger.id, DesiredState.RUNNING)
        ids.append(charger.id)
    return ids


async def test_a_worker_that_stops_renewing_loses_its_chargers_to_the_other(
    lab: StackLab,
) -> None:
    clock = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    ids = await _wanted(lab, 4)
    async with workers(lab, clock) as (a, b):
        await a.keeper.keep()  # alone: a takes every charger
        assert set(a.host.hosted()) == set(ids)
        await b.keeper.keep()  # b joins: two workers alive, two chargers each
        await a.keeper.keep()  # a hands two off
        await b.keeper.keep()  # b takes them
        assert len(a.host.hosted()) == len(b.host.hosted()) == 2
        assert set(a.host.hosted()) | set(b.host.hosted()) == set(ids)
        await until(lambda: len(a.booted() | b.booted()) == 4)

        # a stops renewing (its process hangs, or died): past its leases, b takes all four.
        clock[0] += timedelta(seconds=10)
        await b.keeper.keep()
        assert set(b.host.hosted()) == set(ids)
        await until(lambda: b.booted() == set(ids))

        # a comes back: its leases are gone, its stations stop; nothing runs twice.
        await a.keeper.keep()
        assert a.host.hosted() == []


async def test_a_command_that_meets_its_charger_handed_off_is_applied_by_the_adopter(
    lab: StackLab,
) -> None:
    clock = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    ids = await _wanted(lab, 2)
    async with workers(lab, clock) as (a, b):
        await a.keeper.keep()
        await until(lambda: a.booted() == set(ids))
        await b.keeper.keep()  # b joins: a holds one charger more than its share
        handed = sorted(ids)[1]  # (the keeper hands the last of its sorted leases)
        station = a.host.station(handed)
        assert station is not None
        handing = asyncio.get_running_loop().create_task(a.keeper.keep())
        await until(lambda: station.going_down or not station.powered)
        # Queued while a ran it (the API's check passed), delivered as it goes down.
        command = await lab.store.commands.enqueue(
            ORG, handed, event_type="plug", ocpp_version=V16, payload={}
        )
        await lab.bus.publish(CommandMessage(command.id, ORG, handed, "plug", V16, {}))
        await handing
        assert handed not in a.host.hosted()
        await b.keeper.keep()  # b adopts it: the command follows it there
        async with asyncio.timeout(10):
            outcome = await lab.bus.wait_outcome(command.id)
        assert (outcome.ok, outcome.error) == (True, None)
        adopted = b.host.station(handed)
        assert adopted is not None
        assert adopted.model.evses[1].connectors[1].cable_plugged


async def test_a_charger_started_on_a_worker_is_leased_there_and_not_run_by_another(
    lab: StackLab,
) -> None:
    clock = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    charger = await lab.charger("CP-START")
    async with workers(lab, clock) as (a, b):
        await a.host.start_charger(ORG, charger.id)
        assert await lab.store.leases.holder(charger.id, clock[0]) == "worker-a"

        await b.host.start_charger(ORG, charger.id)  # the other worker asked too: not run there
        await b.keeper.keep()
        assert b.host.hosted() == []
        assert a.host.hosted() == [charger.id]

        # Stopped through the API: the next pass releases its lease.
        await a.host.stop_charger(ORG, charger.id)
        await a.keeper.keep()
        assert await lab.store.leases.holder(charger.id, clock[0]) is None


async def test_a_dead_worker_s_open_transaction_is_reported_ended_once_by_the_adopter(
    lab: StackLab,
) -> None:
    clock = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    [charger_id] = await _wanted(lab, 1)
    async with workers(lab, clock) as (a, b):
        await a.keeper.keep()
        await until(lambda: a.booted() == {charger_id})
        station = a.host.station(charger_id)
        assert station is not None
        charger = await lab.store.chargers.get(ORG, charger_id)
        assert charger is not None
        await lab.run(charger, "start_session", {"id_tag": "TAG-1"})  # through the bus, to a
        started = await polled(
            lambda: lab.store.transactions.list(charge_box_id="CP-0"),
            lambda rows: len(rows) == 1,
        )

        # a dies: its station goes silent with no power-down (no snapshot written then); what
        # its row keeps is what the station wrote as its transaction went out.
        await a.host.drop([charger_id])
        clock[0] += timedelta(seconds=10)
        await b.keeper.keep()
        await until(lambda: b.booted() == {charger_id})

        # Once booted, the station reports the transaction ended with PowerLoss (the CSMS may
        # have closed it a moment before, at the boot's Available: the station's stop replaces
        # that close).
        ended = await polled(
            lambda: lab.store.transactions.list(charge_box_id="CP-0"),
            lambda rows: rows[0].stop_reason == "PowerLoss",
            within=10,
        )
        adopted = b.host.station(charger_id)
        assert adopted is not None
        register_after = adopted.model.evses[1].meter.energy_register_wh
    assert len(ended) == 1
    assert ended[0].transaction_id == started[0].transaction_id
    assert ended[0].csms_close_reason is None
    # The register the station kept as its transaction went out: what the CSMS last heard,
    # and where the adopted station's meter goes on from (never backwards).
    assert ended[0].meter_stop_wh is not None
    assert ended[0].meter_stop_wh >= started[0].meter_start_wh
    assert register_after >= ended[0].meter_stop_wh


@VERSIONS
async def test_the_adopter_stops_a_dead_worker_s_transaction_at_the_register_of_the_loss(
    lab: StackLab, version: VersionSpec
) -> None:
    """E06 / 1.6 section 7.39 PowerLoss: a station charging between two meter values (the
    default 60 s MeterValueSampleInterval or TxUpdatedInterval) whose worker dies keeps its
    register in its row every REGISTER_EVERY_S, so the adopter's meter stop is within that much
    charging of the register when the power went, not the register of its last transaction
    message."""
    lease_clock = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    station_clock = ManualClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))

    def fleet() -> Fleet:
        return Fleet(reconnect=FAST, seed=1, clock=station_clock)

    [charger_id] = await _wanted(lab, 1, version)
    async with workers(lab, lease_clock, fleet, register_every_s=0.05) as (a, b):
        await a.keeper.keep()
        await until(lambda: a.booted() == {charger_id})
        station = power_loss.reporting(a.host.station(charger_id))
        assert station is not None
        charger = await lab.store.chargers.get(ORG, charger_id)
        assert charger is not None
        await lab.run(charger, "start_session", {"id_tag": "TAG-1"})
        started = await polled(
            lambda: lab.store.transactions.list(charge_box_id="CP-0"),
            lambda rows: len(rows) == 1,
        )

        # 50 s of charging, less than the meter-value interval: no meter values leave.
        station_clock.advance(50)
        station.advance()
        at_loss = station.model.evses[1].meter.energy_register_wh
        wh_per_s = (at_loss - started[0].meter_start_wh) / 50
        assert wh_per_s > 1  # it charges
        bound_wh = wh_per_s * REGISTER_EVERY_S

        async def kept_register() -> float:
            row = await lab.store.chargers.get(ORG, charger_id)
            assert row is not None
            snapshot = (row.config or {}).get("power_loss") or {}
            return float(snapshot.get("meters", {}).get("1", 0.0))

        # The writer's passes come every 25 ms here; what the adopter reports is asserted below.
        with contextlib.suppress(TimeoutError):
            await polled(kept_register, lambda wh: at_loss - wh <= bound_wh, within=3)

        # a dies without a clean stop (no power-down snapshot); b adopts the charger.
        await a.host.drop([charger_id])
        lease_clock[0] += timedelta(seconds=10)
        await b.keeper.keep()
        await until(lambda: b.booted() == {charger_id})
        ended = await polled(
            lambda: lab.store.transactions.list(charge_box_id="CP-0"),
            lambda rows: rows[0].stop_reason == "PowerLoss",
            within=10,
        )
    meter_stop = ended[0].meter_stop_wh
    assert meter_stop is not None
    assert at_loss - bound_wh <= meter_stop <= at_loss + 1  # (1.6 meterStop: whole Wh)
