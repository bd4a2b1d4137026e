"""The SQLite database, its frame file, their -wal and -shm files and the data directory are
readable by their owner only, as the lab's secrets beside them are."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from chargeyard.cli_options import resolve_database_url
from chargeyard.store import Store
from chargeyard.store.private_files import private_directory


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    """The umask most systems give (022): files 644 and directories 755 unless made private."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_its_companions_and_its_directory_are_private(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    async with await Store.open(f"sqlite:///{data / 'chargeyard.db'}") as store:
        await store.stations.register("CP-1")
        written = sorted(path.name for path in data.iterdir())
        modes = {path.name: _mode(path) for path in data.iterdir()}
    assert {"chargeyard.db-wal", "chargeyard.db-shm", "chargeyard.frames.db"} <= set(written)
    assert modes == dict.fromkeys(written, 0o600)
    assert _mode(data) == 0o700


async def test_an_existing_database_left_readable_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "chargeyard.db"
    async with await Store.open(f"sqlite:///{database}") as store:
        await store.stations.register("CP-1")
    left = [database, tmp_path / "chargeyard.frames.db", Path(f"{database}-wal")]
    for path in left:
        path.touch()
        path.chmod(0o644)
    async with await Store.open(f"sqlite:///{database}") as store:
        assert await store.stations.get("CP-1") is not None
        assert [_mode(path) for path in left] == [0o600] * len(left)


def test_a_data_directory_is_made_private(tmp_path: Path) -> None:
    data = tmp_path / "nested" / "data"
    private_directory(data)
    assert _mode(data) == 0o700


def test_a_data_directory_chargeyard_made_earlier_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "chargeyard.db").touch()
    private_directory(data)
    assert _mode(data) == 0o700


def test_a_directory_of_the_users_own_is_left_as_it_is_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mine = tmp_path / "project"
    mine.mkdir(mode=0o755)
    with caplog.at_level(logging.WARNING, logger="chargeyard.store.private_files"):
        private_directory(mine)
    assert _mode(mine) == 0o755
    assert [record.getMessage() for record in caplog.records] == [
        f"{mine} can be read by other users of this machine (mode 755): `chmod 700 {mine}`"
        " makes it private"
    ]


def test_the_commands_default_database_directory_is_made_private(tmp_path: Path) -> None:
    """``chargeyard csms``, ``apikey`` and the other commands with ``--data-dir``."""
    data = tmp_path / "data"
    url = resolve_database_url(data, None)
    assert url == f"sqlite:///{data.resolve() / 'chargeyard.db'}"
    assert _mode(data) == 0o700
