"""Which worker runs which durable charger when the gateway runs as several processes: the
``fleet_workers`` heartbeats and the ``charger_leases`` (``store/models/workers.py``). Empty in
one process (``chargeyard up`` takes no lease).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 16:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fleet_workers",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("seen_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_fleet_workers")),
    )
    op.create_table(
        "charger_leases",
        sa.Column("charger_id", sa.String(length=64), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["simulated_chargers.id"],
            name=op.f("fk_charger_leases_charger_id_simulated_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("charger_id", name=op.f("pk_charger_leases")),
    )
    op.create_index(op.f("ix_charger_leases_worker"), "charger_leases", ["worker"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_charger_leases_worker"), table_name="charger_leases")
    op.drop_table("charger_leases")
    op.drop_table("fleet_workers")
