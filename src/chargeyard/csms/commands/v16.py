"""The commands in OCPP 1.6's words."""

from __future__ import annotations

from chargeyard.csms.commands.base import (
    AvailabilityType,
    Reporter,
    ResetType,
    Result,
    Send,
    TriggerableMessage,
)
from chargeyard.protocol import Payload


class Ocpp16:
    """OCPP 1.6: the command API was written in its words."""

    async def reset(self, send: Send, kind: ResetType) -> str:
        return str((await send("Reset", {"type": kind}))["status"])

    async def unlock(self, send: Send, connector_id: int) -> str:
        return str((await send("UnlockConnector", {"connectorId": connector_id}))["status"])

    async def trigger(
        self, send: Send, requested: TriggerableMessage, connector_id: int | None
    ) -> str:
        payload: Payload = {"requestedMessage": requested}
        if connector_id is not None:
            payload["connectorId"] = connector_id
        return str((await send("TriggerMessage", payload))["status"])

    async def change_availability(
        self, send: Send, connector_id: int, kind: AvailabilityType
    ) -> str:
        payload = {"connectorId": connector_id, "type": kind}
        return str((await send("ChangeAvailability", payload))["status"])

    async def get_configuration(
        self, send: Send, keys: list[str], report: Reporter
    ) -> tuple[list[Result], list[str]]:
        # GetConfiguration without keys lists them all (1.6 section 5.8): no report needed.
        answer = await send("GetConfiguration", {"key": keys} if keys else {})
        known = [
            {"key": item["key"], "readonly": item["readonly"], "value": item.get("value")}
            for item in answer.get("configurationKey", [])
        ]
        return known, list(answer.get("unknownKey", []))

    async def change_configuration(self, send: Send, key: str, value: str) -> str:
        return str((await send("ChangeConfiguration", {"key": key, "value": value}))["status"])

    async def update_firmware(
        self, send: Send, location: str, retrieve: str, options: Payload
    ) -> str:
        # The 1.6 answer is empty: the station acknowledges, then reports progress in
        # FirmwareStatusNotification (1.6 section 6.53).
        await send("UpdateFirmware", {"location": location, "retrieveDate": retrieve, **options})
        return "Accepted"

    async def get_diagnostics(
        self, send: Send, location: str, window: Payload, options: Payload
    ) -> tuple[str, str | None]:
        answer = await send("GetDiagnostics", {"location": location, **window, **options})
        # No fileName: the station has no diagnostics to upload (1.6 section 6.27).
        return "Accepted", answer.get("fileName")
