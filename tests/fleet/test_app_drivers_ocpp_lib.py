"""Drivers who use the app against a central system written with the ``ocpp`` library that
only starts and stops sessions remotely: nobody presents a card, the remote start is followed
by a driver's cable, the transaction runs, and the remote stop sends the driver away (1.6
sections 5.11, 5.12; 2.0.1 F02, F03).

The station runs on real WebSockets on 127.0.0.1 and the system clock, as in
``test_e2e_ocpp_lib.py`` (whose central systems these are).
"""

from __future__ import annotations

import random
from typing import Any

from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from chargeyard.fleet.autogen import Autogen, AutogenConfig, Drivers
from chargeyard.protocol import V16, V201
from tests.polling import until
from tests.station.test_e2e_ocpp_lib import TEMPLATE, accepted, lib_csms, running
from tests.station.wall_clock import wall_clock_station

APP = AutogenConfig(
    drivers=Drivers.APP,
    app_plug_delay_s=(0.05, 0.1),
    mean_session_s=3600.0,
    session_sigma=0.0,
    mean_energy_wh=1e9,
    handling_s=(0.02, 0.05),
)


async def test_1_6_a_remote_start_is_followed_by_an_app_drivers_cable() -> None:
    station = wall_clock_station("CP-1", TEMPLATE)
    async with lib_csms(V16) as csms, running(station, csms):
        wire = csms.wire
        await until(lambda: accepted(station))
        autogen = Autogen([station], APP, rng=random.Random(1))
        autogen.start()
        remote = await csms.call(call16.RemoteStartTransaction(id_tag="APP-1", connector_id=1))
        assert remote.status == "Accepted"
        await until(lambda: len(wire.payloads("StartTransaction")) == 1, within=5)
        (start,) = wire.payloads("StartTransaction")
        assert (start["connectorId"], start["idTag"]) == (1, "APP-1")
        assert wire.payloads("Authorize") == []  # nobody badged
        # The station stops by the id the CSMS gave, which it knows once the answer is in.
        await until(lambda: station.model.transaction_by_csms_id(1) is not None)
        stop = await csms.call(call16.RemoteStopTransaction(transaction_id=1))
        assert stop.status == "Accepted"
        await until(lambda: len(wire.payloads("StopTransaction")) == 1)
        assert wire.payloads("StopTransaction")[0]["reason"] == "Remote"
        await until(lambda: wire.payloads("StatusNotification")[-1]["status"] == "Available")
        autogen.stop()
        assert not station.model.connector(1).cable_plugged


async def test_2_0_1_a_remote_start_is_followed_by_an_app_drivers_cable() -> None:
    station = wall_clock_station("CP-1", TEMPLATE, V201)
    async with lib_csms(V201) as csms, running(station, csms):
        wire = csms.wire

        def events(kind: str) -> list[dict[str, Any]]:
            return [p for p in wire.payloads("TransactionEvent") if p["eventType"] == kind]

        await until(lambda: accepted(station))
        autogen = Autogen([station], APP, rng=random.Random(2))
        autogen.start()
        remote = await csms.call(
            call201.RequestStartTransaction(
                id_token={"id_token": "APP-2", "type": "Central"}, remote_start_id=9, evse_id=1
            )
        )
        assert remote.status == "Accepted"
        await until(
            lambda: any(
                e.get("transactionInfo", {}).get("chargingState") == "Charging"
                for e in wire.payloads("TransactionEvent")
            ),
            within=5,
        )
        (started,) = events("Started")
        transaction_id = started["transactionInfo"]["transactionId"]
        stop = await csms.call(call201.RequestStopTransaction(transaction_id=transaction_id))
        assert stop.status == "Accepted"
        await until(lambda: len(events("Ended")) == 1, within=5)
        (ended,) = events("Ended")
        assert ended["transactionInfo"]["stoppedReason"] == "Remote"
        await until(lambda: not station.model.connector(1).cable_plugged)
        autogen.stop()
