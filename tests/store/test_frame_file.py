"""On SQLite the frame log lives in its own file: frames land there, old frames move there,
and the log no longer waits for the main file's write lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chargeyard.store import Store, create_engine, migrate
from chargeyard.store.frame_file import frame_file_path
from chargeyard.store.models import Direction


def test_the_frame_file_sits_beside_the_database() -> None:
    assert frame_file_path(Path("/data/chargeyard.db")) == Path("/data/chargeyard.frames.db")
    assert frame_file_path(Path("/data/lab")) == Path("/data/lab.frames")


async def test_frames_are_written_to_their_own_file(tmp_path: Path) -> None:
    async with await Store.open(f"sqlite:///{tmp_path / 'lab.db'}") as store:
        assert store.frames_engine is not store.engine
        async with store.frame_log(batch_size=10, interval=60) as log:
            log.record("CP-1", Direction.INCOMING, "Heartbeat", "1", '[2,"1","Heartbeat",{}]')
        assert [frame.unique_id for frame in await store.frames.list("CP-1")] == ["1"]
    with sqlite3.connect(tmp_path / "lab.frames.db") as frames:
        assert frames.execute("SELECT identity, unique_id FROM frames").fetchall() == [
            ("CP-1", "1")
        ]
    with sqlite3.connect(tmp_path / "lab.db") as main:
        assert main.execute("SELECT COUNT(*) FROM frames").fetchone() == (0,)


async def test_frames_logged_in_the_main_file_move_to_the_frame_file(tmp_path: Path) -> None:
    # A database from before the frame file: its frames are in the main file.
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    try:
        await migrate(engine)
        async with Store(engine).frame_log(batch_size=10, interval=60) as log:
            for index in range(5):
                log.record("CP-1", Direction.INCOMING, "Heartbeat", str(index), "[2]")
    finally:
        await engine.dispose()

    for _ in range(2):  # the second open finds nothing more to move
        async with await Store.open(url) as store:
            frames = await store.frames.list("CP-1")
            assert [frame.unique_id for frame in frames] == [str(index) for index in range(5)]
            # Ids kept: a reader polling with after_id sees no frame twice.
            assert [frame.id for frame in frames] == sorted(frame.id for frame in frames)
            async with store.frame_log(batch_size=10, interval=60) as log:
                log.record("CP-2", Direction.OUTGOING, "Reset", "x", "[2]")
    with sqlite3.connect(tmp_path / "old.db") as main:
        assert main.execute("SELECT COUNT(*) FROM frames").fetchone() == (0,)


async def test_an_interrupted_move_is_finished_without_duplicates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'half.db'}"
    async with await Store.open(url) as store, store.frame_log(batch_size=10) as log:
        for index in range(3):
            log.record("CP-1", Direction.INCOMING, "Heartbeat", str(index), "[2]")
    # As if the process died after copying and before deleting: the rows are in both files.
    with sqlite3.connect(tmp_path / "half.db") as main:
        main.execute("ATTACH DATABASE ? AS log", (str(tmp_path / "half.frames.db"),))
        main.execute("INSERT INTO main.frames SELECT * FROM log.frames")
    async with await Store.open(url) as store:
        assert await store.frames.count("CP-1") == 3
    with sqlite3.connect(tmp_path / "half.db") as main:
        assert main.execute("SELECT COUNT(*) FROM frames").fetchone() == (0,)


async def test_a_frame_file_from_before_the_fault_column_gets_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    async with await Store.open(url) as store, store.frame_log(batch_size=10, interval=60) as log:
        log.record("CP-1", Direction.OUTGOING, "Heartbeat", "1", '[2,"1","Heartbeat",{}]')
    with sqlite3.connect(tmp_path / "lab.frames.db") as frames:
        frames.execute("ALTER TABLE frames DROP COLUMN fault")  # as an earlier version made it

    async with await Store.open(url) as store:
        async with store.frame_log(batch_size=10, interval=60) as log:
            log.record("CP-1", Direction.OUTGOING, "Heartbeat", "1", "[2]", fault="frame_dropped")
        frames_of = await store.frames.list("CP-1")
        assert [(f.unique_id, f.fault) for f in frames_of] == [("1", None), ("1", "frame_dropped")]
