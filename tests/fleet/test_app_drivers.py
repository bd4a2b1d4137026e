"""Drivers who use the app: a remote start the station accepted brings a driver who plugs in,
charges and leaves (1.6 section 5.11 RemoteStartTransaction; 2.0.1 F02 RequestStartTransaction,
remote start first).

Stations on the in-memory link to a scripted central system; the drivers run on the event loop
with delays of milliseconds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random

import pytest

from chargeyard.fleet.autogen import Autogen, AutogenConfig, Drivers
from chargeyard.station.clock import ManualClock
from tests.fleet.test_autogen import online_station
from tests.polling import until
from tests.station.v201.conftest import make_link as make_v201_link
from tests.station.v201.conftest import make_station as make_v201_station
from tests.station.v201.support import events, tag

APP = AutogenConfig(
    drivers=Drivers.APP,
    app_plug_delay_s=(0.02, 0.04),
    mean_session_s=3600.0,  # stays until the session ends
    session_sigma=0.0,
    mean_energy_wh=1e9,  # never full within a test
    handling_s=(0.005, 0.01),
)


async def test_1_6_an_app_driver_plugs_in_after_a_remote_start_and_leaves_after_the_stop() -> None:
    station, link = online_station("CP-1")
    autogen = Autogen([station], APP, rng=random.Random(1))
    autogen.start()
    await asyncio.sleep(0.1)
    assert autogen.counters.sessions_started == 0  # nobody comes uncalled
    answer = link.call_station("RemoteStartTransaction", {"idTag": "APP-1", "connectorId": 1})
    assert answer == {"status": "Accepted"}
    assert not station.model.connector(1).cable_plugged  # not yet: within the delay
    await until(lambda: "StartTransaction" in link.csms.actions())
    assert station.model.connector(1).cable_plugged
    link.pump()
    (started,) = link.csms.payloads("StartTransaction")
    assert started["idTag"] == "APP-1"
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    assert transaction.csms_id is not None
    stop = {"transactionId": transaction.csms_id}
    assert link.call_station("RemoteStopTransaction", stop) == {"status": "Accepted"}
    await until(lambda: not station.model.connector(1).cable_plugged)
    autogen.stop()
    link.pump()
    (stopped,) = link.csms.payloads("StopTransaction")
    assert stopped["reason"] == "Remote"
    assert link.csms.payloads("StatusNotification")[-1]["status"] == "Available"
    assert (autogen.counters.sessions_started, autogen.counters.sessions_ended) == (1, 1)


async def test_f02_an_app_driver_plugs_in_after_a_remote_start_and_leaves_after_the_stop() -> None:
    clock = ManualClock()
    station = make_v201_station(clock)
    link = make_v201_link(station, clock)
    link.connect()
    loop = asyncio.get_running_loop()
    station.wake = lambda: loop.call_soon(link.pump)
    autogen = Autogen([station], APP, rng=random.Random(2))
    autogen.start()
    start = {"remoteStartId": 7, "idToken": tag("APP-2", "Central"), "evseId": 1}
    assert link.call_station("RequestStartTransaction", start) == {"status": "Accepted"}
    await until(lambda: any(e["eventType"] == "Started" for e in events(link)))
    assert station.model.connector(1).cable_plugged
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    stop = {"transactionId": transaction.local_id}
    assert link.call_station("RequestStopTransaction", stop) == {"status": "Accepted"}
    await until(lambda: not station.model.connector(1).cable_plugged)
    autogen.stop()
    link.pump()
    ended = [e for e in events(link) if e["eventType"] == "Ended"]
    assert [e["transactionInfo"]["stoppedReason"] for e in ended] == ["Remote"]
    assert (autogen.counters.sessions_started, autogen.counters.sessions_ended) == (1, 1)


async def test_an_app_driver_leaves_when_the_stay_is_up() -> None:
    station, link = online_station("CP-1")
    config = dataclasses.replace(APP, mean_session_s=0.05)
    autogen = Autogen([station], config, rng=random.Random(3))
    autogen.start()
    link.call_station("RemoteStartTransaction", {"idTag": "APP-3", "connectorId": 1})
    await until(lambda: autogen.counters.sessions_ended == 1)
    autogen.stop()
    link.pump()
    assert not station.model.connector(1).cable_plugged
    assert [p["reason"] for p in link.csms.payloads("StopTransaction")] == ["EVDisconnected"]


async def test_an_app_driver_leaves_when_the_ev_is_full() -> None:
    station, link = online_station("CP-1")
    config = dataclasses.replace(APP, mean_energy_wh=10.0, energy_sigma=0.0)
    autogen = Autogen([station], config, rng=random.Random(7))
    autogen.start()
    link.call_station("RemoteStartTransaction", {"idTag": "APP-7", "connectorId": 1})
    await until(lambda: "StartTransaction" in link.csms.actions())
    await asyncio.sleep(0.05)  # the driver looks at the app: still charging
    assert station.model.connector(1).cable_plugged
    link.run_for(60)  # on the station's clock: far more than the 10 Wh the EV wants
    ev = station.model.evses[1].ev
    assert ev is not None
    assert ev.is_satisfied
    await until(lambda: autogen.counters.sessions_ended == 1)
    autogen.stop()
    link.pump()
    assert [p["reason"] for p in link.csms.payloads("StopTransaction")] == ["EVDisconnected"]


async def test_an_app_driver_does_not_plug_in_once_the_remote_start_timed_out() -> None:
    # ConnectionTimeOut (1.6 section 9.1) passes before the driver arrives: the station no
    # longer holds the connector, and the driver goes away without plugging in.
    station, link = online_station("CP-1")
    config = dataclasses.replace(APP, app_plug_delay_s=(0.1, 0.1))
    autogen = Autogen([station], config, rng=random.Random(4))
    autogen.start()
    link.call_station("RemoteStartTransaction", {"idTag": "APP-4", "connectorId": 1})
    link.run_for(600)  # well past ConnectionTimeOut on the station's clock
    assert station.pending_start(1) is None
    await until(lambda: autogen.counters.sessions_ended == 1)
    autogen.stop()
    assert not station.model.connector(1).cable_plugged
    assert "StartTransaction" not in link.csms.actions()


async def test_walk_up_drivers_do_not_answer_remote_starts() -> None:
    station, link = online_station("CP-1")
    config = AutogenConfig(sessions_per_hour=0.001)  # nobody walks up within the test
    autogen = Autogen([station], config, rng=random.Random(5))
    autogen.start()
    link.call_station("RemoteStartTransaction", {"idTag": "APP-5", "connectorId": 1})
    await asyncio.sleep(0.1)
    autogen.stop()
    assert not station.model.connector(1).cable_plugged


async def test_f01_no_app_driver_comes_when_the_cable_is_in_already() -> None:
    clock = ManualClock()
    station = make_v201_station(clock)
    link = make_v201_link(station, clock)
    link.connect()
    autogen = Autogen([station], APP, rng=random.Random(6))
    autogen.start()
    station.plug(1, 1)  # the driver plugged in, then started from the app
    link.pump()
    start = {"remoteStartId": 8, "idToken": tag("APP-6", "Central"), "evseId": 1}
    assert link.call_station("RequestStartTransaction", start)["status"] == "Accepted"
    await asyncio.sleep(0.1)
    autogen.stop()
    assert autogen.counters.sessions_started == 0
    assert station.model.connector(1).cable_plugged


@pytest.mark.parametrize("delay", [(-1.0, 2.0), (5.0, 1.0)])
def test_an_app_plug_delay_out_of_range_is_refused(delay: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="app_plug_delay_s"):
        AutogenConfig(drivers=Drivers.APP, app_plug_delay_s=delay)
