"""Transactions are kept before they are answered: 1.6 StartTransaction / MeterValues /
StopTransaction (sections 4.8, 4.7, 4.10) and 2.0.1 TransactionEvent (E01-E15)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from tests.csms.wire import database_url, exchange, url


def meter_value_16(at: str, wh: str, measurand: str | None = None) -> dict[str, Any]:
    sample: dict[str, Any] = {"value": wh, "unit": "Wh"}
    if measurand is not None:
        sample["measurand"] = measurand
    return {"timestamp": at, "sampledValue": [sample]}


async def run_transaction_16(csms: CsmsServer, identity: str = "CP-1") -> int:
    """Start, one MeterValues, stop; returns the transaction id the CSMS gave."""
    async with connect(url(csms, identity), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        start = {
            "connectorId": 1,
            "idTag": "TAG1",
            "meterStart": 1000,
            "timestamp": "2026-11-21T10:00:00Z",
        }
        started = await exchange(websocket, [2, "s1", "StartTransaction", start])
        assert started[2]["idTagInfo"] == {"status": "Accepted"}
        transaction_id: int = started[2]["transactionId"]
        values = {
            "connectorId": 1,
            "transactionId": transaction_id,
            "meterValue": [meter_value_16("2026-11-21T10:30:00Z", "4000")],
        }
        assert await exchange(websocket, [2, "m1", "MeterValues", values]) == [3, "m1", {}]
        stop = {
            "transactionId": transaction_id,
            "meterStop": 8500,
            "timestamp": "2026-11-21T11:00:00Z",
            "reason": "EVDisconnected",
            "transactionData": [meter_value_16("2026-11-21T11:00:00Z", "8500")],
        }
        assert await exchange(websocket, [2, "s2", "StopTransaction", stop]) == [3, "s2", {}]
    return transaction_id


async def test_e_transaction_16_start_meter_values_stop_are_kept(
    csms: CsmsServer, store: Store
) -> None:
    await store.id_tags.create("TAG1")
    transaction_id = await run_transaction_16(csms)
    record = await store.transactions.get("CP-1", transaction_id)
    assert record is not None
    assert (record.connector_id, record.id_tag, record.status) == (1, "TAG1", "completed")
    assert (record.meter_start_wh, record.meter_stop_wh, record.energy_wh) == (1000, 8500, 7500)
    assert record.stop_reason == "EVDisconnected"
    assert record.started_at == datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert record.duration is not None
    assert record.duration.total_seconds() == 3600
    samples = await store.transactions.samples("CP-1", transaction_id)
    assert [(s.sampled_at.minute, s.value, s.unit, s.measurand) for s in samples] == [
        (30, 4000, "Wh", "Energy.Active.Import.Register"),
        (0, 8500, "Wh", "Energy.Active.Import.Register"),
    ]


async def test_e_transaction_16_ids_survive_a_restart(tmp_path: Path) -> None:
    # The 1.6 id comes from the store's durable counter: a new process never hands out an
    # id it gave before (the station may still hold an unsent StopTransaction for it).
    async with await Store.open(database_url(tmp_path)) as store:
        await store.stations.register("CP-1")
        await store.id_tags.create("TAG1")
        async with CsmsServer(store, CsmsSettings(port=0)) as csms:
            first = await run_transaction_16(csms)
    async with (
        await Store.open(database_url(tmp_path)) as store,
        CsmsServer(store, CsmsSettings(port=0)) as csms,
    ):
        second = await run_transaction_16(csms)
        assert second > first
        kept = await store.transactions.get("CP-1", first)
        assert kept is not None
        assert kept.energy_wh == 7500


async def test_e_start_transaction_with_an_unknown_tag_gets_an_id_and_invalid(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        start = {
            "connectorId": 1,
            "idTag": "NOBODY",
            "meterStart": 0,
            "timestamp": "2026-11-21T10:00:00Z",
        }
        answer = await exchange(websocket, [2, "s1", "StartTransaction", start])
    assert answer[2]["idTagInfo"] == {"status": "Invalid"}
    assert await store.transactions.get("CP-1", answer[2]["transactionId"]) is not None


def transaction_event(event_type: str, seq: int, wh: float, **info: Any) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": f"2026-11-21T1{seq}:00:00Z",
        "triggerReason": {"Started": "Authorized", "Ended": "EVCommunicationLost"}.get(
            event_type, "MeterValuePeriodic"
        ),
        "seqNo": seq,
        "transactionInfo": {"transactionId": "tx-1", **info},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [
            {
                "timestamp": f"2026-11-21T1{seq}:00:00Z",
                "sampledValue": [
                    {
                        "value": wh / 1000,
                        "measurand": "Energy.Active.Import.Register",
                        "unitOfMeasure": {"unit": "kWh"},
                    }
                ],
            }
        ],
    }


async def test_e01_transaction_event_201_started_updated_ended_are_kept(
    csms: CsmsServer, store: Store
) -> None:
    await store.id_tags.create("TAG2", token_type="ISO14443")
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = transaction_event("Started", 0, 2000, chargingState="EVConnected")
        started["idToken"] = {"idToken": "TAG2", "type": "ISO14443"}
        answer = await exchange(websocket, [2, "t1", "TransactionEvent", started])
        assert answer == [3, "t1", {"idTokenInfo": {"status": "Accepted"}}]
        updated = transaction_event("Updated", 1, 5000, chargingState="Charging")
        assert await exchange(websocket, [2, "t2", "TransactionEvent", updated]) == [3, "t2", {}]
        charging = await store.transactions.get("CP-1", "tx-1")
        assert charging is not None
        assert (charging.status, charging.charging_state) == ("active", "Charging")
        ended = transaction_event("Ended", 2, 9000, stoppedReason="EVDisconnected")
        assert await exchange(websocket, [2, "t3", "TransactionEvent", ended]) == [3, "t3", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert (record.evse_id, record.connector_id, record.id_tag) == (1, 1, "TAG2")
    assert (record.meter_start_wh, record.meter_stop_wh, record.energy_wh) == (2000, 9000, 7000)
    assert (record.status, record.stop_reason) == ("completed", "EVDisconnected")
    assert record.duration is not None
    assert record.duration.total_seconds() == 2 * 3600
    samples = await store.transactions.samples("CP-1", "tx-1")
    assert [(s.value, s.unit) for s in samples] == [(2, "kWh"), (5, "kWh"), (9, "kWh")]


async def test_e06_an_ended_event_without_meter_values_stops_at_the_last_reading(
    csms: CsmsServer, store: Store
) -> None:
    # E06: the meter values of Ended are optional; energy must not fall back to zero.
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = transaction_event("Started", 0, 2000)
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
        updated = transaction_event("Updated", 1, 5000)
        assert await exchange(websocket, [2, "t2", "TransactionEvent", updated]) == [3, "t2", {}]
        ended = transaction_event("Ended", 2, 0, stoppedReason="Local")
        del ended["meterValue"]
        assert await exchange(websocket, [2, "t3", "TransactionEvent", ended]) == [3, "t3", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert (record.meter_start_wh, record.meter_stop_wh, record.energy_wh) == (2000, 5000, 3000)


async def test_e06_an_ended_event_without_any_reading_delivered_nothing(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = transaction_event("Started", 0, 2000)
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
        ended = transaction_event("Ended", 1, 0, stoppedReason="Local")
        del ended["meterValue"]
        assert await exchange(websocket, [2, "t2", "TransactionEvent", ended]) == [3, "t2", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert (record.meter_start_wh, record.meter_stop_wh, record.energy_wh) == (2000, 2000, 0)


async def test_e04_a_transaction_first_heard_in_ended_starts_at_its_begin_reading(
    csms: CsmsServer, store: Store
) -> None:
    # E04/E06: an Ended event carries its Transaction.Begin reading before its Transaction.End.
    ended = transaction_event("Ended", 2, 9000, stoppedReason="Local")
    begin = transaction_event("Started", 0, 2000)["meterValue"][0]
    begin["sampledValue"][0]["context"] = "Transaction.Begin"
    ended["meterValue"][0]["sampledValue"][0]["context"] = "Transaction.End"
    ended["meterValue"].insert(0, begin)
    phase = {"value": 1.0, "phase": "L1", "unitOfMeasure": {"unit": "kWh"}}
    ended["meterValue"][1]["sampledValue"].append(phase)
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        assert await exchange(websocket, [2, "t1", "TransactionEvent", ended]) == [3, "t1", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    # The L1 phase's own register (1 kWh) is a part of the whole, not the whole.
    assert (record.meter_start_wh, record.meter_stop_wh, record.energy_wh) == (2000, 9000, 7000)


async def test_e_transaction_event_201_ended_without_started_is_still_kept(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        ended = transaction_event("Ended", 2, 9000, stoppedReason="Local")
        assert await exchange(websocket, [2, "t1", "TransactionEvent", ended]) == [3, "t1", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert (record.status, record.meter_stop_wh, record.stop_reason) == (
        "completed",
        9000,
        "Local",
    )
