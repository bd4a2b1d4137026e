"""A migrated SQLite database for a test, in milliseconds.

Opening a new SQLite file runs every migration (57 tables, 81 indexes): 0.25-0.33 s on this
2-core class of machine, paid by each of the ~1,000 tests that start a central system, an API
or a gateway on a fresh store. A copy of a file migrated once per test process takes a few
milliseconds, and ``Store.open`` then finds it at head, the path a restart takes. The frame
log's file beside it (``store/frame_file.py``) is copied too, its table already created. The
migrations themselves are tested from empty databases in ``tests/store``, whose other tests
copy the same main file.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from chargeyard.store import Store
from chargeyard.store.frame_file import frame_file_path

_template: Path | None = None


def migrated_sqlite_url(directory: Path, name: str) -> str:
    """``sqlite:///{directory}/{name}``, migrated to head. A file already there is kept as it
    is: a test that opens its store again after a "restart" finds what it stored."""
    path = directory / name
    if not path.exists():
        template = migrated_template()
        shutil.copyfile(template, path)
        shutil.copyfile(frame_file_path(template), frame_file_path(path))
    return f"sqlite:///{path}"


def migrated_template() -> Path:
    """This process's SQLite file migrated to head, made on first use; copy it, never open it."""
    global _template
    if _template is None:
        directory = Path(tempfile.mkdtemp(prefix="chargeyard-migrated-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        path = directory / "template.db"
        # Called from tests already inside an event loop: migrate on a thread of its own (its
        # errors are raised here). Closing the store checkpoints the WALs, so each file
        # holds its whole schema.
        with ThreadPoolExecutor(1) as migrating:
            migrating.submit(asyncio.run, _open_and_close(f"sqlite:///{path}")).result()
        _template = path
    return _template


async def _open_and_close(url: str) -> None:
    """Migrate ``url`` and create its frame log's file, as the first ``Store.open`` does."""
    store = await Store.open(url)
    await store.close()
