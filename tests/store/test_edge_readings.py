"""Sampled values that are no reading (``NaN``, ``Infinity``, ``1e999``, a 2.0.1 multiplier at
the ends of its 32-bit range) are left out, and the rest of the message kept and answered, on
SQLite and on PostgreSQL alike: a transaction's end is recorded even when one of its samples
is unusable (1.6 sections 4.7 and 4.10, 2.0.1 E06 and J01)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.store.models import MeterSample
from tests.csms.wire import exchange, url

NOT_READINGS_16 = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


@pytest.fixture
async def csms(store: Store) -> AsyncIterator[CsmsServer]:
    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, heartbeat_interval=60, retention=None)
    async with CsmsServer(store, settings) as server:
        yield server


def _meter_value_16(at: str, *values: str) -> dict[str, Any]:
    return {"timestamp": at, "sampledValue": [{"value": value} for value in values]}


@pytest.mark.parametrize("edge", NOT_READINGS_16)
async def test_e_16_values_that_are_no_number_are_left_out_and_the_stop_is_kept(
    csms: CsmsServer, store: Store, edge: str
) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        start = {
            "connectorId": 1,
            "idTag": "T",
            "meterStart": 1000,
            "timestamp": "2026-11-21T10:00:00Z",
        }
        started = await exchange(websocket, [2, "s1", "StartTransaction", start])
        transaction_id = started[2]["transactionId"]
        values = {
            "connectorId": 1,
            "transactionId": transaction_id,
            "meterValue": [_meter_value_16("2026-11-21T10:30:00Z", "4000", edge)],
        }
        assert await exchange(websocket, [2, "m1", "MeterValues", values]) == [3, "m1", {}]
        stop = {
            "transactionId": transaction_id,
            "meterStop": 8500,
            "timestamp": "2026-11-21T11:00:00Z",
            "transactionData": [_meter_value_16("2026-11-21T11:00:00Z", edge, "8500")],
        }
        assert await exchange(websocket, [2, "s2", "StopTransaction", stop]) == [3, "s2", {}]
    transaction = await store.transactions.get("CP-1", transaction_id)
    assert transaction is not None
    assert (transaction.status, transaction.meter_stop_wh, transaction.energy_wh) == (
        "completed",
        8500,
        7500,
    )
    samples = await store.transactions.samples("CP-1", transaction_id)
    assert [sample.value for sample in samples] == [4000, 8500]


def _event_201(event_type: str, seq_no: int, *sampled: dict[str, Any]) -> dict[str, Any]:
    at = f"2026-11-21T1{seq_no}:00:00Z"
    return {
        "eventType": event_type,
        "timestamp": at,
        "triggerReason": "EVCommunicationLost" if event_type == "Ended" else "Authorized",
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": "tx-1"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [{"timestamp": at, "sampledValue": list(sampled)}],
    }


def _register_wh(value: float, multiplier: int = 0) -> dict[str, Any]:
    return {"value": value, "unitOfMeasure": {"unit": "Wh", "multiplier": multiplier}}


async def test_e06_an_ended_event_whose_end_reading_overflows_still_ends_the_transaction(
    csms: CsmsServer, store: Store
) -> None:
    voltage = {"value": 230, "measurand": "Voltage", "unitOfMeasure": {"unit": "V"}}
    tiny = {**voltage, "unitOfMeasure": {"unit": "V", "multiplier": INT32_MIN}}
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = _event_201("Started", 0, _register_wh(2000))
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
        updated = _event_201("Updated", 1, _register_wh(5000), voltage)
        assert await exchange(websocket, [2, "t2", "TransactionEvent", updated]) == [3, "t2", {}]
        ended = _event_201("Ended", 2, _register_wh(9, INT32_MAX), tiny)
        assert await exchange(websocket, [2, "t3", "TransactionEvent", ended]) == [3, "t3", {}]
    transaction = await store.transactions.get("CP-1", "tx-1")
    assert transaction is not None
    # The end reading is no number: the transaction stops at the last reading it sent (E06).
    assert (transaction.status, transaction.meter_stop_wh, transaction.energy_wh) == (
        "completed",
        5000,
        3000,
    )
    samples = await store.transactions.samples("CP-1", "tx-1")
    # 230 V x 10**-2147483648 is a reading, too small for a float: 0 V.
    assert [(sample.value, sample.unit) for sample in samples] == [
        (2000, "Wh"),
        (5000, "Wh"),
        (230, "V"),
        (0, "V"),
    ]


async def test_j01_meter_values_with_a_multiplier_beyond_a_float_keep_the_other_readings(
    csms: CsmsServer, store: Store
) -> None:
    request = {
        "evseId": 1,
        "meterValue": [
            {
                "timestamp": "2026-11-21T10:00:00Z",
                "sampledValue": [_register_wh(1, 400), _register_wh(1234)],
            }
        ],
    }
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        assert await exchange(websocket, [2, "m1", "MeterValues", request]) == [3, "m1", {}]
    async with store.sessions.read() as session:
        kept = (await session.execute(select(MeterSample.value, MeterSample.unit))).all()
    assert [tuple(row) for row in kept] == [(1234, "Wh")]


async def test_a_multiplier_beyond_32_bits_is_a_type_constraint_violation(
    csms: CsmsServer,
) -> None:
    """UnitOfMeasureType.multiplier is an integer, 32 bits in OCPP 2.0.1 part 2 section 2.1:
    2**31 violates the data type (part 4 section 4.3), never an InternalError."""
    request = {
        "evseId": 1,
        "meterValue": [
            {"timestamp": "2026-11-21T10:00:00Z", "sampledValue": [_register_wh(1, 2**31)]}
        ],
    }
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        answer = await exchange(websocket, [2, "m1", "MeterValues", request])
    assert answer[:3] == [4, "m1", "TypeConstraintViolation"]
