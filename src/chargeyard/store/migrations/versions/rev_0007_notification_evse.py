"""Keep the EVSE a station notification is about: ``station_notifications.evse_id``.

The 2.0.1 reports kept as notifications since this revision name an EVSE: reported charging
profiles (K09), charging limits (K11-K14), an EV's charging needs and schedule (K15-K17), an
event's component (N07). Rows from before have none (NULL), as the messages they hold named
none.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("station_notifications", sa.Column("evse_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("station_notifications") as batch:
        batch.drop_column("evse_id")
