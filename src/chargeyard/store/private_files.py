"""The data directory, the SQLite files and the secrets in it, readable by their owner only.

Theory of operation
-------------------
The database holds id tags, every frame in and out, webhook URLs and API key hashes; the data
directory beside it holds the lab's secrets (``lab/secrets.py``) and the central system's CA
key (``csms/authority.py``), which :func:`write_private` writes mode 600. So the database
files are mode 600 too, and so is the directory (700):

- :func:`private_directory` makes a data directory 700. An existing one that holds a
  chargeyard database (:data:`DATABASE_NAME`) is chargeyard's, made when a lab last started
  there: it is tightened. Any other existing directory is the user's to set; a warning says
  when other users can read it.
- :func:`protect_sqlite` runs before a SQLite database is opened (``Store.open``,
  ``frame_file.py``). It creates a missing directory 700 and a missing database file 600, and
  tightens existing files to 600. SQLite creates the ``-wal`` and ``-shm`` files with the mode
  of the database file (its unix VFS copies it), so they follow; those already there are
  tightened here as well.

Files and directories the process does not own are left alone, with a warning: ``chmod``
would fail on them anyway.

This module imports nothing of chargeyard, so that the store, the central system and the lab
share it without importing each other.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "chargeyard.db"
"""The database file a data directory holds (``DATA_DIR/chargeyard.db``)."""

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700
_OTHERS = stat.S_IRWXG | stat.S_IRWXO
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_directory(directory: Path) -> None:
    """Create ``directory`` (and missing parents) with mode 700, or tighten it to 700 when it
    is a data directory chargeyard made (it holds :data:`DATABASE_NAME`)."""
    if not directory.exists():
        directory.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
        return
    if (directory / DATABASE_NAME).exists():
        _tighten(directory, PRIVATE_DIRECTORY)
    else:
        _warn_if_open(directory)


def protect_sqlite(database: Path) -> None:
    """Before ``database`` is opened: its directory exists (created 700), the file exists
    (created 600), and it and its ``-wal``, ``-shm`` and ``-journal`` files are mode 600."""
    directory = database.parent
    try:
        if not directory.exists():
            directory.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
        # An empty file is an empty database to SQLite; made here, it has its mode from birth.
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass
    except OSError:
        return  # not ours to make (read-only, no permission): SQLite says so when it opens
    for path in (database, *(Path(f"{database}{suffix}") for suffix in _SQLITE_COMPANIONS)):
        if path.exists():
            _tighten(path, PRIVATE_FILE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (mode 600), atomically: a
    temporary file beside it, renamed, so that a crash never leaves half a secret."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.chmod(temporary, PRIVATE_FILE)  # an existing temporary file keeps its mode otherwise
    os.replace(temporary, path)


def _tighten(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if not current & _OTHERS:
        return
    try:
        path.chmod(mode)
    except PermissionError:
        _warn_if_open(path)
        return
    logger.info("%s was readable by other users (mode %o): now %o", path, current, mode)


def _warn_if_open(path: Path) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if current & _OTHERS:
        logger.warning(
            "%s can be read by other users of this machine (mode %o): `chmod %o %s` makes"
            " it private",
            path,
            current,
            PRIVATE_DIRECTORY if path.is_dir() else PRIVATE_FILE,
            path,
        )
