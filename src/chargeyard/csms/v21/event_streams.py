"""Periodic event streams (OCPP 2.1, functional block N): a station sends the values of a
Periodic monitor as a stream instead of one NotifyEvent each.

The station opens a stream for a monitor with OpenPeriodicEventStream (a CALL), sends its
values in NotifyPeriodicEventStream (a SEND: never answered, 2.1 part 4 section 4.2.5) and
closes it with ClosePeriodicEventStream. The central system accepts every stream: it keeps what
a monitor reports whatever the way it comes. Each message is kept as one of the station's
notifications of kind ``event_stream``, ``status`` naming the stream (``stream 7``): the
stream's constant data for an opening, the values with ``pending`` and ``basetime`` for each
NotifyPeriodicEventStream, kept at its ``basetime`` (the time of its first value: each value
is at ``basetime`` + ``t`` seconds).
"""

from __future__ import annotations

import logging

from chargeyard.csms.context import StationContext, parse_time
from chargeyard.csms.notifications_v201 import as_json, without
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v21
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)


def stream_status(stream_id: int) -> str:
    """The ``status`` of a stream's notifications."""
    return f"stream {stream_id}"


class EventStreamsV21(ActionHandlers):
    """Mixed into :class:`~chargeyard.csms.v21.CentralSystemV21`, which sets ``context``."""

    context: StationContext

    @on("OpenPeriodicEventStream")
    async def open_periodic_event_stream(
        self, payload: v21.OpenPeriodicEventStreamRequest
    ) -> v21.OpenPeriodicEventStreamResponse:
        stream = payload["constantStreamData"]
        logger.info(
            "%s opened event stream %s (monitor %s)",
            self.context.identity,
            stream["id"],
            stream["variableMonitoringId"],
        )
        await self.context.note(
            NotificationKind.EVENT_STREAM,
            "OpenPeriodicEventStream",
            status=stream_status(stream["id"]),
            detail=as_json(without(stream)),
        )
        return {"status": "Accepted"}

    @on("NotifyPeriodicEventStream")
    async def notify_periodic_event_stream(
        self, payload: v21.NotifyPeriodicEventStreamRequest
    ) -> None:
        # A SEND: nothing is answered, not even when keeping fails (the session logs it).
        await self.context.note(
            NotificationKind.EVENT_STREAM,
            "NotifyPeriodicEventStream",
            status=stream_status(payload["id"]),
            detail=as_json(without(payload, "id")),
            at=parse_time(payload["basetime"]),
        )

    @on("ClosePeriodicEventStream")
    async def close_periodic_event_stream(
        self, payload: v21.ClosePeriodicEventStreamRequest
    ) -> v21.ClosePeriodicEventStreamResponse:
        logger.info("%s closed event stream %s", self.context.identity, payload["id"])
        await self.context.note(
            NotificationKind.EVENT_STREAM,
            "ClosePeriodicEventStream",
            status=stream_status(payload["id"]),
        )
        return {}
