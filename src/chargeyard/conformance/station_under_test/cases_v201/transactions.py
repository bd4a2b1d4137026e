"""What the OCPP 2.0.1 charging-station cases of transactions share (block E): the start and
stop points set, and how offline messages are read. The cases are
``transactions_start_stop.py`` (E01-E03, E06-E10) and ``transactions_offline.py`` (E04, E05,
E08, E11-E15)."""

from __future__ import annotations

from collections.abc import Sequence

from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.inbox import Received
from chargeyard.conformance.station_under_test.transactions_v201 import TX_START, TX_STOP
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

EV_CONNECTION_TIMEOUT = Var("TxCtrlr", "EVConnectionTimeOut")
STOP_ON_EV_SIDE = Var("TxCtrlr", "StopTxOnEVSideDisconnect")
UPDATED_INTERVAL = Var("SampledDataCtrlr", "TxUpdatedInterval")
UPDATED_MEASURANDS = Var("SampledDataCtrlr", "TxUpdatedMeasurands")
ATTEMPTS = Var("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent")
ATTEMPT_INTERVAL = Var("OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent")


async def start_at(run: StationCaseV201, point: str) -> None:
    """TxStartPoint is ``point`` for the case (a station that cannot is not one the case
    applies to)."""
    run.step(f"TxStartPoint is {point}")
    await run.set_variable(TX_START, point)


async def stop_at(run: StationCaseV201, point: str) -> None:
    run.step(f"TxStopPoint is {point}")
    await run.set_variable(TX_STOP, point)


def all_offline(
    run: StationCaseV201,
    events: Sequence[ReceivedView[v201.TransactionEventRequest] | Received],
    rule: str,
) -> None:
    run.log.check(
        rule,
        bool(events) and all(e.payload.get("offline") is True for e in events),
        weight=Weight.SPEC,
        expected="offline true",
        observed=[(e.payload.get("eventType"), e.payload.get("offline")) for e in events],
    )
