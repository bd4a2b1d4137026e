"""Link faults against chargeyard's central system (in process, real sockets on 127.0.0.1,
virtual time): each shows on the wire or on the loop's clock, and the station's own rules hold
through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chargeyard.fleet.chaos.faults import Bandwidth, Disconnect, HalfOpen, Latency, RefuseConnect
from chargeyard.protocol import V16, V201, VersionSpec
from tests.fleet.chaos_harness import accepted, calls, now, received, round_trip, station_on
from tests.polling import eventually, until
from tests.station.wire_csms import our_csms

pytestmark = pytest.mark.virtual_time


@pytest.mark.parametrize("version", [V16, V201], ids=str)
async def test_latency_delays_each_direction_by_its_own_amount(
    tmp_path: Path, version: VersionSpec
) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port, version=version) as runtime:
        assert await round_trip(runtime) < 0.5
        runtime.apply_chaos([Latency(up_ms=1500, down_ms=700)], seed=1)
        took = await round_trip(runtime)
        assert 2.2 <= took < 2.6
        runtime.clear_chaos()
        assert await round_trip(runtime) < 0.5
        assert len(calls(await received(csms), "Heartbeat")) == 3


async def test_latency_jitter_is_drawn_per_chunk_and_keeps_the_order(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        runtime.apply_chaos([Latency(up_ms=1000, jitter_ms=900)], seed=5)
        times = [await round_trip(runtime) for _ in range(5)]
        assert all(0.1 <= t < 2.0 for t in times)
        assert len({round(t, 2) for t in times}) > 1  # drawn, not fixed
        heartbeats = calls(await received(csms), "Heartbeat")
        assert len(heartbeats) == 5


async def test_a_bandwidth_cap_spreads_a_message_over_its_bytes(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        runtime.apply_chaos([Bandwidth(up_bytes_per_s=20, down_bytes_per_s=20)], seed=1)
        took = await round_trip(runtime)
        # A Heartbeat CALL is about 30 bytes framed and its answer about 60: over 4 s at 20 B/s.
        assert took >= 4.0
        assert len(calls(await received(csms), "Heartbeat")) == 1


@pytest.mark.parametrize("version", [V16, V201], ids=str)
async def test_a_cut_now_refuses_reconnection_for_its_offline_time(
    tmp_path: Path, version: VersionSpec
) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port, version=version) as runtime:
        chaos = runtime.apply_chaos([Disconnect(offline_s=30)], seed=1)
        cut_at = now()
        await until(lambda: not runtime.connected)
        await until(lambda: accepted(runtime), within=120)
        back_after = now() - cut_at
        assert 30 <= back_after < 40
        effects = [effect for effect, _ in chaos.effects()]
        assert effects[0] == "connection_dropped"
        assert effects.count("connect_refused") >= 2  # it kept trying, refused
        assert runtime.stats.disconnects == 1
        assert runtime.stats.faults["connection_dropped"] == 1
        # Back without a new boot (B04): one BootNotification in all.
        assert len(calls(await received(csms), "BootNotification")) == 1


async def test_cuts_every_n_seconds(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        started = now()
        chaos = runtime.apply_chaos([Disconnect(every_s=5, for_s=17)], seed=1)
        await until(lambda: now() - started > 20 and accepted(runtime), within=60)
        drops = [entry for entry in chaos.journal if entry.effect == "connection_dropped"]
        assert [round(entry.at) for entry in drops] == [5, 10, 15]
        assert runtime.stats.disconnects == 3
        assert chaos.faults == []  # ended after its 17 s


async def test_cuts_with_a_probability_per_minute(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        started = now()
        chaos = runtime.apply_chaos([Disconnect(per_minute=0.999, for_s=40)], seed=42)
        await until(lambda: now() - started > 40 and accepted(runtime), within=120)
        drops = [entry for entry in chaos.journal if entry.effect == "connection_dropped"]
        assert len(drops) >= 1
        assert runtime.stats.disconnects == len(drops)


async def test_half_open_the_station_stops_reading_until_the_fault_ends(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        runtime.apply_chaos([HalfOpen(for_s=8)], seed=1)
        took = await round_trip(runtime)
        # The CSMS had the Heartbeat at once (the station still writes) ...
        assert len(calls(await received(csms), "Heartbeat")) == 1
        # ... and the station read the answer once it read again.
        assert 7.9 <= took < 9
        assert runtime.connected
        assert runtime.stats.disconnects == 0


async def test_a_refused_reconnect_keeps_the_station_out_for_its_time(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port, boot=False) as runtime:
        chaos = runtime.apply_chaos([RefuseConnect(for_s=15)], seed=1)
        started = now()
        runtime.start()
        await until(lambda: accepted(runtime), within=60)
        assert now() - started >= 15
        assert runtime.stats.failures >= 2
        assert {effect for effect, _ in chaos.effects()} == {"connect_refused"}

        async def registered() -> bool:
            return await csms.store.stations.get("CP-1") is not None

        await eventually(registered)
