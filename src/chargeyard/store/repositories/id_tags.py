"""Id tags the CSMS authorizes (Authorize, StartTransaction's idTagInfo; 2.0.1 IdTokenInfo).

:meth:`IdTagRepository.authorize` turns the stored row into the answer's status: an unknown
tag is ``Invalid``, a tag past its ``expiry_date`` is ``Expired`` whatever was stored (OCPP 1.6
section 7.14: expiryDate is when the tag "must be considered expired"), a tag whose group (its
``parent_id_tag``, a tag of the table) is Blocked is ``Blocked`` (blocking a fleet's group tag
blocks its cards), otherwise the stored status. The tag's ``policy`` rides along for the
central system to apply (``csms/context.py``: ``single-session``).

Tags are one organization's (``IdTag``): every method names the organization, the default
organization when left out; a tag's group is looked up in the tag's own organization.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, func, select

from chargeyard.store.errors import NotFoundError
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID, IdTag
from chargeyard.store.repositories._base import UNSET, Repository, Unset, changes, page
from chargeyard.store.types import utc_now


@dataclass(frozen=True, slots=True)
class Authorization:
    """What to answer for an id tag (the fields of 1.6 IdTagInfo, plus the tag's policy)."""

    status: str
    expiry_date: datetime | None = None
    parent_id_tag: str | None = None
    policy: str | None = None


class IdTagRepository(Repository):
    async def create(
        self,
        id_tag: str,
        *,
        status: str = "Accepted",
        expiry_date: datetime | None = None,
        parent_id_tag: str | None = None,
        policy: str | None = None,
        token_type: str | None = None,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
    ) -> IdTag:
        """Raises: ConflictError: the organization has the tag already."""
        tag = IdTag(
            organization_id=organization_id,
            id_tag=id_tag,
            status=status,
            expiry_date=expiry_date,
            parent_id_tag=parent_id_tag,
            policy=policy,
            token_type=token_type,
        )
        async with self._write() as session:
            session.add(tag)
        return tag

    async def get(
        self, id_tag: str, *, organization_id: str = DEFAULT_ORGANIZATION_ID
    ) -> IdTag | None:
        async with self._read() as session:
            return await session.get(IdTag, (organization_id, id_tag))

    async def list(
        self,
        *,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
    ) -> Sequence[IdTag]:
        limit, offset = page(limit, offset)
        statement = (
            select(IdTag)
            .where(IdTag.organization_id == organization_id)
            .order_by(IdTag.id_tag)
            .limit(limit)
            .offset(offset)
        )
        if status is not None:
            statement = statement.where(IdTag.status == status)
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def count(
        self, *, status: str | None = None, organization_id: str = DEFAULT_ORGANIZATION_ID
    ) -> int:
        """How many tags :meth:`list` pages through with the same ``status`` filter."""
        statement = (
            select(func.count()).select_from(IdTag).where(IdTag.organization_id == organization_id)
        )
        if status is not None:
            statement = statement.where(IdTag.status == status)
        async with self._read() as session:
            return (await session.execute(statement)).scalar_one()

    async def update(
        self,
        id_tag: str,
        *,
        status: str | Unset = UNSET,
        expiry_date: datetime | Unset | None = UNSET,
        parent_id_tag: str | Unset | None = UNSET,
        policy: str | Unset | None = UNSET,
        token_type: str | Unset | None = UNSET,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
    ) -> IdTag:
        """Raises: NotFoundError: the organization has no such tag."""
        values = changes(
            status=status,
            expiry_date=expiry_date,
            parent_id_tag=parent_id_tag,
            policy=policy,
            token_type=token_type,
        )
        async with self._write() as session:
            tag = await session.get(IdTag, (organization_id, id_tag))
            if tag is None:
                raise NotFoundError("id tag", id_tag)
            for name, value in values.items():
                setattr(tag, name, value)
        return tag

    async def delete(self, id_tag: str, *, organization_id: str = DEFAULT_ORGANIZATION_ID) -> None:
        """Raises: NotFoundError: the organization has no such tag."""
        async with self._write() as session:
            deleted = await session.scalar(
                delete(IdTag)
                .where(IdTag.organization_id == organization_id, IdTag.id_tag == id_tag)
                .returning(IdTag.id_tag)
            )
        if deleted is None:
            raise NotFoundError("id tag", id_tag)

    async def authorize(
        self,
        id_tag: str,
        at: datetime | None = None,
        *,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
    ) -> Authorization:
        """The answer for ``id_tag`` of ``organization_id`` at time ``at`` (default now)."""

        async def read(tag: str) -> IdTag | None:
            return await self.get(tag, organization_id=organization_id)

        return await authorize(read, id_tag, at)


class TagFacts(Protocol):
    """The fields of a tag's row an answer is made of (an :class:`IdTag`, or the
    :class:`~chargeyard.store.id_tag_lookup.TagRow` a batched lookup reads)."""

    @property
    def status(self) -> str: ...
    @property
    def expiry_date(self) -> datetime | None: ...
    @property
    def parent_id_tag(self) -> str | None: ...
    @property
    def policy(self) -> str | None: ...


INVALID = Authorization(status="Invalid")


async def authorize(
    read: Callable[[str], Awaitable[TagFacts | None]],
    id_tag: str,
    at: datetime | None = None,
    *,
    unknown: Authorization = INVALID,
) -> Authorization:
    """The answer for ``id_tag`` at time ``at`` (default now), its row and its parent's (only
    when it matters) read with ``read`` (the module docstring has the rules); ``unknown`` for
    a tag the table does not have."""
    tag = await read(id_tag)
    if tag is None:
        return unknown
    status = tag.status
    if tag.expiry_date is not None and tag.expiry_date <= (at or utc_now()):
        status = "Expired"
    elif status == "Accepted" and tag.parent_id_tag is not None:
        parent = await read(tag.parent_id_tag)
        if parent is not None and parent.status == "Blocked":
            status = "Blocked"
    return Authorization(status, tag.expiry_date, tag.parent_id_tag, tag.policy)
