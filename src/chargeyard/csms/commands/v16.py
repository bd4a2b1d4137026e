"""The commands in OCPP 1.6's words.

A configuration key may name a 1.6 key's 2.0.1 counterpart (``OCPPCommCtrlr.HeartbeatInterval``,
``protocol/configuration_keys.py``): the station is asked by the 1.6 key, and the answer keeps
the key as it was sent, so one key works on a station of either version.
"""

from __future__ import annotations

from chargeyard.csms.commands.awaited import new_request_id
from chargeyard.csms.commands.base import (
    SIGN_CERTIFICATE_TRIGGERS,
    TRIGGERS_201_ONLY,
    AvailabilityType,
    InvalidCommand,
    LogType,
    Reporter,
    ResetType,
    Result,
    Send,
    SignedFirmware,
    TriggerableMessage,
)
from chargeyard.csms.commands.v201 import get_log
from chargeyard.protocol import Payload
from chargeyard.protocol.configuration_keys import VARIABLES_OF_16_KEYS

# A 2.0.1 variable's name -> the 1.6 key that means the same.
_KEYS_OF_201_VARIABLES = {variable.key: key for key, variable in VARIABLES_OF_16_KEYS.items()}


class Ocpp16:
    """OCPP 1.6: the command API was written in its words."""

    async def reset(self, send: Send, kind: ResetType, evse_id: int | None = None) -> str:
        if evse_id is not None:
            raise InvalidCommand("OCPP 1.6 resets the whole charger: evseId is 2.0.1's (B11, B12)")
        return str((await send("Reset", {"type": kind}))["status"])

    async def unlock(self, send: Send, connector_id: int) -> str:
        return str((await send("UnlockConnector", {"connectorId": connector_id}))["status"])

    async def trigger(
        self, send: Send, requested: TriggerableMessage, connector_id: int | None
    ) -> str:
        if requested in SIGN_CERTIFICATE_TRIGGERS:
            # TriggerMessage.req has no such message: the security extension's
            # ExtendedTriggerMessage.req asks for it.
            payload: Payload = {"requestedMessage": "SignChargePointCertificate"}
            return str((await send("ExtendedTriggerMessage", payload))["status"])
        if requested in TRIGGERS_201_ONLY:
            raise InvalidCommand(f"{requested} is an OCPP 2.0.1 message: a 1.6 charger sends none")
        payload = {"requestedMessage": requested}
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
        # The keys the user sent, by the 1.6 key each asks for.
        asked_as: dict[str, list[str]] = {}
        for key in keys:
            asked_as.setdefault(_KEYS_OF_201_VARIABLES.get(key, key), []).append(key)
        # GetConfiguration without keys lists them all (1.6 section 5.8): no report needed.
        answer = await send("GetConfiguration", {"key": list(asked_as)} if keys else {})
        known = [
            {"key": key, "readonly": item["readonly"], "value": item.get("value")}
            for item in answer.get("configurationKey", [])
            for key in asked_as.get(item["key"], [item["key"]])
        ]
        unknown = [
            key for name in answer.get("unknownKey", []) for key in asked_as.get(name, [name])
        ]
        return known, unknown

    async def change_configuration(self, send: Send, key: str, value: str) -> str:
        payload = {"key": _KEYS_OF_201_VARIABLES.get(key, key), "value": value}
        return str((await send("ChangeConfiguration", payload))["status"])

    async def update_firmware(
        self,
        send: Send,
        location: str,
        retrieve: str,
        options: Payload,
        signed: SignedFirmware | None = None,
        install: str | None = None,
    ) -> str:
        if install is not None and signed is None:
            raise InvalidCommand(
                "a 1.6 UpdateFirmware has no install date: the charger installs once"
                " downloaded (a secure update, SignedUpdateFirmware, takes one)"
            )
        if signed is not None:
            # The security extension's secure update (its L01): SignedUpdateFirmware, answered
            # with a status; the progress comes in SignedFirmwareStatusNotification.
            firmware = {
                "location": location,
                "retrieveDateTime": retrieve,
                "signingCertificate": signed.signing_certificate,
                "signature": signed.signature,
            }
            if install is not None:
                firmware["installDateTime"] = install
            payload = {"requestId": new_request_id(), "firmware": firmware, **options}
            return str((await send("SignedUpdateFirmware", payload))["status"])
        # The 1.6 answer is empty: the station acknowledges, then reports progress in
        # FirmwareStatusNotification (1.6 section 6.53).
        await send("UpdateFirmware", {"location": location, "retrieveDate": retrieve, **options})
        return "Accepted"

    async def get_diagnostics(
        self,
        send: Send,
        location: str,
        window: Payload,
        options: Payload,
        log_type: LogType | None = None,
    ) -> tuple[str, str | None]:
        if log_type is not None:  # the security extension's GetLog, as 2.0.1 words it
            return await get_log(send, log_type, location, window, options)
        answer = await send("GetDiagnostics", {"location": location, **window, **options})
        # No fileName: the station has no diagnostics to upload (1.6 section 6.27).
        return "Accepted", answer.get("fileName")
