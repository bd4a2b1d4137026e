"""OCPP 1.6 Charge Point cases of a driver's session at the station: plug and tag in either
order, the stop by the same tag or one of its group, the EV unplugged while charging, a tag
from the cache or refused, a cable that does not lock, and the meter values of a session (1.6
sections 3.4, 3.5, 3.10, 3.16, 4.1, 4.7-4.10, 9.1)."""

from __future__ import annotations

from datetime import datetime

from chargeyard import loop_clock
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.station_under_test.case import parse_time
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case, table
from chargeyard.conformance.station_under_test.inbox import Received
from chargeyard.conformance.station_under_test.triggers import StationAct, Verb
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v16


def short(run: StationCaseV16) -> int:
    """A time setting (seconds) short enough for a step to see it pass: a third of a step's
    wait, at least 1."""
    return max(1, round(run.step_s / 3))


@case("TC_003_CS")
async def plugin_first(run: StationCaseV16) -> None:
    """Cable first, then the tag: Preparing, Authorize, StartTransaction, Charging; the same
    tag stops it: StopTransaction (Local), Finishing, Available (1.6 sections 3.4, 4.1, 4.8,
    4.9, 4.10)."""
    await run.ready()
    transaction_id = await run.session()
    await run.stop_by_tag(transaction_id, run.tags.valid)


@case("TC_004_1_CS")
async def identification_first(run: StationCaseV16) -> None:
    """The tag first (Authorize, Preparing), then the cable: the transaction starts (1.6
    section 3.4)."""
    await run.ready()
    tag = run.tags.valid
    run.step(f"The driver presents {tag} first: Authorize, Preparing")
    await run.present(tag)
    await run.expect_authorize(tag)
    await run.status(1, "Preparing")
    run.step("The EV is plugged in: StartTransaction, Charging")
    await run.plug()
    transaction_id = await run.expect_start(tag)
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, tag)


@case("TC_004_2_CS")
async def identification_first_connection_timeout(run: StationCaseV16) -> None:
    """The tag, then no cable within ConnectionTimeOut: the connector is Available again and
    no transaction starts (1.6 section 9.1, ConnectionTimeOut; 4.9, B1)."""
    await run.ready()
    timeout = short(run)
    run.step(f"ConnectionTimeOut is set to {timeout} s")
    await run.configure("ConnectionTimeOut", str(timeout))
    tag = run.tags.valid
    run.step(f"The driver presents {tag}: Authorize, Preparing")
    await run.present(tag)
    await run.expect_authorize(tag)
    await run.status(1, "Preparing")
    run.step("No cable comes within ConnectionTimeOut: Available, no transaction")
    await run.status(1, "Available", within=timeout + run.step_s)
    await run.absent(
        "StartTransaction", 0, "no transaction starts without a cable", since=run.step_began
    )


async def _ev_side_disconnect(run: StationCaseV16, unlock: bool) -> None:
    """StopTransactionOnEVSideDisconnect true: the EV unplugs while charging and the station
    stops the transaction, reason EVDisconnected (1.6 sections 9.1, 7.39)."""
    await run.ready()
    run.step(
        "StopTransactionOnEVSideDisconnect is true, UnlockConnectorOnEVSideDisconnect"
        f" {str(unlock).lower()}"
    )
    await run.configure("StopTransactionOnEVSideDisconnect", "true")
    await run.configure("UnlockConnectorOnEVSideDisconnect", str(unlock).lower())
    transaction_id = await run.session()
    run.step("The EV is unplugged: StopTransaction (EVDisconnected), Available")
    await run.unplug()
    await run.expect_stop(transaction_id, reason="EVDisconnected")
    await run.status(1, "Available")


table(_ev_side_disconnect)(
    {
        "TC_005_1_CS": (True,),
        "TC_005_2_CS": (False,),
    },
)


@case("TC_005_3_CS")
async def ev_side_disconnected_goes_on(run: StationCaseV16) -> None:
    """StopTransactionOnEVSideDisconnect false: the transaction goes on without the EV
    (SuspendedEV) and charges again when it is back (1.6 section 9.1)."""
    await run.ready()
    run.step("StopTransactionOnEVSideDisconnect is false")
    await run.configure("StopTransactionOnEVSideDisconnect", "false")
    transaction_id = await run.session()
    run.step("The EV is unplugged: SuspendedEV, the transaction goes on")
    await run.unplug()
    await run.status(1, "SuspendedEV")
    await run.absent(
        "StopTransaction",
        short(run),
        "the transaction is not stopped when the EV is unplugged",
        since=run.step_began,
    )
    run.step("The EV is plugged in again: Charging")
    await run.plug()
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, run.tags.valid)


@case("TC_068_CS")
async def stop_by_the_same_tag(run: StationCaseV16) -> None:
    """The tag that started the transaction stops it; StopTransaction names it (1.6 sections
    4.10, 6.49)."""
    await run.ready()
    transaction_id = await run.session()
    await run.stop_by_tag(transaction_id, run.tags.valid)


@case("TC_069_CS")
async def stop_by_a_tag_of_the_group(run: StationCaseV16) -> None:
    """Another tag with the same parentIdTag stops the transaction (1.6 section 3.10: "an
    idTag with the same parentIdTag ... may stop a transaction")."""
    await run.ready()
    transaction_id = await run.session(run.tags.valid)
    second = run.tags.second
    run.step(f"{second}, of the same group ({run.tags.group}), stops it: StopTransaction")
    await run.present(second)
    await run.expect_stop(transaction_id, reason="Local", id_tag=second)
    await run.status(1, "Finishing")
    await run.unplugged()


async def cached(run: StationCaseV16, tag: str) -> None:
    """A whole session of ``tag`` (authorized by Authorize: the cache must not know it yet),
    which leaves it in the Authorization Cache (section 3.5.1: the cache keeps the idTagInfo
    of Authorize.conf and StartTransaction.conf)."""
    transaction_id = await run.session(tag)
    await run.stop_by_tag(transaction_id, tag)


def before(first: Received, action: str, since: int, run: StationCaseV16) -> list[Received]:
    """The ``action`` CALLs from ``since`` that came before ``first``."""
    return [item for item in run.peer.received(action, since=since) if item.at <= first.at]


@case("TC_007_1_CS")
async def cached_id(run: StationCaseV16) -> None:
    """LocalPreAuthorize with a tag in the Authorization Cache: the transaction starts at
    once, without Authorize (1.6 sections 3.5.1, 9.1 LocalPreAuthorize)."""
    await run.ready()
    run.step("The cache is enabled and emptied")
    await run.configure("AuthorizationCacheEnabled", "true", optional=True)
    await run.order("ClearCache", {}, "Accepted")
    tag = run.tags.valid
    await cached(run, tag)
    run.step("LocalPreAuthorize is true")
    await run.configure("LocalPreAuthorize", "true")
    run.step(f"The EV is plugged in and {tag}, now cached, presented: StartTransaction")
    since = run.mark()
    await run.plug()
    await run.status(1, "Preparing")
    await run.present(tag)
    transaction_id = await run.expect_start(tag)
    start = run.peer.received("StartTransaction", since=since)[0]
    run.log.check(
        "no Authorize is sent for a cached tag before the transaction starts",
        not before(start, "Authorize", since, run),
        weight=Weight.SPEC,
        expected="no Authorize",
        observed=[item.payload for item in before(start, "Authorize", since, run)] or "none",
    )
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, tag)


@case("TC_023_4_CS")
async def local_start_invalid(run: StationCaseV16) -> None:
    """A tag the central system answers Invalid: no transaction starts (1.6 section 4.1)."""
    await run.ready()
    tag = run.tags.invalid
    run.step("The cache forgets earlier answers: ClearCache")
    await run.ask("ClearCache", {})
    run.step("The EV is plugged in: Preparing")
    await run.plug()
    await run.status(1, "Preparing")
    run.step(f"The driver presents {tag}: Authorize answered Invalid, no transaction")
    await run.present(tag)
    await run.expect_authorize(tag)
    await run.absent(
        "StartTransaction",
        short(run),
        "no transaction starts for an Invalid tag",
        since=run.step_began,
    )
    await run.unplugged()


@case("TC_024_CS")
async def lock_failure(run: StationCaseV16) -> None:
    """The cable cannot be locked: the station reports ConnectorLockFailure (1.6 section
    7.6) and no transaction starts."""
    await run.ready()
    run.step("The EV is plugged in: Preparing")
    await run.plug()
    await run.status(1, "Preparing")
    run.step("The cable fails to lock: StatusNotification with errorCode ConnectorLockFailure")
    await run.act(StationAct(Verb.LOCK_FAILURE))
    item = await run.expect(
        "StatusNotification",
        where=lambda r: (
            r.payload.get("connectorId") == 1
            and r.payload.get("errorCode") == "ConnectorLockFailure"
        ),
        what="StatusNotification of connector 1 with errorCode ConnectorLockFailure",
    )
    run.log.check(
        "a connector whose lock failed is Faulted",
        item.payload.get("status") == "Faulted",
        weight=Weight.SPEC,
        expected="Faulted",
        observed=item.payload.get("status"),
    )
    await run.absent(
        "StartTransaction",
        short(run),
        "no transaction starts with the cable unlocked",
        since=run.step_began,
    )
    run.step("The lock is repaired, the cable unplugged: Available")
    await run.act(StationAct(Verb.CLEAR_FAULT))
    await run.unplug()
    await run.status(1, "Available")


def _sampled(item: ReceivedView[v16.MeterValuesRequest]) -> list[v16.MeterValueSampledValue]:
    return [
        value
        for reading in item.payload.get("meterValue") or []
        for value in reading.get("sampledValue") or []
    ]


def _first_timestamp(item: ReceivedView[v16.MeterValuesRequest]) -> datetime | None:
    """The timestamp of the first meterValue (None: none, or not a date-time)."""
    readings = item.payload.get("meterValue") or []
    return parse_time(readings[0].get("timestamp")) if readings else None


def _energy(item: ReceivedView[v16.MeterValuesRequest]) -> float | None:
    for value in _sampled(item):
        measurand = value.get("measurand", "Energy.Active.Import.Register")
        if measurand == "Energy.Active.Import.Register" and value.get("phase") is None:
            try:
                return float(str(value.get("value")))
            except ValueError:
                return None
    return None


@case("TC_070_CS")
async def sampled_meter_values(run: StationCaseV16) -> None:
    """MeterValues of a transaction every MeterValueSampleInterval, of the measurands
    MeterValuesSampledData lists, context Sample.Periodic, the register never going back
    (1.6 sections 3.16.1, 4.7, 9.1)."""
    await run.ready()
    interval = short(run)
    run.step(f"MeterValueSampleInterval is {interval} s, of Energy.Active.Import.Register")
    await run.configure("MeterValuesSampledData", "Energy.Active.Import.Register")
    await run.configure("MeterValueSampleInterval", str(interval))
    transaction_id = await run.session()
    run.step("Two MeterValues of the transaction, one interval apart")
    samples = []
    for _ in range(2):
        samples.append(
            await run.expect(
                "MeterValues",
                where=lambda r: (
                    r.payload.get("transactionId") == transaction_id
                    and any(
                        v.get("context", "Sample.Periodic") == "Sample.Periodic"
                        for v in _sampled(r)
                    )
                ),
                what=f"periodic MeterValues of transaction {transaction_id}",
                within=interval + run.step_s,
            )
        )
    for item in samples:
        run.log.check(
            "MeterValues names connector 1 and the transaction",
            (item.payload.get("connectorId"), item.payload.get("transactionId"))
            == (1, transaction_id),
            expected=(1, transaction_id),
            observed=(item.payload.get("connectorId"), item.payload.get("transactionId")),
        )
        run.log.check(
            "MeterValues carries the Energy.Active.Import.Register",
            _energy(item) is not None,
            weight=Weight.SPEC,
            expected="Energy.Active.Import.Register",
            observed=_sampled(item),
        )
    first, second = (_energy(item) for item in samples)
    run.log.check(
        "the energy register does not go back",
        first is not None and second is not None and second >= first,
        weight=Weight.SPEC,
        expected=f">= {first}",
        observed=second,
    )
    times = [_first_timestamp(s) for s in samples]
    apart = (times[1] - times[0]).total_seconds() if times[0] and times[1] else None
    run.log.check(
        f"the samples are about MeterValueSampleInterval ({interval} s) apart",
        apart is not None and interval / 2 <= apart <= interval * 2 + 1,
        weight=Weight.SPEC,
        expected=f"{interval} s",
        observed=apart,
    )
    await run.stop_by_tag(transaction_id, run.tags.valid)


@case("TC_071_CS")
async def clock_aligned_meter_values(run: StationCaseV16) -> None:
    """MeterValues at every ClockAlignedDataInterval from midnight UTC, context Sample.Clock,
    of the measurands MeterValuesAlignedData lists (1.6 sections 3.16.2, 9.1)."""
    await run.ready()
    interval = short(run)
    run.step(f"ClockAlignedDataInterval is {interval} s, of Energy.Active.Import.Register")
    await run.configure("MeterValuesAlignedData", "Energy.Active.Import.Register")
    await run.configure("ClockAlignedDataInterval", str(interval))
    run.step("A clock-aligned MeterValues: context Sample.Clock, at an aligned instant")
    item = await run.expect(
        "MeterValues",
        where=lambda r: any(v.get("context") == "Sample.Clock" for v in _sampled(r)),
        what="MeterValues of context Sample.Clock",
        within=2 * interval + run.step_s,
    )
    run.log.check(
        "the clock-aligned MeterValues carries the Energy.Active.Import.Register",
        _energy(item) is not None,
        weight=Weight.SPEC,
        expected="Energy.Active.Import.Register",
        observed=_sampled(item),
    )
    stamp = _first_timestamp(item)
    midnight = loop_clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (stamp - midnight).total_seconds() % interval if stamp else None
    run.log.check(
        f"its timestamp is a multiple of {interval} s from midnight UTC",
        offset is not None and min(offset, interval - offset) < 0.5,
        weight=Weight.SPEC,
        expected="aligned",
        observed=stamp.isoformat() if stamp else None,
    )
