"""Provisioning jobs of the simulator gateway (``gateway_jobs``): what ``POST /ocpp/chargers``
and ``POST /ocpp/locations/{id}/chargers`` answered ``202`` for, and what became of it.

A new table only: existing rows are untouched, nothing is rebuilt (see revision 0002 for why
that matters on SQLite). Timestamps are ``sa.DateTime(timezone=True)``, what the
UtcDateTime decorator stores, so that this file imports no application code.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 13:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gateway_jobs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("job_type", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("charger_id", sa.String(length=64), nullable=True),
        sa.Column("workflow_run_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provisioned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_gateway_jobs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_jobs")),
    )
    op.create_index(
        op.f("ix_gateway_jobs_organization_id_created_at"),
        "gateway_jobs",
        ["organization_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_gateway_jobs_location_id"), "gateway_jobs", ["location_id"], unique=False
    )
    op.create_index(
        op.f("ix_gateway_jobs_charger_id"), "gateway_jobs", ["charger_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_gateway_jobs_charger_id"), table_name="gateway_jobs")
    op.drop_index(op.f("ix_gateway_jobs_location_id"), table_name="gateway_jobs")
    op.drop_index(op.f("ix_gateway_jobs_organization_id_created_at"), table_name="gateway_jobs")
    op.drop_table("gateway_jobs")
