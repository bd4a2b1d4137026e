"""Automatic sessions: random drivers using the stations' physical verbs.

Stations are wired to a scripted central system over the in-memory link (validation on at both
ends); the drivers run on the event loop at high speed (sessions of a tenth of a second).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random

import pytest

from chargeyard.fleet.autogen import Autogen, AutogenConfig
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.ev import Ev, EvProfile
from chargeyard.station.v16 import StationV16
from tests.polling import until
from tests.station.harness import Link
from tests.station.v201.conftest import make_link as make_v201_link
from tests.station.v201.conftest import make_station as make_v201_station
from tests.station.v201.support import events

# The drivers' waits are the loop's timers and the stations run on manual clocks over the
# in-memory link: nothing off the loop (tests/virtual_time.py), so idle waits pass at once.
pytestmark = pytest.mark.virtual_time

FAST = AutogenConfig(
    sessions_per_hour=360_000,  # a driver every 10 ms on average
    mean_session_s=0.05,
    session_sigma=0.0,
    min_idle_s=0.0,
    handling_s=(0.005, 0.01),
)


def online_station(
    identity: str, template_id: str = "alfen-eve-single-pro-line"
) -> tuple[StationV16, Link]:
    clock = ManualClock()
    ids = itertools.count(1)
    station = StationV16(
        identity, load_catalog().template(template_id), clock=clock, new_id=lambda: f"m{next(ids)}"
    )
    link = Link(station, clock)
    link.connect()
    loop = asyncio.get_running_loop()
    station.wake = lambda: loop.call_soon(link.pump)  # what the runtime does: a step soon
    return station, link


async def test_drivers_plug_badge_charge_and_leave() -> None:
    stations = [online_station(f"CP-{n}") for n in (1, 2)]
    autogen = Autogen([station for station, _ in stations], FAST, rng=random.Random(3))
    autogen.start()
    await until(lambda: autogen.counters.sessions_ended >= 6)
    autogen.stop()
    for _, link in stations:
        link.pump()
        actions = link.csms.actions()
        assert "StartTransaction" in actions
        assert "StopTransaction" in actions
        reasons = {p.get("reason") for p in link.csms.payloads("StopTransaction")}
        assert reasons <= {"Local", "EVDisconnected"}
        statuses = [p["status"] for p in link.csms.payloads("StatusNotification")]
        assert {"Preparing", "Charging", "Available"} <= set(statuses)
        tags = {p["idTag"] for p in link.csms.payloads("Authorize")}
        assert all(tag.startswith("AUTO") and len(tag) == 9 for tag in tags)
    assert autogen.counters.refused == 0


async def test_both_orders_and_both_endings_happen() -> None:
    station, link = online_station("CP-1")
    autogen = Autogen([station], FAST, rng=random.Random(11))
    autogen.start()
    await until(lambda: autogen.counters.sessions_ended >= 12)
    autogen.stop()
    link.pump()
    reasons = [p.get("reason") for p in link.csms.payloads("StopTransaction")]
    assert "Local" in reasons  # ended with the card
    assert "EVDisconnected" in reasons  # just unplugged
    actions = link.csms.actions()
    # Badged first (Authorize before Preparing) and plugged first (Preparing before Authorize).
    orders = set()
    for index, action in enumerate(actions):
        if action == "Authorize":
            previous = link.csms.received[index - 1]
            orders.add(previous[0] == "StatusNotification" and previous[1]["status"] == "Preparing")
    assert orders == {True, False}


async def test_after_stop_no_driver_acts() -> None:
    station, _ = online_station("CP-1")
    autogen = Autogen([station], FAST, rng=random.Random(5))
    autogen.start()
    await until(lambda: autogen.counters.sessions_started >= 2)
    autogen.stop()
    counters = (autogen.counters.sessions_started, autogen.counters.sessions_ended)
    await asyncio.sleep(0.2)
    assert (autogen.counters.sessions_started, autogen.counters.sessions_ended) == counters
    assert not autogen.running


async def first_tags(seed: int) -> list[str]:
    """Each station's first driver's tag, for three stations driven with ``seed``."""
    stations = [online_station(f"CP-{n}") for n in (1, 2, 3)]
    autogen = Autogen([station for station, _ in stations], FAST, rng=random.Random(seed))
    autogen.start()
    await until(lambda: autogen.counters.sessions_ended >= 6)
    autogen.stop()
    tags = []
    for _, link in stations:
        link.pump()
        tags.append(link.csms.payloads("Authorize")[0]["idTag"])
    return tags


async def test_the_same_seed_gives_the_same_drivers() -> None:
    assert await first_tags(42) == await first_tags(42)
    assert await first_tags(42) != await first_tags(43)


async def test_an_unavailable_connector_gets_no_driver_until_it_is_available_again() -> None:
    station, link = online_station("CP-1")
    link.call_station("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"})
    link.csms.clear()
    autogen = Autogen([station], FAST, rng=random.Random(1))
    autogen.start()
    await asyncio.sleep(0.2)  # about twenty arrivals' worth
    assert (autogen.counters.sessions_started, autogen.counters.refused) == (0, 0)
    assert not station.model.connector(1).cable_plugged
    link.call_station("ChangeAvailability", {"connectorId": 1, "type": "Operative"})
    await until(lambda: "StartTransaction" in link.csms.actions())
    autogen.stop()


async def test_a_busy_evse_is_skipped() -> None:
    station, _ = online_station("CP-1")
    station.plug(1, 1)  # someone else's car
    autogen = Autogen([station], FAST, rng=random.Random(2))
    autogen.start()
    await asyncio.sleep(0.3)
    autogen.stop()
    assert autogen.counters.sessions_started == 0
    assert station.model.connector(1).cable_plugged


async def test_every_evse_of_a_station_gets_drivers() -> None:
    station, link = online_station("CP-1", "alfen-eve-double-pro-line")
    autogen = Autogen([station], FAST, rng=random.Random(8))
    autogen.start()
    await until(lambda: autogen.counters.sessions_ended >= 8)
    autogen.stop()
    link.pump()
    connectors = {p["connectorId"] for p in link.csms.payloads("StartTransaction")}
    assert connectors == {1, 2}


def test_stations_without_the_physical_verbs_are_not_driven() -> None:
    autogen = Autogen([object(), "not a station"], FAST)
    assert autogen.active_sessions == 0


@pytest.mark.parametrize(
    "change",
    [
        {"sessions_per_hour": 0},
        {"mean_session_s": -1},
        {"energy_sigma": -0.1},
        {"handling_s": (3.0, 1.0)},
        {"soc_range": (0.5, 1.5)},
        {"tags": 0},
        {"ev_profiles": ("bicycle",)},
    ],
)
def test_a_config_out_of_range_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each field says its own reason
        AutogenConfig(**change)  # type: ignore[arg-type]


async def test_drivers_wait_until_the_station_has_booted() -> None:
    # A station not yet accepted would refuse a badge (nothing to check it against), and the
    # driver would stay parked for a whole session without a transaction: drivers come back
    # later instead, and their sessions start once it is in service.
    clock = ManualClock()
    ids = itertools.count(1)
    station = StationV16(
        "CP-1",
        load_catalog().template("alfen-eve-single-pro-line"),
        clock=clock,
        new_id=lambda: f"m{next(ids)}",
    )
    autogen = Autogen([station], FAST, rng=random.Random(7))
    autogen.start()
    await asyncio.sleep(0.2)  # about twenty arrivals' worth
    assert not station.in_service
    assert autogen.counters.sessions_started == 0
    assert all(not c.cable_plugged for c in station.model.connectors())
    link = Link(station, clock)
    link.connect()
    loop = asyncio.get_running_loop()
    station.wake = lambda: loop.call_soon(link.pump)
    assert station.in_service
    await until(lambda: "StartTransaction" in link.csms.actions())
    autogen.stop()


async def test_drivers_act_only_while_the_station_is_online() -> None:
    station, link = online_station("CP-1")
    link.auto_reconnect = False
    link.drop()  # stopped, or its network is down: it is not online
    autogen = Autogen([station], FAST, rng=random.Random(4))
    autogen.start()
    await until(lambda: autogen.counters.waited >= 5)
    assert autogen.counters.sessions_started == 0
    assert all(not c.cable_plugged for c in station.model.connectors())
    link.connect()
    await until(lambda: "StartTransaction" in link.csms.actions())
    autogen.stop()


async def test_no_session_starts_on_a_2_0_1_station_that_is_rebooting() -> None:
    # A driver badges, then the station resets before the driver plugs in: the cable waits
    # until the station is back, and no transaction starts while it is down (one that did
    # would be ended PowerLoss by the boot).
    clock = ManualClock()
    station = make_v201_station(clock)
    link = make_v201_link(station, clock)
    link.connect()
    loop = asyncio.get_running_loop()
    station.wake = lambda: loop.call_soon(link.pump)
    config = dataclasses.replace(FAST, tag_first_share=1.0, handling_s=(0.05, 0.05))
    autogen = Autogen([station], config, rng=random.Random(6))
    autogen.start()
    await until(lambda: autogen.counters.sessions_started == 1)  # badged; plugs in 50 ms
    assert link.call_station("Reset", {"type": "OnIdle"}) == {"status": "Accepted"}
    link.run_for(1)  # (the CSMS's moment to close first: power.CLOSE_WAIT_AFTER_RESET_S)
    assert not station.powered
    await until(lambda: autogen.counters.waited >= 1)  # the plug-in's turn came meanwhile
    assert all(not c.cable_plugged for c in station.model.connectors())
    link.run_for(6)  # booted again
    assert station.in_service
    await until(lambda: any(e["eventType"] == "Started" for e in events(link)))
    autogen.stop()
    link.pump()
    reasons = {e["transactionInfo"].get("stoppedReason") for e in events(link)}
    assert "PowerLoss" not in reasons


async def test_every_driver_brings_a_car_that_charges_on_this_supply() -> None:
    """A car that could take nothing here (a plug-in hybrid has no DC inlet; a full battery)
    would sit at SuspendedEV, 0 kW, for its whole stay: drivers come with cars that charge."""
    station, _ = online_station("CP-DC", "abb-terra-184")
    plugged: list[Ev] = []
    plug = station.plug

    def recording_plug(
        evse_id: int, connector_id: int, *, ev: Ev | EvProfile | None = None
    ) -> None:
        assert isinstance(ev, Ev)
        plugged.append(dataclasses.replace(ev))  # as it arrived, before it charges
        plug(evse_id, connector_id, ev=ev)

    station.plug = recording_plug  # type: ignore[method-assign]
    config = dataclasses.replace(FAST, soc_range=(0.5, 1.0))
    autogen = Autogen([station], config, rng=random.Random(7))
    autogen.start()
    await until(lambda: len(plugged) >= 20)
    autogen.stop()

    assert all(ev.demand_w("DC") > 0 for ev in plugged), [
        (ev.profile.name, round(ev.soc, 2)) for ev in plugged if ev.demand_w("DC") <= 0
    ]
