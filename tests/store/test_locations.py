"""Locations with their details (revision 0002): slugs made and kept unique per organization,
counting, partial updates, and the tenant rule."""

from __future__ import annotations

import re

import pytest

from chargeyard.store import ConflictError, NotFoundError, Store
from chargeyard.store.repositories.organizations import slug_from


def test_slug_from_a_name() -> None:
    assert slug_from("La Défense — Hub #2") == "la-defense-hub-2"
    assert slug_from("Gare de l'Est") == "gare-de-l-est"
    assert slug_from("  ") == "location"
    assert slug_from("東京") == "location"
    assert len(slug_from("word " * 100)) <= 100


async def test_create_with_details_and_defaults(store: Store) -> None:
    await store.organizations.create("A", organization_id="org-a")
    paris = await store.locations.create(
        "org-a",
        "La Defense Hub",
        city="Paris",
        country="FR",
        latitude=48.8566,
        longitude=2.3522,
        timezone="Europe/Paris",
        owner_name="VINCI",
        public=True,
    )
    assert paris.slug == "la-defense-hub"
    stored = await store.locations.get("org-a", paris.id)
    assert stored is not None
    assert (stored.city, stored.country, stored.latitude, stored.longitude) == (
        "Paris",
        "FR",
        48.8566,
        2.3522,
    )
    assert (stored.timezone, stored.owner_name, stored.public, stored.status) == (
        "Europe/Paris",
        "VINCI",
        True,
        "active",
    )
    plain = await store.locations.create("org-a", "Plain", slug="plain")
    assert (plain.timezone, plain.public, plain.status) == ("UTC", False, "active")


async def test_slugs_are_unique_per_organization_and_count_is_per_tenant(store: Store) -> None:
    await store.organizations.create("A", organization_id="org-a")
    await store.organizations.create("B", organization_id="org-b")
    first = await store.locations.create("org-a", "Depot", slug="depot")
    with pytest.raises(ConflictError, match="'depot' is already used"):
        await store.locations.create("org-a", "Depot again", slug="depot")
    await store.locations.create("org-b", "Depot", slug="depot")
    second = await store.locations.create("org-a", "Airport", slug="airport")
    assert await store.locations.count("org-a") == 2
    assert await store.locations.count("org-b") == 1
    assert await store.locations.count("org-none") == 0

    with pytest.raises(ConflictError):
        await store.locations.update("org-a", second.id, slug="depot")
    unchanged = await store.locations.update("org-a", first.id, slug="depot", city="Lyon")
    assert (unchanged.slug, unchanged.city) == ("depot", "Lyon")


async def test_a_made_slug_gets_a_suffix_only_when_taken(store: Store) -> None:
    await store.organizations.create("A", organization_id="org-a")
    await store.organizations.create("B", organization_id="org-b")
    first = await store.locations.create("org-a", "Gare de l'Est")
    second = await store.locations.create("org-a", "Gare de l'Est")
    elsewhere = await store.locations.create("org-b", "Gare de l'Est")
    assert first.slug == "gare-de-l-est"
    assert re.fullmatch(r"gare-de-l-est-[0-9a-f]{4}", second.slug)
    assert elsewhere.slug == "gare-de-l-est"
    # A slug given by hand is taken as it is, so the name's own slug may be taken by it.
    await store.locations.create("org-b", "Hub", slug="depot")
    made = await store.locations.create("org-b", "Depot")
    assert re.fullmatch(r"depot-[0-9a-f]{4}", made.slug)


async def test_update_sets_and_clears_details(store: Store) -> None:
    await store.organizations.create("A", organization_id="org-a")
    await store.organizations.create("B", organization_id="org-b")
    site = await store.locations.create("org-a", "Site", latitude=1.0, longitude=2.0, city="X")
    moved = await store.locations.update(
        "org-a", site.id, latitude=None, longitude=None, public=True, status="inactive"
    )
    assert (moved.latitude, moved.longitude, moved.public, moved.status, moved.city) == (
        None,
        None,
        True,
        "inactive",
        "X",
    )
    assert moved.updated_at >= site.updated_at
    with pytest.raises(NotFoundError):
        await store.locations.update("org-b", site.id, city="Stolen")
    stored = await store.locations.get("org-a", site.id)
    assert stored is not None
    assert stored.city == "X"
