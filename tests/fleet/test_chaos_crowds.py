"""Crowd faults against chargeyard's central system (in process, real sockets on 127.0.0.1,
virtual time): a reconnection storm, a rolling restart and a power cut strike every targeted
station, on the wire; the order and the jitter come from the random seed; no transaction message is
lost through them, and the queue is delivered in order."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.csms.server import CsmsServer
from chargeyard.fleet.chaos.crowds import crowd_source, spread
from chargeyard.fleet.chaos.faults import Fault, PowerCut, ReconnectStorm, RollingRestart
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16, V201, VersionSpec
from tests.fleet.chaos_harness import accepted, calls, now, quiet, received, station_on
from tests.polling import eventually, until
from tests.station.wire_csms import our_csms

pytestmark = pytest.mark.virtual_time

CROWD = ["CP-A", "CP-B", "CP-C"]


@contextlib.asynccontextmanager
async def crowd_on(
    port: int, identities: list[str] = CROWD
) -> AsyncIterator[dict[str, StationRuntime]]:
    async with contextlib.AsyncExitStack() as stack:
        yield {i: await stack.enter_async_context(station_on(port, i)) for i in identities}


def strike(runtimes: dict[str, StationRuntime], faults: list[Fault], seed: int) -> None:
    """Apply ``faults`` to the crowd as ``Fleet.apply_chaos`` and the gateway do."""
    for identity, own in spread(faults, runtimes, seed).items():
        runtimes[identity].apply_chaos(own, seed)


def struck_at(runtime: StationRuntime, effect: str) -> list[float]:
    assert runtime.chaos is not None
    return [entry.at for entry in runtime.chaos.journal if entry.effect == effect]


async def boots(csms: CsmsServer, identity: str) -> int:
    return len(calls(await received(csms, identity), "BootNotification"))


async def test_a_storm_drops_every_station_and_all_dial_again_at_once(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, crowd_on(csms.port) as crowd:
        strike(crowd, [ReconnectStorm()], seed=1)
        started = now()
        for runtime in crowd.values():
            await until(lambda r=runtime: r.stats.disconnects == 1 and accepted(r))  # type: ignore[misc]
        assert now() - started < 1  # no backoff: at once
        for identity, runtime in crowd.items():
            assert [round(at, 1) for at in struck_at(runtime, "reconnect_storm")] == [0.0]
            assert runtime.stats.connects == 2
            assert runtime.chaos is not None
            assert runtime.chaos.faults == []  # it struck, and ended
            assert await boots(csms, identity) == 1  # back without a new boot (B04)


async def test_a_storms_jitter_spreads_the_reconnections_as_the_seed_draws(
    tmp_path: Path,
) -> None:
    waits = {i: crowd_source(5, i).uniform(0, 30) for i in CROWD}
    async with our_csms(tmp_path) as csms, crowd_on(csms.port) as crowd:
        strike(crowd, [ReconnectStorm(jitter_s=30)], seed=5)
        started = now()
        for identity in sorted(CROWD, key=waits.__getitem__):
            runtime = crowd[identity]
            await until(lambda r=runtime: r.stats.disconnects == 1 and accepted(r), within=60)  # type: ignore[misc]
            assert waits[identity] <= now() - started < waits[identity] + 1
        assert len({round(w) for w in waits.values()}) == 3  # drawn apart


def test_the_seed_draws_a_rolling_restarts_order_and_a_storms_jitter() -> None:
    crowd = [f"CP-{n}" for n in range(20)]
    rolling = [RollingRestart(per_minute=2)]

    def order(seed: int) -> list[str]:
        own = spread(rolling, crowd, seed)
        return sorted(crowd, key=lambda i: own[i][0].after_s)  # type: ignore[union-attr]

    assert order(1) == order(1)
    assert order(1) != order(2)
    slots = sorted(f.after_s for own in spread(rolling, crowd, 1).values() for f in own)  # type: ignore[union-attr]
    assert slots == [30.0 * n for n in range(20)]  # one every 30 s
    # A storm and a power cut strike all at the same moment.
    storm = spread([ReconnectStorm(jitter_s=5, after_s=3), PowerCut()], crowd, 1)
    assert {tuple(own) for own in storm.values()} == {(ReconnectStorm(5, 3), PowerCut())}
    assert crowd_source(1, "CP-1").random() == crowd_source(1, "CP-1").random()
    assert crowd_source(1, "CP-1").random() != crowd_source(1, "CP-2").random()


async def test_a_rolling_restart_reboots_the_stations_one_by_one_in_the_seeds_order(
    tmp_path: Path,
) -> None:
    fault = RollingRestart(per_minute=6, off_s=2)
    slots = {i: own[0].after_s for i, own in spread([fault], CROWD, 9).items()}  # type: ignore[union-attr]
    async with our_csms(tmp_path) as csms, crowd_on(csms.port) as crowd:
        strike(crowd, [fault], seed=9)
        for identity in CROWD:

            async def booted_again(identity: str = identity) -> bool:
                return await boots(csms, identity) == 2 and accepted(crowd[identity])

            await eventually(booted_again, within=120)
        for identity, runtime in crowd.items():
            [at] = struck_at(runtime, "rolling_restart")
            assert slots[identity] <= at < slots[identity] + 0.5
        assert sorted(slots.values()) == [0.0, 10.0, 20.0]


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_e_a_power_cut_ends_the_open_transaction_with_power_loss_after_the_boot(
    tmp_path: Path, version: VersionSpec
) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port, version=version) as runtime:
        station = runtime.station
        station.plug(1, 1)
        station.present_id_token("TAG-CHAOS")
        await until(lambda: any(True for _ in station.model.transactions()) and quiet(runtime))
        strike({"CP-1": runtime}, [PowerCut(off_s=10)], seed=1)
        await until(lambda: not station.powered)

        async def reported() -> bool:
            return await boots(csms, "CP-1") == 2 and accepted(runtime) and quiet(runtime)

        await eventually(reported, within=120)
        messages = calls(await received(csms))
        second_boot = [i for i, m in enumerate(messages) if m[2] == "BootNotification"][1]
        if version is V16:
            [stop] = [i for i, m in enumerate(messages) if m[2] == "StopTransaction"]
            assert messages[stop][3]["reason"] == "PowerLoss"
            assert [m[2] for m in messages].count("StartTransaction") == 1
        else:
            events = [i for i, m in enumerate(messages) if m[2] == "TransactionEvent"]
            stop = events[-1]
            assert messages[stop][3]["eventType"] == "Ended"
            assert messages[stop][3]["transactionInfo"]["stoppedReason"] == "PowerLoss"
            seq = [messages[i][3]["seqNo"] for i in events]
            assert seq == sorted(seq)
        assert stop > second_boot  # reported once the boot after was accepted
        assert [round(at, 1) for at in struck_at(runtime, "power_cut")] == [0.0]


async def test_e_a_stop_made_offline_in_a_storm_is_delivered_after_it_in_order(
    tmp_path: Path,
) -> None:
    seed = next(s for s in range(100) if crowd_source(s, "CP-1").uniform(0, 60) > 10)
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        station = runtime.station
        station.plug(1, 1)
        station.present_id_token("TAG-CHAOS")
        await until(lambda: station.model.transaction_by_csms_id(1) is not None and quiet(runtime))
        strike({"CP-1": runtime}, [ReconnectStorm(jitter_s=60)], seed=seed)
        await until(lambda: runtime.stats.disconnects == 1)
        station.unplug(1, 1)  # the StopTransaction waits in the queue
        await until(lambda: accepted(runtime) and quiet(runtime), within=120)
        actions = [m[2] for m in calls(await received(csms))]
        moved = [a for a in actions if a in ("StartTransaction", "StopTransaction")]
        assert moved == ["StartTransaction", "StopTransaction"]
        assert actions.count("BootNotification") == 1


async def test_e_a_transaction_through_a_rolling_restart_loses_no_message(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        station = runtime.station
        station.plug(1, 1)
        station.present_id_token("TAG-CHAOS")
        await until(lambda: station.model.transaction_by_csms_id(1) is not None and quiet(runtime))
        strike({"CP-1": runtime}, [RollingRestart(off_s=3)], seed=1)

        async def booted_again() -> bool:
            return await boots(csms, "CP-1") == 2 and accepted(runtime) and quiet(runtime)

        await eventually(booted_again, within=120)
        station.unplug(1, 1)  # (the cable stayed in through the reboot)
        await until(lambda: accepted(runtime) and quiet(runtime), within=120)
        actions = [m[2] for m in calls(await received(csms))]
        moved = [a for a in actions if a in ("StartTransaction", "StopTransaction")]
        assert moved == ["StartTransaction", "StopTransaction"]
