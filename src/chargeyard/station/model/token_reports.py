"""What a station says about a token presented at its reader, for whoever drives it.

Theory of operation
-------------------
A driver who holds a card to a reader learns what became of it from the station's display: the
card was refused (and why), or accepted, and then whether the central system accepted the
transaction it started. A station tells the same to the listeners of its
:class:`TokenReports`, at the moments it learns it:

* :class:`TokenDecision`: the station's authorization of a token to start charging on an EVSE,
  with where it came from (:class:`AuthorizationSource`): an Authorize answer (1.6 section 4.1;
  2.0.1 C01), the local list or the cache (1.6 section 3.5; 2.0.1 C12-C14), the offline rule
  for unknown tokens (1.6 AllowOfflineTxForUnknownId; 2.0.1 C15 OfflineTxForUnknownIdEnabled),
  a remote start, or the station's own authority. A refusal says why in OCPP words;
* :class:`TokenConfirmation`: the central system's word on the transaction the token started
  (1.6 StartTransaction.conf idTagInfo, section 4.8; 2.0.1 the idTokenInfo of the
  TransactionEventResponse to the event that carried the idToken, E01/E05), and what the
  station did about a refusal (StopTransactionOnInvalidId, 1.6 section 9.1; 2.0.1 E05);
* :class:`TokenStop`: the token ended a running transaction's authorization instead (1.6
  sections 3.4, 4.1; 2.0.1 E07, C09).

Reports are told synchronously, in the middle of the station's own processing: a listener
notes them and looks at the station afterwards. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chargeyard.station.clock import iso
from chargeyard.station.model.authorization import (
    AuthorizationPolicy,
    AuthorizationStatus,
    IdToken,
    IdTokenInfo,
    LocalDecision,
    Source,
)


class AuthorizationSource(StrEnum):
    """Who authorized (or refused) a token."""

    CENTRAL_SYSTEM = "CentralSystem"  # an Authorize answer
    LOCAL_LIST = "LocalList"
    CACHE = "Cache"
    OFFLINE_UNKNOWN_ID = "OfflineUnknownId"  # offline, unknown, let in by the offline rule
    REMOTE_START = "RemoteStart"  # the central system's remote start vouches for it
    STATION = "Station"  # the station's own authority (no authorization needed or asked)

    @classmethod
    def of(cls, source: Source | None) -> AuthorizationSource:
        """Where a local decision (``decide_local``) found its entry; none: the offline rule."""
        if source is Source.LOCAL_LIST:
            return cls.LOCAL_LIST
        if source is Source.CACHE:
            return cls.CACHE
        return cls.OFFLINE_UNKNOWN_ID


@dataclass(frozen=True, slots=True)
class TokenDecision:
    """The station authorized ``token`` to charge on ``evse_id`` (``accepted``), or not.

    ``status`` is what the deciding entry or answer said (None where nobody said anything:
    the offline rule, the station's own authority, no answer at all); ``why`` a refusal's
    reason in OCPP words.
    """

    evse_id: int
    token: IdToken
    accepted: bool
    status: AuthorizationStatus | None
    source: AuthorizationSource | None
    why: str | None = None


@dataclass(frozen=True, slots=True)
class TokenConfirmation:
    """The central system answered the transaction message that carried ``token``.

    ``status`` is its idTagInfo / idTokenInfo status (None: a 2.0.1 answer without
    idTokenInfo, which leaves the authorization as it was); ``accepted`` whether the
    transaction may go on; ``why`` a refusal and what the station did about it.
    """

    evse_id: int
    token: IdToken
    transaction_id: str
    accepted: bool
    status: AuthorizationStatus | None
    why: str | None = None


@dataclass(frozen=True, slots=True)
class TokenStop:
    """``token`` ended the authorization of the transaction ``transaction_id``."""

    evse_id: int
    token: IdToken
    transaction_id: str


TokenReport = TokenDecision | TokenConfirmation | TokenStop
TokenListener = Callable[[TokenReport], None]


class TokenReports:
    """The listeners of one station's token reports."""

    def __init__(self) -> None:
        self._listeners: list[TokenListener] = []

    def listen(self, listener: TokenListener) -> Callable[[], None]:
        """Add ``listener``; returns what removes it."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def tell(self, report: TokenReport) -> None:
        for listener in list(self._listeners):
            listener(report)


def answered_refusal(message: str, info: IdTokenInfo, now: datetime) -> str:
    """ "the central system answered Authorize with Blocked" (or "... Accepted, expired at
    ...": an expiry already reached refuses like Expired, 1.6 section 7.27)."""
    if info.status is AuthorizationStatus.ACCEPTED and info.is_expired_at(now):
        assert info.expires_at is not None
        return f"the central system answered {message} with Accepted, expired at " + iso(
            info.expires_at
        )
    return f"the central system answered {message} with {info.status.value}"


@dataclass(frozen=True, slots=True)
class OfflineKeys:
    """The names of a version's offline authorization settings, for the reasons it gives."""

    authorize_offline: str
    unknown_id: str


def offline_refusal(decision: LocalDecision, policy: AuthorizationPolicy, keys: OfflineKeys) -> str:
    """Why ``decide_local`` refused a token offline (1.6 section 3.5.4; 2.0.1 C12-C15)."""
    info = decision.info
    if decision.source is not None and info is not None:
        store = "local list" if decision.source is Source.LOCAL_LIST else "authorization cache"
        return f"offline, and the station's {store} says {info.status.value}"
    if not policy.local_authorize_offline:
        return (
            f"offline, and the station's {keys.authorize_offline} and {keys.unknown_id} are false"
        )
    return f"offline and the tag is unknown: the station's {keys.unknown_id} is false"
