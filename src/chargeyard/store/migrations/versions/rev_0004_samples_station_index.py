"""Drop the meter samples' (station_id, sampled_at) index.

No query reads samples by station: they are read by transaction (the transaction index stays).
The index only served ``ON DELETE CASCADE`` from ``stations``, and it cost the hot path: with a
thousand stations writing, every batch of samples touched a leaf page per station in it, a
quarter of the time the sample writer spent per row (benchmarks/csms.py, docs/benchmarks-csms.md).
Deleting a station now scans ``meter_samples`` once for its rows, which is rare and bounded.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 16:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("ix_meter_samples_station_id_sampled_at"), table_name="meter_samples")


def downgrade() -> None:
    op.create_index(
        op.f("ix_meter_samples_station_id_sampled_at"),
        "meter_samples",
        ["station_id", "sampled_at"],
        unique=False,
    )
