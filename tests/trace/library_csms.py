"""A central system written with the `ocpp` library, configured as chargeyard's lab CSMS is
(any station, any tag Accepted) but for its heartbeat interval: :data:`INTERVAL` seconds where
chargeyard's answers 60. A trace recorded against chargeyard's CSMS and replayed against this
one differs in exactly that."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint as LibChargePoint16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as LibChargePoint201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from chargeyard.protocol import VersionSpec

INTERVAL = 300


def _now() -> str:
    return datetime.now(UTC).isoformat()


class AcceptingCsms16(LibChargePoint16):  # type: ignore[misc]
    # Its own transaction ids, far from chargeyard's: the replay must carry these onwards.
    transaction_ids = itertools.count(7001)

    @on(Action16.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot(self, **payload: Any) -> result16.BootNotification:
        return result16.BootNotification(current_time=_now(), interval=INTERVAL, status="Accepted")

    @on(Action16.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **payload: Any) -> result16.Heartbeat:
        return result16.Heartbeat(current_time=_now())

    @on(Action16.status_notification)  # type: ignore[untyped-decorator]
    def on_status(self, **payload: Any) -> result16.StatusNotification:
        return result16.StatusNotification()

    @on(Action16.authorize)  # type: ignore[untyped-decorator]
    def on_authorize(self, **payload: Any) -> result16.Authorize:
        return result16.Authorize(id_tag_info={"status": "Accepted"})

    @on(Action16.start_transaction)  # type: ignore[untyped-decorator]
    def on_start(self, **payload: Any) -> result16.StartTransaction:
        self.started = next(self.transaction_ids)
        return result16.StartTransaction(
            transaction_id=self.started, id_tag_info={"status": "Accepted"}
        )

    @on(Action16.stop_transaction)  # type: ignore[untyped-decorator]
    def on_stop(self, transaction_id: int, **payload: Any) -> result16.StopTransaction:
        self.stopped = transaction_id
        if "id_tag" not in payload:
            return result16.StopTransaction()
        return result16.StopTransaction(id_tag_info={"status": "Accepted"})

    @on(Action16.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, **payload: Any) -> result16.MeterValues:
        return result16.MeterValues()

    @on(Action16.data_transfer)  # type: ignore[untyped-decorator]
    def on_data_transfer(self, **payload: Any) -> result16.DataTransfer:
        return result16.DataTransfer(status="UnknownVendorId")


class AcceptingCsms201(LibChargePoint201):  # type: ignore[misc]
    @on(Action201.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot(self, **payload: Any) -> result201.BootNotification:
        return result201.BootNotification(current_time=_now(), interval=INTERVAL, status="Accepted")

    @on(Action201.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **payload: Any) -> result201.Heartbeat:
        return result201.Heartbeat(current_time=_now())

    @on(Action201.status_notification)  # type: ignore[untyped-decorator]
    def on_status(self, **payload: Any) -> result201.StatusNotification:
        return result201.StatusNotification()

    @on(Action201.notify_event)  # type: ignore[untyped-decorator]
    def on_notify_event(self, **payload: Any) -> result201.NotifyEvent:
        return result201.NotifyEvent()

    @on(Action201.authorize)  # type: ignore[untyped-decorator]
    def on_authorize(self, **payload: Any) -> result201.Authorize:
        return result201.Authorize(id_token_info={"status": "Accepted"})

    @on(Action201.transaction_event)  # type: ignore[untyped-decorator]
    def on_transaction_event(
        self, id_token: dict[str, str] | None = None, **payload: Any
    ) -> result201.TransactionEvent:
        if id_token is None:
            return result201.TransactionEvent()
        return result201.TransactionEvent(id_token_info={"status": "Accepted"})

    @on(Action201.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, **payload: Any) -> result201.MeterValues:
        return result201.MeterValues()

    @on(Action201.security_event_notification)  # type: ignore[untyped-decorator]
    def on_security_event(self, **payload: Any) -> result201.SecurityEventNotification:
        return result201.SecurityEventNotification()


_CENTRAL_SYSTEMS: dict[str, type[Any]] = {"1.6": AcceptingCsms16, "2.0.1": AcceptingCsms201}


@contextlib.asynccontextmanager
async def library_csms(
    version: VersionSpec, sessions: list[Any] | None = None
) -> AsyncIterator[str]:
    """The version's library CSMS on 127.0.0.1: its URL without the identity; each station's
    ChargePoint is appended to ``sessions`` when given."""
    central_system = _CENTRAL_SYSTEMS[version.name]

    async def station(websocket: ServerConnection) -> None:
        path = websocket.request.path if websocket.request is not None else ""
        session = central_system(path.rstrip("/").rsplit("/", 1)[-1], websocket)
        if sessions is not None:
            sessions.append(session)
        with contextlib.suppress(ConnectionClosed):
            await session.start()

    subprotocols = [Subprotocol(version.subprotocol)]
    async with serve(station, "127.0.0.1", 0, subprotocols=subprotocols) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ocpp"
