"""OCPP 1.6 Charge Point cases of the station's life: its boot (Accepted, Pending), resets,
power failures, a lost connection and transactions while offline, faults (1.6 sections 3.5,
3.7, 4.2, 4.7-4.10, 5.2, 5.14)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from chargeyard import loop_clock
from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.station_under_test.answers import CentralBooks, Reply, wire_now
from chargeyard.conformance.station_under_test.case import parse_time
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case, table
from chargeyard.conformance.station_under_test.cases_v16.sessions import cached, short
from chargeyard.conformance.station_under_test.triggers import StationAct, Verb
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.frames import Call
from chargeyard.protocol.messages import v16


async def _booted(
    run: StationCaseV16, since: int, status: str = "Available"
) -> ReceivedView[v16.BootNotificationRequest]:
    """After a restart: BootNotification, then once Accepted a StatusNotification of
    connector 0 and of every connector (1.6 sections 4.2, 4.9); returns the boot."""
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
    await run.status(0, status, since=since)
    return boot


async def _every_connector(run: StationCaseV16, status: str, since: int) -> None:
    for connector in range(1, await run.connectors() + 1):
        await run.status(connector, status, since=since)


async def _unplugged_after_boot(run: StationCaseV16) -> None:
    """The cable that stayed in through a restart is unplugged: Available."""
    run.step("The cable is unplugged: Available")
    await run.unplug()
    if run.peer.statuses.get((1,)) != "Available":
        await run.status(1, "Available")


@case("TC_001_CS")
async def cold_boot(run: StationCaseV16) -> None:
    """The station is switched off and on: BootNotification, Accepted, every connector
    reported Available (1.6 sections 4.2, 4.9)."""
    await run.ready()
    await run.connectors()  # learnt while it is up
    run.step("The station is switched off and on: BootNotification, StatusNotifications")
    since = run.mark()
    await run.power_cycle()
    await _booted(run, since)
    await _every_connector(run, "Available", since)


@case("TC_002_CS")
async def cold_boot_pending(run: StationCaseV16) -> None:
    """The boot is answered Pending: the station sends nothing else, answers what the
    Central System asks, and boots again after the interval given (1.6 section 4.2)."""
    await run.ready()
    await run.connectors()
    interval = short(run)
    pending: list[float] = []

    def boot(call: Call, books: CentralBooks) -> Reply:
        if not pending:
            pending.append(loop_clock.monotonic())
            return {"status": "Pending", "currentTime": wire_now(), "interval": interval}
        return {"status": "Accepted", "currentTime": wire_now(), "interval": books.heartbeat_s}

    run.answer_with("BootNotification", boot)
    run.step(f"The station is switched off and on: BootNotification, Pending ({interval} s)")
    since = run.mark()
    await run.power_cycle()
    first = await run.expect(
        "BootNotification", since=since, within=run.target.connect_s, reconnects=True
    )
    run.step("While Pending, the Central System reads the configuration: answered")
    await run.configuration(["HeartbeatInterval"])
    run.step(f"After {interval} s it boots again: Accepted, then its connectors")
    second = await run.expect("BootNotification", since=since, within=interval + run.step_s)
    run.log.check(
        f"the next BootNotification waits the interval given ({interval} s)",
        second.at - first.at >= interval * 0.9,
        weight=Weight.SPEC,
        expected=f">= {interval} s",
        observed=f"{second.at - first.at:.2f} s",
    )
    meanwhile = [
        item.action
        for item in run.peer.received(since=since)
        if first.at < item.at < second.at and item.action != "BootNotification"
    ]
    run.log.check(
        "while Pending the station sends no other request (section 4.2)",
        not meanwhile,
        weight=Weight.SPEC,
        expected="nothing",
        observed=meanwhile or "nothing",
    )
    await run.status(0, "Available", since=run.step_began)
    await _every_connector(run, "Available", run.step_began)


async def _reset(run: StationCaseV16, kind: v16.ResetRequestType) -> None:
    """Reset without a transaction: Accepted, the station reboots (1.6 section 5.14)."""
    await run.ready()
    await run.connectors()
    run.step(f"The Central System resets the station ({kind}): Accepted, it boots again")
    since = run.mark()
    await run.order("Reset", {"type": kind}, "Accepted")
    await _booted(run, since)
    await _every_connector(run, "Available", since)


table(_reset)(
    {
        "TC_013_CS": ("Hard",),
        "TC_014_CS": ("Soft",),
    },
)


async def _reset_with_transaction(run: StationCaseV16, kind: v16.ResetRequestType) -> None:
    """Reset during a transaction: it is stopped with reason HardReset or SoftReset (a
    Hard reset may report it after the reboot; 1.6 section 5.14) and the station reboots."""
    await run.ready()
    transaction_id = await run.session()
    run.step(
        f"The Central System resets the station ({kind}): StopTransaction ({kind}Reset),"
        " BootNotification"
    )
    since = run.mark()
    await run.order("Reset", {"type": kind}, "Accepted")
    await run.expect_stop(
        transaction_id,
        reason=f"{kind}Reset",
        since=since,
        within=run.target.connect_s,
        reconnects=True,
    )
    await _booted(run, since)
    await _unplugged_after_boot(run)


table(_reset_with_transaction)(
    {
        "TC_015_CS": ("Hard",),
        "TC_016_CS": ("Soft",),
    },
)


async def _power_failure(run: StationCaseV16, before_going_down: bool) -> None:
    """The power fails during a transaction: the station stops it with reason PowerLoss,
    before the power goes (a station with the energy to) or after it is back (1.6 sections
    4.10, 7.39). Each case judges one way, and asks the station's trigger for its way (a
    station that can do either, as a simulated one, does that one); a station that does the
    other makes the case not applicable."""
    await run.ready()
    transaction_id = await run.session()
    connection = run.peer.connection
    run.step("The power fails and comes back: StopTransaction (PowerLoss), BootNotification")
    since = run.mark()
    await run.power_cycle(stop_first=before_going_down)
    stop = await run.expect_stop(
        transaction_id,
        reason="PowerLoss",
        since=since,
        within=run.target.connect_s,
        reconnects=True,
    )
    await _booted(run, since)
    await _unplugged_after_boot(run)
    stopped_first = connection is not None and stop.connection == connection.number
    if stopped_first != before_going_down:
        when = "before the power went" if stopped_first else "once the power was back"
        other = "TC_032_1_CS" if stopped_first else "TC_032_2_CS"
        raise NotApplicable(f"the station stopped its transaction {when}: {other} is its case")


table(_power_failure)(
    {
        "TC_032_1_CS": (True,),
        "TC_032_2_CS": (False,),
    },
)


@case("TC_034_CS")
async def power_failure_unavailable(run: StationCaseV16) -> None:
    """An Inoperative station stays Unavailable through a power failure (1.6 section 5.2:
    "the availability SHALL be persistent across reboots")."""
    await run.ready()
    await run.connectors()

    async def operative() -> None:
        await run.ask("ChangeAvailability", {"connectorId": 0, "type": "Operative"})

    run.on_close("station operative", operative)
    run.step("The Central System makes the station Inoperative: Unavailable")
    await run.order("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}, "Accepted")
    await run.status(0, "Unavailable")
    await _every_connector(run, "Unavailable", run.step_began)
    run.step("The power fails and comes back: BootNotification, still Unavailable")
    since = run.mark()
    await run.power_cycle()
    await _booted(run, since, "Unavailable")
    await _every_connector(run, "Unavailable", since)
    run.step("The Central System makes the station Operative: Available")
    await run.order("ChangeAvailability", {"connectorId": 0, "type": "Operative"}, "Accepted")
    run.forget("station operative")
    await run.status(0, "Available")
    await _every_connector(run, "Available", run.step_began)


def _meter_timestamps(item: ReceivedView[v16.MeterValuesRequest]) -> list[datetime]:
    stamps = [parse_time(value.get("timestamp")) for value in item.payload.get("meterValue") or []]
    return [stamp for stamp in stamps if stamp is not None]


@case("TC_036_CS")
async def connection_loss_during_transaction(run: StationCaseV16) -> None:
    """The connection is lost during a transaction: the transaction goes on; back online
    the station delivers the meter values it kept, without booting again (1.6 sections 3.7,
    4.2, 4.7)."""
    await run.ready()
    interval = short(run)
    run.step(f"MeterValueSampleInterval is {interval} s")
    await run.configure("MeterValuesSampledData", "Energy.Active.Import.Register")
    await run.configure("MeterValueSampleInterval", str(interval))
    transaction_id = await run.session()
    run.step("The connection is lost for a while; back, it delivers what it kept")
    since = run.mark()
    lost = loop_clock.now()
    async with run.offline():
        await asyncio.sleep(2 * interval + 0.5)
    back = loop_clock.now()
    item = await run.expect(
        "MeterValues",
        where=lambda r: (
            r.payload.get("transactionId") == transaction_id
            and any(lost <= stamp <= back for stamp in _meter_timestamps(r))
        ),
        what=f"MeterValues of transaction {transaction_id} taken while offline",
        since=since,
        within=run.step_s + interval,
    )
    run.log.check(
        "the meter values taken offline are delivered",
        item.payload.get("transactionId") == transaction_id,
        weight=Weight.SPEC,
    )
    await run.absent(
        "BootNotification",
        0,
        "a lost connection is not a reboot: no BootNotification",
        since=since,
        weight=Weight.SPEC,
    )
    await run.stop_by_tag(transaction_id, run.tags.valid)


async def _offline_setup(run: StationCaseV16) -> None:
    run.step("LocalAuthorizeOffline is true; the cache is enabled")
    await run.configure("LocalAuthorizeOffline", "true")
    await run.configure("AuthorizationCacheEnabled", "true", optional=True)
    await run.order("ClearCache", {}, "Accepted")


def _before(run: StationCaseV16, stamp: object, moment: datetime, what: str) -> None:
    at = parse_time(stamp)
    run.log.check(
        f"{what} tells when it happened, before the connection was back (section 4.8)",
        at is not None and at <= moment,
        weight=Weight.SPEC,
        expected=f"<= {moment.isoformat()}",
        observed=stamp,
    )


@case("TC_037_1_CS")
async def offline_start_valid(run: StationCaseV16) -> None:
    """Offline, a cached valid tag starts a transaction (LocalAuthorizeOffline); back online
    the station reports it (1.6 sections 3.5, 4.8)."""
    await run.ready()
    await _offline_setup(run)
    tag = run.tags.valid
    await cached(run, tag)
    run.step(f"Offline, the EV is plugged in and {tag} presented; back online: StartTransaction")
    since = run.mark()
    async with run.offline():
        await run.plug()
        await run.present(tag)
        await asyncio.sleep(short(run))
    back = loop_clock.now()
    transaction_id = await run.expect_start(tag, since=since)
    start = run.peer.received("StartTransaction", since=since)[0]
    _before(run, start.payload.get("timestamp"), back, "StartTransaction")
    await run.status(1, "Charging", since=since)
    await run.stop_by_tag(transaction_id, tag)


async def _offline_start_invalid(run: StationCaseV16, stop_on_invalid: bool) -> None:
    """Offline, an unknown tag starts a transaction (AllowOfflineTxForUnknownId); back online
    StartTransaction is answered Invalid: the station stops it (DeAuthorized) when
    StopTransactionOnInvalidId is true, else it goes on (1.6 sections 3.5.4, 4.8, 9.1)."""
    await run.ready()
    await _offline_setup(run)
    run.step(
        "AllowOfflineTxForUnknownId is true; StopTransactionOnInvalidId is "
        + str(stop_on_invalid).lower()
    )
    await run.configure("AllowOfflineTxForUnknownId", "true", optional=True)
    await run.configure("StopTransactionOnInvalidId", str(stop_on_invalid).lower())
    tag = run.tags.invalid
    run.step(f"Offline, the EV is plugged in and {tag} presented; back online: StartTransaction")
    since = run.mark()
    async with run.offline():
        await run.plug()
        await run.present(tag)
        await asyncio.sleep(short(run))
    transaction_id = await run.expect_start(tag, since=since)
    if stop_on_invalid:
        run.step("StartTransaction was answered Invalid: StopTransaction (DeAuthorized)")
        await run.expect_stop(transaction_id, reason="DeAuthorized")
        await run.unplugged()
        return
    run.step("StartTransaction was answered Invalid: the transaction goes on")
    await run.absent(
        "StopTransaction",
        short(run),
        "the transaction is not stopped (StopTransactionOnInvalidId is false)",
        since=since,
    )
    run.step("The EV is unplugged: StopTransaction, Available")
    await run.unplug()
    await run.expect_stop(transaction_id)
    await run.status(1, "Available")


table(_offline_start_invalid)(
    {
        "TC_037_2_CS": (False,),
        "TC_037_3_CS": (True,),
    },
)


@case("TC_038_CS")
async def offline_stop(run: StationCaseV16) -> None:
    """A transaction started online is stopped offline; back online the station reports the
    stop (1.6 sections 3.7, 4.10)."""
    await run.ready()
    await _offline_setup(run)
    tag = run.tags.valid
    transaction_id = await run.session(tag)
    run.step(f"Offline, {tag} stops the transaction and the cable is unplugged")
    since = run.mark()
    async with run.offline():
        await run.present(tag)
        await asyncio.sleep(short(run) / 2)
        await run.unplug()
        await asyncio.sleep(short(run) / 2)
    back = loop_clock.now()
    stop = await run.expect_stop(transaction_id, reason="Local", id_tag=tag, since=since)
    _before(run, stop.payload.get("timestamp"), back, "StopTransaction")
    await _reported(run, 1, "Available")


@case("TC_039_CS")
async def offline_transaction(run: StationCaseV16) -> None:
    """A whole transaction while offline; back online StartTransaction, then its
    StopTransaction with the transactionId the answer gave (1.6 sections 3.7, 4.8, 4.10)."""
    await run.ready()
    await _offline_setup(run)
    tag = run.tags.valid
    await cached(run, tag)
    run.step(f"Offline, a whole session of {tag}; back online: StartTransaction, StopTransaction")
    since = run.mark()
    async with run.offline():
        await run.plug()
        await run.present(tag)
        await asyncio.sleep(short(run) / 2)
        await run.present(tag)
        await asyncio.sleep(short(run) / 2)
        await run.unplug()
        await asyncio.sleep(short(run) / 2)
    transaction_id = await run.expect_start(tag, since=since)
    stop = await run.expect_stop(transaction_id, reason="Local", since=since)
    start = run.peer.received("StartTransaction", since=since)[0]
    run.log.check(
        "StartTransaction is delivered before its StopTransaction (section 3.7)",
        start.at <= stop.at,
        expected="StartTransaction first",
        observed="StartTransaction first" if start.at <= stop.at else "StopTransaction first",
    )
    await _reported(run, 1, "Available")


async def _reported(run: StationCaseV16, connector: int, status: str) -> None:
    """The last status the station reported of ``connector`` is (or becomes) ``status``: a
    station back online reports what changed since it last told (section 4.9), which may be
    nothing when the connector ended as it was."""
    await run.peer.until(lambda: run.peer.statuses.get((connector,)) == status, run.step_s)
    run.log.check(
        f"the station reports connector {connector} {status}",
        run.peer.statuses.get((connector,)) == status,
        expected=status,
        observed=run.peer.statuses.get((connector,)),
    )


@case("TC_041_CS")
async def fault_behavior(run: StationCaseV16) -> None:
    """A fault: the connector is Faulted with the fault's errorCode; repaired, Available
    with NoError (1.6 sections 4.9, 7.6)."""
    await run.ready()
    run.step("Connector 1 fails (GroundFailure): Faulted")
    await run.act(StationAct(Verb.INJECT_FAULT, error_code="GroundFailure"))
    await run.status(1, "Faulted", error_code="GroundFailure")
    run.step("The fault is repaired: Available")
    await run.act(StationAct(Verb.CLEAR_FAULT))
    await run.status(1, "Available")
