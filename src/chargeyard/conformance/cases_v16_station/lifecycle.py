"""OCPP 1.6 Charge Point cases of the station's life: its boot (Accepted, Pending), resets,
power failures, a lost connection and transactions while offline, faults (1.6 sections 4.2,
4.8-4.10, 5.14)."""

from __future__ import annotations

from chargeyard.conformance.cases_v16_station._registry import case
from chargeyard.conformance.station_case_v16 import StationCaseV16
from chargeyard.conformance.verdicts import Weight


async def _booted_again(run: StationCaseV16, since: int) -> None:
    """After a restart: BootNotification, then once Accepted a StatusNotification of
    connector 0 and of every connector (1.6 sections 4.2, 4.9)."""
    boot = await run.expect(
        "BootNotification", since=since, within=run.target.connect_s, reconnects=True
    )
    for name in ("chargePointVendor", "chargePointModel"):
        run.log.check(
            f"BootNotification tells the {name}",
            bool(boot.payload.get(name)),
            weight=Weight.SPEC,
            expected="a value",
            observed=boot.payload.get(name),
        )
    for connector in range(await _count(run) + 1):
        await run.status(connector, "Available", since=since)


async def _count(run: StationCaseV16) -> int:
    return await run.connectors()


@case("TC_001_CS")
async def cold_boot(run: StationCaseV16) -> None:
    """The station is switched off and on: BootNotification, Accepted, every connector
    reported Available (1.6 sections 4.2, 4.9)."""
    await run.ready()
    await run.connectors()  # learnt while it is up
    run.step("The station is switched off and on: BootNotification, StatusNotifications")
    since = run.mark()
    await run.power_cycle()
    await _booted_again(run, since)
