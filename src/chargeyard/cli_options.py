"""Options shared by the ``chargeyard`` commands that read the lab's data: where it lives
(``--data-dir``, default ``./data``, as ``chargeyard up`` keeps it) and which database
(``--database-url``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="CHARGEYARD_DATA_DIR",
        help="The lab's data, as `chargeyard up` keeps it: the SQLite database (chargeyard.db)"
        " and the secret of the /ocpp tokens (jwt-secret); created if missing.",
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CHARGEYARD_DATABASE_URL",
        help="sqlite:///path or postgresql://user@host/db; overrides --data-dir.",
    ),
]
DEFAULT_DATA_DIR = Path("data")


def resolve_database_url(data_dir: Path, database_url: str | None) -> str:
    """The URL asked for, else a SQLite file in ``data_dir`` (created if missing)."""
    if database_url:
        return database_url
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / 'chargeyard.db').resolve()}"


def shown_database(url: str) -> str:
    """Where a command wrote, for its confirmation: a SQLite file's path, else the URL
    without its password. A key written to another directory's database than the running
    lab's is then seen at once."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)
