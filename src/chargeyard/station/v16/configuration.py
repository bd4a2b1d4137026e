"""OCPP 1.6 configuration keys: what GetConfiguration reads and ChangeConfiguration writes.

The standard keys and their accessibility are OCPP 1.6 section 9 (9.1 Core, 9.2 Local Auth List
Management, 9.3 Reservation, 9.4 Smart Charging). A station starts from its template's values
(``StationTemplate.configuration_16()``). ChangeConfiguration answers (section 5.3):

* an unknown key -> NotSupported;
* a read-only key, or a value of the wrong type or outside what the station supports (its
  own rule, :attr:`Configuration.check`: a lower SecurityProfile) -> Rejected;
* a write-only key (the security whitepaper's AuthorizationKey) is never told by
  GetConfiguration: not listed among all the keys, listed without its value when asked for;
* a key the station applies only at boot -> RebootRequired (the value is stored);
* otherwise Accepted, and whoever listens (:meth:`Configuration.on_change`) applies it now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from chargeyard.protocol.messages import v16
from chargeyard.station.model.meter import parse_measurands

Kind = Literal["int", "bool", "measurands", "csl", "string", "password"]
ChangeStatus = Literal["Accepted", "Rejected", "RebootRequired", "NotSupported"]


@dataclass(frozen=True, slots=True)
class KeyDefinition:
    name: str
    kind: Kind
    readonly: bool = False
    reboot_required: bool = False
    writeonly: bool = False  # GetConfiguration never tells its value


def _keys(*definitions: KeyDefinition) -> dict[str, KeyDefinition]:
    return {definition.name: definition for definition in definitions}


_K = KeyDefinition

STANDARD_KEYS: Mapping[str, KeyDefinition] = _keys(
    # 9.1 Core profile
    _K("AllowOfflineTxForUnknownId", "bool"),
    _K("AuthorizationCacheEnabled", "bool"),
    _K("AuthorizeRemoteTxRequests", "bool"),
    _K("BlinkRepeat", "int"),
    _K("ClockAlignedDataInterval", "int"),
    _K("ConnectionTimeOut", "int"),
    # The phase wiring is read when the station starts.
    _K("ConnectorPhaseRotation", "csl", reboot_required=True),
    _K("ConnectorPhaseRotationMaxLength", "int", readonly=True),
    _K("GetConfigurationMaxKeys", "int", readonly=True),
    _K("HeartbeatInterval", "int"),
    _K("LightIntensity", "int"),
    _K("LocalAuthorizeOffline", "bool"),
    _K("LocalPreAuthorize", "bool"),
    _K("MaxEnergyOnInvalidId", "int"),
    _K("MeterValuesAlignedData", "measurands"),
    _K("MeterValuesAlignedDataMaxLength", "int", readonly=True),
    _K("MeterValuesSampledData", "measurands"),
    _K("MeterValuesSampledDataMaxLength", "int", readonly=True),
    _K("MeterValueSampleInterval", "int"),
    _K("MinimumStatusDuration", "int"),
    _K("NumberOfConnectors", "int", readonly=True),
    _K("ResetRetries", "int"),
    _K("StopTransactionOnEVSideDisconnect", "bool"),
    _K("StopTransactionOnInvalidId", "bool"),
    _K("StopTxnAlignedData", "measurands"),
    _K("StopTxnAlignedDataMaxLength", "int", readonly=True),
    _K("StopTxnSampledData", "measurands"),
    _K("StopTxnSampledDataMaxLength", "int", readonly=True),
    _K("SupportedFeatureProfiles", "csl", readonly=True),
    _K("SupportedFeatureProfilesMaxLength", "int", readonly=True),
    _K("TransactionMessageAttempts", "int"),
    _K("TransactionMessageRetryInterval", "int"),
    _K("UnlockConnectorOnEVSideDisconnect", "bool"),
    # The WebSocket is opened with its ping interval; a new one needs a new connection.
    _K("WebSocketPingInterval", "int", reboot_required=True),
    # 9.2 Local Auth List Management profile
    _K("LocalAuthListEnabled", "bool"),
    _K("LocalAuthListMaxLength", "int", readonly=True),
    _K("SendLocalListMaxLength", "int", readonly=True),
    # 9.3 Reservation profile
    _K("ReserveConnectorZeroSupported", "bool", readonly=True),
    # 9.4 Smart Charging profile
    _K("ChargeProfileMaxStackLevel", "int", readonly=True),
    _K("ChargingScheduleAllowedChargingRateUnit", "csl", readonly=True),
    _K("ChargingScheduleMaxPeriods", "int", readonly=True),
    _K("ConnectorSwitch3to1PhaseSupported", "bool", readonly=True),
    _K("MaxChargingProfilesInstalled", "int", readonly=True),
    # The security whitepaper (edition 3, section 7.2): the password of security profile 1.
    _K("AuthorizationKey", "password", writeonly=True),
    # The security extension's certificate management: how many CA certificates the station
    # holds (InstallCertificate beyond it is Rejected).
    _K("CertificateStoreMaxLength", "int", readonly=True),
    # The security whitepaper (edition 3, section 7.6): the security profile the station
    # connects with, which only goes up (``security_profile.py``).
    _K("SecurityProfile", "int"),
)


def _valid(kind: Kind, value: str) -> bool:
    if kind == "int":
        try:
            return int(value) >= 0
        except ValueError:
            return False
    if kind == "bool":
        return value.lower() in ("true", "false")
    if kind == "measurands":
        _, invalid = parse_measurands(value)
        return not invalid
    if kind == "password":
        # 16 to 20 bytes as hexadecimal digits (security whitepaper 7.2, A00.FR.205).
        return 32 <= len(value) <= 40 and all(c in "0123456789abcdefABCDEF" for c in value)
    return True


class Configuration:
    """The station's 1.6 configuration: standard keys with their template values.

    The template's values are read, never written: the stations of a template share them, and
    each keeps only the values it changed (a copy of them all would be most of a kilobyte per
    station in a fleet).

    Args:
        values: the template's keys and values (strings, as on the wire); not changed.
        definitions: the keys this station knows; keys in ``values`` that are not standard are
            kept as writable vendor strings.
    """

    __slots__ = ("_changed", "_definitions", "_listeners", "_values", "check")

    def __init__(
        self,
        values: Mapping[str, str],
        definitions: Mapping[str, KeyDefinition] = STANDARD_KEYS,
    ) -> None:
        # The definitions are shared between stations unless the template adds vendor keys
        # (a private copy of the standard ones is 1.6 KB per station in a fleet).
        vendor = {key: KeyDefinition(key, "string") for key in values if key not in definitions}
        self._definitions: Mapping[str, KeyDefinition] = (
            {**definitions, **vendor} if vendor else definitions
        )
        self._values = values
        # This station's values that differ from the template's; None while none do.
        self._changed: dict[str, str] | None = None
        self._listeners: list[Callable[[str, str], None]] = []
        # The station's own rule beyond a key's kind: False rejects the value (the security
        # profile only goes up). None: none.
        self.check: Callable[[str, str], bool] | None = None

    def on_change(self, listener: Callable[[str, str], None]) -> None:
        """Call ``listener(key, value)`` after every accepted change."""
        self._listeners.append(listener)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def _value(self, key: str) -> str | None:
        changed = self._changed
        if changed is not None and key in changed:
            return changed[key]
        return self._values.get(key)

    def _set(self, key: str, value: str) -> None:
        changed = self._changed
        if value == self._values[key]:
            if changed is not None:
                changed.pop(key, None)
        elif changed is None:
            self._changed = {key: value}
        else:
            changed[key] = value

    def get(self, key: str, default: str = "") -> str:
        value = self._value(key)
        return default if value is None else value

    def get_int(self, key: str, default: int = 0) -> int:
        value = self._value(key)
        try:
            return default if value is None else int(value)
        except ValueError:
            return default

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self._value(key)
        return default if value is None else value.lower() == "true"

    def get_list(self, key: str) -> list[str]:
        return [item.strip() for item in self.get(key).split(",") if item.strip()]

    def record(self, key: str, value: str) -> None:
        """The station itself sets a key it has (no listener is told): a value that changed
        by another way than ChangeConfiguration, such as the heartbeat interval a boot
        answer set."""
        if key in self._values:
            self._set(key, value)

    def change(self, key: str, value: str) -> ChangeStatus:
        """ChangeConfiguration.req (OCPP 1.6 section 5.3)."""
        definition = self._definitions.get(key)
        if definition is None or key not in self._values:
            return "NotSupported"
        if definition.readonly or not _valid(definition.kind, value):
            return "Rejected"
        if self.check is not None and not self.check(key, value):
            return "Rejected"
        if definition.kind == "bool":
            value = value.lower()
        self._set(key, value)
        if definition.reboot_required:
            return "RebootRequired"
        for listener in self._listeners:
            listener(key, value)
        return "Accepted"

    def report(self, keys: Iterable[str] | None) -> v16.GetConfigurationResponse:
        """GetConfiguration.conf (OCPP 1.6 section 6.25): all keys when none are asked."""
        wanted = (
            [key for key in self._values if not self._definitions[key].writeonly]
            if not keys
            else list(keys)
        )
        known = [self._entry(key) for key in wanted if key in self._values]
        unknown = [key for key in wanted if key not in self._values]
        answer: v16.GetConfigurationResponse = {}
        if known:
            answer["configurationKey"] = known
        if unknown:
            answer["unknownKey"] = unknown
        return answer

    def _entry(self, key: str) -> v16.ConfigurationKey:
        definition = self._definitions[key]
        entry: v16.ConfigurationKey = {"key": key, "readonly": definition.readonly}
        if not definition.writeonly:
            entry["value"] = self.get(key)
        return entry
