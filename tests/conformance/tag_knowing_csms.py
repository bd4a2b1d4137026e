"""Small central systems of the `ocpp` library, as an operator configures one: each knows the
id tags of :data:`KNOWN_TAGS` (and no other), answers every message a station sends of its own
accord, and keeps transactions; nothing outside it can make it act. The plain-run tests judge
them with the tags stated on the command line."""

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

# The CSMS's configuration, as its operator set it up: tag -> (status, parent or group).
KNOWN_TAGS = {
    "ALICE": ("Accepted", "FAMILY"),
    "BOB": ("Accepted", "FAMILY"),
    "MALLORY": ("Blocked", None),
    "OLDCARD": ("Expired", None),
    "FOREMAN": ("Accepted", "MASTERS"),  # 2.0.1: a master pass (C16)
}

# The command line that states that configuration: `chargeyard.cli_conformance.csms.stated_tags`'s
# arguments (--id-tag ALICE --invalid-id-tag NOBODY --expired-id-tag OLDCARD --blocked-id-tag
# MALLORY --grouped-id-tag BOB --parent-id-tag FAMILY; 2.0.1 --master-pass-id-tag FOREMAN
# --master-pass-group MASTERS).
STATED = ("ALICE", "NOBODY", "OLDCARD", "MALLORY", "BOB", "FAMILY")
MASTER_PASS = {"master_pass": "FOREMAN", "master_pass_group": "MASTERS"}


def _now() -> str:
    return datetime.now(UTC).isoformat()


class TagKnowingCsms16(LibChargePoint16):  # type: ignore[misc]
    """OCPP 1.6: a tag's parent is its parentIdTag."""

    transaction_ids = itertools.count(1)

    def _tag_info(self, id_tag: str) -> dict[str, str]:
        status, parent = KNOWN_TAGS.get(id_tag, ("Invalid", None))
        info = {"status": status}
        if parent is not None:
            info["parentIdTag"] = parent
        return info

    @on(Action16.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot(self, **payload: Any) -> result16.BootNotification:
        return result16.BootNotification(current_time=_now(), interval=60, status="Accepted")

    @on(Action16.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **payload: Any) -> result16.Heartbeat:
        return result16.Heartbeat(current_time=_now())

    @on(Action16.status_notification)  # type: ignore[untyped-decorator]
    def on_status(self, **payload: Any) -> result16.StatusNotification:
        return result16.StatusNotification()

    @on(Action16.authorize)  # type: ignore[untyped-decorator]
    def on_authorize(self, id_tag: str, **payload: Any) -> result16.Authorize:
        return result16.Authorize(id_tag_info=self._tag_info(id_tag))

    @on(Action16.start_transaction)  # type: ignore[untyped-decorator]
    def on_start(self, id_tag: str, **payload: Any) -> result16.StartTransaction:
        return result16.StartTransaction(
            transaction_id=next(self.transaction_ids), id_tag_info=self._tag_info(id_tag)
        )

    @on(Action16.stop_transaction)  # type: ignore[untyped-decorator]
    def on_stop(self, id_tag: str | None = None, **payload: Any) -> result16.StopTransaction:
        if id_tag is None:
            return result16.StopTransaction()
        return result16.StopTransaction(id_tag_info=self._tag_info(id_tag))

    @on(Action16.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, **payload: Any) -> result16.MeterValues:
        return result16.MeterValues()

    @on(Action16.data_transfer)  # type: ignore[untyped-decorator]
    def on_data_transfer(self, **payload: Any) -> result16.DataTransfer:
        return result16.DataTransfer(status="UnknownVendorId")


class TagKnowingCsms201(LibChargePoint201):  # type: ignore[misc]
    """OCPP 2.0.1: a tag's group is its groupIdToken (C09, C16)."""

    def _token_info(self, id_token: dict[str, str]) -> dict[str, Any]:
        status, group = KNOWN_TAGS.get(id_token["id_token"], ("Invalid", None))
        info: dict[str, Any] = {"status": status}
        if group is not None:
            info["group_id_token"] = {"id_token": group, "type": "Central"}
        return info

    @on(Action201.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot(self, **payload: Any) -> result201.BootNotification:
        return result201.BootNotification(current_time=_now(), interval=60, status="Accepted")

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
    def on_authorize(self, id_token: dict[str, str], **payload: Any) -> result201.Authorize:
        return result201.Authorize(id_token_info=self._token_info(id_token))

    @on(Action201.transaction_event)  # type: ignore[untyped-decorator]
    def on_transaction_event(
        self, id_token: dict[str, str] | None = None, **payload: Any
    ) -> result201.TransactionEvent:
        if id_token is None:
            return result201.TransactionEvent()
        return result201.TransactionEvent(id_token_info=self._token_info(id_token))

    @on(Action201.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, **payload: Any) -> result201.MeterValues:
        return result201.MeterValues()

    @on(Action201.notify_charging_limit)  # type: ignore[untyped-decorator]
    def on_charging_limit(self, **payload: Any) -> result201.NotifyChargingLimit:
        return result201.NotifyChargingLimit()

    @on(Action201.cleared_charging_limit)  # type: ignore[untyped-decorator]
    def on_cleared_charging_limit(self, **payload: Any) -> result201.ClearedChargingLimit:
        return result201.ClearedChargingLimit()

    @on(Action201.security_event_notification)  # type: ignore[untyped-decorator]
    def on_security_event(self, **payload: Any) -> result201.SecurityEventNotification:
        return result201.SecurityEventNotification()

    @on(Action201.data_transfer)  # type: ignore[untyped-decorator]
    def on_data_transfer(self, **payload: Any) -> result201.DataTransfer:
        return result201.DataTransfer(status="UnknownVendorId")


_CENTRAL_SYSTEMS: dict[str, type[Any]] = {"1.6": TagKnowingCsms16, "2.0.1": TagKnowingCsms201}


@contextlib.asynccontextmanager
async def tag_knowing_csms(version: VersionSpec) -> AsyncIterator[str]:
    """The version's tag-knowing CSMS on 127.0.0.1: its URL without the identity."""
    central_system = _CENTRAL_SYSTEMS[version.name]

    async def station(websocket: ServerConnection) -> None:
        path = websocket.request.path if websocket.request is not None else ""
        with contextlib.suppress(ConnectionClosed):  # the station's leaving ends the session
            await central_system(path.rstrip("/").rsplit("/", 1)[-1], websocket).start()

    subprotocols = [Subprotocol(version.subprotocol)]
    async with serve(station, "127.0.0.1", 0, subprotocols=subprotocols) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ocpp"
