"""What a station reported survives the central system being killed (SQLite, WAL,
synchronous=NORMAL): a repository call that returned has committed, and a committed
transaction is in the WAL file, which the next open replays."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chargeyard.store import Store, upgrade
from chargeyard.store.models import MeterSample, Transaction

pytestmark = pytest.mark.slow

CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from datetime import UTC, datetime
    from chargeyard.store import Store, create_engine
    from chargeyard.store.repositories import SampledValue

    async def main(url):
        store = Store(create_engine(url))
        now = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
        await store.stations.register("CP-1")
        started = await store.transactions.start(
            "CP-1", connector_id=1, id_tag="TAG", meter_start_wh=100, started_at=now
        )
        await store.transactions.add_samples(
            "CP-1", [SampledValue(now, 150.0)], transaction_id=started.transaction_id
        )
        await store.transactions.stop(
            "CP-1", started.transaction_id, meter_stop_wh=900, stopped_at=now
        )
        # The moment a CSMS would send the CALLRESULT: tell the parent, then hang with the
        # engine (and its connections) open, as a live server would when it is killed.
        print(started.transaction_id, flush=True)
        time.sleep(60)

    asyncio.run(main(sys.argv[1]))
    """
)


def test_committed_transaction_survives_sigkill(tmp_path: Path) -> None:
    # A plain (sync) test: it drives a subprocess, and runs the store's async calls itself.
    path = tmp_path / "csms.db"
    url = f"sqlite:///{path}"
    asyncio.run(upgrade(url))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        transaction_id = child.stdout.readline().strip()
        assert transaction_id == "1", "the child did not get to commit"
        # The commits are in the write-ahead log, not yet checkpointed into the main file.
        assert Path(f"{path}-wal").stat().st_size > 0
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    transaction, samples = asyncio.run(_read_back(url, transaction_id))
    assert transaction is not None
    assert (transaction.status, transaction.energy_wh, transaction.id_tag) == (
        "completed",
        800.0,
        "TAG",
    )
    assert transaction.stopped_at == datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
    assert [sample.value for sample in samples] == [150.0]


async def _read_back(
    url: str, transaction_id: str
) -> tuple[Transaction | None, Sequence[MeterSample]]:
    async with await Store.open(url, upgrade=False) as store:
        transaction = await store.transactions.get("CP-1", transaction_id)
        samples = await store.transactions.samples("CP-1", transaction_id)
    return transaction, samples
