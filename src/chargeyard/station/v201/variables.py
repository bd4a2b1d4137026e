"""The standard components and variables a 2.0.1 station starts with.

The names are those of OCPP 2.0.1 part 2, "Referenced Components and Variables" (the appendix
each functional block points to): e.g. the spec's ``MessageAttemptsTransactionEvent`` is the
variable MessageAttempts, instance TransactionEvent, of OCPPCommCtrlr. Only the variables the
implemented blocks read or report are seeded; a feature block adds its own with
:meth:`DeviceModel.add`.

Values start from the station's template: catalog templates carry OCPP 1.6 configuration keys
(``StationTemplate.configuration_16``), so each 2.0.1 variable that has a 1.6 counterpart
(``protocol/configuration_keys.py``) takes its value, e.g. TxCtrlr.EVConnectionTimeOut from
ConnectionTimeOut. The rest have the defaults below. Measurand lists keep the measurands
2.0.1 has (no Temperature).

Values that change by themselves (AvailabilityState, Power, the clock, list sizes) are read
live from the station through :class:`LiveValues`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from chargeyard.protocol.configuration_keys import VARIABLES_OF_16_KEYS
from chargeyard.station.catalog import CurrentType, StationTemplate
from chargeyard.station.model.certificates import DEFAULT_MAX_ENTRIES
from chargeyard.station.model.meter import SUPPORTED_MEASURANDS_201
from chargeyard.station.v201.device_model import Component, DataType, DeviceModel, Variable

# The order in which a MemberList of measurands lists what it may hold.
MEASURANDS_201 = tuple(
    name
    for name in (
        "Energy.Active.Import.Register",
        "Power.Active.Import",
        "Current.Import",
        "Voltage",
        "SoC",
        "Power.Offered",
        "Current.Offered",
        "Frequency",
    )
    if name in SUPPORTED_MEASURANDS_201
)
# TxCtrlr.TxStartPoint / TxStopPoint members this station implements (E01, E06);
# ParkingBayOccupancy and DataSigned need hardware it does not simulate.
TX_POINTS = ("EVConnected", "Authorized", "PowerPathClosed", "EnergyTransfer")
CONNECTOR_STATUSES = ("Available", "Occupied", "Reserved", "Unavailable", "Faulted")

# 2.0.1 (component, variable, instance) <- the 1.6 key whose template value it starts with.
_FROM_16: Mapping[tuple[str, str, str | None], str] = {
    (variable.component, variable.variable, variable.instance): key
    for key, variable in VARIABLES_OF_16_KEYS.items()
}


class LiveValues(Protocol):
    """What the device model reads from the station when asked."""

    def availability_state(self, evse_id: int | None, connector_id: int | None) -> str: ...

    def power_w(self, evse_id: int | None) -> float: ...

    def problem(self) -> bool: ...

    def date_time(self) -> str: ...

    def local_list_entries(self) -> int: ...

    def charging_profile_entries(self) -> int: ...

    def certificate_entries(self) -> int: ...


# passwordString (part 2 section 2.1): letters, digits and * - _ = : + | @ .
_PASSWORD = re.compile(r"[A-Za-z0-9*\-_=:+|@.]*")


def password_refusal(value: str) -> str | None:
    """Why a BasicAuthPassword is refused: a passwordString of 16 to 40 characters (A00.FR.205;
    maxLimit is the variable's own): OutOfRange for a shorter one, InvalidValue for a character
    passwordString does not allow."""
    if len(value) < 16:
        return "OutOfRange"
    if _PASSWORD.fullmatch(value) is None:
        return "InvalidValue"
    return None


def _v(name: str, kind: DataType, value: object = "", **options: Any) -> Variable:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return Variable(name, kind, text, **options)


def _ro(name: str, kind: DataType, value: object, **options: Any) -> Variable:
    return _v(name, kind, value, mutability="ReadOnly", constant=True, **options)


def _measurands(name: str, value: str) -> Variable:
    kept = [m.strip() for m in value.split(",") if m.strip() in MEASURANDS_201]
    return _v(name, "MemberList", ",".join(dict.fromkeys(kept)), values_list=MEASURANDS_201)


def build_device_model(
    template: StationTemplate,
    *,
    identity: str,
    message_timeout_s: int,
    live: LiveValues,
) -> DeviceModel:
    """The device model of a station built from ``template``."""
    model = DeviceModel()
    phases = 0 if template.current_type is CurrentType.DC else template.phases  # 0: DC
    rate_units = {"Current": "A", "Power": "W"}
    config16 = template.configuration_16()
    allowed_units = config16.get("ChargingScheduleAllowedChargingRateUnit", "Current,Power")

    def state(evse: int | None = None, connector: int | None = None) -> Variable:
        return Variable(
            "AvailabilityState",
            "OptionList",
            mutability="ReadOnly",
            persistent=False,
            values_list=CONNECTOR_STATUSES,
            live=lambda: live.availability_state(evse, connector),
        )

    def power(evse: int | None, max_w: float) -> Variable:
        return Variable(
            "Power",
            "decimal",
            mutability="ReadOnly",
            unit="W",
            persistent=False,
            max_limit=max_w,
            extra={"MaxSet": f"{max_w:g}"},
            live=lambda: f"{live.power_w(evse):.1f}",
        )

    model.add(
        "ChargingStation",
        state(),
        _ro("Available", "boolean", True),
        _ro("Model", "string", template.model),
        _ro("VendorName", "string", template.vendor),
        _ro("SupplyPhases", "integer", phases),
        power(None, template.max_power_w),
        Variable(
            "Problem",
            "boolean",
            mutability="ReadOnly",
            persistent=False,
            live=lambda: str(live.problem()).lower(),
        ),
    )
    for evse_template in template.evses:
        evse_id = evse_template.id
        model.add(
            Component("EVSE", evse=evse_id),
            state(evse_id),
            _ro("Available", "boolean", True),
            power(evse_id, evse_template.max_power_w),
            _ro("SupplyPhases", "integer", phases),
            # Reset of one EVSE (B11/B12 with evseId).
            _ro("AllowReset", "boolean", True),
        )
        for connector in evse_template.connectors:
            model.add(
                Component("Connector", evse=evse_id, connector=connector.id),
                state(evse_id, connector.id),
                _ro("Available", "boolean", True),
                _ro("ConnectorType", "string", connector.type),
                _ro("SupplyPhases", "integer", phases),
            )
    model.add(
        "ClockCtrlr",
        Variable(
            "DateTime", "dateTime", mutability="ReadOnly", persistent=False, live=live.date_time
        ),
        _v(
            "TimeSource",
            "SequenceList",
            "Heartbeat",
            values_list=("Heartbeat", "NTP", "GPS", "RealTimeClock", "MobileNetwork"),
        ),
    )
    model.add(
        "OCPPCommCtrlr",
        _v("HeartbeatInterval", "integer", 300, unit="s", min_limit=0),
        _ro("MessageTimeout", "integer", message_timeout_s, instance="Default", unit="s"),
        _v("MessageAttempts", "integer", 3, instance="TransactionEvent", min_limit=1),
        _v("MessageAttemptInterval", "integer", 60, instance="TransactionEvent", unit="s"),
        _v("OfflineThreshold", "integer", 300, unit="s", min_limit=0),
        _v("ResetRetries", "integer", 3, min_limit=0),
        # Part 4 section 5.3: reconnecting after a lost connection (base.reconnect_wait).
        _v("RetryBackOffRepeatTimes", "integer", 6, min_limit=0),
        _v("RetryBackOffRandomRange", "integer", 1, unit="s", min_limit=0),
        _v("RetryBackOffWaitMinimum", "integer", 1, unit="s", min_limit=0),
        _v("UnlockOnEVSideDisconnect", "boolean", True),
        # The WebSocket is opened with its ping interval: a new one needs a new connection.
        _v("WebSocketPingInterval", "integer", 60, unit="s", min_limit=0, reboot_required=True),
        _ro(
            "FileTransferProtocols",
            "MemberList",
            "HTTP,HTTPS",
            values_list=("FTP", "FTPS", "HTTP", "HTTPS", "SFTP"),
        ),
    )
    model.add(
        "DeviceDataCtrlr",
        *(
            _ro("ItemsPerMessage", "integer", items, instance=instance)
            for instance, items in (("GetReport", 20), ("GetVariables", 50), ("SetVariables", 50))
        ),
        *(
            _ro("BytesPerMessage", "integer", 65000, instance=instance)
            for instance in ("GetReport", "GetVariables", "SetVariables")
        ),
    )
    model.add(
        "SecurityCtrlr",
        _ro("Identity", "string", identity, max_limit=48),
        Variable(
            "BasicAuthPassword",
            "string",
            "",
            mutability="WriteOnly",
            max_limit=40,
            check=password_refusal,
        ),
        # Required of every station (part 2 appendix): the organization its certificate
        # requests would name, and how many CA certificates it holds (M03-M05); its maxLimit
        # is the store's size (M05.FR.06), the template's 1.6 CertificateStoreMaxLength.
        _v("OrganizationName", "string", template.vendor),
        Variable(
            "CertificateEntries",
            "integer",
            mutability="ReadOnly",
            persistent=False,
            max_limit=float(config16.get("CertificateStoreMaxLength", str(DEFAULT_MAX_ENTRIES))),
            live=lambda: str(live.certificate_entries()),
        ),
        # A02.FR.17-19: how long the station waits for CertificateSigned before it repeats
        # its SignCertificate, and how many times the wait doubles.
        _v("CertSigningWaitMinimum", "integer", 60, unit="s", min_limit=1),
        _v("CertSigningRepeatTimes", "integer", 3, min_limit=0),
    )
    model.add(
        "AuthCtrlr",
        _v("Enabled", "boolean", True),
        _v("AuthorizeRemoteStart", "boolean", False),
        _v("LocalAuthorizeOffline", "boolean", True),
        _v("LocalPreAuthorize", "boolean", False),
        _v("OfflineTxForUnknownIdEnabled", "boolean", False),
    )
    model.add(
        "AuthCacheCtrlr",
        _v("Enabled", "boolean", True),
        _ro("Available", "boolean", True),
        _ro("Policy", "OptionList", "LRU", values_list=("LRU", "LFU", "FIFO", "CUSTOM")),
    )
    model.add(
        "LocalAuthListCtrlr",
        _v("Enabled", "boolean", True),
        _ro("Available", "boolean", True),
        Variable(
            "Entries",
            "integer",
            mutability="ReadOnly",
            persistent=False,
            max_limit=float(config16.get("LocalAuthListMaxLength", "1000")),
            live=lambda: str(live.local_list_entries()),
        ),
        _ro("ItemsPerMessage", "integer", 100),
        _ro("BytesPerMessage", "integer", 65000),
    )
    model.add(
        "ReservationCtrlr",
        _v("Enabled", "boolean", True),
        _ro("Available", "boolean", True),
        _ro("NonEvseSpecific", "boolean", False),
    )
    model.add(
        "SmartChargingCtrlr",
        _v("Enabled", "boolean", True),
        _ro("Available", "boolean", True),
        Variable(
            "Entries",
            "integer",
            mutability="ReadOnly",
            instance="ChargingProfiles",
            persistent=False,
            max_limit=float(config16.get("MaxChargingProfilesInstalled", "10")),
            live=lambda: str(live.charging_profile_entries()),
        ),
        _ro("PeriodsPerSchedule", "integer", 24),
        _ro("ProfileStackLevel", "integer", 8),
        _ro(
            "RateUnit",
            "MemberList",
            ",".join(rate_units[u] for u in allowed_units.split(",") if u in rate_units),
            values_list=("A", "W"),
        ),
        _ro("Phases3to1", "boolean", config16.get("ConnectorSwitch3to1PhaseSupported", "false")),
    )
    model.add(
        "SampledDataCtrlr",
        _v("Enabled", "boolean", True),
        _ro("Available", "boolean", True),
        _measurands("TxStartedMeasurands", "Energy.Active.Import.Register"),
        _measurands("TxUpdatedMeasurands", ""),
        _v("TxUpdatedInterval", "integer", 60, unit="s", min_limit=0),
        _measurands("TxEndedMeasurands", "Energy.Active.Import.Register"),
        _v("TxEndedInterval", "integer", 0, unit="s", min_limit=0),
        # Registers are one total, never per phase (meter.py).
        _ro("RegisterValuesWithoutPhases", "boolean", True),
    )
    model.add(
        "AlignedDataCtrlr",
        _v("Enabled", "boolean", True),
        _ro("Available", "boolean", True),
        _v("Interval", "integer", 900, unit="s", min_limit=0),
        _measurands("Measurands", "Energy.Active.Import.Register"),
        _v("SendDuringIdle", "boolean", False),
        _v("TxEndedInterval", "integer", 0, unit="s", min_limit=0),
        _measurands("TxEndedMeasurands", "Energy.Active.Import.Register"),
    )
    model.add(
        "TxCtrlr",
        _v("EVConnectionTimeOut", "integer", 60, unit="s", min_limit=0),
        _v("MaxEnergyOnInvalidId", "integer", 0, unit="Wh", min_limit=0),
        _v("StopTxOnEVSideDisconnect", "boolean", True),
        _v("StopTxOnInvalidId", "boolean", True),
        _v("TxStartPoint", "MemberList", "PowerPathClosed", values_list=TX_POINTS),
        _v("TxStopPoint", "MemberList", "EVConnected,Authorized", values_list=TX_POINTS),
    )
    _apply_template(model, config16)
    return model


def _apply_template(model: DeviceModel, config16: Mapping[str, str]) -> None:
    for (component, name, instance), key in _FROM_16.items():
        if key not in config16:
            continue
        variable = model.variable(component, name, instance)
        assert variable is not None, (component, name, instance)
        value = config16[key]
        if variable.data_type == "MemberList":
            value = ",".join(m.strip() for m in value.split(",") if m.strip() in MEASURANDS_201)
        variable.value = variable.default = value
