"""A transaction that can no longer be running is closed by the central system, flagged as
such, and replaced by the station's own stop if one comes (csms/orphans.py), a booting
station's Available reports only once its grace is over (csms/boot_grace.py); a 1.6
MeterValues sent again is kept once (csms/resent.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from chargeyard.csms.boot_grace import ORPHAN_GRACE_S, BootGrace
from chargeyard.csms.events import Event
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.store.models import CsmsCloseReason
from tests.csms.moved_clock import MovedClock
from tests.csms.wire import exchange, url


@pytest.fixture
def clock() -> MovedClock:
    return MovedClock()


@pytest.fixture
async def csms(store: Store, clock: MovedClock) -> AsyncIterator[CsmsServer]:
    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, heartbeat_interval=60, retention=None)
    async with CsmsServer(store, settings, boot_grace=BootGrace(ORPHAN_GRACE_S, clock)) as server:
        yield server


async def _grace_over(csms: CsmsServer, clock: MovedClock) -> None:
    clock.advance(ORPHAN_GRACE_S)
    await asyncio.wait_for(csms.boot_grace.settled(), 5)


BOOT_16 = {"chargePointVendor": "Acme", "chargePointModel": "One"}
BOOT_201 = {"chargingStation": {"vendorName": "Acme", "model": "One"}, "reason": "PowerUp"}


def _start_16(connector_id: int, at: str, meter_start: int = 1000) -> dict[str, Any]:
    return {"connectorId": connector_id, "idTag": "T", "meterStart": meter_start, "timestamp": at}


def _meter_values_16(transaction_id: int, at: str, wh: str, **sample: str) -> dict[str, Any]:
    return {
        "connectorId": 1,
        "transactionId": transaction_id,
        "meterValue": [{"timestamp": at, "sampledValue": [{"value": wh, **sample}]}],
    }


def _status_16(connector_id: int, status: str) -> dict[str, Any]:
    return {
        "connectorId": connector_id,
        "status": status,
        "errorCode": "NoError",
        "timestamp": "2026-11-21T14:00:00Z",
    }


def _started_201(transaction_id: str, at: str, evse_id: int = 1) -> dict[str, Any]:
    return {
        "eventType": "Started",
        "timestamp": at,
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": transaction_id},
        "evse": {"id": evse_id, "connectorId": 1},
        "meterValue": [{"timestamp": at, "sampledValue": [{"value": 1000}]}],
    }


async def _call(websocket: ClientConnection, action: str, payload: dict[str, Any]) -> Any:
    answer = await exchange(websocket, [2, action[:3], action, payload])
    assert answer[0] == 3, answer
    return answer[2]


async def _open_16(csms: CsmsServer) -> ClientConnection:
    return await connect(url(csms), subprotocols=["ocpp1.6"])  # type: ignore[list-item]


def _drained(events: Any) -> list[Event]:
    published: list[Event] = events.take()
    return published


async def test_a_16_start_on_the_same_connector_closes_the_stale_transaction(
    csms: CsmsServer, store: Store
) -> None:
    # The station crashed with transaction A open and forgot it; after its restart it starts
    # B on the same connector. A cannot be running any more.
    events = csms.events.subscribe(accept=lambda event: event.type == "transaction.stopped")
    async with await _open_16(csms) as websocket:
        a = (await _call(websocket, "StartTransaction", _start_16(1, "2026-11-21T10:00:00Z")))[
            "transactionId"
        ]
        await _call(websocket, "MeterValues", _meter_values_16(a, "2026-11-21T10:30:00Z", "4000"))
        other = (await _call(websocket, "StartTransaction", _start_16(2, "2026-11-21T10:40:00Z")))[
            "transactionId"
        ]
    async with await _open_16(csms) as websocket:
        b = (await _call(websocket, "StartTransaction", _start_16(1, "2026-11-21T11:00:00Z")))[
            "transactionId"
        ]
    stale = await store.transactions.get("CP-1", a)
    assert stale is not None
    assert (stale.status, stale.stop_reason, stale.csms_close_reason) == (
        "completed",
        "Other",
        CsmsCloseReason.SUPERSEDED,
    )
    assert (stale.meter_stop_wh, stale.energy_wh) == (4000, 3000)  # the last reading received
    assert stale.stopped_at is not None
    assert stale.stopped_at.hour == 11  # when the new one started
    for still_active in (b, other):  # the new one, and the one on connector 2
        record = await store.transactions.get("CP-1", still_active)
        assert record is not None
        assert record.status == "active"
    [event] = _drained(events)
    assert event.data["transactionId"] == str(a)
    assert (event.data["closedByCsms"], event.data["csmsCloseReason"]) == (
        True,
        "SupersededByNewTransaction",
    )


async def test_a_16_boot_then_available_closes_it_and_the_station_s_own_stop_replaces_that(
    csms: CsmsServer, store: Store, clock: MovedClock
) -> None:
    async with await _open_16(csms) as websocket:
        a = (await _call(websocket, "StartTransaction", _start_16(1, "2026-11-21T10:00:00Z")))[
            "transactionId"
        ]
        await _call(websocket, "MeterValues", _meter_values_16(a, "2026-11-21T10:30:00Z", "4000"))
        # Available without a boot: the station's stop is on its way, nothing is closed.
        await _call(websocket, "StatusNotification", _status_16(1, "Available"))
    record = await store.transactions.get("CP-1", a)
    assert record is not None
    assert record.status == "active"
    async with await _open_16(csms) as websocket:
        await _call(websocket, "BootNotification", BOOT_16)
        await _call(websocket, "StatusNotification", _status_16(0, "Available"))
        await _call(websocket, "StatusNotification", _status_16(2, "Available"))
        record = await store.transactions.get("CP-1", a)
        assert record is not None
        assert record.status == "active"  # connector 0 and another connector leave it
        await _call(websocket, "StatusNotification", _status_16(1, "Available"))
        waiting = await store.transactions.get("CP-1", a)
        assert waiting is not None
        assert waiting.status == "active"  # within the boot's grace
        await _grace_over(csms, clock)
        closed = await store.transactions.get("CP-1", a)
        assert closed is not None
        assert (closed.status, closed.meter_stop_wh, closed.csms_close_reason) == (
            "completed",
            4000,
            CsmsCloseReason.AVAILABLE_AFTER_BOOT,
        )
        # The station kept it after all and reports it ended (1.6 section 4.8, PowerLoss).
        stop = {
            "transactionId": a,
            "meterStop": 4200,
            "timestamp": "2026-11-21T10:45:00Z",
            "reason": "PowerLoss",
        }
        await _call(websocket, "StopTransaction", stop)
        # Later reports are not boot reports: a station may say Available before the stop it
        # has queued (the order is not specified), so a running transaction stays open.
        c = (await _call(websocket, "StartTransaction", _start_16(1, "2026-11-21T13:30:00Z")))[
            "transactionId"
        ]
        await _call(websocket, "StatusNotification", _status_16(1, "Available"))
    running = await store.transactions.get("CP-1", c)
    assert running is not None
    assert running.status == "active"
    reported = await store.transactions.get("CP-1", a)
    assert reported is not None
    assert (reported.meter_stop_wh, reported.stop_reason, reported.csms_close_reason) == (
        4200,
        "PowerLoss",
        None,
    )
    assert reported.stopped_at is not None
    assert (reported.stopped_at.hour, reported.stopped_at.minute) == (10, 45)


async def test_a_16_transaction_opened_on_this_connection_is_closed_by_a_boot_on_it(
    csms: CsmsServer, store: Store, clock: MovedClock
) -> None:
    # The station had nothing open when it connected (the node then skips the look for
    # orphans at boot, csms/known.py), opens one, and reboots without dropping the socket.
    async with await _open_16(csms) as websocket:
        await _call(websocket, "BootNotification", BOOT_16)
        await _call(websocket, "StatusNotification", _status_16(1, "Available"))
        a = (await _call(websocket, "StartTransaction", _start_16(1, "2026-11-21T10:00:00Z")))[
            "transactionId"
        ]
        await _call(websocket, "BootNotification", BOOT_16)
        await _call(websocket, "StatusNotification", _status_16(1, "Available"))
    await _grace_over(csms, clock)  # (the station gone meanwhile: closed all the same)
    closed = await store.transactions.get("CP-1", a)
    assert closed is not None
    assert (closed.status, closed.csms_close_reason) == (
        "completed",
        CsmsCloseReason.AVAILABLE_AFTER_BOOT,
    )


async def test_a_201_transaction_started_on_the_same_evse_closes_the_stale_one(
    csms: CsmsServer, store: Store
) -> None:
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        await _call(websocket, "TransactionEvent", _started_201("old", "2026-11-21T10:00:00Z"))
        await _call(websocket, "TransactionEvent", _started_201("new", "2026-11-21T12:00:00Z"))
        # A late message of a transaction older than "new" never closes "new".
        late = {**_started_201("older", "2026-11-21T09:00:00Z"), "eventType": "Updated"}
        await _call(websocket, "TransactionEvent", late)
    old = await store.transactions.get("CP-1", "old")
    new = await store.transactions.get("CP-1", "new")
    assert old is not None
    assert new is not None
    assert (old.status, old.csms_close_reason) == ("completed", CsmsCloseReason.SUPERSEDED)
    assert (old.meter_stop_wh, old.energy_wh) == (1000, 0)
    assert new.status == "active"


async def test_a_201_boot_then_available_closes_the_evse_s_transaction(
    csms: CsmsServer, store: Store, clock: MovedClock
) -> None:
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        await _call(websocket, "TransactionEvent", _started_201("tx", "2026-11-21T10:00:00Z"))
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        await _call(websocket, "BootNotification", BOOT_201)
        status = {
            "timestamp": "2026-11-21T14:00:00Z",
            "connectorStatus": "Available",
            "evseId": 1,
            "connectorId": 1,
        }
        await _call(websocket, "StatusNotification", status)
        await _grace_over(csms, clock)
    record = await store.transactions.get("CP-1", "tx")
    assert record is not None
    assert (record.status, record.csms_close_reason) == (
        "completed",
        CsmsCloseReason.AVAILABLE_AFTER_BOOT,
    )


async def test_a_16_meter_values_sent_again_are_kept_once(csms: CsmsServer, store: Store) -> None:
    # 1.6 section 4.10: a MeterValues whose answer was lost comes again, on the same
    # connection (after a call timeout) or on the next one (after the connection dropped).
    events = csms.events.subscribe(accept=lambda event: event.type == "transaction.updated")
    async with await _open_16(csms) as websocket:
        a = (await _call(websocket, "StartTransaction", _start_16(1, "2026-11-21T10:00:00Z")))[
            "transactionId"
        ]
        values = _meter_values_16(a, "2026-11-21T10:30:00Z", "4000")
        await _call(websocket, "MeterValues", values)
        await _call(websocket, "MeterValues", values)  # again, on the same connection
        # Another measurand at the same time is another reading, kept.
        power = _meter_values_16(a, "2026-11-21T10:30:00Z", "7400", measurand="Power.Active.Import")
        await _call(websocket, "MeterValues", power)
    async with await _open_16(csms) as websocket:
        await _call(websocket, "MeterValues", values)  # again, after a reconnect
        later = _meter_values_16(a, "2026-11-21T10:45:00Z", "5000")
        await _call(websocket, "MeterValues", later)
    samples = await store.transactions.samples("CP-1", a)
    assert [(s.sampled_at.minute, s.measurand, s.value) for s in samples] == [
        (30, "Energy.Active.Import.Register", 4000),
        (30, "Power.Active.Import", 7400),
        (45, "Energy.Active.Import.Register", 5000),
    ]
    assert len(_drained(events)) == 3  # one transaction.updated per message kept


async def test_a_16_transaction_opened_on_its_connection_is_not_read_for_copies(
    csms: CsmsServer, store: Store, monkeypatch: Any
) -> None:
    # A transaction its own connection opened has nothing stored from an earlier connection:
    # its first MeterValues is written without reading what the transaction has, nor its
    # keys. The same transaction met again on the next connection (its StartTransaction
    # re-sent, 1.6 section 4.10) is read once, and the copy it re-sends is kept once.
    reads: list[bool] = []
    add_samples = store.transactions.add_samples

    async def recording(*args: Any, **kwargs: Any) -> int:
        reads.append(kwargs.get("skip_kept", False))
        return await add_samples(*args, **kwargs)

    monkeypatch.setattr(store.transactions, "add_samples", recording)
    looked_up: list[object] = []
    sample_keys = store.transactions.sample_keys

    async def looking_up(identity: str, transaction: str | int | None = None) -> object:
        looked_up.append(transaction)
        return await sample_keys(identity, transaction)

    monkeypatch.setattr(store.transactions, "sample_keys", looking_up)
    start = _start_16(1, "2026-11-21T10:00:00Z")
    async with await _open_16(csms) as websocket:
        a = (await _call(websocket, "StartTransaction", start))["transactionId"]
        values = _meter_values_16(a, "2026-11-21T10:30:00Z", "4000")
        await _call(websocket, "MeterValues", values)
    assert reads == []
    assert looked_up == []  # its rows' keys known from the start, not looked up
    async with await _open_16(csms) as websocket:
        assert (await _call(websocket, "StartTransaction", start))["transactionId"] == a
        await _call(websocket, "MeterValues", values)
    assert reads == [True]
    samples = await store.transactions.samples("CP-1", a)
    assert [(s.sampled_at.minute, s.value) for s in samples] == [(30, 4000)]


async def test_b01_a_16_stop_kept_behind_the_boot_report_comes_within_the_grace(
    csms: CsmsServer, store: Store, clock: MovedClock, caplog: pytest.LogCaptureFixture
) -> None:
    # A station that kept its transaction across a power loss may report the connector
    # Available before its StopTransaction (1.6 sections 4.2.1 and 4.9 do not order them):
    # the stop arrives within the grace, and the central system closes nothing itself.
    events = csms.events.subscribe(accept=lambda event: event.type == "transaction.stopped")
    async with await _open_16(csms) as websocket:
        a = (await _call(websocket, "StartTransaction", _start_16(1, "2026-11-21T10:00:00Z")))[
            "transactionId"
        ]
        await _call(websocket, "MeterValues", _meter_values_16(a, "2026-11-21T10:30:00Z", "4000"))
    caplog.set_level(logging.WARNING, logger="chargeyard.csms.orphans")
    async with await _open_16(csms) as websocket:
        await _call(websocket, "BootNotification", BOOT_16)
        await _call(websocket, "StatusNotification", _status_16(1, "Available"))
        clock.advance(ORPHAN_GRACE_S - 1)
        stop = {
            "transactionId": a,
            "meterStop": 4200,
            "timestamp": "2026-11-21T10:45:00Z",
            "reason": "PowerLoss",
        }
        await _call(websocket, "StopTransaction", stop)
        await _grace_over(csms, clock)
    record = await store.transactions.get("CP-1", a)
    assert record is not None
    assert (record.meter_stop_wh, record.stop_reason, record.csms_close_reason) == (
        4200,
        "PowerLoss",
        None,
    )
    [event] = _drained(events)  # the station's own stop, told once
    assert (event.data["closedByCsms"], event.data["meterStop"]) == (False, 4200)
    assert "closed by the central system" not in caplog.text


async def test_b01_a_201_available_reported_after_the_grace_closes_at_once(
    csms: CsmsServer, store: Store, clock: MovedClock
) -> None:
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        await _call(websocket, "TransactionEvent", _started_201("tx", "2026-11-21T10:00:00Z"))
    async with connect(url(csms), subprotocols=["ocpp2.0.1"]) as websocket:  # type: ignore[list-item]
        await _call(websocket, "BootNotification", BOOT_201)
        clock.advance(ORPHAN_GRACE_S)
        status = {
            "timestamp": "2026-11-21T14:00:00Z",
            "connectorStatus": "Available",
            "evseId": 1,
            "connectorId": 1,
        }
        await _call(websocket, "StatusNotification", status)
        record = await store.transactions.get("CP-1", "tx")
    assert record is not None
    assert (record.status, record.csms_close_reason) == (
        "completed",
        CsmsCloseReason.AVAILABLE_AFTER_BOOT,
    )
    assert csms.boot_grace.waiting == 0
