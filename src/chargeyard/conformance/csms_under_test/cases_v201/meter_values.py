"""OCPP 2.0.1 CSMS cases of block J, MeterValues: clock-aligned readings (J01) outside and
inside a transaction, sampled readings (J02) in TransactionEvent, signed readings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Unpack

from chargeyard import loop_clock
from chargeyard.conformance.csms_under_test.case import CsmsCaseBase, now
from chargeyard.conformance.csms_under_test.case_v201 import ENERGY, CsmsCaseV201, SampleOptions
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.csms_under_test.cases_v201.transactions import SIGNED
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
ALIGNED_S = 900
"""The clock-aligned interval the station reads at (AlignedDataInterval, 15 minutes)."""


def _aligned(count: int) -> list[str]:
    """The last ``count`` clock-aligned moments before now, oldest first, as the wire writes
    them: readings ALIGNED_S apart."""
    current = loop_clock.now().replace(microsecond=0)
    last = current - timedelta(seconds=current.timestamp() % ALIGNED_S)
    moments = [last - timedelta(seconds=ALIGNED_S * n) for n in reversed(range(count))]
    return [moment.isoformat().replace("+00:00", "Z") for moment in moments]


def _reading(
    at: str, wh: float, context: v201.ReadingContextEnumType, **extra: Unpack[SampleOptions]
) -> Payload:
    sample = {"value": wh, "context": context, "measurand": ENERGY, "unitOfMeasure": {"unit": "Wh"}}
    return {"timestamp": at, "sampledValue": [{**sample, **extra}]}


async def _clock_aligned(run: CsmsCaseV201, evses: list[int], count: int) -> None:
    """``count`` rounds of clock-aligned MeterValues of ``evses`` (0: the station's main
    meter), each with the FiscalMetering NotifyEvent Part 6 sends beside it (J01)."""
    for round_, at in enumerate(_aligned(count)):
        run.log.step(f"Clock-aligned readings at {at}")
        for evse in evses:
            # CsmsCaseBase's call, untyped: the payload is a plain dict the case assembles.
            await CsmsCaseBase.call(
                run,
                "MeterValues",
                {"evseId": evse, "meterValue": [_reading(at, 1_000.0 * round_, "Sample.Clock")]},
            )
        await run.notify_event(
            {
                "timestamp": at,
                "trigger": "Periodic",
                "actualValue": str(1_000 * round_),
                "eventNotificationType": "PreconfiguredMonitor",
                "component": {"name": "FiscalMetering"},
                "variable": {"name": "EnergyImport"},
            },
            seq_no=0,
        )


@case("TC_J_01_CSMS")
async def clock_aligned_idle(run: CsmsCaseV201) -> None:
    """J01.FR.18: three rounds, for EVSE 0 and every EVSE."""
    await run.booted()
    await _clock_aligned(run, [0, *run.evses], 3)


async def _charging(run: CsmsCaseV201) -> str:
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    return tag


@case("TC_J_02_CSMS")
async def clock_aligned_in_transaction(run: CsmsCaseV201) -> None:
    """J01.FR.18: the idle meters in MeterValues, the charging EVSE's in TransactionEvent
    (MeterValueClock)."""
    await _charging(run)
    for round_, at in enumerate(_aligned(2)):
        await _clock_aligned(run, [0], 1)
        await run.transaction_event(
            "Updated",
            "MeterValueClock",
            meter_value=[_reading(at, 500.0 * (round_ + 1), "Sample.Clock")],
        )


def _ended_readings(
    context: v201.ReadingContextEnumType, **extra: Unpack[SampleOptions]
) -> list[Payload]:
    """The readings an Ended event sums up the transaction with: aligned or sampled
    readings, the last one Transaction.End (J01.FR.18, J02.FR.19)."""
    moments = _aligned(2)
    readings = [_reading(at, 500.0 * n, context, **extra) for n, at in enumerate(moments, 1)]
    return [*readings, _reading(now(), 1_500.0, "Transaction.End", **extra)]


@case("TC_J_03_CSMS")
async def clock_aligned_in_ended(run: CsmsCaseV201) -> None:
    """J01.FR.18."""
    await _charging(run)
    await run.ev_disconnected(meter_value=_ended_readings("Sample.Clock"))


@case("TC_J_04_CSMS")
async def clock_aligned_signed(run: CsmsCaseV201) -> None:
    """J01.FR.21: the readings signed."""
    await _charging(run)
    await run.ev_disconnected(meter_value=_ended_readings("Sample.Clock", **SIGNED))


@case("TC_J_07_CSMS")
async def sampled_in_started(run: CsmsCaseV201) -> None:
    """J02.FR.19: Started carries the Transaction.Begin reading, the EVSE known."""
    await run.booted()
    await run.ev_connected_pre_session(meter_value=[_reading(now(), 0.0, "Transaction.Begin")])


@case("TC_J_08_CSMS")
async def sampled_begin_evse_unknown(run: CsmsCaseV201) -> None:
    """J02.FR.19: the transaction started on the tag, before the EVSE was known; the
    Transaction.Begin reading comes once the cable is in."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.authorized(tag)
    await run.ev_connected_pre_session(
        meter_value=[_reading(now(), 0.0, "Transaction.Begin")], with_evse=True
    )
    await run.energy_transfer_started(tag)


@case("TC_J_09_CSMS")
async def sampled_in_updated(run: CsmsCaseV201) -> None:
    """J02.FR.19: three periodic readings in Updated (MeterValuePeriodic)."""
    await _charging(run)
    for n in range(1, 4):
        await run.transaction_event(
            "Updated",
            "MeterValuePeriodic",
            meter_value=[_reading(now(), 250.0 * n, "Sample.Periodic")],
        )


@case("TC_J_10_CSMS")
async def sampled_in_ended(run: CsmsCaseV201) -> None:
    """J02.FR.19."""
    await _charging(run)
    await run.ev_disconnected(meter_value=_ended_readings("Sample.Periodic"))


@case("TC_J_11_CSMS")
async def sampled_signed(run: CsmsCaseV201) -> None:
    """J02.FR.21: the readings signed."""
    await _charging(run)
    await run.ev_disconnected(meter_value=_ended_readings("Sample.Periodic", **SIGNED))
