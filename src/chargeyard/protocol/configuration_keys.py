"""The OCPP 1.6 configuration keys that have a 2.0.1 device-model variable, in one table.

OCPP 1.6 configures a station with flat keys (1.6 section 9); OCPP 2.0.1 with variables of
components (2.0.1 part 1 section 4, part 2 appendix 3 "Referenced Components and Variables").
Both ends of chargeyard use this table: the central system's ``configuration/get`` and
``configuration/change`` accept a 1.6 key on a 2.0.1 station and ask for its variable
(``csms/commands/v201.py``), and a simulated 2.0.1 station seeds each variable from its
template's 1.6 key (``station/v201/variables.py``).

Only keys whose 2.0.1 variable holds the same value in the same form are here: a 1.6 key whose
counterpart differs in meaning (LocalAuthListMaxLength is the maxLimit of
LocalAuthListCtrlr.Entries, not its value) or in spelling (ChargingScheduleAllowedChargingRateUnit
lists Current,Power where SmartChargingCtrlr.RateUnit lists A,W) is left out, so that a value
read or written through the table always means what the 1.6 key meant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class DeviceVariable:
    """A variable of a station-wide component: ``OCPPCommCtrlr.HeartbeatInterval``, or with an
    instance ``OCPPCommCtrlr.MessageAttempts[TransactionEvent]``."""

    component: str
    variable: str
    instance: str | None = None

    @property
    def key(self) -> str:
        """How the CSMS API names it: ``Component.Variable[instance]``."""
        key = f"{self.component}.{self.variable}"
        return key if self.instance is None else f"{key}[{self.instance}]"


def _v(component: str, variable: str, instance: str | None = None) -> DeviceVariable:
    return DeviceVariable(component, variable, instance)


# 1.6 key -> its 2.0.1 variable; the letter is the 2.0.1 functional block (part 2) whose
# configuration variables list it.
VARIABLES_OF_16_KEYS: Mapping[str, DeviceVariable] = MappingProxyType(
    {
        # B Provisioning, G Availability: OCPPCommCtrlr
        "HeartbeatInterval": _v("OCPPCommCtrlr", "HeartbeatInterval"),
        "ResetRetries": _v("OCPPCommCtrlr", "ResetRetries"),
        "WebSocketPingInterval": _v("OCPPCommCtrlr", "WebSocketPingInterval"),
        "UnlockConnectorOnEVSideDisconnect": _v("OCPPCommCtrlr", "UnlockOnEVSideDisconnect"),
        # E Transactions: the retries of TransactionEvent (1.6 section 4.10's transaction
        # messages).
        "TransactionMessageAttempts": _v("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent"),
        "TransactionMessageRetryInterval": _v(
            "OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent"
        ),
        # C Authorization: AuthCtrlr, AuthCacheCtrlr
        "AuthorizeRemoteTxRequests": _v("AuthCtrlr", "AuthorizeRemoteStart"),
        "LocalAuthorizeOffline": _v("AuthCtrlr", "LocalAuthorizeOffline"),
        "LocalPreAuthorize": _v("AuthCtrlr", "LocalPreAuthorize"),
        "AllowOfflineTxForUnknownId": _v("AuthCtrlr", "OfflineTxForUnknownIdEnabled"),
        "AuthorizationCacheEnabled": _v("AuthCacheCtrlr", "Enabled"),
        # D LocalAuthorizationList Management: LocalAuthListCtrlr
        "LocalAuthListEnabled": _v("LocalAuthListCtrlr", "Enabled"),
        "SendLocalListMaxLength": _v("LocalAuthListCtrlr", "ItemsPerMessage"),
        # H Reservation: ReservationCtrlr
        "ReserveConnectorZeroSupported": _v("ReservationCtrlr", "NonEvseSpecific"),
        # K SmartCharging: SmartChargingCtrlr
        "ChargingScheduleMaxPeriods": _v("SmartChargingCtrlr", "PeriodsPerSchedule"),
        "ChargeProfileMaxStackLevel": _v("SmartChargingCtrlr", "ProfileStackLevel"),
        # J MeterValues: SampledDataCtrlr (during a transaction), AlignedDataCtrlr (clock)
        "MeterValueSampleInterval": _v("SampledDataCtrlr", "TxUpdatedInterval"),
        "MeterValuesSampledData": _v("SampledDataCtrlr", "TxUpdatedMeasurands"),
        "StopTxnSampledData": _v("SampledDataCtrlr", "TxEndedMeasurands"),
        "ClockAlignedDataInterval": _v("AlignedDataCtrlr", "Interval"),
        "MeterValuesAlignedData": _v("AlignedDataCtrlr", "Measurands"),
        "StopTxnAlignedData": _v("AlignedDataCtrlr", "TxEndedMeasurands"),
        # E Transactions: TxCtrlr
        "ConnectionTimeOut": _v("TxCtrlr", "EVConnectionTimeOut"),
        "MaxEnergyOnInvalidId": _v("TxCtrlr", "MaxEnergyOnInvalidId"),
        "StopTransactionOnEVSideDisconnect": _v("TxCtrlr", "StopTxOnEVSideDisconnect"),
        "StopTransactionOnInvalidId": _v("TxCtrlr", "StopTxOnInvalidId"),
    }
)
