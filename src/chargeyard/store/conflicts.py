"""What a refused write clashed with, in the store's own words.

Theory of operation
-------------------
A uniqueness or foreign-key rule that a write breaks reaches the repositories as SQLAlchemy's
``IntegrityError``, whose text is the database's (``UNIQUE constraint failed:
simulated_chargers.organization_id, ...`` on SQLite, ``duplicate key value violates unique
constraint ...`` on PostgreSQL). That text names tables and columns, differs per database and
must never reach a client. :func:`clash` reads only *which* rule was broken and answers with
the sentence this module keeps for it:

* PostgreSQL names the constraint (asyncpg's ``constraint_name``); our naming convention
  (``models/base.py``) makes those names the same on every database;
* SQLite names the table and columns of a uniqueness rule (matched here against the tables'
  primary keys, unique constraints and unique indexes) and nothing at all for a foreign key.

Every constraint of the schema has its sentence in :data:`CLASHES` (a test walks the metadata,
so a new constraint without words fails it). Repositories check the common clashes first and
raise a :class:`~chargeyard.store.errors.ConflictError` that names the value; these sentences
answer the rest (a concurrent writer that won the race, a row deleted meanwhile).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping

from sqlalchemy import Index, PrimaryKeyConstraint, Table, UniqueConstraint
from sqlalchemy.exc import IntegrityError

from chargeyard.store.models import Base

logger = logging.getLogger(__name__)

GENERIC_CLASH = "the change conflicts with data stored meanwhile; read it again and retry"
"""The answer when the broken rule cannot be told (SQLite's foreign keys, a NOT NULL)."""

CLASHES: Mapping[str, str] = {
    # CSMS
    "pk_stations": "a charger with this id already exists",
    "ix_stations_charge_box_id": "a charger with this chargeBoxId already exists",
    "pk_connectors": "this connector is already recorded",
    "uq_connectors_station_id_evse_id_connector_id": "this connector is already recorded",
    "fk_connectors_station_id_stations": "the charger was deleted meanwhile",
    "pk_connector_status_history": "this status change is already recorded",
    "fk_connector_status_history_station_id_stations": "the charger was deleted meanwhile",
    "pk_station_notifications": "this notification is already recorded",
    "fk_station_notifications_station_id_stations": "the charger was deleted meanwhile",
    "pk_transactions": "this transaction is already recorded",
    "uq_transactions_station_id_transaction_id": (
        "the charger already has a transaction with this id"
    ),
    "fk_transactions_station_id_stations": "the charger was deleted meanwhile",
    "pk_meter_samples": "this meter sample is already recorded",
    "fk_meter_samples_station_id_stations": "the charger was deleted meanwhile",
    "fk_meter_samples_transaction_pk_transactions": "the transaction was deleted meanwhile",
    "pk_counters": "this counter already exists",
    "pk_id_tags": "an id tag with this idTag already exists in the organization",
    "pk_data_transfers": "this data transfer is already recorded",
    "fk_data_transfers_station_id_stations": "the charger was deleted meanwhile",
    "pk_frames": "this frame is already recorded",
    "pk_webhooks": "a webhook with this id already exists",
    "pk_webhook_deliveries": "this webhook delivery is already recorded",
    "fk_webhook_deliveries_webhook_id_webhooks": "the webhook was deleted meanwhile",
    "pk_api_keys": "an API key with this id already exists",
    "pk_sent_commands": "this command is already recorded",
    "fk_sent_commands_station_id_stations": "the charger was deleted meanwhile",
    "ix_api_keys_prefix": "an API key with this prefix already exists; create it again",
    # Simulator gateway
    "pk_organizations": "an organization with this id already exists",
    "pk_locations": "a location with this id already exists",
    "ix_locations_organization_id_slug": (
        "a location with this slug already exists in the organization"
    ),
    "fk_locations_organization_id_organizations": "the organization does not exist",
    "pk_simulated_chargers": "a charger with this charger_id already exists",
    "uq_simulated_chargers_organization_id_identity": (
        "a charger with this identity already exists in the organization"
    ),
    "fk_simulated_chargers_organization_id_organizations": "the organization does not exist",
    "fk_simulated_chargers_location_id_locations": "the location was deleted meanwhile",
    "pk_commands": "a command with this id already exists",
    "fk_commands_organization_id_organizations": "the organization does not exist",
    "fk_commands_charger_id_simulated_chargers": "the charger was deleted meanwhile",
    "pk_charger_logs": "this log line is already recorded",
    "fk_charger_logs_organization_id_organizations": "the organization does not exist",
    "fk_charger_logs_charger_id_simulated_chargers": "the charger was deleted meanwhile",
    "fk_charger_logs_command_id_commands": "the command was deleted meanwhile",
    "pk_gateway_jobs": "a job with this id already exists",
    "fk_gateway_jobs_organization_id_organizations": "the organization does not exist",
    "pk_fleet_workers": "a worker with this name is already recorded",
    "pk_charger_leases": "this charger is already leased",
    "fk_charger_leases_charger_id_simulated_chargers": "the charger was deleted meanwhile",
}

# SQLite: "UNIQUE constraint failed: table.column, table.column".
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")


def clash(error: IntegrityError) -> str:
    """The sentence for the rule ``error`` broke (:data:`GENERIC_CLASH` when it cannot be
    told). The database's own text is logged, never returned."""
    name = constraint_name(error)
    logger.info("write refused by the database (%s): %s", name or "rule unknown", error.orig)
    if name is None:
        return GENERIC_CLASH
    return CLASHES.get(name, GENERIC_CLASH)


def constraint_name(error: IntegrityError) -> str | None:
    """The name of the constraint (or unique index) ``error`` reports, when the database says
    which: PostgreSQL always does; SQLite only for uniqueness."""
    cause = getattr(error.orig, "__cause__", None)
    name = getattr(cause, "constraint_name", None)  # asyncpg's exceptions carry it
    if isinstance(name, str):
        return name
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match is None:
        return None
    qualified = [part.strip() for part in match.group(1).split(",")]
    tables = {part.rsplit(".", 1)[0] for part in qualified}
    if len(tables) != 1:
        return None
    table = Base.metadata.tables.get(tables.pop())
    if table is None:
        return None
    columns = tuple(part.rsplit(".", 1)[-1] for part in qualified)
    return _unique_rule(table, columns)


def _unique_rule(table: Table, columns: tuple[str, ...]) -> str | None:
    for name, rule_columns in unique_rules(table):
        if rule_columns == columns:
            return name
    return None


def unique_rules(table: Table) -> Iterator[tuple[str, tuple[str, ...]]]:
    """The table's uniqueness rules: (constraint or index name, its columns in order)."""
    for constraint in table.constraints:
        if isinstance(constraint, (PrimaryKeyConstraint, UniqueConstraint)):
            yield str(constraint.name), tuple(column.name for column in constraint.columns)
    for index in table.indexes:
        if isinstance(index, Index) and index.unique:
            yield str(index.name), tuple(column.name for column in index.columns)
