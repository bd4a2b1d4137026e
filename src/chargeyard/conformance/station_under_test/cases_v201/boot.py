"""OCPP 2.0.1 charging-station cases of the boot (block B: B01 Accepted, B02 Pending, B03
Rejected and the station's silence while it lasts, B04 the statuses reported after an offline
period shorter or longer than OCPPCommCtrlr.OfflineThreshold)."""

from __future__ import annotations

import asyncio

from chargeyard import loop_clock
from chargeyard.conformance.station_under_test.answers import CentralBooks, Reply, wire_now
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case, table
from chargeyard.conformance.station_under_test.device_v201 import Var, id_token, result_for
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.frames import Call

OFFLINE_THRESHOLD = Var("OCPPCommCtrlr", "OfflineThreshold")


def short(run: StationCaseV201) -> int:
    """A time setting (seconds) short enough for a step to see it pass: a third of a step's
    wait, at least 1."""
    return max(1, round(run.step_s / 3))


def _boots_as(run: StationCaseV201, first: str, interval: int) -> list[float]:
    """Answer the next BootNotification ``first`` (with ``interval``), the ones after it
    Accepted; returns the times the not-Accepted answers were given."""
    given: list[float] = []

    def boot(call: Call, books: CentralBooks) -> Reply:
        if not given:
            given.append(loop_clock.monotonic())
            return {"status": first, "currentTime": wire_now(), "interval": interval}
        return {"status": "Accepted", "currentTime": wire_now(), "interval": books.heartbeat_s}

    run.answer_with("BootNotification", boot)
    return given


@case("TC_B_01_CS")
async def cold_boot_accepted(run: StationCaseV201) -> None:
    """Reusable State Booted: the station boots, is Accepted and reports every connector
    (B01.FR.01, B01.FR.05)."""
    await run.ready()
    await run.booted()


@case("TC_B_02_CS")
async def cold_boot_pending(run: StationCaseV201) -> None:
    """The boot is answered Pending: the station answers what the CSMS asks (SetVariables,
    GetVariables, GetBaseReport with its NotifyReport), refuses a remote start (B02.FR.05),
    sends nothing unasked (B02.FR.02) and boots again when triggered (F06.FR.17) or after the
    interval (B02.FR.08)."""
    await run.ready()
    interval = 3 * short(run)
    _boots_as(run, "Pending", interval)
    since = run.mark()
    run.step("The station is switched off and on: BootNotification, answered Pending")
    await run.power_cycle()
    first = await run.expect(
        "BootNotification", since=since, within=run.target.connect_s, reconnects=True
    )
    run.step("While Pending, SetVariables and GetVariables of OfflineThreshold are answered")
    results = await run.set_variables((OFFLINE_THRESHOLD, "300"))
    run.result_is(
        result_for(results, OFFLINE_THRESHOLD), "attributeStatus", "Accepted", weight=Weight.INTEROP
    )
    got = await run.get_variables(OFFLINE_THRESHOLD)
    run.result_is(
        result_for(got, OFFLINE_THRESHOLD), "attributeStatus", "Accepted", weight=Weight.INTEROP
    )
    run.step("While Pending, GetBaseReport FullInventory: Accepted, then NotifyReport")
    await run.order("GetBaseReport", {"requestId": 201, "reportBase": "FullInventory"}, "Accepted")
    await run.report(201)
    run.step("While Pending, RequestStartTransaction is Rejected (B02.FR.05)")
    await run.order(
        "RequestStartTransaction",
        {"idToken": id_token(run.tags.valid), "evseId": 1, "remoteStartId": 201},
        "Rejected",
    )
    run.step("TriggerMessage BootNotification: the station boots again, Accepted")
    answer = await run.order(
        "TriggerMessage", {"requestedMessage": "BootNotification"}, ("Accepted", "NotImplemented")
    )
    triggered = answer.get("status") == "Accepted"
    second = await run.expect(
        "BootNotification",
        where=lambda r: r is not first,
        since=since,
        within=run.step_s if triggered else interval + run.step_s,
    )
    if triggered:
        run.log.check(
            "the triggered BootNotification's reason is Triggered",
            second.payload.get("reason") == "Triggered",
            weight=Weight.SPEC,
            expected="Triggered",
            observed=second.payload.get("reason"),
        )
    else:
        run.log.check(
            f"the next BootNotification waits the interval given ({interval} s, B02.FR.04)",
            second.at - first.at >= interval * 0.9,
            weight=Weight.SPEC,
            expected=f">= {interval} s",
            observed=f"{second.at - first.at:.2f} s",
        )
    unasked = [
        item.action
        for item in run.peer.received(since=since)
        if first.at < item.at < second.at and item.action not in ("NotifyReport",)
    ]
    run.log.check(
        "while Pending the station sends nothing the CSMS did not ask for (B02.FR.02)",
        not unasked,
        weight=Weight.SPEC,
        expected="nothing",
        observed=unasked or "nothing",
    )
    run.step("Accepted: the station reports every connector Available")
    await run.every_connector("Available", since=since)


@case("TC_B_03_CS")
async def cold_boot_rejected(run: StationCaseV201) -> None:
    """The boot is answered Rejected: the station sends nothing until the interval has
    passed (B03.FR.02), then boots again (B03.FR.06); Accepted, it reports its connectors."""
    await run.ready()
    interval = short(run)
    _boots_as(run, "Rejected", interval)
    since = run.mark()
    run.step(
        f"The station is switched off and on: BootNotification, answered Rejected ({interval} s)"
    )
    await run.power_cycle()
    first = await run.expect(
        "BootNotification", since=since, within=run.target.connect_s, reconnects=True
    )
    run.step(f"After {interval} s it boots again: Accepted, then its connectors")
    second = await run.expect(
        "BootNotification",
        where=lambda r: r is not first,
        since=since,
        within=interval + run.step_s,
        reconnects=True,
    )
    run.log.check(
        f"the next BootNotification waits the interval given ({interval} s, B03.FR.06)",
        second.at - first.at >= interval * 0.9,
        weight=Weight.SPEC,
        expected=f">= {interval} s",
        observed=f"{second.at - first.at:.2f} s",
    )
    meanwhile = [
        item.action for item in run.peer.received(since=since) if first.at < item.at < second.at
    ]
    run.log.check(
        "while Rejected the station sends nothing (B03.FR.02)",
        not meanwhile,
        weight=Weight.SPEC,
        expected="nothing",
        observed=meanwhile or "nothing",
    )
    await run.every_connector("Available", since=since)


@case("TC_B_30_CS")
async def rejected_security_error(run: StationCaseV201) -> None:
    """While its boot is Rejected, the station answers a CSMS request with CALLERROR
    SecurityError (B03.FR.08), unless it closed the connection (B03.FR.04)."""
    await run.ready()
    interval = 2 * short(run)
    _boots_as(run, "Rejected", interval)
    since = run.mark()
    run.step("The station is switched off and on: BootNotification, answered Rejected")
    await run.power_cycle()
    first = await run.expect(
        "BootNotification", since=since, within=run.target.connect_s, reconnects=True
    )
    run.step("While Rejected, GetBaseReport: CALLERROR SecurityError")
    await asyncio.sleep(0.1)
    if run.peer.connection is not None and run.peer.connection.number == first.connection:
        answer = await run.ask("GetBaseReport", {"requestId": 230, "reportBase": "FullInventory"})
        run.log.check(
            "GetBaseReport is answered CALLERROR SecurityError (B03.FR.08)",
            answer.error_code == "SecurityError",
            expected="SecurityError",
            observed=answer.error_code or "a CALLRESULT",
        )
    else:
        run.log.check("the station closed the connection while Rejected (B03.FR.04)", True)
    run.step("After the interval it boots again: Accepted, then its connectors")
    await run.expect(
        "BootNotification",
        where=lambda r: r is not first,
        since=since,
        within=interval + run.step_s,
        reconnects=True,
    )
    await run.every_connector("Available", since=since)


async def _offline_status_change(run: StationCaseV201, longer: bool) -> None:
    """The EV is plugged in while the station is offline; back online it reports that
    connector Occupied, and, after more than OfflineThreshold, every other connector too
    (B04.FR.01), else only the one that changed (B04.FR.02)."""
    await run.ready()
    threshold = short(run) if longer else 300
    run.step(f"OfflineThreshold is {threshold} s")
    await run.set_variable(OFFLINE_THRESHOLD, str(threshold))
    away = threshold + 1 if longer else 0.5
    run.step(f"The connection is lost for {away:g} s; meanwhile the EV is plugged in")
    since = run.mark()
    async with run.offline():
        await run.connect_ev()
        await asyncio.sleep(away)
    run.step("Back online: the station reports what changed")
    await run.connector_status("Occupied", since=since)
    others = [key for key in run.connectors() if key != (1, 1)]
    for evse, connector in others:
        if longer:
            await run.connector_status("Available", evse, connector, since=since)
    if not longer:
        await run.absent(
            "StatusNotification",
            short(run),
            "only the connectors whose status changed are reported (B04.FR.02)",
            where=lambda r: (r.payload.get("evseId"), r.payload.get("connectorId")) != (1, 1),
            since=since,
            weight=Weight.SPEC,
        )
    run.step("The cable is unplugged: Available")
    await run.disconnect_ev()
    await run.connector_status("Available")


table(_offline_status_change)(
    {
        "TC_B_51_CS": (True,),
        "TC_B_52_CS": (False,),
    },
)
