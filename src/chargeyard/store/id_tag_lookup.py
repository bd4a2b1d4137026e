"""Reading the id tags that stations present, many in one query.

A central system reads a tag's row each time a station asks about it: Authorize, then the
StartTransaction that follows (OCPP 1.6 sections 4.2 and 4.8; 2.0.1 C01 and E01), and the
stop. When thousands of drivers start at once (the morning at a depot, a fleet of stations
that came back after an outage and resumes its sessions), one query each is most of what those
messages cost the node. :class:`IdTagLookup` queues the tags asked for and answers them with
one ``SELECT ... WHERE organization_id = ... AND id_tag IN (...)`` per batch (and
organization in it), as
:class:`~chargeyard.store.station_lookup.StationLookup` does for handshakes
(``group_commit.py``). Under light load a batch holds one tag and costs what one query always
did. Nothing is cached: every answer is read after it was asked for, so a tag blocked through
the API is refused by the next Authorize.

Without a running lookup, :meth:`IdTagLookup.get` answers at once with the same query.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store.engine import reading
from chargeyard.store.group_commit import GroupCommit
from chargeyard.store.models import IdTag
from chargeyard.store.spelling import one_of_texts

_ID_TAGS: Table = IdTag.__table__  # type: ignore[assignment]  # a Table, typed FromClause


@dataclass(frozen=True, slots=True)
class TagRow:
    """What an answer about a tag needs of its row (``IdTagRepository.authorize`` reads the
    same fields of the ORM row)."""

    id_tag: str
    status: str
    expiry_date: datetime | None
    parent_id_tag: str | None
    policy: str | None


TagKey = tuple[str, str]
"""A tag as its organization knows it: ``(organization_id, id_tag)``."""


async def read_tags(engine: AsyncEngine, keys: Collection[TagKey]) -> dict[TagKey, TagRow]:
    """The rows of ``keys`` the store has, by key: one query per organization asked about
    (a batch's stations mostly belong to a few)."""
    by_organization: dict[str, set[str]] = {}
    for organization_id, tag in keys:
        by_organization.setdefault(organization_id, set()).add(tag)
    columns = _ID_TAGS.c
    found: dict[TagKey, TagRow] = {}
    async with engine.connect() as connection:
        for organization_id, tags in by_organization.items():
            statement = select(
                columns.id_tag,
                columns.status,
                columns.expiry_date,
                columns.parent_id_tag,
                columns.policy,
            ).where(
                columns.organization_id == organization_id,
                one_of_texts(columns.id_tag, tags, engine.dialect),
            )
            for row in await connection.execute(statement):
                found[organization_id, row.id_tag] = TagRow(*row)
    return found


class IdTagLookup(GroupCommit[TagKey, TagRow | None]):
    """Answers :meth:`get` for many tags with one query (the module docstring says why).

    Args:
        engine: the store's engine.
        max_batch: tags per query at most.
    """

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 1_000) -> None:
        # Woken a few hundred at a time: each goes on to a handler's write and answer.
        super().__init__(
            "id tag lookup", max_size=max_batch, max_size_name="max_batch", wake_slice=200
        )
        self._engine = reading(engine)

    async def get(self, organization_id: str, id_tag: str) -> TagRow | None:
        """The row of ``id_tag`` in ``organization_id``, or None if it has no such tag."""
        key = (organization_id, id_tag)
        if not self.running:
            return (await read_tags(self._engine, [key])).get(key)
        return await self._submit(key)

    async def _handle(self, items: Sequence[TagKey]) -> list[TagRow | None]:
        found = await read_tags(self._engine, set(items))
        return [found.get(key) for key in items]
