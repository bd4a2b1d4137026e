"""Who may charge: id tokens, the local authorization list, the authorization cache, and the
decision a station takes when a token is presented.

Theory of operation
-------------------
An :class:`IdToken` is what a driver presents: 1.6 has only a value (idTag), 2.0.1 adds a type.
The value is case insensitive (1.6 sections 7.15, 7.28; 2.0.1 IdTokenType), so tokens compare
by case-folded value and type. :class:`IdTokenInfo` is what the central system says about one
(1.6 IdTagInfo, section 7.27; 2.0.1 IdTokenInfoType); the ``*_ocpp16``/``*_ocpp201`` functions
map both to and from the wire with the field names of the official schemas.

A station knows tokens from two stores; the list has priority (1.6 section 3.5.3):

* :class:`LocalAuthorizationList`: changed only by the central system's SendLocalList, full or
  differential, under a version (1.6 sections 3.5.2, 5.15, 6.41; 2.0.1 D01, D02). An update is
  all or nothing: a refused one leaves entries and version as they were.
* :class:`AuthorizationCache`: every IdTokenInfo the central system sent (1.6 section 3.5.1;
  2.0.1 C10, C11). When full it evicts entries that are not valid first, then the least
  recently used (1.6 3.5.1: "remove any NOT-valid entries, and then, if necessary, the oldest
  valid entries"; "oldest" read as least recently used, 2.0.1 AuthCacheCtrlr.Policy LRU).
  :func:`remember` keeps tokens of the local list out of it (1.6 section 3.5.3).

An entry is valid while its status is Accepted and ``expires_at`` has not been reached (at that
instant it is expired). :func:`decide_local` (1.6 sections 3.5-3.5.4, 4.1; 2.0.1 C01, C12-C15):

* online, a valid entry and LocalPreAuthorize: ACCEPT without an Authorize request;
* online otherwise: ASK_CENTRAL, for an entry that is not valid too (1.6 3.5.1; C14.FR.03);
* offline, an entry that is not valid: REJECT, whatever else is set (1.6 3.5.4, a MUST);
* offline, a valid entry and LocalAuthorizeOffline: ACCEPT (1.6 9.1.12; 2.0.1 C12, C13);
* offline, an unknown token (or a valid one while LocalAuthorizeOffline is off):
  ACCEPT_UNKNOWN_OFFLINE with AllowOfflineTxForUnknownId (1.6 3.5.4; 2.0.1 C15), else REJECT.

A disabled store is not consulted. Nothing here reads a clock or does I/O.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, get_args

from chargeyard.protocol.messages import is_one_of, v201
from chargeyard.station.clock import iso


class AuthorizationStatus(StrEnum):
    """1.6 AuthorizationStatus (section 7.2) and 2.0.1 AuthorizationStatusEnumType together."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    CONCURRENT_TX = "ConcurrentTx"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    NO_CREDIT = "NoCredit"  # 2.0.1 only, as are the four below
    NOT_ALLOWED_TYPE_EVSE = "NotAllowedTypeEVSE"
    NOT_AT_THIS_LOCATION = "NotAtThisLocation"
    NOT_AT_THIS_TIME = "NotAtThisTime"
    UNKNOWN = "Unknown"


_S = AuthorizationStatus

# A 2.0.1-only status said in 1.6 words: "Invalid" is 1.6's "Identifier is unknown" (section
# 7.2); the others refuse a known token, which 1.6 calls "Blocked".
_STATUS_16: Mapping[AuthorizationStatus, str] = MappingProxyType(
    {
        _S.ACCEPTED: "Accepted",
        _S.BLOCKED: "Blocked",
        _S.CONCURRENT_TX: "ConcurrentTx",
        _S.EXPIRED: "Expired",
        _S.INVALID: "Invalid",
        _S.UNKNOWN: "Invalid",
        _S.NO_CREDIT: "Blocked",
        _S.NOT_ALLOWED_TYPE_EVSE: "Blocked",
        _S.NOT_AT_THIS_LOCATION: "Blocked",
        _S.NOT_AT_THIS_TIME: "Blocked",
    }
)


def _same_id(a: str | None, b: str | None) -> bool:
    """Equal ids, case-insensitively (IdToken is a CiString: 1.6 section 7.28)."""
    return a is not None and b is not None and a.casefold() == b.casefold()


def _aware(moment: datetime | None, what: str) -> None:
    if moment is not None and moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware: {moment!r}")


@dataclass(frozen=True, slots=True, eq=False)
class IdToken:
    """A presented identifier. Equal tokens have the same type and the same value up to case."""

    value: str
    type: str = "ISO14443"

    @property
    def key(self) -> tuple[str, str]:
        return (self.value.casefold(), self.type)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IdToken):
            return NotImplemented
        return self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


@dataclass(frozen=True, slots=True)
class IdTokenInfo:
    """What the central system says about a token.

    ``parent_id`` is 1.6's parentIdTag; ``group_id_token`` is 2.0.1's groupIdToken. Either
    names the token's group (:attr:`group_id`). ``expires_at`` is 1.6 expiryDate / 2.0.1
    cacheExpiryDateTime; None means the status has no end (1.6 section 7.27).
    """

    status: AuthorizationStatus
    expires_at: datetime | None = None
    parent_id: str | None = None
    group_id_token: IdToken | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", AuthorizationStatus(self.status))
        _aware(self.expires_at, "expires_at")

    @property
    def group_id(self) -> str | None:
        if self.parent_id is not None:
            return self.parent_id
        return self.group_id_token.value if self.group_id_token is not None else None

    def is_expired_at(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def is_valid_at(self, now: datetime) -> bool:
        """Accepted, and the expiry not reached."""
        return self.status == _S.ACCEPTED and not self.is_expired_at(now)

    def as_seen_at(self, now: datetime) -> IdTokenInfo:
        """The entry with status Expired once its expiry is reached (1.6 section 3.5.1)."""
        if self.is_expired_at(now) and self.status != _S.EXPIRED:
            return replace(self, status=_S.EXPIRED)
        return self


# --- wire mapping ------------------------------------------------------------------------------


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    _aware(moment, "an OCPP dateTime")
    return moment.astimezone(UTC)


def id_tag_info_from_ocpp16(payload: Mapping[str, Any]) -> IdTokenInfo:
    """An IdTagInfo object (1.6 section 7.27) as an :class:`IdTokenInfo`."""
    expiry = payload.get("expiryDate")
    return IdTokenInfo(
        status=AuthorizationStatus(payload["status"]),
        expires_at=_parse_time(expiry) if expiry is not None else None,
        parent_id=payload.get("parentIdTag"),
    )


def id_tag_info_to_ocpp16(info: IdTokenInfo) -> dict[str, Any]:
    """The 1.6 IdTagInfo object; a 2.0.1-only status becomes its nearest 1.6 status."""
    payload: dict[str, Any] = {"status": _STATUS_16[info.status]}
    if info.expires_at is not None:
        payload["expiryDate"] = iso(info.expires_at)
    if info.group_id is not None:
        payload["parentIdTag"] = info.group_id
    return payload


def id_token_from_ocpp201(payload: Mapping[str, Any]) -> IdToken:
    """A 2.0.1 IdTokenType (additionalInfo is not kept)."""
    return IdToken(value=payload["idToken"], type=payload["type"])


_TOKEN_TYPES_201: frozenset[v201.IdTokenEnumType] = frozenset(get_args(v201.IdTokenEnumType))


def id_token_to_ocpp201(
    token: IdToken, types: frozenset[str] | None = _TOKEN_TYPES_201
) -> v201.IdTokenType:
    """The 2.0.1 IdTokenType (also 2.1's, whose ``types`` are None: its IdTokenEnumStringType
    is open, any string its schema takes, e.g. DirectPayment).

    Raises:
        ValueError: a type 2.0.1 does not have (the verbs take only its types, checked
            against the schema before a token is made).
    """
    kind = token.type
    if types is not None and not is_one_of(kind, types):
        raise ValueError(f"OCPP 2.0.1 has no idToken type {kind!r}")
    return {"idToken": token.value, "type": kind}  # type: ignore[typeddict-item]


def id_token_info_from_ocpp201(payload: Mapping[str, Any]) -> IdTokenInfo:
    """A 2.0.1 IdTokenInfoType (status, cacheExpiryDateTime and groupIdToken are kept)."""
    expiry = payload.get("cacheExpiryDateTime")
    group = payload.get("groupIdToken")
    return IdTokenInfo(
        status=AuthorizationStatus(payload["status"]),
        expires_at=_parse_time(expiry) if expiry is not None else None,
        group_id_token=id_token_from_ocpp201(group) if group is not None else None,
    )


def id_token_info_to_ocpp201(info: IdTokenInfo) -> dict[str, Any]:
    """The 2.0.1 IdTokenInfoType. A bare 1.6 parent id becomes a groupIdToken of type Central
    (an identifier the central system made up, which is what a parent id is: 1.6 section 3.9)."""
    payload: dict[str, Any] = {"status": info.status.value}
    if info.expires_at is not None:
        payload["cacheExpiryDateTime"] = iso(info.expires_at)
    group = info.group_id_token
    if group is None and info.parent_id is not None:
        group = IdToken(info.parent_id, "Central")
    if group is not None:
        payload["groupIdToken"] = id_token_to_ocpp201(group)
    return payload


# --- the local authorization list --------------------------------------------------------------


class UpdateStatus(StrEnum):
    """1.6 UpdateStatus (section 7.47). 2.0.1 SendLocalListStatusEnumType has no NotSupported;
    its personality answers Failed instead."""

    ACCEPTED = "Accepted"
    FAILED = "Failed"
    NOT_SUPPORTED = "NotSupported"
    VERSION_MISMATCH = "VersionMismatch"


Entry = tuple[IdToken, IdTokenInfo | None]
"""One AuthorizationData of a SendLocalList: a token and its info (None: remove the token)."""


class LocalAuthorizationList:
    """The list only the central system may change (1.6 section 3.5.2; 2.0.1 D01).

    Args:
        max_length: how many tokens it holds (1.6 LocalAuthListMaxLength; 2.0.1
            LocalAuthListCtrlr.Storage/Entries).
        max_update_length: how many tokens one update may carry (1.6 SendLocalListMaxLength;
            2.0.1 ItemsPerMessageSendLocalList); None for no limit.
    """

    def __init__(self, max_length: int, *, max_update_length: int | None = None) -> None:
        self._max_length = max_length
        self._max_update_length = max_update_length
        self._entries: dict[IdToken, IdTokenInfo] = {}
        self._version = 0

    @property
    def version(self) -> int:
        """The version of the installed list; 0 when none is (1.6 section 5.10; 2.0.1 D02)."""
        return self._version

    def get(self, id_token: IdToken) -> IdTokenInfo | None:
        """The stored info, as the central system sent it (expiry not applied)."""
        return self._entries.get(id_token)

    def entries(self) -> dict[IdToken, IdTokenInfo]:
        """A copy of the whole list."""
        return dict(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, id_token: object) -> bool:
        return id_token in self._entries

    def update(
        self, version: int, entries: Sequence[Entry], full: bool, *, enabled: bool = True
    ) -> UpdateStatus:
        """Apply a SendLocalList (``full``: updateType Full), all or nothing.

        ``entries`` is the new list of a full update, or the tokens a differential one adds or
        updates (with info) and removes (without). ``version`` is the list's version after it
        (1.6 section 6.41). ``enabled`` is LocalAuthListEnabled.

        Returns:
            NotSupported when disabled; VersionMismatch for a differential update whose version
            is not above the current one (1.6 section 7.47; 2.0.1 D01.FR.19); Failed for an
            update that is malformed or would not fit.
        """
        if not enabled:
            return UpdateStatus.NOT_SUPPORTED
        if self._max_update_length is not None and len(entries) > self._max_update_length:
            return UpdateStatus.FAILED
        if len({token for token, _ in entries}) != len(entries):
            return UpdateStatus.FAILED  # tokens MUST be unique: 1.6 6.41, 2.0.1 D01.FR.06
        # Version 0 means "no list" (1.6 section 5.10, 2.0.1 D02), so it may only come with a
        # full update that empties the list; any other version must be positive (D01.FR.18).
        if version < 0 or (version == 0 and (entries or not full)):
            return UpdateStatus.FAILED
        if full:
            if any(info is None for _, info in entries):
                return UpdateStatus.FAILED  # idTagInfo is required in a full update (1.6 7.1)
            new = {token: info for token, info in entries if info is not None}
        else:
            if version <= self._version:
                return UpdateStatus.VERSION_MISMATCH
            # An empty differential update changes only the version (1.6 6.41, D01.FR.05).
            new = dict(self._entries)
            for token, info in entries:
                new.pop(token, None)  # (then a new spelling of the value replaces the old one)
                if info is not None:
                    new[token] = info
        if len(new) > self._max_length:
            return UpdateStatus.FAILED
        self._entries = new
        self._version = version
        return UpdateStatus.ACCEPTED


# --- the authorization cache -------------------------------------------------------------------


class AuthorizationCache:
    """Every IdTokenInfo the central system sent, kept in least-recently-used order.

    Args:
        capacity: how many tokens it holds (at least 1).
        lifetime: 2.0.1 AuthCacheCtrlr.LifeTime: an info stored without an expiry expires this
            long after it was stored (C10.FR.08). None (and 1.6) for no such limit.
    """

    def __init__(self, capacity: int, *, lifetime: timedelta | None = None) -> None:
        if capacity < 1:
            raise ValueError(f"a cache needs room for at least one token, not {capacity}")
        self._capacity = capacity
        self._lifetime = lifetime
        self._entries: OrderedDict[IdToken, IdTokenInfo] = OrderedDict()  # least recent first

    def get(self, id_token: IdToken, now: datetime) -> IdTokenInfo | None:
        """The entry, marked as used. One whose expiry has been reached is changed to Expired
        in the cache and reported so (1.6 section 3.5.1)."""
        info = self._entries.get(id_token)
        if info is None:
            return None
        info = self._entries[id_token] = info.as_seen_at(now)
        self._entries.move_to_end(id_token)
        return info

    def store(self, id_token: IdToken, info: IdTokenInfo, now: datetime) -> None:
        """Add or update an entry from an answer of the central system (1.6 sections 3.5.1,
        4.1, 4.8, 4.10; 2.0.1 C10). When full, evicts first the least recently used entry
        that is not valid at ``now``, else the least recently used one (1.6 section 3.5.1)."""
        if info.expires_at is None and self._lifetime is not None:
            info = replace(info, expires_at=now + self._lifetime)
        if id_token not in self._entries and len(self._entries) >= self._capacity:
            victim = next(
                (token for token, old in self._entries.items() if not old.is_valid_at(now)),
                next(iter(self._entries)),
            )
            del self._entries[victim]
        self._entries.pop(id_token, None)
        self._entries[id_token] = info

    def entries(self) -> list[tuple[IdToken, IdTokenInfo]]:
        """Every entry as stored, least recently used first, without counting as a use (the
        station's memory read back: 1.6 section 3.5.1, 2.0.1 C10)."""
        return list(self._entries.items())

    def peek(self, id_token: IdToken) -> IdTokenInfo | None:
        """The entry as stored, without counting as a use (a report about the token)."""
        return self._entries.get(id_token)

    def forget(self, id_token: IdToken) -> bool:
        """Remove the token's entry (2.0.1 N10, clearing a customer's data); returns whether
        there was one."""
        return self._entries.pop(id_token, None) is not None

    def clear(self) -> None:
        """ClearCache (1.6 section 5.4; 2.0.1 C11)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, id_token: object) -> bool:
        return id_token in self._entries


# --- the decisions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorizationPolicy:
    """The configuration keys that steer local authorization (1.6 sections 9.1 and 9.2; 2.0.1
    AuthCtrlr, LocalAuthListCtrlr, AuthCacheCtrlr). The spec gives no defaults; these are a
    common charger's: authorize offline from the lists, otherwise always ask."""

    local_authorize_offline: bool = True
    local_pre_authorize: bool = False
    allow_offline_tx_for_unknown_id: bool = False
    authorize_remote_tx_requests: bool = False
    local_auth_list_enabled: bool = True
    authorization_cache_enabled: bool = True


class Verdict(StrEnum):
    ACCEPT = "Accept"  # start now with the known info; no Authorize request
    ASK_CENTRAL = "AskCentral"  # send Authorize and act on its answer
    REJECT = "Reject"  # refuse; show the decision's info
    ACCEPT_UNKNOWN_OFFLINE = "AcceptUnknownOffline"  # offline, unknown token, allowed anyway


class Source(StrEnum):
    LOCAL_LIST = "LocalList"
    CACHE = "Cache"


@dataclass(frozen=True, slots=True)
class LocalDecision:
    """A verdict and what it rests on: ``info`` is the entry found (expiry applied) or, for a
    token rejected as unknown, an Unknown info; ``source`` says where the entry was found."""

    verdict: Verdict
    info: IdTokenInfo | None = None
    source: Source | None = None


def decide_local(
    id_token: IdToken,
    *,
    online: bool,
    now: datetime,
    policy: AuthorizationPolicy,
    local_list: LocalAuthorizationList,
    cache: AuthorizationCache,
) -> LocalDecision:
    """What to do when ``id_token`` is presented to start charging (see the module docstring).
    A cache hit counts as a use of the entry."""
    # The list before the cache (1.6 section 3.5.3); a disabled store is not looked at.
    info: IdTokenInfo | None = None
    source: Source | None = None
    if policy.local_auth_list_enabled and (listed := local_list.get(id_token)) is not None:
        info, source = listed.as_seen_at(now), Source.LOCAL_LIST
    elif policy.authorization_cache_enabled and (cached := cache.get(id_token, now)) is not None:
        info, source = cached, Source.CACHE
    valid = info is not None and info.is_valid_at(now)
    if online:
        verdict = Verdict.ACCEPT if valid and policy.local_pre_authorize else Verdict.ASK_CENTRAL
        return LocalDecision(verdict, info, source)
    if info is not None and not valid:
        # Known but not valid (blocked, expired, or valid once and expired since) MUST be
        # rejected, even where unknown tokens are let in (1.6 section 3.5.4; 2.0.1 C13, C15).
        return LocalDecision(Verdict.REJECT, info, source)
    if valid and policy.local_authorize_offline:
        return LocalDecision(Verdict.ACCEPT, info, source)
    if policy.allow_offline_tx_for_unknown_id:
        return LocalDecision(Verdict.ACCEPT_UNKNOWN_OFFLINE)
    return LocalDecision(Verdict.REJECT, IdTokenInfo(_S.UNKNOWN))


def remember(
    id_token: IdToken,
    info: IdTokenInfo,
    *,
    now: datetime,
    policy: AuthorizationPolicy,
    local_list: LocalAuthorizationList,
    cache: AuthorizationCache,
) -> bool:
    """Cache the info from an Authorize, StartTransaction or StopTransaction answer (2.0.1:
    Authorize, TransactionEvent) where the rules allow, and say whether it was cached: not when
    the cache is disabled, not for a token in the (enabled) local list (1.6 sections 3.5.3,
    4.1), and not for the 2.0.1 token types the central system never authorizes (Central and
    NoAuthorization: use cases C05 and C02), which leave nothing to cache."""
    if not policy.authorization_cache_enabled or id_token.type in {"Central", "NoAuthorization"}:
        return False
    if policy.local_auth_list_enabled and id_token in local_list:
        return False
    cache.store(id_token, info, now)
    return True


def remote_start_needs_authorization(policy: AuthorizationPolicy) -> bool:
    """Whether a remote start is authorized like a local one first (1.6 section 5.11,
    AuthorizeRemoteTxRequests; 2.0.1 F01/F02, AuthCtrlr.AuthorizeRemoteStart)."""
    return policy.authorize_remote_tx_requests


def may_stop(
    started_by: IdToken,
    started_parent: str | None,
    presented: IdToken,
    presented_info: IdTokenInfo | None,
) -> bool:
    """Whether ``presented`` may stop the transaction ``started_by`` started.

    The same token always may, and needs no Authorize request (1.6 sections 3.4, 4.1). Another
    token may when its info is Accepted and names the same group as the starting token's
    (1.6 section 3.10: "two idTags are considered to be in the same group if their ParentId
    Tags match"; 2.0.1 C09.FR.03). Pass the info as freshly answered by the central system, or
    as :func:`decide_local` found it (expiry applied).
    """
    if presented == started_by:
        return True
    if presented_info is None or presented_info.status != _S.ACCEPTED:
        return False
    return _same_id(presented_info.group_id, started_parent)
