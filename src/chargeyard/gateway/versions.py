"""Where the gateway's commands meet an OCPP version: names of versions, and the few actions
whose words differ between 1.6 and 2.0.1 (faults, configuration, the local list, the reason a
session ends). One adapter per version in one table, :data:`ADAPTERS`; the executor never asks
which version a station speaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chargeyard.gateway.commands import ConfigurationItem, LocalAuthListEntry
from chargeyard.protocol import Payload
from chargeyard.station.clock import iso

# "1.6", "ocpp1.6", "OCPP1.6", "OCPP 1.6", "v16"... -> the fleet's key.
_ALIASES = {"1.6": "1.6", "16": "1.6", "2.0.1": "2.0.1", "201": "2.0.1"}

# 2.0.1 ReasonEnumType values a fault may end a transaction with (availability.py).
_FAULT_REASONS_201 = frozenset(
    {"GroundFault", "OvercurrentFault", "PowerQuality", "EmergencyStop", "Other"}
)


def normalize_version(version: str) -> str:
    """The fleet's name of an OCPP version ("1.6", "2.0.1") from any spelling the API meets.

    Raises:
        ValueError: not a version the fleet runs.
    """
    text = version.strip().lower().removeprefix("ocpp").strip().removeprefix("v").strip()
    key = _ALIASES.get(text) or _ALIASES.get(text.replace(".", ""))
    if key is None:
        raise ValueError(f"unsupported OCPP version {version!r} (1.6 or 2.0.1)")
    return key


def command_version_label(version: str) -> str:
    """As a queued command shows it: ``ocpp1.6`` (the API reference's QueuedCommandResponse)."""
    return f"ocpp{normalize_version(version)}"


def runtime_version_label(version: str) -> str:
    """As a runtime answer shows it: ``OCPP1.6`` (the API reference's stop-charger example)."""
    return f"OCPP{normalize_version(version)}"


class VersionAdapter(Protocol):
    def inject_fault(
        self, station: Any, evse_id: int, connector_id: int, error_code: str
    ) -> None: ...

    def set_configuration(self, station: Any, items: list[ConfigurationItem]) -> dict[str, str]: ...

    def send_local_list(
        self, station: Any, version: int, entries: list[LocalAuthListEntry]
    ) -> str: ...

    def session_stop_reason(self, why: str) -> str: ...


@dataclass(frozen=True, slots=True)
class _V16:
    def inject_fault(self, station: Any, evse_id: int, connector_id: int, error_code: str) -> None:
        station.inject_fault(evse_id, connector_id, error_code=error_code)

    def set_configuration(self, station: Any, items: list[ConfigurationItem]) -> dict[str, str]:
        # ChangeConfiguration per key, through the station's own handler (section 5.3), so
        # that an accepted key applies at once as it would from a central system.
        return {
            item.key: str(
                station.change_configuration({"key": item.key, "value": item.value})["status"]
            )
            for item in items
        }

    def send_local_list(self, station: Any, version: int, entries: list[LocalAuthListEntry]) -> str:
        items: list[Payload] = []
        for entry in entries:
            info: Payload = {"status": "Accepted"}
            if entry.expiry_date is not None:
                info["expiryDate"] = iso(entry.expiry_date)
            items.append({"idTag": entry.id_tag, "idTagInfo": info})
        payload = {"listVersion": version, "updateType": "Full", "localAuthorizationList": items}
        return str(station.send_local_list(payload)["status"])

    def session_stop_reason(self, why: str) -> str:
        return "Local"  # 1.6 Reason has no time or energy limit (section 7.42)


@dataclass(frozen=True, slots=True)
class _V201:
    def inject_fault(self, station: Any, evse_id: int, connector_id: int, error_code: str) -> None:
        reason = error_code if error_code in _FAULT_REASONS_201 else "Other"
        station.inject_fault(evse_id, connector_id, reason)

    def set_configuration(self, station: Any, items: list[ConfigurationItem]) -> dict[str, str]:
        # SetVariables one variable at a time (B05: each item stands alone).
        results: dict[str, str] = {}
        for item in items:
            component, _, variable = item.key.partition(".")
            name, _, instance = variable.partition(":")
            if not component or not name:
                results[item.key] = "Rejected"
                continue
            wire_variable: Payload = {"name": name}
            if instance:
                wire_variable["instance"] = instance
            answer = station.set_variables(
                {
                    "setVariableData": [
                        {
                            "component": {"name": component},
                            "variable": wire_variable,
                            "attributeValue": item.value,
                        }
                    ]
                }
            )
            results[item.key] = str(answer["setVariableResult"][0]["attributeStatus"])
        return results

    def send_local_list(self, station: Any, version: int, entries: list[LocalAuthListEntry]) -> str:
        items: list[Payload] = []
        for entry in entries:
            info: Payload = {"status": "Accepted"}
            if entry.expiry_date is not None:
                info["cacheExpiryDateTime"] = iso(entry.expiry_date)
            items.append(
                {"idToken": {"idToken": entry.id_tag, "type": "ISO14443"}, "idTokenInfo": info}
            )
        payload = {"versionNumber": version, "updateType": "Full", "localAuthorizationList": items}
        return str(station.send_local_list(payload)["status"])

    def session_stop_reason(self, why: str) -> str:
        return {"time": "TimeLimitReached", "energy": "EnergyLimitReached"}.get(why, "Local")


ADAPTERS: Mapping[str, VersionAdapter] = {"1.6": _V16(), "2.0.1": _V201()}
"""The adapter of each version, by the station's ``version.name``."""
