"""``transactions.csms_close_reason``: a transaction the central system closed because it could
no longer be running (another one started on its connector, or its station booted and
reported the connector Available), rather than one its station reported ended. Rows from
before were all closed by their stations, or are still active.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("transactions", sa.Column("csms_close_reason", sa.String(48), nullable=True))


def downgrade() -> None:
    # In place, not batch mode (see 0008: a batch copy would cascade to the meter samples).
    op.execute("ALTER TABLE transactions DROP COLUMN csms_close_reason")
