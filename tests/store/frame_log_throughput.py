"""How many frames per second the frame log absorbs into a SQLite file (not a test: run it).

    .venv/bin/python tests/store/frame_log_throughput.py [frames] [url]

Records ``frames`` MeterValues-sized frames from 100 identities as fast as the event loop
allows (yielding every 500 frames, as a busy server would between socket reads), then stops the
log, which flushes; the figure is frames / elapsed time until the last frame is committed.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from chargeyard.store import Store
from chargeyard.store.models import Direction

FRAME = (
    '[2,"%d","MeterValues",{"connectorId":1,"transactionId":42,"meterValue":[{"timestamp":'
    '"2026-02-10T14:00:00.000Z","sampledValue":[{"value":"1234.5","measurand":'
    '"Energy.Active.Import.Register","unit":"Wh"}]}]}]'
)


async def measure(url: str, frames: int) -> None:
    store = await Store.open(url)
    log = store.frame_log()
    identities = [f"CP-{index:03d}" for index in range(100)]
    await log.start()
    started = time.perf_counter()
    for index in range(frames):
        log.record(
            identities[index % 100], Direction.INCOMING, "MeterValues", str(index), FRAME % index
        )
        if index % 500 == 499:
            await asyncio.sleep(0)
    recorded = time.perf_counter() - started
    await log.stop()
    elapsed = time.perf_counter() - started
    stored = await store.frames.count()
    await store.close()
    print(
        f"{frames} frames: record() {frames / recorded:,.0f}/s, committed {frames / elapsed:,.0f}/s"
        f" ({elapsed:.2f} s; stored {stored}, dropped {log.dropped})"
    )


def main() -> None:
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as directory:
        url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(directory) / 'frames.db'}"
        asyncio.run(measure(url, frames))


if __name__ == "__main__":
    main()
