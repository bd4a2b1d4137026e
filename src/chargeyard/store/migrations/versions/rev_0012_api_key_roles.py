"""API keys carry a role (admin, operator, viewer); the keys made before are admin keys, as
they could do everything.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="admin")
        )
    # The model gives new rows their role; the default was for the rows already there.
    with op.batch_alter_table("api_keys") as batch:
        batch.alter_column("role", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("role")
