"""Organizations on the central system: API keys, stations and webhooks name the organization
that owns them, and id tags are one organization's (the key of ``id_tags`` becomes
``(organization_id, id_tag)``). Everything already there belongs to the ``default``
organization, made here if it is missing; keys made before are that organization's admins
(revision 0012 made them admins).

Every step on a referenced table is one SQLite performs in place (``ADD COLUMN`` with a
constant default, ``CREATE INDEX``): batch mode would copy ``stations`` and drop the old
table, and with ``foreign_keys=ON`` that drop deletes every row first, cascading to every
connector, transaction and sample (see 0002 and 0008). Hence no foreign key to
``organizations`` (SQLite adds a REFERENCES column in place only with a NULL default), and on
SQLite the columns keep the default they were added with (PostgreSQL drops it). ``id_tags`` is
referenced by no table, so it is copied into its new shape.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = "default"
_OWNED = ("api_keys", "stations", "webhooks")
_TAG_COLUMNS = (
    "id_tag",
    "status",
    "expiry_date",
    "parent_id_tag",
    "policy",
    "token_type",
    "created_at",
    "updated_at",
)


def _tag_table(name: str, *, owned: bool) -> None:
    key = ["organization_id", "id_tag"] if owned else ["id_tag"]
    owner = [sa.Column("organization_id", sa.String(length=64), nullable=False)] if owned else []
    op.create_table(
        name,
        *owner,
        sa.Column("id_tag", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expiry_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parent_id_tag", sa.String(length=64), nullable=True),
        sa.Column("policy", sa.String(length=64), nullable=True),
        sa.Column("token_type", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*key, name="pk_id_tags"),
    )


def upgrade() -> None:
    organizations = sa.table(
        "organizations",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    if (
        connection.scalar(sa.select(organizations.c.id).where(organizations.c.id == DEFAULT))
        is None
    ):
        op.execute(
            organizations.insert().values(
                id=DEFAULT, name="Default organization", created_at=sa.func.current_timestamp()
            )
        )

    for table in _OWNED:
        op.add_column(
            table,
            sa.Column(
                "organization_id", sa.String(length=64), nullable=False, server_default=DEFAULT
            ),
        )
        op.create_index(op.f(f"ix_{table}_organization_id"), table, ["organization_id"])
        if connection.dialect.name != "sqlite":
            op.alter_column(table, "organization_id", server_default=None)

    columns = ", ".join(_TAG_COLUMNS)
    op.rename_table("id_tags", "id_tags_before_0013")
    if connection.dialect.name != "sqlite":
        # PostgreSQL names a primary key's index after the constraint, not the table.
        op.execute(
            "ALTER TABLE id_tags_before_0013 RENAME CONSTRAINT pk_id_tags TO pk_id_tags_0012"
        )
    _tag_table("id_tags", owned=True)
    op.execute(
        f"INSERT INTO id_tags (organization_id, {columns})"
        f" SELECT '{DEFAULT}', {columns} FROM id_tags_before_0013"
    )
    op.drop_table("id_tags_before_0013")


def downgrade() -> None:
    # One tag per number again: where two organizations have the same number, the default
    # organization's row is kept, else the first organization's by id.
    columns = ", ".join(_TAG_COLUMNS)
    op.rename_table("id_tags", "id_tags_after_0013")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("ALTER TABLE id_tags_after_0013 RENAME CONSTRAINT pk_id_tags TO pk_id_tags_0013")
    _tag_table("id_tags", owned=False)
    op.execute(
        f"INSERT INTO id_tags ({columns}) SELECT {columns} FROM id_tags_after_0013 AS t"
        " WHERE t.organization_id = ("
        "SELECT o.organization_id FROM id_tags_after_0013 AS o WHERE o.id_tag = t.id_tag"
        f" ORDER BY o.organization_id <> '{DEFAULT}', o.organization_id LIMIT 1)"
    )
    op.drop_table("id_tags_after_0013")
    for table in reversed(_OWNED):
        op.drop_index(op.f(f"ix_{table}_organization_id"), table_name=table)
        # In place on both databases (SQLite since 3.35); see the module docstring.
        op.execute(f"ALTER TABLE {table} DROP COLUMN organization_id")
    # The default organization stays: the gateway may have made it its tenant.
