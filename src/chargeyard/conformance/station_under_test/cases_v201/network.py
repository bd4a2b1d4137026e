"""OCPP 2.0.1 charging-station cases of the station's connection (block B: B09 a network
connection profile refused, and Part 4 section 5.3, reconnecting with an increasing back-off)."""

from __future__ import annotations

from chargeyard import loop_clock
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.boot import short
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.verdicts import Weight


@case("TC_B_43_CS")
async def network_profile_rejected(run: StationCaseV201) -> None:
    """SetNetworkProfile into a configuration slot the station does not have (999):
    Rejected (B09.FR.02)."""
    await run.ready()
    profile = await run.variable(Var("SecurityCtrlr", "SecurityProfile"))
    connection = run.peer.connection
    host = connection.local_host if connection is not None else run.target.host
    run.step("SetNetworkProfile into slot 999: Rejected")
    await run.order(
        "SetNetworkProfile",
        {
            "configurationSlot": 999,
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": f"ws://{host}:{run.peer.port}/ocpp",
                "messageTimeout": 30,
                "securityProfile": int(profile) if profile and profile.isdigit() else 1,
                "ocppInterface": "Wired0",
            },
        },
        "Rejected",
    )


@case("TC_B_57_CS")
async def reconnect_back_off(run: StationCaseV201) -> None:
    """The connection is lost: the station dials again after RetryBackOffWaitMinimum, and
    after an attempt that fails, after twice that (Part 4 section 5.3)."""
    await run.ready()
    wait = short(run)
    run.step(f"RetryBackOffWaitMinimum is {wait} s, RetryBackOffRandomRange 0, RepeatTimes 2")
    await run.set_variable(Var("OCPPCommCtrlr", "RetryBackOffRepeatTimes"), "2")
    await run.set_variable(Var("OCPPCommCtrlr", "RetryBackOffRandomRange"), "0")
    await run.set_variable(Var("OCPPCommCtrlr", "RetryBackOffWaitMinimum"), str(wait))
    run.step("The central system closes the connection: the station dials again")
    before = run.peer.connections
    closed = loop_clock.monotonic()
    await run.peer.disconnect()
    await run.connected(after=before)
    _waited(run, "the station waits RetryBackOffWaitMinimum before dialling", closed, wait)
    run.step("Closed again, its next attempt refused: the one after waits twice as long")
    before = run.peer.connections
    refused = len(run.peer.refusals)
    closed = loop_clock.monotonic()
    await run.peer.go_offline()
    await run.peer.until(lambda: len(run.peer.refusals) > refused, wait + run.step_s)
    failed = loop_clock.monotonic()
    _waited(run, "the station waits RetryBackOffWaitMinimum before dialling", closed, wait)
    run.peer.come_online()
    await run.connected(after=before)
    _waited(run, "after a failed attempt it waits twice as long", failed, 2 * wait)


def _waited(run: StationCaseV201, rule: str, since: float, seconds: float) -> None:
    waited = loop_clock.monotonic() - since
    run.log.check(
        f"{rule} ({seconds:g} s)",
        waited >= seconds * 0.9,
        weight=Weight.SPEC,
        expected=f">= {seconds:g} s",
        observed=f"{waited:.2f} s",
    )
