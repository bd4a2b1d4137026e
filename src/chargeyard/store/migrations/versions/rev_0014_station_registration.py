"""A station's own registration: the status the central system answers its BootNotification
with (Accepted, Pending or Rejected; NULL: the CSMS's ``--boot-status``), and the CALLs it sends
a station it answered Pending (OCPP 1.6 section 4.2, OCPP 2.0.1 B02, B03).

Both columns are nullable, added and dropped in place on SQLite (no table copy, see 0013).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 00:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("stations", sa.Column("registration", sa.String(length=16), nullable=True))
    op.add_column("stations", sa.Column("pending_calls", sa.JSON(), nullable=True))


def downgrade() -> None:
    # In place on both databases (SQLite since 3.35): batch mode would copy ``stations`` and
    # drop the old table, which with foreign_keys=ON deletes every connector and transaction.
    for column in ("pending_calls", "registration"):
        op.execute(f"ALTER TABLE stations DROP COLUMN {column}")
