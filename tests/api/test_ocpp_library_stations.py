"""The CSMS against stations written with the third-party ``ocpp`` library: what they send is
answered within the official schemas (the library validates every answer) and kept in the
store as they reported it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from tests.api.ocpp_library_stations import (
    FIRMWARE,
    MODEL,
    SERIAL,
    VENDOR,
    LibraryStation,
    LibraryStation16,
    LibraryStation201,
    booted,
    now,
)
from tests.stack_lab import StackLab

START = "2026-02-10T14:00:00.000Z"
MIDDLE = "2026-02-10T14:30:00.000Z"
END = "2026-02-10T15:00:00.000Z"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def utc(moment: datetime | None) -> datetime | None:
    """The store's time as aware UTC (SQLite hands back naive UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@pytest.fixture(params=["1.6", "2.0.1"])
async def station(
    csms_lab: StackLab, request: pytest.FixtureRequest
) -> AsyncIterator[LibraryStation]:
    async with booted(csms_lab, request.param, "LIB-1") as station:
        yield station


@pytest.fixture
async def station16(csms_lab: StackLab) -> AsyncIterator[LibraryStation16]:
    async with booted(csms_lab, "1.6", "LIB-16") as station:
        assert isinstance(station, LibraryStation16)
        yield station


@pytest.fixture
async def station201(csms_lab: StackLab) -> AsyncIterator[LibraryStation201]:
    async with booted(csms_lab, "2.0.1", "LIB-201") as station:
        assert isinstance(station, LibraryStation201)
        yield station


@pytest.fixture
async def tags(csms_lab: StackLab) -> None:
    await csms_lab.store.id_tags.create("TAG-OK")
    await csms_lab.store.id_tags.create("TAG-BLOCKED", status="Blocked")


# -- Boot, heartbeat, status (1.6 sections 4.2/4.6/4.9; 2.0.1 B01, G02, G01) ------------------


async def test_b01_boot_is_accepted_and_the_station_kept(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    answer = await station.boot()  # a second boot: the first one is in the fixture
    assert (answer.status, answer.interval) == ("Accepted", 60)
    assert abs(at(answer.current_time) - datetime.now(UTC)) < timedelta(seconds=5)
    kept = await csms_lab.store.stations.get("LIB-1")
    assert kept is not None
    assert (
        kept.vendor,
        kept.model,
        kept.serial_number,
        kept.firmware_version,
        kept.ocpp_version.name,
        kept.registration_status,
        kept.is_online,
    ) == (VENDOR, MODEL[station.version], SERIAL, FIRMWARE, station.version, "Accepted", True)


async def test_g02_heartbeat_answers_the_time_and_is_kept(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    call = call16.Heartbeat() if station.version == "1.6" else call201.Heartbeat()
    answer = await station.send(call)
    kept = await csms_lab.store.stations.get("LIB-1")
    assert kept is not None
    heard = utc(kept.last_heartbeat)
    assert heard is not None
    # The answer is the time kept, in milliseconds as OCPP writes it.
    assert timedelta(0) <= heard - at(answer.current_time) < timedelta(milliseconds=1)


async def test_status_notification_of_a_1_6_charge_point(
    csms_lab: StackLab, station16: LibraryStation16
) -> None:
    for connector, status, error in ((0, "Available", "NoError"), (1, "Faulted", "GroundFailure")):
        answer = await station16.send(
            call16.StatusNotification(
                connector_id=connector, error_code=error, status=status, timestamp=START
            )
        )
        assert answer is not None
    connectors = await csms_lab.store.connectors.list("LIB-16")
    assert [
        (c.evse_id, c.connector_id, c.status, c.error_code, utc(c.updated_at)) for c in connectors
    ] == [(0, 0, "Available", "NoError", at(START)), (0, 1, "Faulted", "GroundFailure", at(START))]


async def test_g01_status_notification_of_a_2_0_1_evse(
    csms_lab: StackLab, station201: LibraryStation201
) -> None:
    await station201.send(
        call201.StatusNotification(
            timestamp=START, connector_status="Occupied", evse_id=1, connector_id=1
        )
    )
    connectors = await csms_lab.store.connectors.list("LIB-201")
    assert [(c.evse_id, c.connector_id, c.status) for c in connectors] == [(1, 1, "Occupied")]


# -- Authorization (1.6 section 4.1; 2.0.1 C01) -------------------------------------------


@pytest.mark.usefixtures("tags")
@pytest.mark.parametrize(
    ("tag", "status"),
    [("TAG-OK", "Accepted"), ("TAG-BLOCKED", "Blocked"), ("TAG-UNKNOWN", "Invalid")],
)
async def test_c01_authorize_answers_the_tags_status(
    station: LibraryStation, tag: str, status: str
) -> None:
    if station.version == "1.6":
        answer = await station.send(call16.Authorize(id_tag=tag))
        assert answer.id_tag_info == {"status": status}
    else:
        token = {"id_token": tag, "type": "ISO14443"}
        answer = await station.send(call201.Authorize(id_token=token))
        assert answer.id_token_info == {"status": status}


# -- Transactions -----------------------------------------------------------------------------


def energy16(wh: int, moment: str) -> dict[str, object]:
    """A 1.6 MeterValue: the energy register in Wh (section 7.32)."""
    return {
        "timestamp": moment,
        "sampled_value": [
            {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
        ],
    }


@pytest.mark.usefixtures("tags")
async def test_a_1_6_transaction_is_kept_from_start_to_stop(
    csms_lab: StackLab, station16: LibraryStation16
) -> None:
    started = await station16.send(
        call16.StartTransaction(connector_id=1, id_tag="TAG-OK", meter_start=1000, timestamp=START)
    )
    assert started.id_tag_info == {"status": "Accepted"}
    transaction_id = started.transaction_id
    await station16.send(
        call16.MeterValues(
            connector_id=1, transaction_id=transaction_id, meter_value=[energy16(3000, MIDDLE)]
        )
    )
    stopped = await station16.send(
        call16.StopTransaction(
            meter_stop=5500,
            timestamp=END,
            transaction_id=transaction_id,
            reason="EVDisconnected",
            id_tag="TAG-OK",
            transaction_data=[energy16(5500, END)],
        )
    )
    assert stopped.id_tag_info == {"status": "Accepted"}

    kept = await csms_lab.store.transactions.get("LIB-16", transaction_id)
    assert kept is not None
    assert (
        kept.connector_id,
        kept.id_tag,
        kept.meter_start_wh,
        kept.meter_stop_wh,
        kept.energy_wh,
        utc(kept.started_at),
        utc(kept.stopped_at),
        kept.stop_reason,
        kept.status,
    ) == (1, "TAG-OK", 1000, 5500, 4500, at(START), at(END), "EVDisconnected", "completed")
    samples = await csms_lab.store.transactions.samples("LIB-16", transaction_id)
    assert [(utc(s.sampled_at), s.value, s.unit) for s in samples] == [
        (at(MIDDLE), 3000, "Wh"),
        (at(END), 5500, "Wh"),
    ]


@pytest.mark.usefixtures("tags")
async def test_a_1_6_start_with_a_blocked_tag_gets_an_id_and_blocked(
    csms_lab: StackLab, station16: LibraryStation16
) -> None:
    # The id is handed out anyway: the charge point stops the transaction (1.6 section 4.8).
    started = await station16.send(
        call16.StartTransaction(
            connector_id=1, id_tag="TAG-BLOCKED", meter_start=0, timestamp=now()
        )
    )
    assert started.id_tag_info == {"status": "Blocked"}
    kept = await csms_lab.store.transactions.get("LIB-16", started.transaction_id)
    assert kept is not None
    assert (kept.id_tag, kept.status) == ("TAG-BLOCKED", "active")


def energy201(wh: int, moment: str) -> list[dict[str, object]]:
    """A 2.0.1 meterValue holding the energy register (the default measurand) in Wh."""
    return [{"timestamp": moment, "sampled_value": [{"value": wh}]}]


@pytest.mark.usefixtures("tags")
async def test_e01_a_2_0_1_transaction_is_kept_from_started_to_ended(
    csms_lab: StackLab, station201: LibraryStation201
) -> None:
    token = {"id_token": "TAG-OK", "type": "ISO14443"}
    started = await station201.send(
        call201.TransactionEvent(
            event_type="Started",
            timestamp=START,
            trigger_reason="Authorized",
            seq_no=0,
            transaction_info={"transaction_id": "tx-lib-1", "charging_state": "EVConnected"},
            meter_value=energy201(1000, START),
            evse={"id": 1, "connector_id": 1},
            id_token=token,
        )
    )
    assert started.id_token_info == {"status": "Accepted"}
    updated = await station201.send(
        call201.TransactionEvent(
            event_type="Updated",
            timestamp=MIDDLE,
            trigger_reason="ChargingStateChanged",
            seq_no=1,
            transaction_info={"transaction_id": "tx-lib-1", "charging_state": "Charging"},
            meter_value=energy201(3000, MIDDLE),
        )
    )
    assert updated.id_token_info is None
    kept = await csms_lab.store.transactions.get("LIB-201", "tx-lib-1")
    assert kept is not None
    assert (kept.charging_state, kept.status) == ("Charging", "active")

    ended = await station201.send(
        call201.TransactionEvent(
            event_type="Ended",
            timestamp=END,
            trigger_reason="EVCommunicationLost",
            seq_no=2,
            transaction_info={"transaction_id": "tx-lib-1", "stopped_reason": "EVDisconnected"},
            meter_value=energy201(5500, END),
        )
    )
    assert ended.id_token_info is None
    kept = await csms_lab.store.transactions.get("LIB-201", "tx-lib-1")
    assert kept is not None
    assert (
        kept.evse_id,
        kept.connector_id,
        kept.id_tag,
        kept.meter_start_wh,
        kept.meter_stop_wh,
        kept.energy_wh,
        utc(kept.started_at),
        utc(kept.stopped_at),
        kept.stop_reason,
        kept.status,
    ) == (1, 1, "TAG-OK", 1000, 5500, 4500, at(START), at(END), "EVDisconnected", "completed")
    samples = await csms_lab.store.transactions.samples("LIB-201", "tx-lib-1")
    assert [(utc(s.sampled_at), s.value) for s in samples] == [
        (at(START), 1000),
        (at(MIDDLE), 3000),
        (at(END), 5500),
    ]


@pytest.mark.usefixtures("tags")
async def test_e01_a_2_0_1_transaction_with_a_blocked_token_is_told_so(
    station201: LibraryStation201,
) -> None:
    started = await station201.send(
        call201.TransactionEvent(
            event_type="Started",
            timestamp=now(),
            trigger_reason="Authorized",
            seq_no=0,
            transaction_info={"transaction_id": "tx-blocked"},
            evse={"id": 1, "connector_id": 1},
            id_token={"id_token": "TAG-BLOCKED", "type": "ISO14443"},
        )
    )
    assert started.id_token_info == {"status": "Blocked"}
