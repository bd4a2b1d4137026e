"""What a network fault did to a frame, in a simulator's frame log (``frames.fault``:
``frame_dropped``, ``frame_duplicated``, ``frame_delayed``...; NULL for every other row).

Nullable, added and dropped in place (no table copy, see 0013). On SQLite the frame log lives
in a file of its own, whose table ``frame_file.py`` keeps up to date; here the main file's
empty ``frames`` table and PostgreSQL's get it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 13:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("frames", sa.Column("fault", sa.String(length=24), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE frames DROP COLUMN fault")
