"""BootNotification, the same for every version once its fields are read: the facts kept (and
the connector set forgotten when the station boots as other hardware, ``layout.py``), the
listeners told, the station's registration's answer returned (its own, else the policy's), and
a Pending station sent its registration's pending calls after the answer (OCPP 1.6 section
4.2.1, OCPP 2.0.1 B01-B03; ``registration.py``)."""

from __future__ import annotations

import logging
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from chargeyard.csms import event_data, layout
from chargeyard.csms.context import StationContext, iso, utc_now
from chargeyard.csms.registration import PENDING, PendingCall, Registration
from chargeyard.protocol import Payload
from chargeyard.protocol.messages import is_one_of, v201
from chargeyard.store import station_writer

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BootReport:
    """What a BootNotification says of the station, whatever the version's field names
    (OCPP 1.6 section 4.2.1, OCPP 2.0.1 B01)."""

    vendor: str
    model: str
    serial_number: str | None
    firmware_version: str | None


@dataclass(frozen=True, slots=True)
class BootAnswer:
    """The BootNotification answer, whose fields every version names alike: ``status`` is
    RegistrationStatus (1.6 section 7.38; 2.0.1 RegistrationStatusEnumType, the same three),
    ``current_time`` RFC 3339, ``interval`` in seconds."""

    status: v201.RegistrationStatusEnumType
    current_time: str
    interval: int


_REGISTRATION_STATUSES: frozenset[v201.RegistrationStatusEnumType] = frozenset(
    typing.get_args(v201.RegistrationStatusEnumType)
)


async def boot(context: StationContext, report: BootReport) -> BootAnswer:
    """Keep the boot facts with the registration's answer, tell the listeners, and return the
    BootNotification answer.

    Raises:
        ValueError: the registration's status is none of OCPP's (the API and the listener's
            ``--boot-status`` store only those).
    """
    policy = context.boot_policy
    read = None if context.known is None else context.known.take_registration()
    status, calls = (
        read if read is not None else await context.store.stations.registration_of(context.identity)
    )
    registration = Registration.of(status, calls, policy.status)
    answered = registration.status
    if not is_one_of(answered, _REGISTRATION_STATUSES):
        raise ValueError(f"{context.identity}'s registration status {answered!r} is not OCPP's")
    # Another vendor or model is other hardware, with connectors of its own (layout.py).
    await layout.on_boot(
        context.store, context.identity, report.vendor, report.model, context.known
    )
    await context.keep(
        station_writer.boot_facts(
            context.identity,
            vendor=report.vendor,
            model=report.model,
            serial_number=report.serial_number,
            firmware_version=report.firmware_version,
            registration_status=registration.status,
        )
    )
    if context.known is not None:
        context.known.vendor, context.known.model = report.vendor, report.model
    if context.announced is not None:
        # A station that is told it booted, and a user who sees its boot event, may command it
        # at once through any node: its connection is made known there first.
        await context.announced(context.identity)
    # The commands the API sends, and the station's own CALLs, follow the answer from now on
    # (registration.py).
    if context.registration is not None:
        context.registration.answered(registration.status)
    if registration.status == PENDING:
        await _pending(context, registration.calls)
    context.events.publish(
        event_data.boot(
            context.identity,
            vendor=report.vendor,
            model=report.model,
            serial_number=report.serial_number,
            firmware_version=report.firmware_version,
            status=registration.status,
        )
    )
    return BootAnswer(answered, iso(utc_now()), policy.interval)


async def _pending(context: StationContext, calls: tuple[PendingCall, ...]) -> None:
    """Send a station answered Pending its registration's calls once the answer is out; when
    each has a CALLRESULT, its registration becomes Accepted, and so does its next boot (B02:
    "the Pending status can thus indicate that the CSMS wants to retrieve or set information
    before accepting the Charging Station"). Without calls that is at once."""
    identity = context.identity
    if not calls:
        await context.store.stations.accept_pending(identity)
        return
    follow_ups = context.follow_ups
    if follow_ups is None:  # no connection to send them on: it stays Pending
        return
    answers = _PendingAnswers(context, len(calls))
    for call in calls:
        if context.registration is not None:
            context.registration.sent(call.action, call.payload)
        follow_ups.call_after_answer(call.action, call.payload, answers.outcome(call.action))


class _PendingAnswers:
    """Counts the pending calls' answers; all CALLRESULTs make the registration Accepted."""

    def __init__(self, context: StationContext, count: int) -> None:
        self._context = context
        self._left = count
        self._failed = False

    def outcome(self, action: str) -> Callable[[Payload | None, str | None], Awaitable[None]]:
        async def told(answer: Payload | None, why: str | None) -> None:
            identity = self._context.identity
            if answer is None:
                logger.warning("%s did not answer pending %s: %s", identity, action, why)
                self._failed = True
            self._left -= 1
            done = self._left == 0 and not self._failed
            if done and await self._context.store.stations.accept_pending(identity):
                logger.info("%s answered its pending calls: its next boot is Accepted", identity)

        return told
