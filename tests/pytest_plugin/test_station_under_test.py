"""A station tested through ``ocpp_csms`` (chargeyard's own station plays the charger under
test), many stations through ``ocpp_fleet``, and what a failing wait says."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.pytest_plugin.projects import INI, LIBRARY_CSMS, RUN_ARGS

STATION_TESTS = """
import pytest

from chargeyard.pytest_plugin import CsmsCallError, WaitTimedOut


async def test_the_charger_boots_and_starts_remotely(ocpp_csms, ocpp_station):
    csms = await ocpp_csms("1.6", id_tags=["TAG-1"])
    charger = await ocpp_station(csms.url, identity="CP-1", wait_online=False)

    boot = await csms.wait_for_boot("CP-1")
    assert boot["chargePointVendor"]
    await charger.plug()
    answer = await csms.call("CP-1", "RemoteStartTransaction", {"idTag": "TAG-1", "connectorId": 1})

    assert answer == {"status": "Accepted"}
    start = await csms.expect_call("StartTransaction")
    assert start.payload["idTag"] == "TAG-1"
    await charger.wait_for_status(1, "Charging")
    assert csms.violations == []
    remote = [f for f in csms.frames if f.action == "RemoteStartTransaction"]
    assert [(f.direction, f.message_type) for f in remote] == [("sent", 2), ("received", 3)]


async def test_a_scripted_answer_reaches_the_csms(ocpp_csms, ocpp_station):
    csms = await ocpp_csms("2.0.1")
    charger = await ocpp_station(csms.url, "2.0.1", identity="CP-2")
    charger.respond_to("RequestStartTransaction", {"status": "Rejected"})

    token = {"idToken": "T", "type": "ISO14443"}
    answer = await csms.call(
        "CP-2", "RequestStartTransaction", {"idToken": token, "remoteStartId": 1}
    )

    assert answer == {"status": "Rejected"}
    with pytest.raises(CsmsCallError, match="CP-9 is not connected"):
        await csms.call("CP-9", "Reset", {"type": "Immediate"})


async def test_a_201_session_charges(ocpp_csms, ocpp_station):
    csms = await ocpp_csms("OCPP 2.0.1")
    charger = await ocpp_station(csms.url, "2.0.1", identity="CP-4")

    await charger.start_session("TAG-9")

    started = await csms.expect_call("TransactionEvent")
    assert started.payload["eventType"] == "Started"
    await charger.wait_for_status(1, "Occupied")
    await charger.unplug()
    await charger.wait_for_status(1, "Available")


async def test_a_fault_is_reported(ocpp_csms, ocpp_station):
    csms = await ocpp_csms()
    charger = await ocpp_station(csms.url, identity="CP-3")

    await charger.inject_fault("GroundFailure")

    await charger.wait_for_status(1, "Faulted")
    report = await csms.expect_call("StatusNotification")
    while report.payload["status"] != "Faulted":
        report = await csms.expect_call("StatusNotification")
    assert report.payload["errorCode"] == "GroundFailure"


async def test_a_fleet_boots(ocpp_csms, ocpp_fleet):
    csms = await ocpp_csms(identities=["CP-1", "CP-2"])
    fleet = await ocpp_fleet(csms.url, count=3, wait_booted=False)

    await fleet["CP-1"].wait_online()
    await fleet["CP-2"].wait_online()

    assert sorted(csms.connected) == ["CP-1", "CP-2"]
    with pytest.raises(WaitTimedOut, match="2 of 3 were accepted; waiting for CP-3"):
        await fleet.wait_booted(timeout=0.2)
    assert (await csms.wait_for_boot("CP-2"))["chargePointVendor"]
"""

FLEET_TESTS = """
from my_csms import Csms


async def test_twenty_stations_boot(ocpp_fleet):
    csms = Csms()
    await csms.start()
    try:
        fleet = await ocpp_fleet(csms.url, count=20)
        assert fleet.status().booted == 20
        assert sorted(csms.connections) == fleet.identities
    finally:
        await csms.stop()
"""

FAILING_WAIT = """
async def test_charging_never_comes(ocpp_csms, ocpp_station):
    csms = await ocpp_csms()
    charger = await ocpp_station(csms.url, identity="CP-5")
    await charger.plug()
    await charger.wait_for_status(1, "Charging", timeout=0.3)
"""


def test_a_station_is_tested_through_ocpp_csms(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(test_charger=STATION_TESTS)

    result = pytester.runpytest(*RUN_ARGS)

    result.assert_outcomes(passed=5)


def test_a_fleet_boots_against_a_library_csms(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(my_csms=LIBRARY_CSMS, test_fleet=FLEET_TESTS)

    result = pytester.runpytest(*RUN_ARGS)

    result.assert_outcomes(passed=1)


def test_a_failing_wait_says_what_it_awaited_and_what_it_saw(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(test_wait=FAILING_WAIT)

    result = pytester.runpytest(*RUN_ARGS)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*WaitTimedOut: waited 0.3 s for connector 1 of CP-5 to be Charging;"
            " its statuses were Preparing; the last of * frames:",
            '*-> [[]2,"*","StatusNotification",{"connectorId":1,"errorCode":"NoError",'
            '"status":"Preparing"*',
        ]
    )


def test_loading_the_plugin_imports_neither_the_fleet_nor_the_suite() -> None:
    """pytest loads the plugin in every run of a project that installed chargeyard; the
    fleet and the conformance suite are imported by the first fixture used, not before."""
    probe = (
        "import sys, chargeyard.pytest_plugin.fixtures; "
        "print(sorted(m for m in sys.modules if m.startswith(('chargeyard.fleet', "
        "'chargeyard.conformance', 'chargeyard.station.'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
