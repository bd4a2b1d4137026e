"""OCPP 2.0.1 charging-station cases of meter values (block J): clock-aligned values while idle,
during a transaction and in its Ended event (J01), and the values a transaction samples at its
start, every TxUpdatedInterval and for its Ended event (J02)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime

from chargeyard.conformance.exchanges import ReceivedView, present
from chargeyard.conformance.station_under_test.case import StationCase, parse_time
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.boot import short
from chargeyard.conformance.station_under_test.cases_v201.transactions import (
    UPDATED_INTERVAL,
    UPDATED_MEASURANDS,
    start_at,
)
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.inbox import Received
from chargeyard.conformance.station_under_test.transactions_v201 import Session
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

ENERGY = "Energy.Active.Import.Register"
ALIGNED_INTERVAL = Var("AlignedDataCtrlr", "Interval")
ALIGNED_MEASURANDS = Var("AlignedDataCtrlr", "Measurands")
SEND_DURING_IDLE = Var("AlignedDataCtrlr", "SendDuringIdle")
ALIGNED_ENDED_INTERVAL = Var("AlignedDataCtrlr", "TxEndedInterval")
ALIGNED_ENDED_MEASURANDS = Var("AlignedDataCtrlr", "TxEndedMeasurands")
STARTED_MEASURANDS = Var("SampledDataCtrlr", "TxStartedMeasurands")
ENDED_INTERVAL = Var("SampledDataCtrlr", "TxEndedInterval")
ENDED_MEASURANDS = Var("SampledDataCtrlr", "TxEndedMeasurands")


def _values(item: ReceivedView[Mapping[str, object]]) -> list[dict[str, object]]:
    values = item.payload.get("meterValue")
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def _sampled(value: dict[str, object]) -> list[dict[str, object]]:
    sampled = value.get("sampledValue")
    return [s for s in sampled if isinstance(s, dict)] if isinstance(sampled, list) else []


def _of_context(values: Iterable[dict[str, object]], context: str) -> list[dict[str, object]]:
    return [v for v in values if any(s.get("context") == context for s in _sampled(v))]


async def _measurands(run: StationCaseV201, var: Var) -> set[str]:
    value = await run.variable(var) or ""
    return {m.strip() for m in value.split(",") if m.strip()}


def _has_measurands(
    run: StationCaseV201, values: list[dict[str, object]], wanted: set[str], what: str
) -> None:
    """Each meter value holds an element of every measurand configured (the measurand may be
    left out for the energy register: SampledValueType's default)."""
    for value in values:
        found = {str(s.get("measurand", ENERGY)) for s in _sampled(value)}
        run.log.check(
            f"{what} holds every measurand configured",
            wanted <= found,
            weight=Weight.SPEC,
            expected=sorted(wanted),
            observed=sorted(found),
        )


def _deviation(seconds: int) -> float:
    """How far a reading's time may be from where it belongs: a tenth of the interval, 4 s at
    most (what Part 6 lets a lab allow, section 2.1)."""
    return min(0.1 * seconds, 4.0)


def _off(value: float, seconds: int) -> float:
    """How far ``value`` is from the nearest whole multiple of ``seconds``."""
    rest = value % seconds
    return min(rest, seconds - rest)


def _spaced(run: StationCaseV201, values: list[dict[str, object]], seconds: int, what: str) -> None:
    """The timestamps of ``values`` are ``seconds`` apart (a whole multiple: an interval
    without a reading is allowed, two readings in one are not)."""
    stamps = sorted(
        {t for t in (parse_time(v.get("timestamp")) for v in values) if isinstance(t, datetime)}
    )
    gaps = [round((b - a).total_seconds(), 3) for a, b in itertools.pairwise(stamps)]
    allowed = _deviation(seconds)
    run.log.check(
        f"{what} are taken every {seconds} s",
        bool(gaps)
        and all(gap >= seconds - allowed and _off(gap, seconds) <= allowed for gap in gaps),
        weight=Weight.SPEC,
        expected=f"{seconds} s apart",
        observed=gaps or "one reading",
    )


def _aligned(run: StationCaseV201, values: list[dict[str, object]], seconds: int) -> None:
    """Clock-aligned readings fall on the intervals counted from midnight (part 2,
    AlignedDataInterval)."""
    stamps = [t for t in (parse_time(v.get("timestamp")) for v in values) if t is not None]
    off = [
        t.isoformat()
        for t in stamps
        if _off(t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6, seconds)
        > _deviation(seconds)
    ]
    run.log.check(
        "clock-aligned readings fall on the interval's boundaries, counted from midnight",
        not off,
        weight=Weight.SPEC,
        expected=f"every {seconds} s from 00:00:00",
        observed=off or "on the boundaries",
    )


# -- J01 clock-aligned ----------------------------------------------------------------------


async def _clock_readings(run: StationCaseV201, count: int, *, in_transaction: bool) -> None:
    interval = short(run)
    run.step(f"AlignedDataCtrlr.Interval is {interval} s")
    await run.set_variable(ALIGNED_INTERVAL, str(interval))
    wanted = await _measurands(run, ALIGNED_MEASURANDS)
    run.step(f"{count} clock-aligned readings come, Sample.Clock")
    taken: list[Received] = []
    action = "TransactionEvent" if in_transaction else "MeterValues"
    for _ in range(count):
        # StationCase's expect: the action is one of two, and what it is compared with are
        # the Received it took.
        item = await StationCase.expect(
            run,
            action,
            where=lambda r: r not in taken and bool(_of_context(_values(r), "Sample.Clock")),
            what=f"{action} of clock-aligned readings",
            within=interval + run.step_s,
        )
        taken.append(item)
        if in_transaction:
            run.log.check(
                "the TransactionEvent's triggerReason is MeterValueClock",
                item.payload.get("triggerReason") == "MeterValueClock",
                weight=Weight.SPEC,
                expected="MeterValueClock",
                observed=item.payload.get("triggerReason"),
            )
        else:
            run.log.check(
                "MeterValues names an EVSE (J01.FR.02)",
                isinstance(item.payload.get("evseId"), int),
                weight=Weight.SPEC,
                expected="an evseId",
                observed=item.payload.get("evseId"),
            )
    values = [v for item in taken for v in _of_context(_values(item), "Sample.Clock")]
    _has_measurands(run, values, wanted, "a clock-aligned reading")
    _spaced(run, values, interval, "clock-aligned readings")
    _aligned(run, values, interval)


@case("TC_J_01_CS")
async def clock_aligned_idle(run: StationCaseV201) -> None:
    """No transaction: MeterValues of AlignedDataCtrlr.Measurands every Interval (J01.FR.14)."""
    await run.ready()
    await _clock_readings(run, 3, in_transaction=False)


@case("TC_J_02_CS")
async def clock_aligned_during_transaction(run: StationCaseV201) -> None:
    """During a transaction: the clock-aligned readings of its EVSE in TransactionEvent
    (MeterValueClock)."""
    await run.ready()
    await run.set_variable(SEND_DURING_IDLE, "false", optional=True)
    await run.energy_transfer_started()
    await _clock_readings(run, 2, in_transaction=True)


async def _ended_event(run: StationCaseV201, session: Session) -> Received:
    """The Ended TransactionEvent of the session (ended by the driver)."""
    await run.session_ends()
    ended = run.peer.received(
        "TransactionEvent",
        since=0,
        where=lambda r: (
            r.payload.get("eventType") == "Ended"
            and present(r.payload.get("transactionInfo")).get("transactionId")
            == session.transaction_id
        ),
    )
    assert ended, "session_ends saw it end"
    return ended[-1]


@case("TC_J_03_CS")
async def clock_aligned_in_ended(run: StationCaseV201) -> None:
    """AlignedDataCtrlr.TxEndedInterval: the Ended event carries the clock-aligned readings
    of AlignedDataCtrlr.TxEndedMeasurands taken every interval of the transaction."""
    await run.ready()
    interval = short(run)
    await run.set_variable(ALIGNED_ENDED_INTERVAL, str(interval))
    await run.set_variable(ENDED_MEASURANDS, "")
    await run.set_variable(SEND_DURING_IDLE, "false", optional=True)
    wanted = await _measurands(run, ALIGNED_ENDED_MEASURANDS)
    session = await run.energy_transfer_started()
    run.step(f"The transaction lasts {2.5 * interval:g} s, then ends")
    await asyncio.sleep(2.5 * interval)
    ended = await _ended_event(run, session)
    clock = _of_context(_values(ended), "Sample.Clock")
    run.log.check(
        "the Ended event carries the clock-aligned readings of the transaction",
        len(clock) >= 2,
        expected="a reading every interval",
        observed=[v.get("timestamp") for v in _values(ended)],
    )
    _has_measurands(run, clock, wanted, "a clock-aligned reading of the Ended event")
    _spaced(run, clock, interval, "the Ended event's clock-aligned readings")
    _aligned(run, clock, interval)


@case("TC_J_06_CS")
async def clock_aligned_only_when_idle(run: StationCaseV201) -> None:
    """AlignedDataCtrlr.SendDuringIdle true: clock-aligned readings while idle, none during
    a transaction (J01.FR.20), again once it ended."""
    await run.ready()
    interval = short(run)
    await run.set_variable(SEND_DURING_IDLE, "true", optional=True)
    await run.set_variable(ALIGNED_INTERVAL, str(interval))
    run.step("Idle: a clock-aligned reading comes")
    await run.expect("MeterValues", within=interval + run.step_s)
    await run.energy_transfer_started()
    run.step("During the transaction: no clock-aligned reading")
    await run.absent(
        "TransactionEvent",
        interval * 1.5,
        "no clock-aligned readings are sent during a transaction (J01.FR.20)",
        where=lambda r: bool(_of_context(_values(r), "Sample.Clock")),
        since=run.step_began,
    )
    await run.absent("MeterValues", 0, "no MeterValues during a transaction", since=run.step_began)
    await run.session_ends()
    run.step("Idle again: clock-aligned readings again")
    await run.expect("MeterValues", within=interval + run.step_s)


# -- J02 sampled --------------------------------------------------------------------------------


@case("TC_J_07_CS")
async def sampled_in_started(run: StationCaseV201) -> None:
    """TxStartPoint EVConnected: the Started event carries the readings of
    SampledDataCtrlr.TxStartedMeasurands, Transaction.Begin (E01.FR.09)."""
    await run.ready()
    await start_at(run, "EVConnected")
    wanted = await _measurands(run, STARTED_MEASURANDS)
    session = await run.ev_connected_pre_session()
    await run.energy_transfer_started()
    started = run.peer.received(
        "TransactionEvent",
        since=0,
        where=lambda r: (
            r.payload.get("eventType") == "Started"
            and present(r.payload.get("transactionInfo")).get("transactionId")
            == session.transaction_id
        ),
    )
    values = _of_context(_values(started[0]), "Transaction.Begin") if started else []
    run.log.check(
        "the Started event carries Transaction.Begin readings (E01.FR.09)",
        bool(values),
        expected="Transaction.Begin",
        observed=[s.get("context") for v in _values(started[0]) for s in _sampled(v)]
        if started
        else "no Started",
    )
    _has_measurands(run, values, wanted, "the Started event's reading")


@case("TC_J_08_CS")
async def sampled_begin_once_the_evse_is_known(run: StationCaseV201) -> None:
    """TxStartPoint Authorized: the first event that names the EVSE carries the
    Transaction.Begin readings (E01.FR.09, E01.FR.17)."""
    await run.ready()
    await start_at(run, "Authorized")
    wanted = await _measurands(run, STARTED_MEASURANDS)
    session = await run.energy_transfer_started()
    events = run.peer.received(
        "TransactionEvent",
        since=0,
        where=lambda r: (
            present(r.payload.get("transactionInfo")).get("transactionId") == session.transaction_id
            and "evse" in r.payload
        ),
    )
    values = _of_context(_values(events[0]), "Transaction.Begin") if events else []
    run.log.check(
        "the first event naming the EVSE carries Transaction.Begin readings",
        bool(values),
        expected="Transaction.Begin",
        observed=[e.payload.get("eventType") for e in events] or "no event named the EVSE",
    )
    _has_measurands(run, values, wanted, "the Transaction.Begin reading")


@case("TC_J_09_CS")
async def sampled_every_interval(run: StationCaseV201) -> None:
    """TxUpdatedInterval: Updated events (MeterValuePeriodic) with the readings of
    TxUpdatedMeasurands, Sample.Periodic, every interval (J02.FR.11)."""
    await run.ready()
    interval = short(run)
    await run.set_variable(UPDATED_MEASURANDS, ENERGY)
    await run.set_variable(UPDATED_INTERVAL, str(interval))
    session = await run.energy_transfer_started()
    run.step(f"Every {interval} s: TransactionEvent (MeterValuePeriodic)")
    taken: list[ReceivedView[v201.TransactionEventRequest]] = []
    for _ in range(2):
        item = await run.transaction_event(
            session,
            "MeterValuePeriodic",
            triggers=("MeterValuePeriodic",),
            within=interval + run.step_s,
        )
        taken.append(item)
    values = [v for item in taken for v in _of_context(_values(item), "Sample.Periodic")]
    run.log.check(
        "each carries Sample.Periodic readings",
        len(values) >= len(taken),
        weight=Weight.SPEC,
        expected="Sample.Periodic",
        observed=[s.get("context") for i in taken for v in _values(i) for s in _sampled(v)],
    )
    _has_measurands(run, values, {ENERGY}, "a periodic reading")
    _spaced(run, values, interval, "periodic readings")


@case("TC_J_10_CS")
async def sampled_in_ended(run: StationCaseV201) -> None:
    """SampledDataCtrlr.TxEndedInterval: the Ended event carries the readings taken every
    interval (Sample.Periodic) and at the end (Transaction.End, E06.FR.11)."""
    await run.ready()
    interval = short(run)
    await run.set_variable(ENDED_INTERVAL, str(interval))
    await run.set_variable(ALIGNED_ENDED_MEASURANDS, "")
    wanted = await _measurands(run, ENDED_MEASURANDS)
    session = await run.energy_transfer_started()
    run.step(f"The transaction lasts {2.5 * interval:g} s, then ends")
    await asyncio.sleep(2.5 * interval)
    ended = await _ended_event(run, session)
    periodic = _of_context(_values(ended), "Sample.Periodic")
    end = _of_context(_values(ended), "Transaction.End")
    run.log.check(
        "the Ended event carries readings every interval and one at the end",
        len(periodic) >= 2 and bool(end),
        expected="Sample.Periodic every interval, Transaction.End",
        observed=[s.get("context") for v in _values(ended) for s in _sampled(v)],
    )
    _has_measurands(run, periodic + end, wanted, "a reading of the Ended event")
    _spaced(run, periodic, interval, "the Ended event's periodic readings")
