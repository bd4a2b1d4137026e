"""Network faults reach a charger where its station runs: two fleet hosts on one bus, as two
workers of a cluster would be, and an asking API on a bus of its own. On both buses: in memory
and on Redis (a bus per host and one for the API, as separate processes hold them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from chargeyard.fleet.chaos.faults import Latency, fault_to_dict
from chargeyard.gateway.host import NOT_RUNNING
from chargeyard.gateway.runtime_client import RuntimeClient
from chargeyard.station.model.states import Registration
from tests.bus.buses import BUSES, Bus, bus_maker
from tests.gateway.conftest import ORG
from tests.gateway.test_seams import host_on
from tests.polling import until
from tests.stack_lab import StackLab


@pytest.fixture(params=BUSES)
async def buses(request: pytest.FixtureRequest) -> AsyncIterator[Callable[[], Bus]]:
    async with bus_maker(request.param) as make:
        yield make


async def test_faults_are_applied_by_the_host_that_runs_each_charger(
    lab: StackLab, buses: Callable[[], Bus]
) -> None:
    ours = await lab.charger("CP-1")
    theirs = await lab.charger("CP-2")
    idle = await lab.charger("CP-3")  # runs nowhere
    api_bus = buses()
    async with (
        host_on(lab.store, buses(), node="first") as first,
        host_on(lab.store, buses(), node="second") as second,
    ):
        await first.start_charger(ORG, ours.id)
        await second.start_charger(ORG, theirs.id)

        def booted() -> bool:
            one, two = first.station(ours.id), second.station(theirs.id)
            return all(
                s is not None and s.registration is Registration.ACCEPTED for s in (one, two)
            )

        await until(booted)
        client = RuntimeClient(api_bus, deadline_s=5.0)
        latency = [fault_to_dict(Latency(up_ms=50, for_s=60))]

        answers = await client.chaos(ORG, [ours.id, theirs.id, idle.id], latency, seed=5)

        assert [f["kind"] for f in answers[ours.id]["faults"]] == ["latency"]
        assert [f["kind"] for f in answers[theirs.id]["faults"]] == ["latency"]
        assert answers[idle.id] == {"error": NOT_RUNNING}
        first_runtime = first.fleet_of(ORG).runtime("CP-1")  # type: ignore[union-attr]
        second_runtime = second.fleet_of(ORG).runtime("CP-2")  # type: ignore[union-attr]
        assert first_runtime.chaos is not None
        assert first_runtime.chaos.seed == 5
        assert second_runtime.chaos is not None
        assert second_runtime.chaos.seed == 5
        # The live status shows them, read where each station runs.
        statuses = await client.station_statuses(ORG, [ours.id, theirs.id])
        assert statuses[theirs.id].faults[0]["kind"] == "latency"
        assert statuses[theirs.id].chaos_seed == 5

        cleared = await client.chaos(ORG, [ours.id, theirs.id], None)
        assert cleared == {ours.id: {"faults": [], "seed": None}, theirs.id: cleared[theirs.id]}
        assert first_runtime.chaos is None
        assert second_runtime.chaos is None
