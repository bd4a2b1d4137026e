"""OCPP 2.0.1 charging-station cases of the events monitors make (the Advanced Device
Management profile, block N: N07 thresholds and deltas alerting, queued offline or dropped,
N08 periodic events). The monitors each case sets, and how it leaves the station as it found
it, are ``monitoring.py``'s."""

from __future__ import annotations

import asyncio

from chargeyard import loop_clock
from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.exchanges import first
from chargeyard.conformance.station_under_test.case import PASSWORD_NEED
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.authorization import quiet
from chargeyard.conformance.station_under_test.cases_v201.monitoring import (
    EVSE,
    OFFLINE_SEVERITY,
    POWER_HIGH_W,
    SEVERITY,
    Payload,
    by_monitor,
    data,
    event,
    event_is,
    events_of,
    has_monitor,
    monitor,
    power_max,
    report,
    result_is,
    set_base,
    set_one,
    with_monitoring,
)
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.verdicts import Weight

# -- N07 events ---------------------------------------------------------------------------------


@case("TC_N_20_CS")
async def thresholds_alert(run: StationCaseV201) -> None:
    """An UpperThreshold on EVSE 1's Power alerts when charging passes it, with the
    transaction; a LowerThreshold set then alerts when the power drops, and the upper one
    clears (N07.FR.06, N07.FR.07, N07.FR.16, N07.FR.17)."""
    await with_monitoring(run)
    await set_base(run, "All")
    upper = await monitor(run, EVSE, "Power", "UpperThreshold", POWER_HIGH_W)
    began = run.mark()
    session = await run.energy_transfer_started()
    run.step("Power passes the upper threshold: NotifyEvent (Alerting)")
    found = await event(run, by_monitor(upper), "the upper threshold's NotifyEvent", since=began)
    event_is(run, found, "trigger", "Alerting")
    _above(run, found, POWER_HIGH_W)
    event_is(run, found, "transactionId", session.transaction_id)
    run.log.check(
        "it is not cleared",
        not found.get("cleared"),
        weight=Weight.SPEC,
        expected="absent or false",
        observed=found.get("cleared"),
    )
    lower = await monitor(run, EVSE, "Power", "LowerThreshold", 10.0)
    since = run.mark()
    await run.stop_authorized()
    run.step("Power drops: the upper threshold clears, the lower one alerts")
    cleared_event = await event(
        run,
        lambda e: by_monitor(upper)(e) and bool(e.get("cleared")),
        "the upper threshold cleared",
        since=since,
    )
    event_is(run, cleared_event, "eventNotificationType", "CustomMonitor")
    low = await event(run, by_monitor(lower), "the lower threshold's NotifyEvent", since=since)
    event_is(run, low, "trigger", "Alerting")
    event_is(run, low, "eventNotificationType", "CustomMonitor")
    await run.ev_connected_post_session()
    await run.ev_disconnected()


def _above(run: StationCaseV201, found: Payload, threshold: float) -> None:
    try:
        value = float(found.get("actualValue", ""))
    except ValueError:
        value = float("nan")
    run.log.check(
        f"its actualValue is above {threshold:g}",
        value > threshold,
        weight=Weight.SPEC,
        expected=f"> {threshold:g}",
        observed=found.get("actualValue"),
    )


@case("TC_N_45_CS")
async def delta_alerts(run: StationCaseV201) -> None:
    """A Delta monitor on EVSE 1's Power: charging moves it more than the value, a
    NotifyEvent (Delta) names the monitor (N07.FR.06, N07.FR.18)."""
    await with_monitoring(run)
    delta = await monitor(run, EVSE, "Power", "Delta", POWER_HIGH_W)
    began = run.mark()
    await run.energy_transfer_started()
    found = await event(run, by_monitor(delta), "the Delta monitor's NotifyEvent", since=began)
    event_is(run, found, "trigger", "Delta")
    event_is(run, found, "component", EVSE)
    event_is(run, found, "variable", {"name": "Power"})


@case("TC_N_56_CS")
async def delta_not_numeric(run: StationCaseV201) -> None:
    """A Delta monitor on EVSE 1's AvailabilityState: any change is reported (N07.FR.19)."""
    await with_monitoring(run)
    delta = await monitor(run, EVSE, "AvailabilityState", "Delta", 1.0)
    began = run.mark()
    await run.ev_connected_pre_session()
    found = await event(run, by_monitor(delta), "the Delta monitor's NotifyEvent", since=began)
    event_is(run, found, "trigger", "Delta")
    event_is(run, found, "component", EVSE)
    event_is(run, found, "variable", {"name": "AvailabilityState"})


@case("TC_N_48_CS")
async def write_only_monitored(run: StationCaseV201) -> None:
    """A Delta monitor on SecurityCtrlr.BasicAuthPassword: a new password is reported
    without its value (N07.FR.10)."""
    await with_monitoring(run)
    old = run.peer.password
    if old is None:
        raise NotApplicable(
            "the station does not authenticate with a password (security profile 1)",
            need=PASSWORD_NEED,
        )
    delta = await monitor(run, {"name": "SecurityCtrlr"}, "BasicAuthPassword", "Delta", 1, 6)
    new = "N48-" + old[4:] if len(old) > 4 else old + "-N48"
    connection = run.peer.connection
    run.step("SetVariables of a new BasicAuthPassword: Accepted")
    var = Var("SecurityCtrlr", "BasicAuthPassword")
    answer = await run.call("SetVariables", {"setVariableData": [var.setting(new)]})
    status = first(answer.get("setVariableResult")).get("attributeStatus")
    run.log.check(
        "SetVariables of BasicAuthPassword is Accepted or RebootRequired",
        status in ("Accepted", "RebootRequired"),
        expected="Accepted or RebootRequired",
        observed=status,
    )
    if status not in ("Accepted", "RebootRequired"):
        return
    run.peer.password = new

    async def restore() -> None:
        before = run.peer.connections
        back = await run.ask("SetVariables", {"setVariableData": [var.setting(old)]})
        if back.payload is not None:
            run.peer.password = old
            await run.peer.connected(run.target.connect_s, after=before)

    run.on_close("BasicAuthPassword", restore)
    if status == "RebootRequired":
        await run.booted(reset="OnIdle")
    elif connection is not None:
        await run.connected(after=connection.number)
    found = await event(
        run, by_monitor(delta), "the password monitor's NotifyEvent", reconnects=True
    )
    event_is(run, found, "actualValue", "")


@case("TC_N_61_CS")
async def numeric_delta(run: StationCaseV201) -> None:
    """A Delta monitor of 1 on OCPPCommCtrlr.OfflineThreshold: a change of 1 says nothing, a
    change of 2 is reported with the new value (N07.FR.18)."""
    await with_monitoring(run)
    var = Var("OCPPCommCtrlr", "OfflineThreshold")
    current = await run.keep(var)
    if current is None or not current.isdigit():
        raise NotApplicable("the station has no OCPPCommCtrlr.OfflineThreshold")
    delta = await monitor(run, {"name": "OCPPCommCtrlr"}, "OfflineThreshold", "Delta", 1)
    value = int(current)
    await run.set_variable(var, str(value + 1))
    await run.absent(
        "NotifyEvent",
        quiet(run),
        "a change of 1 does not pass a Delta of 1",
        where=lambda r: bool(events_of(r, by_monitor(delta))),
        since=run.step_began,
        weight=Weight.SPEC,
    )
    await run.set_variable(var, str(value + 2))
    found = await event(run, by_monitor(delta), "the Delta monitor's NotifyEvent")
    event_is(run, found, "actualValue", str(value + 2))


@case("TC_N_51_CS")
async def replaced_threshold_alerts(run: StationCaseV201) -> None:
    """During charging, an UpperThreshold replaced by one the power already passes alerts at
    once (N07.FR.11)."""
    await with_monitoring(run)
    upper = await monitor(run, EVSE, "Power", "UpperThreshold", await power_max(run))
    await run.energy_transfer_started()
    since = run.mark()
    item = data(EVSE, "Power", "UpperThreshold", 0.0, monitor_id=upper)
    result = await set_one(run, item)
    result_is(run, result, "Accepted", item)
    found = await event(run, by_monitor(upper), "the replaced threshold's NotifyEvent", since=since)
    event_is(run, found, "trigger", "Alerting")
    _above(run, found, 0.0)


@case("TC_N_52_CS")
async def cleared_threshold_is_silent(run: StationCaseV201) -> None:
    """A tripped UpperThreshold cleared by ClearVariableMonitoring: gone from the report, and
    no event of it when the power drops (N07.FR.12)."""
    await with_monitoring(run)
    upper = await monitor(run, EVSE, "Power", "UpperThreshold", 0.0)
    began = run.mark()
    await run.energy_transfer_started()
    await event(run, by_monitor(upper), "the threshold's NotifyEvent", since=began)
    run.step("ClearVariableMonitoring of it: Accepted")
    answer = await run.call("ClearVariableMonitoring", {"id": [upper]})
    result = first(answer.get("clearMonitoringResult"))
    run.log.check(
        "it is Accepted",
        (result.get("status"), result.get("id")) == ("Accepted", upper),
        expected=("Accepted", upper),
        observed=(result.get("status"), result.get("id")),
    )
    run.forget(f"monitor {upper}")
    await report(
        run,
        criteria=["ThresholdMonitoring"],
        named=[{"component": EVSE, "variable": {"name": "Power"}}],
        expected="EmptyResultSet",
    )
    since = run.mark()
    await run.stop_authorized()
    await run.absent(
        "NotifyEvent",
        quiet(run),
        "the cleared monitor sends nothing (N07.FR.12)",
        where=lambda r: bool(events_of(r, by_monitor(upper))),
        since=since,
        weight=Weight.SPEC,
    )


@case("TC_N_53_CS")
async def kept_through_a_reboot(run: StationCaseV201) -> None:
    """A monitor survives a reboot (N07.FR.13)."""
    await with_monitoring(run)
    upper = await monitor(run, EVSE, "Power", "UpperThreshold", await power_max(run))
    await run.booted()
    entries = await report(run, criteria=["ThresholdMonitoring"])
    has_monitor(run, entries, EVSE, "Power", monitor_id=upper, kind="UpperThreshold")


async def _offline_severity(run: StationCaseV201, severity: int) -> None:
    if not await run.set_if_present(OFFLINE_SEVERITY, str(severity)):
        raise NotApplicable("the station has no MonitoringCtrlr.OfflineQueuingSeverity")


@case("TC_N_22_CS")
async def offline_event_queued(run: StationCaseV201) -> None:
    """OfflineQueuingSeverity at the monitor's severity: an event of the offline period is
    sent once back (N07.FR.04)."""
    await with_monitoring(run)
    await _offline_severity(run, SEVERITY)
    delta = await monitor(run, EVSE, "AvailabilityState", "Delta", 1, SEVERITY)
    run.step("Offline, the EV is plugged in; back online, its event comes")
    since = run.mark()
    async with run.offline():
        await run.connect_ev()
        await asyncio.sleep(quiet(run))
    found = await event(run, by_monitor(delta), "the queued NotifyEvent", since=since)
    event_is(run, found, "trigger", "Delta")
    event_is(run, found, "actualValue", "Occupied")
    await run.disconnect_ev()


@case("TC_N_23_CS")
async def offline_event_dropped(run: StationCaseV201) -> None:
    """OfflineQueuingSeverity above the monitor's severity number: what it saw offline is
    not sent once back (N07.FR.04)."""
    await with_monitoring(run)
    await _offline_severity(run, SEVERITY - 1)
    delta = await monitor(run, EVSE, "AvailabilityState", "Delta", 1, SEVERITY)
    run.step("Offline, the EV unplugged and plugged in again; back online, no event of it")
    await run.ev_connected_pre_session()
    since = run.mark()
    async with run.offline():
        await run.disconnect_ev()
        await asyncio.sleep(quiet(run) / 2)
        await run.connect_ev()
        await asyncio.sleep(quiet(run) / 2)
    await run.absent(
        "NotifyEvent",
        quiet(run),
        "an event less severe than OfflineQueuingSeverity is not queued (N07.FR.04)",
        where=lambda r: bool(events_of(r, by_monitor(delta))),
        since=since,
        weight=Weight.SPEC,
    )


# -- N08 periodic events --------------------------------------------------------------------------


@case("TC_N_24_CS")
async def periodic(run: StationCaseV201) -> None:
    """A Periodic monitor: a NotifyEvent (Periodic) every interval (N07.FR.20, N08.FR.01,
    N08.FR.05)."""
    await with_monitoring(run)
    interval = max(2, round(run.step_s / 2))
    periodic_id = await monitor(run, EVSE, "AvailabilityState", "Periodic", interval)
    run.step(f"A NotifyEvent (Periodic) every {interval} s")
    first = await _periodic(run, periodic_id, run.mark(), interval)
    second = await _periodic(run, periodic_id, run.mark(), interval)
    gap = second - first
    run.log.check(
        f"they come {interval} s apart",
        abs(gap - interval) <= max(1.0, interval / 4),
        weight=Weight.SPEC,
        expected=f"{interval} s",
        observed=f"{gap:.1f} s",
    )


async def _periodic(run: StationCaseV201, monitor_id: int, since: int, interval: float) -> float:
    found = await event(
        run,
        by_monitor(monitor_id),
        "a periodic NotifyEvent",
        since=since,
        within=interval + run.step_s,
    )
    event_is(run, found, "trigger", "Periodic")
    return loop_clock.monotonic()
