"""The command history: every OCPP call the API sent to a station on a user's behalf
(``sent_commands``, ``store/models/messages.py``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_commands",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.String(length=32), nullable=True),
        sa.Column("api_key_name", sa.String(length=255), nullable=True),
        sa.Column("endpoint", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_sent_commands_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_commands")),
    )
    op.create_index(
        op.f("ix_sent_commands_station_id_sent_at"),
        "sent_commands",
        ["station_id", "sent_at"],
        unique=False,
    )
    op.create_index(op.f("ix_sent_commands_sent_at"), "sent_commands", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sent_commands_sent_at"), table_name="sent_commands")
    op.drop_index(op.f("ix_sent_commands_station_id_sent_at"), table_name="sent_commands")
    op.drop_table("sent_commands")
