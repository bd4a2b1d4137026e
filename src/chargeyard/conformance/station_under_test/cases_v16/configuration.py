"""OCPP 1.6 Charge Point cases of the configuration and data transfer: the keys read
(GetConfiguration) and changed (ChangeConfiguration), an unknown key, a value refused, a
vendor the station does not know (1.6 sections 5.3, 5.6, 5.8, 9)."""

from __future__ import annotations

from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case
from chargeyard.conformance.verdicts import Weight

# The keys section 9.1 says every Charge Point has (the Core profile's required ones).
REQUIRED_CORE_KEYS = (
    "AuthorizeRemoteTxRequests",
    "ClockAlignedDataInterval",
    "ConnectionTimeOut",
    "ConnectorPhaseRotation",
    "GetConfigurationMaxKeys",
    "HeartbeatInterval",
    "LocalAuthorizeOffline",
    "LocalPreAuthorize",
    "MeterValuesAlignedData",
    "MeterValuesSampledData",
    "MeterValueSampleInterval",
    "NumberOfConnectors",
    "ResetRetries",
    "StopTransactionOnEVSideDisconnect",
    "StopTransactionOnInvalidId",
    "StopTxnAlignedData",
    "StopTxnSampledData",
    "SupportedFeatureProfiles",
    "TransactionMessageAttempts",
    "TransactionMessageRetryInterval",
    "UnlockConnectorOnEVSideDisconnect",
)
UNKNOWN_KEY = "ChargeyardConformanceNoSuchKey"


@case("TC_019_CS")
async def retrieve_configuration(run: StationCaseV16) -> None:
    """GetConfiguration of every key, of one key and of an unknown one (1.6 sections 5.8,
    6.24, 9.1)."""
    await run.ready()
    run.step("The Central System reads every key: the Core profile's required keys are there")
    everything = await run.call("GetConfiguration", {})
    keys = {entry.get("key") for entry in everything.get("configurationKey") or []}
    missing = [key for key in REQUIRED_CORE_KEYS if key not in keys]
    run.log.check(
        "GetConfiguration lists every required Core key (section 9.1)",
        not missing,
        weight=Weight.SPEC,
        expected="all of them",
        observed=f"missing {', '.join(missing)}" if missing else "all of them",
    )
    for entry in everything.get("configurationKey") or []:
        if not isinstance(entry.get("readonly"), bool):
            run.log.check(
                f"key {entry.get('key')} says whether it is readonly",
                False,
                weight=Weight.SPEC,
                expected="readonly: true or false",
                observed=entry,
            )
    run.step("The Central System reads one key: HeartbeatInterval alone")
    one = await run.call("GetConfiguration", {"key": ["HeartbeatInterval"]})
    listed = [entry.get("key") for entry in one.get("configurationKey") or []]
    run.log.check(
        "GetConfiguration of one key answers that key only",
        listed == ["HeartbeatInterval"],
        expected=["HeartbeatInterval"],
        observed=listed,
    )
    run.step(f"The Central System reads {UNKNOWN_KEY}: it is an unknownKey")
    unknown = await run.call("GetConfiguration", {"key": [UNKNOWN_KEY]})
    run.log.check(
        "an unknown key is listed in unknownKey",
        unknown.get("unknownKey") == [UNKNOWN_KEY] and not unknown.get("configurationKey"),
        weight=Weight.SPEC,
        expected={"unknownKey": [UNKNOWN_KEY]},
        observed=unknown,
    )


@case("TC_021_CS")
async def change_configuration(run: StationCaseV16) -> None:
    """ChangeConfiguration of a writable key: Accepted, and GetConfiguration reads the new
    value (1.6 sections 5.3, 5.8)."""
    await run.ready()
    run.step("The Central System sets MeterValueSampleInterval: Accepted")
    before = (await run.configuration(["MeterValueSampleInterval"])).get("MeterValueSampleInterval")
    value = "37" if before != "37" else "38"
    await run.configure("MeterValueSampleInterval", value)
    run.step("The Central System reads it back")
    after = (await run.configuration(["MeterValueSampleInterval"])).get("MeterValueSampleInterval")
    run.log.check(
        "GetConfiguration reads the value set",
        after == value,
        expected=value,
        observed=after,
    )


@case("TC_040_1_CS")
async def unknown_key(run: StationCaseV16) -> None:
    """ChangeConfiguration of a key the station does not have: NotSupported (1.6 sections
    5.3, 7.10)."""
    await run.ready()
    run.step(f"The Central System sets {UNKNOWN_KEY}: NotSupported")
    await run.order(
        "ChangeConfiguration", {"key": UNKNOWN_KEY, "value": "1"}, "NotSupported", of=UNKNOWN_KEY
    )


@case("TC_040_2_CS")
async def invalid_value(run: StationCaseV16) -> None:
    """ChangeConfiguration with a value the key cannot take (a negative interval): Rejected,
    and the value stays (1.6 sections 5.3, 7.10)."""
    await run.ready()
    before = (await run.configuration(["MeterValueSampleInterval"])).get("MeterValueSampleInterval")
    run.step("The Central System sets MeterValueSampleInterval to -1: Rejected")
    await run.order(
        "ChangeConfiguration",
        {"key": "MeterValueSampleInterval", "value": "-1"},
        "Rejected",
        of="MeterValueSampleInterval",
    )
    after = (await run.configuration(["MeterValueSampleInterval"])).get("MeterValueSampleInterval")
    run.log.check(
        "a refused value leaves the key as it was",
        after == before,
        expected=before,
        observed=after,
    )


@case("TC_062_CS")
async def data_transfer(run: StationCaseV16) -> None:
    """DataTransfer of a vendor the station does not know: UnknownVendorId (1.6 section 5.6:
    "If the recipient ... has no implementation for the specific vendorId it SHALL return a
    status 'UnknownVendorId'"); the OCA's test case takes Rejected and UnknownMessageId too,
    and allows Accepted with a warning (so an Accepted fails conformance only)."""
    await run.ready()
    run.step("The Central System sends a DataTransfer of an unknown vendor: not taken")
    await run.order(
        "DataTransfer",
        {"vendorId": "org.chargeyard.conformance.unknown", "messageId": "Probe"},
        ("UnknownVendorId", "UnknownMessageId", "Rejected"),
        weight=Weight.SPEC,
    )
