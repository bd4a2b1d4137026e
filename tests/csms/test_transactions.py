"""Transactions are kept before they are answered: 1.6 StartTransaction / MeterValues /
StopTransaction (sections 4.8, 4.7, 4.10) and 2.0.1 TransactionEvent (E01-E15)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from tests.csms.wire import database_url, exchange, url


def meter_value_16(at: str, wh: str, measurand: str | None = None) -> dict[str, Any]:
    sample: dict[str, Any] = {"value": wh, "unit": "Wh"}
    if measurand is not None:
        sample["measurand"] = measurand
    return {"timestamp": at, "sampledValue": [sample]}


async def run_transaction_16(
    csms: CsmsServer, identity: str = "CP-1", started_at: str = "2026-11-21T10:00:00Z"
) -> int:
    """Start, one MeterValues, stop; returns the transaction id the CSMS gave."""
    async with connect(url(csms, identity), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        start = {
            "connectorId": 1,
            "idTag": "TAG1",
            "meterStart": 1000,
            "timestamp": started_at,
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
        # Another session (a start at another time; the same start again is one transaction).
        second = await run_transaction_16(csms, started_at="2026-11-21T12:00:00Z")
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


async def test_e01_readings_in_kwh_or_with_a_multiplier_are_kept_as_the_station_wrote_them(
    csms: CsmsServer, store: Store
) -> None:
    # The multiplier shifts the decimal the station sent: 1.2347 x 10^3 is 1234.7, not the
    # 1234.6999999999998 of binary floats (SampledValueType, UnitOfMeasureType.multiplier).
    started = transaction_event("Started", 0, 0)
    started["meterValue"][0]["sampledValue"] = [
        {"value": 1.005, "unitOfMeasure": {"unit": "kWh"}},
        {"value": 1.2347, "measurand": "Voltage", "unitOfMeasure": {"unit": "V", "multiplier": 3}},
    ]
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert record.meter_start_wh == 1005.0
    samples = await store.transactions.samples("CP-1", "tx-1")
    assert [(s.value, s.unit) for s in samples] == [(1.005, "kWh"), (1234.7, "V")]


async def test_e02_an_updated_event_stores_a_new_id_token_and_keeps_a_repeated_state(
    csms: CsmsServer, store: Store
) -> None:
    # E02: Updated events mostly repeat the charging state with a new reading; the row changes
    # only where one says something new (here the idToken of an authorization after the start).
    await store.id_tags.create("TAG2", token_type="ISO14443")
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = transaction_event("Started", 0, 2000, chargingState="Charging")
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
        repeated = transaction_event("Updated", 1, 3000, chargingState="Charging")
        assert await exchange(websocket, [2, "t2", "TransactionEvent", repeated]) == [3, "t2", {}]
        unchanged = await store.transactions.get("CP-1", "tx-1")
        authorized = transaction_event("Updated", 2, 4000)
        authorized["idToken"] = {"idToken": "TAG2", "type": "ISO14443"}
        answer = await exchange(websocket, [2, "t3", "TransactionEvent", authorized])
        assert answer == [3, "t3", {"idTokenInfo": {"status": "Accepted"}}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert unchanged is not None
    assert record is not None
    assert (unchanged.charging_state, unchanged.id_tag) == ("Charging", None)
    assert (record.charging_state, record.id_tag, record.last_seq_no) == ("Charging", "TAG2", 2)


@pytest.mark.parametrize(("ended_state", "kept"), [("EVConnected", "EVConnected"), (None, None)])
async def test_e07_a_completed_transaction_keeps_the_charging_state_its_end_reported(
    csms: CsmsServer, store: Store, ended_state: str | None, kept: str | None
) -> None:
    # Charging while it ran; the state after Ended is what Ended said, or none at all.
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = transaction_event("Started", 0, 2000, chargingState="Charging")
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
        state = {} if ended_state is None else {"chargingState": ended_state}
        ended = transaction_event("Ended", 1, 3000, stoppedReason="Local", **state)
        assert await exchange(websocket, [2, "t2", "TransactionEvent", ended]) == [3, "t2", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert (record.status, record.charging_state) == ("completed", kept)


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


async def test_j02_the_ended_summary_does_not_keep_a_reading_twice(
    csms: CsmsServer, store: Store
) -> None:
    # TxEndedMeasurands (2.0.1 J02, E06): the Ended event's meter values sum up the whole
    # transaction, so its Transaction.Begin reading is the one Started already carried.
    started = transaction_event("Started", 0, 2000)
    started["meterValue"][0]["sampledValue"][0]["context"] = "Transaction.Begin"
    ended = transaction_event("Ended", 2, 9000, stoppedReason="Local")
    ended["meterValue"][0]["sampledValue"][0]["context"] = "Transaction.End"
    ended["meterValue"].insert(0, started["meterValue"][0])
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
        assert await exchange(websocket, [2, "t2", "TransactionEvent", ended]) == [3, "t2", {}]
    samples = await store.transactions.samples("CP-1", "tx-1")
    assert [(s.context, s.value) for s in samples] == [
        ("Transaction.Begin", 2),
        ("Transaction.End", 9),
    ]


async def test_stop_transaction_data_does_not_keep_a_reading_twice(
    csms: CsmsServer, store: Store
) -> None:
    # 1.6 section 4.10: transactionData may repeat a reading the MeterValues of the
    # transaction already carried (StopTxnSampledData and MeterValuesSampledData alike).
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        start = {
            "connectorId": 1,
            "idTag": "T",
            "meterStart": 0,
            "timestamp": "2026-11-21T10:00:00Z",
        }
        transaction_id = (await exchange(websocket, [2, "s1", "StartTransaction", start]))[2][
            "transactionId"
        ]
        reading = meter_value_16("2026-11-21T10:30:00Z", "4000")
        values = {"connectorId": 1, "transactionId": transaction_id, "meterValue": [reading]}
        assert await exchange(websocket, [2, "m1", "MeterValues", values]) == [3, "m1", {}]
        stop = {
            "transactionId": transaction_id,
            "meterStop": 8500,
            "timestamp": "2026-11-21T11:00:00Z",
            "transactionData": [reading, meter_value_16("2026-11-21T11:00:00Z", "8500")],
        }
        assert await exchange(websocket, [2, "s2", "StopTransaction", stop]) == [3, "s2", {}]
    samples = await store.transactions.samples("CP-1", transaction_id)
    assert [s.value for s in samples] == [4000, 8500]


async def test_e06_a_later_ended_event_s_register_is_the_one_kept(
    csms: CsmsServer, store: Store
) -> None:
    # The station reported 300 Wh, then corrected itself to 999: the final word is kept.
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = transaction_event("Started", 0, 0)
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
        ended = transaction_event("Ended", 1, 300, stoppedReason="Local")
        assert await exchange(websocket, [2, "t2", "TransactionEvent", ended]) == [3, "t2", {}]
        again = transaction_event("Ended", 2, 999, stoppedReason="EVDisconnected")
        assert await exchange(websocket, [2, "t3", "TransactionEvent", again]) == [3, "t3", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert (record.meter_stop_wh, record.energy_wh, record.stop_reason) == (
        999,
        999,
        "EVDisconnected",
    )
    assert not record.register_went_backwards


async def test_a_register_going_backwards_is_kept_as_reported_and_flagged(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = transaction_event("Started", 0, 5000)
        assert await exchange(websocket, [2, "t1", "TransactionEvent", started]) == [3, "t1", {}]
        ended = transaction_event("Ended", 1, 7000, stoppedReason="Local")
        assert await exchange(websocket, [2, "t2", "TransactionEvent", ended]) == [3, "t2", {}]
        # The same stop re-sent changes nothing.
        assert await exchange(websocket, [2, "t3", "TransactionEvent", ended]) == [3, "t3", {}]
        unchanged = await store.transactions.get("CP-1", "tx-1")
        assert unchanged is not None
        assert (unchanged.meter_stop_wh, unchanged.register_went_backwards) == (7000, False)
        lower = transaction_event("Ended", 2, 6000, stoppedReason="Local")
        assert await exchange(websocket, [2, "t4", "TransactionEvent", lower]) == [3, "t4", {}]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert (record.meter_stop_wh, record.energy_wh, record.register_went_backwards) == (
        6000,
        1000,
        True,
    )


NOON, AN_HOUR_LATER = "2026-11-21T12:00:00Z", "2026-11-21T13:00:00Z"


async def test_e_a_16_stop_below_its_start_is_kept_and_flagged(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        start = {
            "connectorId": 1,
            "idTag": "T",
            "meterStart": 5000,
            "timestamp": "2026-11-21T10:00:00Z",
        }
        answer = await exchange(websocket, [2, "s1", "StartTransaction", start])
        transaction_id = answer[2]["transactionId"]
        stop = {
            "transactionId": transaction_id,
            "meterStop": 4000,
            "timestamp": "2026-11-21T11:00:00Z",
        }
        assert await exchange(websocket, [2, "s2", "StopTransaction", stop]) == [3, "s2", {}]
    record = await store.transactions.get("CP-1", transaction_id)
    assert record is not None
    assert (record.meter_stop_wh, record.energy_wh, record.register_went_backwards) == (
        4000,
        -1000,
        True,
    )


async def test_e_a_16_start_transaction_re_sent_gets_the_same_id_and_opens_nothing(
    csms: CsmsServer, store: Store
) -> None:
    # 1.6 section 4.8 (TransactionMessageAttempts): a StartTransaction whose answer was lost
    # comes again, with the same facts; it is the same transaction.
    events = csms.events.subscribe(accept=lambda event: event.type == "transaction.started")
    start = {"connectorId": 1, "idTag": "T", "meterStart": 1000, "timestamp": NOON}
    async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
        first = await exchange(websocket, [2, "s1", "StartTransaction", start])
        again = await exchange(websocket, [2, "s2", "StartTransaction", start])
        later = await exchange(
            websocket, [2, "s3", "StartTransaction", {**start, "timestamp": AN_HOUR_LATER}]
        )
    assert again[2] == first[2]
    assert later[2]["transactionId"] != first[2]["transactionId"]
    assert await store.transactions.count(charge_box_id="CP-1") == 2
    published = events.take()
    assert len(published) == 2


async def test_e13_a_transaction_event_re_sent_with_its_seq_no_is_not_stored_again(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        started = transaction_event("Started", 0, 1000)
        updated = transaction_event("Updated", 1, 2000)
        for frame_id, event in (("t1", started), ("t2", updated)):
            assert await exchange(websocket, [2, frame_id, "TransactionEvent", event]) == [
                3,
                frame_id,
                {},
            ]
        # Both again, as a station retrying after lost answers sends them (E13).
        for frame_id, event in (("t3", started), ("t4", updated)):
            assert await exchange(websocket, [2, frame_id, "TransactionEvent", event]) == [
                3,
                frame_id,
                {},
            ]
        ended = transaction_event("Ended", 2, 3000, stoppedReason="Local")
        assert await exchange(websocket, [2, "t5", "TransactionEvent", ended]) == [3, "t5", {}]
    samples = await store.transactions.samples("CP-1", "tx-1")
    assert [s.value for s in samples] == [1, 2, 3]
    record = await store.transactions.get("CP-1", "tx-1")
    assert record is not None
    assert (record.meter_stop_wh, record.last_seq_no) == (3000, 2)
