"""Who calls the simulator gateway (``/ocpp``), in which organization, allowed to do what.

Every ``/ocpp`` route depends on :data:`PrincipalDep` (any role) or a stricter alias:

=================  ==========================================================
``ReaderDep``      viewer, operator, admin, platform: GET
``WriterDep``      operator, admin, platform: create, update, delete, commands
``AdminDep``       admin, platform
=================  ==========================================================

The tenant is the token's ``org`` claim. An organization's admin administers that
organization only; a platform operator's token (role ``platform``) may act in another
organization by naming it in ``X-Organization-Id``; that organization must exist (404
otherwise, as for any row the caller cannot see). Any other role sending a different
``X-Organization-Id`` gets 403.

A token's own organization is trusted because the token is signed: the first request with a
new ``org`` creates the organization row (named after its id), so tokens from an identity
provider work without provisioning the tenant first.

Answers: 401 with ``WWW-Authenticate: Bearer`` (RFC 6750 section 3) for a missing or untrusted
token, 403 for a token whose claims or role do not allow the request (``tokens.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chargeyard.api.deps import settings_of, store_of
from chargeyard.api.organization_header import (
    ORGANIZATION_HEADER,
    documents_organization_header,
    requested_organization,
)
from chargeyard.api.tokens import (
    Role,
    TokenClaimsInsufficient,
    TokenRejected,
    verify_token,
)

_bearer = HTTPBearer(
    auto_error=False,
    description="A JWT (HS256 or RS256) with the claims `sub`, `org` (organization id), "
    "`roles` (platform | admin | operator | viewer) and `exp`. `chargeyard token create` makes"
    " one.",
)


# Role -> the roles whose rights it includes; the one table of who may do what.
_INCLUDES: dict[Role, frozenset[Role]] = {
    Role.VIEWER: frozenset({Role.VIEWER}),
    Role.OPERATOR: frozenset({Role.VIEWER, Role.OPERATOR}),
    Role.ADMIN: frozenset({Role.VIEWER, Role.OPERATOR, Role.ADMIN}),
    Role.PLATFORM: frozenset({Role.VIEWER, Role.OPERATOR, Role.ADMIN, Role.PLATFORM}),
}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller.

    Attributes:
        subject: the token's ``sub``.
        organization_id: the tenant this request acts in (the token's ``org``, or an admin's
            ``X-Organization-Id``); every query of the request filters on it.
        roles: the token's known roles.
        token_organization_id: the token's own ``org``.
    """

    subject: str
    organization_id: str
    roles: frozenset[Role]
    token_organization_id: str

    def has(self, role: Role) -> bool:
        """Whether one of the caller's roles includes ``role``'s rights."""
        return any(role in _INCLUDES[own] for own in self.roles)


def _unauthorized(detail: str, *, invalid: bool) -> HTTPException:
    challenge = 'Bearer error="invalid_token"' if invalid else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": challenge}
    )


@documents_organization_header(
    "Platform operators' tokens only: act in this organization instead of the token's."
)
async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller of an ``/ocpp`` route (``X-Organization-Id`` read as
    ``api/organization_header.py`` says). Raises: HTTPException 401, 403 or 404."""
    if credentials is None or not credentials.credentials:
        raise _unauthorized("missing bearer token", invalid=False)
    store, organization = store_of(request), requested_organization(request)
    try:
        claims = verify_token(credentials.credentials, settings_of(request))
    except TokenRejected as error:
        raise _unauthorized(str(error), invalid=True) from None
    except TokenClaimsInsufficient as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    principal = Principal(
        claims.subject, claims.organization_id, claims.roles, claims.organization_id
    )
    if organization is None or organization == claims.organization_id:
        await store.organizations.ensure(claims.organization_id)
        return principal
    if not principal.has(Role.PLATFORM):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "only a platform operator's token may act in another organization"
            f" ({ORGANIZATION_HEADER}); an admin administers its own",
        )
    # No organization id holds a NUL byte, and PostgreSQL refuses a query carrying one (500).
    if "\x00" in organization or await store.organizations.get(organization) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"organization {organization!r} not found")
    return Principal(claims.subject, organization, claims.roles, claims.organization_id)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through callers whose roles include ``role``'s rights, and
    answers 403 to the others."""

    async def check(principal: PrincipalDep) -> Principal:
        if not principal.has(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this action needs the {role.value} role; the token has: "
                + ", ".join(sorted(r.value for r in principal.roles)),
            )
        return principal

    return check


ReaderDep = Annotated[Principal, Depends(require_role(Role.VIEWER))]
WriterDep = Annotated[Principal, Depends(require_role(Role.OPERATOR))]
AdminDep = Annotated[Principal, Depends(require_role(Role.ADMIN))]
