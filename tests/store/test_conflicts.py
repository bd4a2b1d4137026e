"""A write the database refuses is a ConflictError in the store's words (``conflicts.py``), on
both backends: every rule of the schema has its sentence, and the rule is told from the
database's error without its text ever reaching the message."""

from __future__ import annotations

import pytest
from sqlalchemy import ForeignKeyConstraint

from chargeyard.protocol import V16
from chargeyard.store import ConflictError, Store
from chargeyard.store.conflicts import CLASHES, GENERIC_CLASH, unique_rules
from chargeyard.store.models import Base, IdTag, Location, SimulatedCharger, Station


def test_every_rule_of_the_schema_has_its_sentence() -> None:
    rules = set()
    for table in Base.metadata.sorted_tables:
        rules.update(name for name, _ in unique_rules(table))
        rules.update(
            str(constraint.name)
            for constraint in table.constraints
            if isinstance(constraint, ForeignKeyConstraint)
        )
    assert sorted(rules - set(CLASHES)) == []
    assert sorted(set(CLASHES) - rules) == []


async def _refused(store: Store, *rows: object) -> ConflictError:
    """The ConflictError of writing ``rows`` in one unit of work, past every check of the
    repositories (as a concurrent writer's commit would meet it)."""
    with pytest.raises(ConflictError) as refused:
        async with store.chargers._write() as session:
            session.add_all(rows)
    return refused.value


async def test_each_kind_of_rule_is_told_in_its_words(store: Store) -> None:
    await store.organizations.create("A", organization_id="org-a")
    location = await store.locations.create("org-a", "Depot", slug="depot")
    await store.chargers.create("org-a", identity="CP-1", ocpp_version=V16)
    await store.stations.register("CP-1")
    await store.id_tags.create("TAG-1")

    def charger(identity: str, location_id: str | None = None) -> SimulatedCharger:
        return SimulatedCharger(
            id=f"dep-{identity}",
            organization_id="org-a",
            identity=identity,
            ocpp_version=V16,
            location_id=location_id,
        )

    cases = {
        # A unique constraint of two columns.
        "uq_simulated_chargers_organization_id_identity": [charger("CP-1")],
        # A unique index.
        "ix_stations_charge_box_id": [Station(charge_box_id="CP-1", organization_id="default")],
        "ix_locations_organization_id_slug": [
            Location(id="loc-2", organization_id="org-a", slug=location.slug, name="Two")
        ],
        # A primary key.
        "pk_id_tags": [IdTag(organization_id="default", id_tag="TAG-1", status="Accepted")],
    }
    for rule, rows in cases.items():
        error = await _refused(store, *rows)
        assert (str(error), error.__cause__ is not None) == (CLASHES[rule], True)

    # A foreign key: PostgreSQL names it; SQLite says only that one failed.
    error = await _refused(store, charger("CP-9", location_id="loc-gone"))
    expected = (
        CLASHES["fk_simulated_chargers_location_id_locations"]
        if store.engine.dialect.name == "postgresql"
        else GENERIC_CLASH
    )
    assert str(error) == expected
