"""The organization an ``/api/v1`` request acts in, and what it may see there.

Theory of operation
-------------------
An API key belongs to one organization and carries a role (``ApiKeyRole``). Every query of a
request names the organization it acts in (:class:`Tenant`): stations (and through them their
transactions, frames, reports and command history), id tags, webhooks, API keys and the live
event stream are that organization's, and a row of another organization answers 404, as one
that does not exist (its existence is none of the caller's business).

* A viewer, operator or admin key acts in its own organization. Naming another in
  ``X-Organization-Id`` is refused (403), the gateway's rule for its tokens (``gateway/auth.py``).
* A platform key (the central system's operator) acts in its own organization, or in the one
  a request names in ``X-Organization-Id``, which must exist (404). It is an admin wherever it
  acts.
* The one thing no organization owns is a charger's identity: a station names itself in its
  WebSocket URL, so two organizations cannot both have ``CP-1`` at one central system
  (``Station``); registering an identity another organization has is a 409 that does not say
  whose it is.

Where the request's path names a charger (``/chargers/{chargeBoxId}/...``), the dependency
checks it belongs to the organization before any route code runs (``api/deps.py``), so no
route can forget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import HTTPException, status

from chargeyard.api.organization_header import ORGANIZATION_HEADER
from chargeyard.api.shapes import LOOKUP_TEXT
from chargeyard.csms.commands import UnknownStation
from chargeyard.store import Store
from chargeyard.store.models import ApiKey, ApiKeyRole

CHARGER_PATH_PARAMETER = "chargeBoxId"
_LOOKUP = re.compile(LOOKUP_TEXT)


@dataclass(frozen=True, slots=True)
class Tenant:
    """Who calls, in which organization.

    Attributes:
        organization_id: the organization every query of the request is narrowed to.
        api_key: the caller's key (its own organization may differ, for a platform key).
    """

    organization_id: str
    api_key: ApiKey

    async def require_charger(self, store: Store, charge_box_id: str) -> None:
        """Raises: UnknownStation: no such charger in this organization. An identity that
        breaks the path's pattern is left to the route's validation (422)."""
        if not _LOOKUP.match(charge_box_id):
            return
        if await store.stations.organization_of(charge_box_id) != self.organization_id:
            raise UnknownStation(charge_box_id)


async def acting_tenant(store: Store, api_key: ApiKey, requested: str | None) -> Tenant:
    """The tenant of a request made with ``api_key`` naming ``requested`` (the
    ``X-Organization-Id`` header, or None).

    Raises:
        HTTPException: 403 for a key that may not leave its organization, 404 for a platform
            key naming an organization that does not exist.
    """
    own = api_key.organization_id
    if requested is None or requested == own:
        return Tenant(own, api_key)
    if api_key.role != ApiKeyRole.PLATFORM:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"API key {api_key.name!r} acts in its organization {own!r} only: {ORGANIZATION_HEADER}"
            " may name another with a platform key",
        )
    if await store.organizations.get(requested) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"organization {requested!r} not found")
    return Tenant(requested, api_key)
