"""Id tags: CRUD and the Authorize answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.store import ConflictError, NotFoundError, Store
from chargeyard.store.repositories import Authorization

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def test_create_get_list_update_delete(store: Store) -> None:
    await store.id_tags.create("TAG-B", status="Blocked")
    created = await store.id_tags.create(
        "TAG-A", parent_id_tag="FLEET-1", policy="single-session", token_type="ISO14443"
    )
    assert (created.status, created.parent_id_tag, created.policy, created.token_type) == (
        "Accepted",
        "FLEET-1",
        "single-session",
        "ISO14443",
    )
    with pytest.raises(ConflictError):
        await store.id_tags.create("TAG-A")

    assert [tag.id_tag for tag in await store.id_tags.list()] == ["TAG-A", "TAG-B"]
    assert [tag.id_tag for tag in await store.id_tags.list(status="Blocked")] == ["TAG-B"]
    assert [tag.id_tag for tag in await store.id_tags.list(limit=1, offset=1)] == ["TAG-B"]

    updated = await store.id_tags.update("TAG-A", status="Blocked", parent_id_tag=None)
    assert (updated.status, updated.parent_id_tag, updated.policy) == (
        "Blocked",
        None,
        "single-session",
    )
    await store.id_tags.delete("TAG-A")
    assert await store.id_tags.get("TAG-A") is None
    with pytest.raises(NotFoundError):
        await store.id_tags.delete("TAG-A")
    with pytest.raises(NotFoundError):
        await store.id_tags.update("TAG-A", status="Accepted")


async def test_authorize_answers(store: Store) -> None:
    await store.id_tags.create(
        "GOOD", expiry_date=T0 + timedelta(days=1), parent_id_tag="FLEET", policy="p"
    )
    await store.id_tags.create("OLD", expiry_date=T0 - timedelta(seconds=1))
    await store.id_tags.create("BLOCKED", status="Blocked")

    assert await store.id_tags.authorize("GOOD", T0) == Authorization(
        "Accepted", T0 + timedelta(days=1), "FLEET", "p"
    )
    assert (await store.id_tags.authorize("OLD", T0)).status == "Expired"
    assert (await store.id_tags.authorize("BLOCKED", T0)).status == "Blocked"
    assert await store.id_tags.authorize("NOBODY", T0) == Authorization("Invalid")
    # Expiry is judged at the time asked about.
    assert (await store.id_tags.authorize("GOOD", T0 + timedelta(days=2))).status == "Expired"


async def test_a_tag_of_a_blocked_group_is_blocked(store: Store) -> None:
    await store.id_tags.create("FLEET", status="Blocked")
    await store.id_tags.create("CARD", parent_id_tag="FLEET")
    await store.id_tags.create("OLD-CARD", parent_id_tag="FLEET", expiry_date=T0)
    assert await store.id_tags.authorize("CARD", T0) == Authorization("Blocked", None, "FLEET")
    # Its own expiry says more than its group's block.
    assert (await store.id_tags.authorize("OLD-CARD", T0)).status == "Expired"
    await store.id_tags.update("FLEET", status="Accepted")
    assert (await store.id_tags.authorize("CARD", T0)).status == "Accepted"


async def test_count_follows_the_status_filter(store: Store) -> None:
    assert await store.id_tags.count() == 0
    for id_tag, status in (("A", "Accepted"), ("B", "Blocked"), ("C", "Accepted")):
        await store.id_tags.create(id_tag, status=status)
    assert await store.id_tags.count() == 3
    assert await store.id_tags.count(status="Accepted") == 2
    assert await store.id_tags.count(status="Expired") == 0
