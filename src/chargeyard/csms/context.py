"""What every version's handlers share: the station they serve, the store they write to, the
boot policy and the vendor DataTransfer handlers, plus the few helpers that do not depend on
the version (timestamps, id-tag answers, DataTransfer bookkeeping).

Handlers persist through the store's repositories, each call of which commits before it
returns; a handler that awaits them answers only after the facts are kept: what a station
reported is committed before its CALLRESULT is sent.
"""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson

from chargeyard import loop_clock
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.csms.boot_grace import BootGrace
from chargeyard.csms.command_state import AwaitedReports, PendingStarts
from chargeyard.csms.events import Event, EventHub, EventSink, EventType
from chargeyard.csms.follow_ups import FollowUps
from chargeyard.csms.known import KnownStation
from chargeyard.csms.policy import SINGLE_SESSION, BootPolicy
from chargeyard.csms.registration import RegistrationGate
from chargeyard.csms.remote_starts import RemoteStarts
from chargeyard.csms.reports import DeviceReports
from chargeyard.protocol.messages import is_one_of, v16, v201
from chargeyard.store import Store
from chargeyard.store.id_tag_lookup import IdTagLookup
from chargeyard.store.models import (
    DEFAULT_ORGANIZATION_ID,
    Direction,
    NotificationKind,
    StationNotification,
)
from chargeyard.store.repositories import Authorization, NewNotification
from chargeyard.store.repositories.id_tags import INVALID, TagFacts, authorize
from chargeyard.store.sample_writer import SampleWriter
from chargeyard.store.station_writer import Fact, StationWriter, write_now

logger = logging.getLogger(__name__)

_ACCEPTED = Authorization(status="Accepted")
"""What an id tag the table does not have gets with ``accept_unknown_tags``."""


@dataclass(frozen=True, slots=True)
class DataTransferRequest:
    """An incoming DataTransfer (OCPP 1.6 section 4.3, OCPP 2.0.1 P01)."""

    identity: str
    vendor_id: str
    message_id: str | None
    data: Any


@dataclass(frozen=True, slots=True)
class DataTransferAnswer:
    """``status``: Accepted, Rejected, UnknownMessageId or UnknownVendorId (the same in 1.6
    and 2.0.1); ``data`` a string for a 1.6 station, any JSON value for a 2.0.1 one."""

    status: v201.DataTransferStatusEnumType
    data: Any = None


DataTransferHandler = Callable[
    [DataTransferRequest], DataTransferAnswer | Awaitable[DataTransferAnswer]
]
"""A vendor's DataTransfer handler, registered by vendorId."""


@dataclass(frozen=True, slots=True)
class StationContext:
    """One connected station as its handlers see it."""

    identity: str
    store: Store
    boot_policy: BootPolicy = field(default_factory=BootPolicy)
    data_transfer_handlers: Mapping[str, DataTransferHandler] = field(default_factory=dict)
    # A lab switch: an id tag the table does not know is Accepted instead of Invalid (tags
    # the table knows keep their status, expiry and parent).
    accept_unknown_tags: bool = False
    # Where handlers tell what happened, after it is committed (webhooks, the live stream).
    events: EventSink = field(default_factory=EventHub)
    # The starts the API asked for, to mark a transaction remote_started (command_state.py;
    # the registry's in one process).
    remote_starts: PendingStarts = field(default_factory=RemoteStarts)
    # The device-model reports a command waits for (command_state.py; the registry's).
    reports: AwaitedReports = field(default_factory=DeviceReports)
    # The connection's registration, which each boot answer updates (registration.py; the
    # registry's, which sends commands by it); None: no connection keeps one.
    registration: RegistrationGate | None = None
    # The listener's group-commit writer of meter samples (csms/samples.py); None: each
    # message commits on its own.
    sample_writer: SampleWriter | None = None
    # The listener's group-commit writer of presence, boot facts, heartbeats and connector
    # statuses (store/station_writer.py); None: each message commits on its own.
    station_writer: StationWriter | None = None
    # The station's layout as read when it connected, kept current by its boots (layout.py);
    # None: read from the store when needed.
    known: KnownStation | None = None
    # The listener's batched reader of id tags (store/id_tag_lookup.py); None: each answer
    # reads its tag on its own.
    tag_lookup: IdTagLookup | None = None
    # Given the station's identity, returns once its connection is known to every node that
    # may command it (the registry's announced(): a cluster's presence key,
    # cluster/redis_station_presence.py); None: at once.
    announced: Callable[[str], Awaitable[None]] | None = None
    # The organization the station belongs to: its id tags answer its Authorize, and its
    # events (stamped by ``events``) go to that organization's webhooks and stream.
    organization_id: str = DEFAULT_ORGANIZATION_ID
    # The certificate authority that signs the station's own certificate (authority.py,
    # certificates.py), and the connection's CALLs sent after an answer, CertificateSigned
    # among them (follow_ups.py); without both, SignCertificate is Rejected.
    authority: CertificateAuthority | None = None
    follow_ups: FollowUps | None = None
    # The listener's grace for a booting station before the transactions of a connector it
    # reports Available are closed (boot_grace.py); None: closed at once.
    boot_grace: BootGrace | None = None

    async def keep(self, *facts: Fact) -> None:
        """Commit what the station said of itself (``store/station_writer.py``), with the
        listener's group commit when it runs one.

        Raises:
            NotFoundError: the station is gone from the store (deleted while connected).
        """
        if self.station_writer is None:
            await write_now(self.store.engine, facts)
        else:
            await self.station_writer.keep(*facts)

    async def note(
        self,
        kind: NotificationKind,
        action: str,
        *,
        status: str | None = None,
        request_id: int | None = None,
        detail: str | None = None,
        at: datetime | None = None,
        evse_id: int | None = None,
    ) -> None:
        """Keep what the station reported on its own as one of its notifications, then tell
        it as a ``charger.notification`` event (webhooks, the live stream).

        Raises:
            NotFoundError: the station is gone from the store.
        """
        new = NewNotification(kind, action, status, request_id, detail, at, evse_id)
        await self.note_all([new])

    async def note_all(self, news: Sequence[NewNotification]) -> None:
        """:meth:`note` for the notifications of one message (the events of a NotifyEvent),
        kept together."""
        for row in await self.store.notifications.record_all(self.identity, news):
            self.events.publish(_notification_event(self.identity, row))

    async def authorize(
        self, id_tag: str, *, starting: bool = False, excluding: int | None = None
    ) -> Authorization:
        """The central system's answer for ``id_tag`` (OCPP 1.6 section 4.2, 2.0.1 C01).

        ``starting``: the answer is for a charging session about to start (Authorize,
        StartTransaction, TransactionEvent Started), where the tag's policy applies: a
        ``single-session`` tag already in an active transaction anywhere, other than the one
        with row key ``excluding``, is ConcurrentTx (1.6 section 7.2: "already involved in
        another transaction and multiple transactions are not allowed"; 2.0.1
        AuthorizationStatusEnumType).
        """
        organization_id = self.organization_id
        lookup = self.tag_lookup

        async def read(tag: str) -> TagFacts | None:
            if lookup is None:
                return await self.store.id_tags.get(tag, organization_id=organization_id)
            return await lookup.get(organization_id, tag)

        unknown = _ACCEPTED if self.accept_unknown_tags else INVALID
        authorization = await authorize(read, id_tag, unknown=unknown)
        if authorization is unknown:
            return authorization
        if (
            starting
            and authorization.status == "Accepted"
            and authorization.policy == SINGLE_SESSION
            and await self.store.transactions.count_active_for_tag(
                id_tag, excluding=excluding, organization_id=organization_id
            )
        ):
            return replace(authorization, status="ConcurrentTx")
        return authorization


def utc_now() -> datetime:
    """Now on the lab's clock (``loop_clock``: wall time unless it runs fast-forwarded)."""
    return loop_clock.now()


def _notification_event(identity: str, row: StationNotification) -> Event:
    """A kept notification as an event: the fields ``GET .../notifications`` lists."""
    data = {
        "kind": row.kind,
        "action": row.action,
        "status": row.status,
        "requestId": row.request_id,
        "evseId": row.evse_id,
        "detail": row.detail,
        "at": iso(row.at),
    }
    return Event(EventType.CHARGER_NOTIFICATION, identity, data)


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with millisecond precision and a "Z", as OCPP timestamps are written."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str | None) -> datetime:
    """A station's timestamp as an aware UTC datetime; now when absent or unreadable. A time
    without an offset is taken as UTC (OCPP 1.6 section 3.1.4 asks for UTC)."""
    if not text:
        return utc_now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        logger.warning("unreadable timestamp %r; using the time of arrival", text)
        return utc_now()
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_TAG_STATUSES_16: frozenset[v16.IdTagInfoStatus] = frozenset(typing.get_args(v16.IdTagInfoStatus))


def _tag_status_16(status: str) -> v16.IdTagInfoStatus:
    if is_one_of(status, _TAG_STATUSES_16):
        return status
    logger.warning("id tag status %r is not OCPP 1.6's: answered Invalid", status)
    return "Invalid"


def id_tag_info(authorization: Authorization) -> v16.IdTagInfo:
    """OCPP 1.6 IdTagInfo (section 7.14). A status 1.6 cannot say (none that the API stores)
    is answered Invalid: a tag the central system cannot vouch for does not charge."""
    info: v16.IdTagInfo = {"status": _tag_status_16(authorization.status)}
    if authorization.expiry_date is not None:
        info["expiryDate"] = iso(authorization.expiry_date)
    if authorization.parent_id_tag is not None:
        info["parentIdTag"] = authorization.parent_id_tag
    return info


async def data_transfer(
    context: StationContext, request: DataTransferRequest
) -> DataTransferAnswer:
    """Answer an incoming DataTransfer with its vendor's handler (UnknownVendorId without one)
    and record both sides."""
    handler = context.data_transfer_handlers.get(request.vendor_id)
    if handler is None:
        answer = DataTransferAnswer("UnknownVendorId")
    else:
        result = handler(request)
        answer = await result if inspect.isawaitable(result) else result
    await context.store.data_transfers.record(
        context.identity,
        direction=Direction.INCOMING,
        vendor_id=request.vendor_id,
        message_id=request.message_id,
        data=_as_text(request.data),
        response_status=answer.status,
        response_data=_as_text(answer.data),
    )
    return answer


def _as_text(data: Any) -> str | None:
    # 1.6 data is a string; 2.0.1 data may be any JSON value, kept as its JSON text.
    if data is None or isinstance(data, str):
        return data
    return orjson.dumps(data).decode()
