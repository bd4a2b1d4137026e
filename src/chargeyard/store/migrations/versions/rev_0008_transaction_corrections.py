"""What a transaction needs to take corrections and copies: ``register_went_backwards`` and
``last_seq_no``.

A station's final register is kept as it reported it, even when it is lower than the start
register or than a stop it reported before; the flag says so instead of the reading being
dropped. ``last_seq_no`` is the highest 2.0.1 TransactionEvent seqNo stored, so that a copy
re-sent after a lost answer (E13) is answered and not stored again. Rows from before are
unflagged and have none.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 23:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "transactions",
        sa.Column(
            "register_went_backwards", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.add_column("transactions", sa.Column("last_seq_no", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table and drops the old one, and the drop
    # would cascade to every meter sample of every transaction. SQLite drops a column in place
    # since 3.35 (2021), as PostgreSQL does.
    op.execute("ALTER TABLE transactions DROP COLUMN last_seq_no")
    op.execute("ALTER TABLE transactions DROP COLUMN register_went_backwards")
