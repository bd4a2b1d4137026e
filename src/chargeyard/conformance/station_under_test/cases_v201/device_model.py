"""What the OCPP 2.0.1 charging-station cases of the device model share (block B): the
variables Part 2 requires and how a reported entry is read. The cases are
``device_model_variables.py`` (B06 GetVariables, B05 SetVariables) and
``device_model_reports.py`` (B07 GetBaseReport, B08 GetReport)."""

from __future__ import annotations

from collections.abc import Mapping

from chargeyard.conformance.station_under_test.device_v201 import Var

Payload = dict[str, object]

OFFLINE_THRESHOLD = Var("OCPPCommCtrlr", "OfflineThreshold")
LOCAL_AUTHORIZE_OFFLINE = Var("AuthCtrlr", "LocalAuthorizeOffline")
LIST_TYPES = ("OptionList", "SequenceList", "MemberList")

# The variables part 2's appendix requires of each controller a Core station has, and of the
# others where the station reports the controller (B07.FR.08: "relevant to each functional
# block that has been implemented").
REQUIRED: dict[str, tuple[tuple[str, str | None], ...]] = {
    "AlignedDataCtrlr": (
        ("Interval", None),
        ("Measurands", None),
        ("TxEndedInterval", None),
        ("TxEndedMeasurands", None),
    ),
    "AuthCtrlr": (
        ("AuthorizeRemoteStart", None),
        ("LocalAuthorizeOffline", None),
        ("LocalPreAuthorize", None),
    ),
    "ChargingStation": (("AvailabilityState", None), ("Available", None), ("SupplyPhases", None)),
    "ClockCtrlr": (("DateTime", None), ("TimeSource", None)),
    "Connector": (("Available", None), ("ConnectorType", None), ("SupplyPhases", None)),
    "DeviceDataCtrlr": tuple(
        (name, instance)
        for name in ("BytesPerMessage", "ItemsPerMessage")
        for instance in ("GetReport", "GetVariables", "SetVariables")
    ),
    "EVSE": (
        ("AvailabilityState", None),
        ("Available", None),
        ("Power", None),
        ("SupplyPhases", None),
    ),
    "OCPPCommCtrlr": (
        ("FileTransferProtocols", None),
        ("MessageTimeout", "Default"),
        ("MessageAttemptInterval", "TransactionEvent"),
        ("MessageAttempts", "TransactionEvent"),
        ("NetworkConfigurationPriority", None),
        ("NetworkProfileConnectionAttempts", None),
        ("OfflineThreshold", None),
        ("ResetRetries", None),
        ("UnlockOnEVSideDisconnect", None),
        # Part 4 section 8 (reconnecting):
        ("RetryBackOffRandomRange", None),
        ("RetryBackOffRepeatTimes", None),
        ("RetryBackOffWaitMinimum", None),
    ),
    "SampledDataCtrlr": (
        ("TxEndedInterval", None),
        ("TxEndedMeasurands", None),
        ("TxStartedMeasurands", None),
        ("TxUpdatedInterval", None),
        ("TxUpdatedMeasurands", None),
    ),
    "SecurityCtrlr": (
        ("CertificateEntries", None),
        ("OrganizationName", None),
        ("SecurityProfile", None),
    ),
    "TxCtrlr": (
        ("EVConnectionTimeOut", None),
        ("StopTxOnEVSideDisconnect", None),
        ("StopTxOnInvalidId", None),
        ("TxStartPoint", None),
        ("TxStopPoint", None),
    ),
    # Where implemented (the station reports the controller):
    "DisplayMessageCtrlr": (
        ("DisplayMessages", None),
        ("SupportedFormats", None),
        ("SupportedPriorities", None),
    ),
    "LocalAuthListCtrlr": (("BytesPerMessage", None), ("Entries", None), ("ItemsPerMessage", None)),
    "MonitoringCtrlr": (
        ("BytesPerMessage", "SetVariableMonitoring"),
        ("ItemsPerMessage", "SetVariableMonitoring"),
    ),
    "SmartChargingCtrlr": (
        ("Entries", "ChargingProfiles"),
        ("LimitChangeSignificance", None),
        ("PeriodsPerSchedule", None),
        ("ProfileStackLevel", None),
        ("RateUnit", None),
    ),
    "TariffCostCtrlr": (
        ("Currency", None),
        ("TariffFallbackMessage", None),
        ("TotalCostFallbackMessage", None),
    ),
}
CORE_CONTROLLERS = frozenset(
    {
        "AlignedDataCtrlr",
        "AuthCtrlr",
        "ChargingStation",
        "ClockCtrlr",
        "DeviceDataCtrlr",
        "OCPPCommCtrlr",
        "SampledDataCtrlr",
        "SecurityCtrlr",
        "TxCtrlr",
    }
)


def entry_name(entry: Mapping[str, object]) -> tuple[str, str, str | None]:
    component = entry.get("component")
    variable = entry.get("variable")
    if not isinstance(component, dict) or not isinstance(variable, dict):
        return "", "", None  # (a schema error, which the part's schema check reports)
    instance = variable.get("instance")
    return str(component.get("name")), str(variable.get("name")), instance if instance else None


def entry_evse(entry: Mapping[str, object]) -> object:
    component = entry.get("component")
    evse = component.get("evse") if isinstance(component, dict) else None
    return evse.get("id") if isinstance(evse, dict) else None


def entry_attributes(entry: Mapping[str, object]) -> list[dict[str, object]]:
    attributes = entry.get("variableAttribute")
    return [a for a in attributes if isinstance(a, dict)] if isinstance(attributes, list) else []


def entry_characteristics(entry: Mapping[str, object]) -> dict[str, object]:
    found = entry.get("variableCharacteristics")
    return found if isinstance(found, dict) else {}


def entry_values_list(entry: Mapping[str, object]) -> list[str]:
    listed = entry_characteristics(entry).get("valuesList")
    return [v.strip() for v in str(listed).split(",") if v.strip()] if listed else []
