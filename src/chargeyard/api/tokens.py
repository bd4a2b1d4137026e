"""Bearer tokens of the simulator gateway (``/ocpp``): JSON Web Tokens (RFC 7519) signed with
HS256 (a shared secret) or RS256 (an RSA key pair), checked with PyJWT.

A token names its caller and tenant in its claims::

    {"sub": "alice", "org": "org-acme", "roles": ["operator"], "exp": 1767225600}

``sub`` (who), ``org`` (the organization id, the tenant every row belongs to), ``roles``
(``platform`` | ``admin`` | ``operator`` | ``viewer``, a list or one string) and ``exp`` are
required; ``iss`` and ``aud`` are checked when the settings name them.

Two kinds of failure, two answers (RFC 6750 section 3.1): a token that cannot be trusted —
missing, malformed, unsigned, wrongly signed, expired, without ``exp``, for another issuer or
audience — is :class:`TokenRejected` (401: get a new token); an authentic token whose claims do
not say who and where the caller is (no ``sub``, ``org`` or known role) is
:class:`TokenClaimsInsufficient` (403: a new token of the same kind would not help).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from chargeyard.api.settings import ApiSettings

# The organizations table's key is 64 characters (store/models/gateway.py).
MAX_ORGANIZATION_ID = 64


class Role(StrEnum):
    """What a token may do: a viewer reads, an operator also writes and sends commands, an
    admin also administers its organization; a platform operator is an admin in every
    organization, acting in another one by naming it (``X-Organization-Id``)."""

    PLATFORM = "platform"
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


_ROLES = frozenset(role.value for role in Role)


class TokenRejected(Exception):
    """The token is not a credential this server accepts (HTTP 401)."""


class TokenClaimsInsufficient(Exception):
    """The token is authentic but lacks a claim the gateway needs (HTTP 403)."""


@dataclass(frozen=True)
class Claims:
    """What a verified token says about its bearer."""

    subject: str
    organization_id: str
    roles: frozenset[Role]


def issue_token(
    *,
    subject: str,
    organization_id: str,
    roles: Iterable[Role | str],
    key: str,
    algorithm: str = "HS256",
    ttl: timedelta = timedelta(hours=24),
    now: datetime | None = None,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """A signed token (for ``chargeyard token create`` and tests).

    Args:
        key: the shared secret for HS*, the PEM private key for RS*.
        now: the issue time (``iat``); ``exp`` is ``now + ttl``.
    """
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "org": organization_id,
        "roles": list(dict.fromkeys(Role(role).value for role in roles)),
        "iat": issued,
        "exp": issued + ttl,
    }
    if issuer is not None:
        claims["iss"] = issuer
    if audience is not None:
        claims["aud"] = audience
    return jwt.encode(claims, key, algorithm=algorithm)


def verify_token(token: str, settings: ApiSettings) -> Claims:
    """Check ``token``'s signature, lifetime and claims against ``settings``.

    Raises:
        TokenRejected: see the module docstring (HTTP 401).
        TokenClaimsInsufficient: see the module docstring (HTTP 403).
    """
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError:
        raise TokenRejected("malformed bearer token") from None
    # The accepted algorithm comes from our settings, never from the token alone: an
    # attacker's "none" or an HS256 token keyed with our public key is refused here.
    if algorithm not in settings.jwt_algorithms:
        raise TokenRejected(f"token algorithm {algorithm!r} is not accepted")
    key = _verification_key(str(algorithm), settings)
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[str(algorithm)],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway=settings.jwt_leeway,
            options={
                "require": ["exp"],
                "verify_aud": settings.jwt_audience is not None,
                "verify_iss": settings.jwt_issuer is not None,
            },
        )
    except jwt.ExpiredSignatureError:
        raise TokenRejected("token has expired") from None
    except jwt.InvalidSignatureError:
        raise TokenRejected("token signature is invalid") from None
    except jwt.MissingRequiredClaimError as error:
        raise TokenRejected(f"token lacks the {error.claim!r} claim") from None
    except jwt.PyJWTError as error:
        raise TokenRejected(f"invalid bearer token: {error}") from None
    return _claims(payload)


def _verification_key(algorithm: str, settings: ApiSettings) -> str:
    if algorithm.startswith("HS"):
        if settings.jwt_secret is None:
            raise TokenRejected(f"{algorithm} tokens are not accepted: no secret is configured")
        return settings.jwt_secret.get_secret_value()
    if settings.jwt_public_key is None:
        raise TokenRejected(f"{algorithm} tokens are not accepted: no public key is configured")
    return settings.jwt_public_key


def _claims(payload: dict[str, Any]) -> Claims:
    subject = payload.get("sub")
    if not isinstance(subject, str) or not subject:
        raise TokenClaimsInsufficient("token lacks the 'sub' claim")
    organization = payload.get("org")
    if not isinstance(organization, str) or not organization:
        raise TokenClaimsInsufficient("token lacks the 'org' claim")
    if len(organization) > MAX_ORGANIZATION_ID or not organization.isprintable():
        raise TokenClaimsInsufficient("token's 'org' claim is not a valid organization id")
    raw = payload.get("roles")
    names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    # Roles this server does not know are ignored, so an identity provider may carry others.
    roles = frozenset(Role(name) for name in names if isinstance(name, str) and name in _ROLES)
    if not roles:
        raise TokenClaimsInsufficient(
            "token lacks a 'roles' claim with one of: " + ", ".join(role.value for role in Role)
        )
    return Claims(subject, organization, roles)


_TTL = re.compile(r"^(\d+)([smhd])$")
_TTL_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_ttl(text: str) -> timedelta:
    """``"90s"``, ``"30m"``, ``"24h"``, ``"7d"`` as a duration.

    Raises:
        ValueError: another spelling, or zero.
    """
    match = _TTL.match(text.strip())
    if match is None or int(match[1]) == 0:
        raise ValueError(f"{text!r} is not a lifetime such as 90s, 30m, 24h or 7d")
    return timedelta(**{_TTL_UNITS[match[2]]: int(match[1])})
