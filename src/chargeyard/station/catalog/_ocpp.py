"""What OCPP asks of a template's data: field lengths, connector types, configuration values.

Enumerations come from the official JSON schemas shipped in the ``ocpp`` package, never typed
by hand; the few lengths below are the CiString types of the specifications (and a test checks
them against the schemas).
"""

from __future__ import annotations

from functools import cache

from chargeyard.protocol import V16, V201, VERSIONS

# A station reports vendor and model in BootNotification. OCPP 1.6 (section 6.3):
# chargePointVendor and chargePointModel are CiString20Type, firmwareVersion CiString50Type.
# OCPP 2.0.1 ChargingStationType: vendorName 50, model 20, firmwareVersion 50. Both must fit.
VENDOR_MAX = 20
MODEL_MAX = 20
FIRMWARE_MAX = 50
# OCPP 1.6 ChangeConfiguration.req (section 6.9): key CiString50Type, value CiString500Type.
CONFIG_KEY_MAX = 50
CONFIG_VALUE_MAX = 500

# OCPP 1.6 section 3 ("Feature Profiles").
FEATURE_PROFILES = frozenset(
    {
        "Core",
        "FirmwareManagement",
        "LocalAuthListManagement",
        "Reservation",
        "SmartCharging",
        "RemoteTrigger",
    }
)

# Keys whose values a station computes from its EVSEs; a data file may not set them.
DERIVED_KEYS = frozenset({"NumberOfConnectors", "ConnectorPhaseRotation"})

# OCPP 1.6 section 9: the type of each standard key a template is likely to set.
_INTEGER_KEYS = frozenset(
    {
        "BlinkRepeat",
        "CertificateStoreMaxLength",
        "ChargeProfileMaxStackLevel",
        "ChargingScheduleMaxPeriods",
        "ClockAlignedDataInterval",
        "ConnectionTimeOut",
        "GetConfigurationMaxKeys",
        "HeartbeatInterval",
        "LightIntensity",
        "LocalAuthListMaxLength",
        "MaxChargingProfilesInstalled",
        "MaxEnergyOnInvalidId",
        "MeterValueSampleInterval",
        "MinimumStatusDuration",
        "ResetRetries",
        "SendLocalListMaxLength",
        "TransactionMessageAttempts",
        "TransactionMessageRetryInterval",
        "WebSocketPingInterval",
    }
)
_BOOLEAN_KEYS = frozenset(
    {
        "AllowOfflineTxForUnknownId",
        "AuthorizationCacheEnabled",
        "AuthorizeRemoteTxRequests",
        "ConnectorSwitch3to1PhaseSupported",
        "LocalAuthListEnabled",
        "LocalAuthorizeOffline",
        "LocalPreAuthorize",
        "ReserveConnectorZeroSupported",
        "StopTransactionOnEVSideDisconnect",
        "StopTransactionOnInvalidId",
        "UnlockConnectorOnEVSideDisconnect",
    }
)
_MEASURAND_KEYS = frozenset(
    {"MeterValuesAlignedData", "MeterValuesSampledData", "StopTxnAlignedData", "StopTxnSampledData"}
)


@cache
def connector_types() -> frozenset[str]:
    """The OCPP 2.0.1 ConnectorEnumType values, from the ReserveNowRequest schema."""
    schema = V201.schemas.request_schema("ReserveNow")
    return frozenset(schema["definitions"]["ConnectorEnumType"]["enum"])


@cache
def measurands() -> frozenset[str]:
    """The OCPP 1.6 Measurand values, from the MeterValues.req schema."""
    schema = V16.schemas.request_schema("MeterValues")
    sampled = schema["properties"]["meterValue"]["items"]["properties"]["sampledValue"]
    return frozenset(sampled["items"]["properties"]["measurand"]["enum"])


def ocpp_version_names() -> frozenset[str]:
    """The versions the protocol core speaks, as people write them ("1.6", "2.0.1", ...)."""
    return frozenset(spec.name for spec in VERSIONS.values())


def configuration_problem(key: str, value: str) -> str | None:
    """Why an OCPP 1.6 configuration key and value cannot ship in a template, or None."""
    if key in DERIVED_KEYS:
        return "is derived from the EVSEs and connectors; do not set it"
    if not key or len(key) > CONFIG_KEY_MAX:
        return f"a key is 1 to {CONFIG_KEY_MAX} characters (CiString50Type)"
    if len(value) > CONFIG_VALUE_MAX:
        return f"a value is at most {CONFIG_VALUE_MAX} characters (CiString500Type)"
    if key in _INTEGER_KEYS and not value.isdecimal():
        return f"must be a non-negative integer, not {value!r}"
    if key in _BOOLEAN_KEYS and value not in ("true", "false"):
        return f'must be "true" or "false", not {value!r}'
    allowed = _list_members(key)
    if allowed is not None:
        unknown = [item for item in value.split(",") if item not in allowed]
        if unknown:
            return f"{unknown[0]!r} is not one of {', '.join(sorted(allowed))}"
    return None


def _list_members(key: str) -> frozenset[str] | None:
    """The values a comma-separated key may list, for the keys that have such a list."""
    if key in _MEASURAND_KEYS:
        return measurands()
    if key == "SupportedFeatureProfiles":
        return FEATURE_PROFILES
    if key == "ChargingScheduleAllowedChargingRateUnit":
        return frozenset({"Current", "Power"})  # 1.6 section 9.4, ChargingRateUnitType
    return None
