"""DataTransfer history: both directions, newest first, at most 100."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import Direction

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


async def test_record_and_read_back_newest_first(store: Store) -> None:
    await store.stations.register("CHARGER-001")
    await store.stations.register("CHARGER-002")
    incoming = await store.data_transfers.record(
        "CHARGER-001",
        direction=Direction.INCOMING,
        vendor_id="Alfen",
        message_id="Telemetry",
        data='{"t": 21}',
        response_status="Accepted",
        at=T0,
    )
    outgoing = await store.data_transfers.record(
        "CHARGER-001",
        direction=Direction.OUTGOING,
        vendor_id="MyVendor",
        message_id="GetDisplayMessage",
        data='{"screen": 1}',
        at=T0 + timedelta(minutes=1),
    )
    await store.data_transfers.record(
        "CHARGER-002", direction=Direction.INCOMING, vendor_id="Other", at=T0
    )
    completed = await store.data_transfers.set_response(
        outgoing.id, "Accepted", '{"text": "Hello"}'
    )
    assert outgoing.id.startswith("dt_")
    assert incoming.id != outgoing.id
    assert (completed.response_status, completed.response_data) == (
        "Accepted",
        '{"text": "Hello"}',
    )

    history = await store.data_transfers.history("CHARGER-001")
    assert [
        (t.direction, t.vendor_id, t.message_id, t.data, t.response_status, t.created_at)
        for t in history
    ] == [
        ("outgoing", "MyVendor", "GetDisplayMessage", '{"screen": 1}', "Accepted", T0 + MINUTE),
        ("incoming", "Alfen", "Telemetry", '{"t": 21}', "Accepted", T0),
    ]


async def test_history_is_capped_at_100(store: Store) -> None:
    await store.stations.register("CP-1")
    for second in range(105):
        await store.data_transfers.record(
            "CP-1", direction=Direction.INCOMING, vendor_id="V", at=T0 + timedelta(seconds=second)
        )
    assert len(await store.data_transfers.history("CP-1")) == 20  # the API's default
    newest = await store.data_transfers.history("CP-1", limit=500)
    assert len(newest) == 100
    assert newest[0].created_at == T0 + timedelta(seconds=104)


async def test_unknown_station_or_transfer(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.data_transfers.record("CP-404", direction=Direction.INCOMING, vendor_id="V")
    with pytest.raises(NotFoundError):
        await store.data_transfers.history("CP-404")
    with pytest.raises(NotFoundError):
        await store.data_transfers.set_response("dt_missing", "Accepted")
