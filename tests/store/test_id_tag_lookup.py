"""The id tag lookup: the rows of the tags stations present, many in one query, on SQLite and
PostgreSQL; and the answers made of them (``id_tags.authorize``)."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime

import pytest

from chargeyard.store import Store
from chargeyard.store.id_tag_lookup import IdTagLookup, TagRow, read_tags
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID
from chargeyard.store.repositories.id_tags import Authorization, authorize

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
A = DEFAULT_ORGANIZATION_ID


async def test_many_tags_asked_at_once_take_one_query(store: Store) -> None:
    for n in range(20):
        await store.id_tags.create(f"TAG-{n}")
    async with asyncio.timeout(10):
        lookup = IdTagLookup(store.engine)
        await lookup.start()
        try:
            found = await asyncio.gather(
                *(lookup.get(A, f"TAG-{n}") for n in range(20)), lookup.get(A, "TAG-UNKNOWN")
            )
        finally:
            await lookup.stop()
    assert [t.id_tag for t in found[:20] if t is not None] == [f"TAG-{n}" for n in range(20)]
    assert found[20] is None
    assert lookup.batches == 1


async def test_it_reads_what_an_answer_is_made_of(store: Store) -> None:
    await store.id_tags.create("GROUP", status="Blocked")
    await store.id_tags.create(
        "CARD", expiry_date=T0, parent_id_tag="GROUP", policy="single-session"
    )
    found = await read_tags(store.engine, [(A, "CARD"), (A, "GROUP")])
    assert found[A, "CARD"] == TagRow("CARD", "Accepted", T0, "GROUP", "single-session")
    assert found[A, "GROUP"] == TagRow("GROUP", "Blocked", None, None, None)
    assert await read_tags(store.engine, []) == {}


async def test_each_organization_s_tag_is_its_own(store: Store) -> None:
    await store.organizations.ensure("org-b")
    await store.id_tags.create("CARD", status="Blocked")
    await store.id_tags.create("CARD", organization_id="org-b")
    async with asyncio.timeout(10), IdTagLookup(store.engine) as lookup:
        ours, theirs, nobody = await asyncio.gather(
            lookup.get(A, "CARD"), lookup.get("org-b", "CARD"), lookup.get("org-c", "CARD")
        )
    assert (ours and ours.status, theirs and theirs.status, nobody) == ("Blocked", "Accepted", None)


async def test_answers_through_the_lookup_are_the_repository_s(store: Store) -> None:
    # Blocked through its group, expired, unknown: the same answer whichever reads the rows.
    await store.id_tags.create("GROUP", status="Blocked")
    await store.id_tags.create("CARD", parent_id_tag="GROUP")
    await store.id_tags.create("OLD", expiry_date=T0)
    lookup = IdTagLookup(store.engine)  # not running: each read a query of its own
    read = functools.partial(lookup.get, A)
    for tag in ("CARD", "OLD", "NONE"):
        assert await authorize(read, tag) == await store.id_tags.authorize(tag)
    assert (await authorize(read, "CARD")).status == "Blocked"
    assert (await authorize(read, "OLD")).status == "Expired"
    accepted = Authorization("Accepted")
    assert await authorize(read, "NONE", unknown=accepted) is accepted


async def test_a_tag_blocked_meanwhile_is_refused_by_the_next_read(store: Store) -> None:
    await store.id_tags.create("CARD")
    async with IdTagLookup(store.engine) as lookup:
        read = functools.partial(lookup.get, A)
        assert (await authorize(read, "CARD")).status == "Accepted"
        await store.id_tags.update("CARD", status="Blocked")
        assert (await authorize(read, "CARD")).status == "Blocked"  # nothing cached


def test_the_batch_limit_is_checked() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        IdTagLookup(None, max_batch=0)  # type: ignore[arg-type]
