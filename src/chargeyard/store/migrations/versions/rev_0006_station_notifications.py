"""Keep what a station reports on its own beyond status and transactions: the
``station_notifications`` table (firmware, diagnostics and log upload progress, security events,
device-model report parts). A station's current firmware and diagnostics status is its newest
row of that kind, so ``stations`` does not change.

Before, these messages were only logged and kept by the frame log, which may drop frames when
it falls behind and is written after the station is answered; a report could be acknowledged
and then lost in a kill.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "station_notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_station_notifications_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_notifications")),
    )
    op.create_index(
        op.f("ix_station_notifications_station_id_kind_at"),
        "station_notifications",
        ["station_id", "kind", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_station_notifications_station_id_kind_at"), table_name="station_notifications"
    )
    op.drop_table("station_notifications")
