"""Every OCPP version column holds the version's WebSocket subprotocol (``ocpp1.6``,
``ocpp2.0.1``, ``ocpp2.1``), the one spelling ``store/version_column.py`` reads back.

Before, ``stations.ocpp_version`` held the version's name ("1.6"), and
``simulated_chargers.ocpp_version`` and ``commands.ocpp_version`` whatever their writer used:
the subprotocol from the gateway API, the name from the demo. Each older spelling the parser
of the time accepted ("1.6", "OCPP1.6", "OCPP 1.6", "ocpp-1.6", "v16", "16", "1.6J") is
rewritten: lower-cased, with the "ocpp" prefix, the separators, "v", OCPP-J's "j" and the dots
taken away, what is left is the version's digits. The rule is written out in SQL here, not
imported, so that this revision keeps doing what it did whatever the code becomes. A value
that names no version is left as it is.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 00:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("stations", "simulated_chargers", "commands")
# The digits of each version, its subprotocol and its name (OCPP-J 1.6 section 3.1.2; 2.0.1 part 4
# section 3.1.2; 2.1 part 4 section 3.1.2).
_VERSIONS = (("16", "ocpp1.6", "1.6"), ("201", "ocpp2.0.1", "2.0.1"), ("21", "ocpp2.1", "2.1"))


def _digits(column: str) -> str:
    """SQL (SQLite and PostgreSQL alike) for the digits ``column``'s spelling leaves."""
    text = f"lower(trim({column}))"
    for part in ("ocpp", " ", "_", "-", "v", "j", "."):
        text = f"replace({text}, '{part}', '')"
    return text


def upgrade() -> None:
    for table in _TABLES:
        digits = _digits("ocpp_version")
        for number, subprotocol, _ in _VERSIONS:
            op.execute(
                f"UPDATE {table} SET ocpp_version = '{subprotocol}'"
                f" WHERE {digits} = '{number}' AND ocpp_version <> '{subprotocol}'"
            )


def downgrade() -> None:
    # Releases without this revision read any spelling, and wrote a station's version by its
    # name: a station row gets its name back; the gateway's rows keep the subprotocol, which
    # that code wrote too.
    for _, subprotocol, name in _VERSIONS:
        op.execute(
            f"UPDATE stations SET ocpp_version = '{name}' WHERE ocpp_version = '{subprotocol}'"
        )
