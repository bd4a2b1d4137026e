"""``chargeyard up`` stopped with SIGTERM while sessions run, and started again: the stations
report their transactions ended by the power loss on their next boot (OCPP 1.6 StopTransaction
reason PowerLoss, 2.0.1 TransactionEvent Ended stoppedReason PowerLoss), and no row is lost."""

from __future__ import annotations

import asyncio
import math
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.processes import UpProcess

pytestmark = pytest.mark.slow

# Tables whose rows must all survive a stop and a restart.
TABLES = (
    "log.frames",
    "transactions",
    "meter_samples",
    "connector_status_history",
    "commands",
    "charger_logs",
    "simulated_chargers",
)
ARGUMENTS = ("--chargers", "2")  # DEMO-01 speaks OCPP 1.6, DEMO-02 2.0.1 (lab/demo.py MIX)


def _rows(database: sqlite3.Connection) -> dict[str, set[int] | set[str]]:
    rows: dict[str, set[int] | set[str]] = {}
    for table in TABLES:
        rows[table] = {row[0] for row in database.execute(f"SELECT id FROM {table}")}
    return rows


def _register_samples(database: sqlite3.Connection, transaction_pk: int) -> list[float]:
    return [
        row[0]
        for row in database.execute(
            "SELECT value FROM meter_samples WHERE transaction_pk = ?"
            " AND measurand = 'Energy.Active.Import.Register'",
            (transaction_pk,),
        )
    ]


async def _active_on_both(api: httpx.AsyncClient, key: str) -> list[dict[str, Any]]:
    """Wait until the automatic sessions run a transaction on each charger."""
    async with asyncio.timeout(30):
        while True:
            page = await api.get(
                "/api/v1/transactions",
                params={"status": "active", "limit": 100},
                headers={"X-API-Key": key},
            )
            active: list[dict[str, Any]] = page.json()["data"]
            if {"DEMO-01", "DEMO-02"} <= {t["chargeBoxId"] for t in active}:
                return active
            await asyncio.sleep(0.2)


async def test_sigterm_keeps_open_sessions_and_the_next_boot_reports_them_power_loss(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    first = UpProcess(data_dir, *ARGUMENTS, "--sessions-per-hour", "36000")
    try:
        await first.start()
        _, key = first.credentials()
        async with httpx.AsyncClient(base_url=first.api_url) as api:
            running = await _active_on_both(api, key)
            await asyncio.sleep(1.5)  # some energy flows
    finally:
        assert await first.stop() == 0, first.stderr
    open_ids = {str(t["transactionId"]) for t in running}

    with first.database() as database:
        before = _rows(database)
        # Each charger's frames, as the CSMS logged them and as the station logged them: the
        # same conversation, both flushed.
        for identity, charger_id in database.execute(
            "SELECT identity, id FROM simulated_chargers"
        ).fetchall():
            csms_side = database.execute(
                "SELECT COUNT(*) FROM log.frames WHERE identity = ?", (identity,)
            ).fetchone()
            station_side = database.execute(
                "SELECT COUNT(*) FROM log.frames WHERE identity = ?", (charger_id,)
            ).fetchone()
            assert csms_side == station_side, identity
        still_open = {
            transaction_id: (pk, meter_start)
            for pk, transaction_id, meter_start in database.execute(
                "SELECT id, transaction_id, meter_start_wh FROM transactions"
                " WHERE status = 'active'"
            )
        }
        seen_wh = {tid: _register_samples(database, pk) for tid, (pk, _) in still_open.items()}
        kept = [
            orjson.loads(config)["power_loss"]
            for (config,) in database.execute("SELECT config FROM simulated_chargers")
        ]
    # A real station keeps its transactions through a power loss: the CSMS still has them
    # open, and the chargers' rows hold what the stations will report.
    assert open_ids <= set(still_open)
    # (1.6: the id the CSMS gave; 2.0.1: the station's own)
    remembered = {
        str(t["csms_id"] if t["csms_id"] is not None else t["transaction_id"])
        for snapshot in kept
        for t in snapshot["transactions"]
    }
    assert remembered == set(still_open)

    # Started again on another pair of ports: the demo's chargers follow the listener.
    again = UpProcess(data_dir, *ARGUMENTS, "--sessions-per-hour", "0.001")
    try:
        await again.start()
        async with httpx.AsyncClient(base_url=again.api_url) as api:
            ended: dict[str, dict[str, Any]] = {}
            async with asyncio.timeout(20):
                while set(ended) != set(still_open):
                    for transaction_id in set(still_open) - set(ended):
                        answer = await api.get(
                            f"/api/v1/transactions/{transaction_id}", headers={"X-API-Key": key}
                        )
                        if answer.json()["status"] == "completed":
                            ended[transaction_id] = answer.json()
                    await asyncio.sleep(0.2)
            stations = (await api.get("/api/v1/chargers", headers={"X-API-Key": key})).json()
    finally:
        assert await again.stop() == 0, again.stderr

    assert "2 chargers running" in again.stderr  # resumed
    # The stations' stops come before their boot reports, within the CSMS's grace: the CSMS
    # never closed one itself at an older register first.
    assert "closed by the central system" not in again.stderr
    assert {s["chargeBoxId"]: s["isOnline"] for s in stations["data"]} == {
        "DEMO-01": True,
        "DEMO-02": True,
    }
    versions = set()
    whole_wh = {s["chargeBoxId"] for s in stations["data"] if s["ocppVersion"] == "1.6"}
    for transaction_id, transaction in ended.items():
        _, meter_start = still_open[transaction_id]
        assert transaction["stopReason"] == "PowerLoss"
        # The energy is what the meter had when the power went: at least what the CSMS saw,
        # to the whole Wh 1.6's meterStop carries (an integer; its meter values have 0.1 Wh).
        seen = max([meter_start, *seen_wh[transaction_id]])
        if transaction["chargeBoxId"] in whole_wh:
            seen = math.floor(seen)
        assert transaction["meterStop"] >= seen
        # To the meter's 0.1 Wh, without the tail of a binary subtraction.
        assert transaction["energyDelivered"] == round(transaction["meterStop"] - meter_start, 1)
        versions.add(transaction["chargeBoxId"])
    assert {"DEMO-01", "DEMO-02"} <= versions
    assert any(t["energyDelivered"] > 0 for t in ended.values())

    with again.database() as database:
        after = _rows(database)
        reports = database.execute(
            "SELECT text FROM log.frames WHERE identity LIKE 'DEMO-%' AND direction = 'incoming'"
            " AND action IN ('StopTransaction', 'TransactionEvent')"
        ).fetchall()
        kept = [
            orjson.loads(config)["power_loss"]
            for (config,) in database.execute("SELECT config FROM simulated_chargers")
        ]
    for table, ids in before.items():
        assert ids <= after[table], f"rows of {table} lost"
    # The reports as the CSMS received them: 1.6 reason PowerLoss, 2.0.1 Ended PowerLoss.
    payloads = [orjson.loads(text)[3] for (text,) in reports]
    power_loss_16 = [p for p in payloads if p.get("reason") == "PowerLoss"]
    power_loss_201 = [
        p
        for p in payloads
        if p.get("eventType") == "Ended"
        and p["transactionInfo"].get("stoppedReason") == "PowerLoss"
        and p["triggerReason"] == "AbnormalCondition"
    ]
    assert power_loss_16
    assert power_loss_201
    assert len(power_loss_16) + len(power_loss_201) == len(still_open)
    # Reported, so nothing is left to report after this clean stop.
    assert all(snapshot["transactions"] == [] for snapshot in kept)
