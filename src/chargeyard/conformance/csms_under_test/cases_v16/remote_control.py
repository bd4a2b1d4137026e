"""OCPP 1.6 Central System cases where the Central System acts: remote start and stop, resets,
unlocking, configuration, trigger messages and the authorization cache (1.6 section 5)."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case import STATION_CONFIGURATION_16, CsmsCase
from chargeyard.conformance.csms_under_test.cases_v16._registry import case, table
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v16


@case("TC_010_CSMS")
async def remote_start_cable_first(run: CsmsCase) -> None:
    """The cable is in; the Central System starts the session remotely (1.6 section 5.11)."""
    tag = await run.tag("Accepted")
    await run.booted()
    run.log.step("The EV is plugged in: Preparing")
    await run.status(1, "Preparing")
    call = await run.remote_start(tag)
    await run.answered(call, {"status": "Accepted"})
    run.log.step("The station starts: StartTransaction, Charging")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)


@case("TC_011_1_CSMS")
async def remote_start_first(run: CsmsCase) -> None:
    """RemoteStartTransaction before the cable (1.6 section 5.11)."""
    tag = await run.tag("Accepted")
    await run.booted()
    call = await run.remote_start(tag)
    await run.answered(call, {"status": "Accepted"})
    run.log.step("The EV is plugged in: Preparing, StartTransaction, Charging")
    await run.status(1, "Preparing")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)


@case("TC_012_CSMS")
async def remote_stop(run: CsmsCase) -> None:
    """The Central System stops a transaction remotely (1.6 section 5.12); the station stops
    it with reason Remote."""
    tag = await run.tag("Accepted")
    await run.booted()
    transaction_id = await run.session(tag)
    call = await run.remote_stop(transaction_id)
    await run.answered(call, {"status": "Accepted"})
    run.log.step("The station stops: StopTransaction (Remote), Finishing, Available")
    await run.finish(transaction_id, "Remote")


async def _reset(run: CsmsCase, kind: v16.ResetRequestType) -> None:
    """A reset without a transaction (1.6 section 5.14): answered Accepted, the station
    reboots and boots again."""
    await run.booted()
    run.log.step(f"The Central System sends Reset ({kind})")
    call = await run.order("Reset", {"type": kind}, f"reset the station ({kind})")
    run.log.check(
        f"Reset is of type {kind}",
        call.payload.get("type") == kind,
        expected=kind,
        observed=call.payload.get("type"),
    )
    await run.answered(call, {"status": "Accepted"})
    run.log.step("The station reboots: a new connection, BootNotification, statuses")
    await run.reconnect()
    await run.boot()


table(_reset)(
    {
        "TC_013_CSMS": ("Hard",),
        "TC_014_CSMS": ("Soft",),
    },
)


async def _unlock(run: CsmsCase, connector: int, answer: str) -> None:
    """UnlockConnector (1.6 section 5.18) answered ``answer``."""
    await run.booted()
    run.log.step(f"The Central System sends UnlockConnector for connector {connector}")
    call = await run.order(
        "UnlockConnector", {"connectorId": connector}, f"unlock connector {connector}"
    )
    run.log.check(
        f"UnlockConnector names connector {connector}",
        call.payload.get("connectorId") == connector,
        expected=connector,
        observed=call.payload.get("connectorId"),
    )
    await run.answered(call, {"status": answer})
    run.log.step("The Central System takes the answer and sends nothing else")
    # The spec asks nothing more of the Central System; a retry storm would be a fault.
    later = await run.peer.quiet(1.0)
    run.log.check(
        "no second UnlockConnector follows the answer",
        not any(c.action == "UnlockConnector" for c in later),
        weight=Weight.SPEC,
        expected="none",
        observed=[c.action for c in later],
    )


table(_unlock)(
    {
        "TC_017_1_CSMS": (1, "Unlocked"),
        # A fixed cable cannot be unlocked: the station says NotSupported (1.6 section 7.51).
        "TC_017_2_CSMS": (1, "NotSupported"),
        "TC_030_CSMS": (1, "UnlockFailed"),
        # A connector the station does not have: NotSupported (1.6 section 7.51).
        "TC_031_CSMS": (9, "NotSupported"),
    },
)


def _configuration(keys: list[str] | None) -> dict[str, object]:
    """GetConfiguration's answer for ``keys`` (None or empty: every key), 1.6 section 5.8."""
    wanted = keys or list(STATION_CONFIGURATION_16)
    known = [
        {"key": key, "readonly": readonly, "value": value}
        for key in wanted
        if key in STATION_CONFIGURATION_16
        for value, readonly in [STATION_CONFIGURATION_16[key]]
    ]
    unknown = [key for key in wanted if key not in STATION_CONFIGURATION_16]
    answer: dict[str, object] = {"configurationKey": known}
    if unknown:
        answer["unknownKey"] = unknown
    return answer


@case("TC_019_1_CSMS")
async def get_all_configuration(run: CsmsCase) -> None:
    await run.booted()
    run.log.step("The Central System asks for every configuration key")
    call = await run.order("GetConfiguration", {}, "read every configuration key of the station")
    keys = call.payload.get("key")
    run.log.check(
        "GetConfiguration names no key (every key is asked for)",
        not keys,
        expected="no key list, or an empty one",
        observed=keys,
    )
    await run.answered(call, _configuration(None))


@case("TC_019_2_CSMS")
async def get_one_configuration_key(run: CsmsCase) -> None:
    await run.booted()
    run.log.step("The Central System asks for SupportedFeatureProfiles")
    call = await run.order(
        "GetConfiguration",
        {"key": ["SupportedFeatureProfiles"]},
        "read the configuration key SupportedFeatureProfiles",
    )
    keys = call.payload.get("key")
    run.log.check(
        "GetConfiguration names the key asked for",
        keys == ["SupportedFeatureProfiles"],
        expected=["SupportedFeatureProfiles"],
        observed=keys,
    )
    await run.answered(call, _configuration(keys if isinstance(keys, list) else None))


async def _change_configuration(run: CsmsCase, key: str, value: str, answer: str) -> None:
    """ChangeConfiguration (1.6 section 5.3) answered ``answer``."""
    await run.booted()
    run.log.step(f"The Central System sets {key} to {value}")
    call = await run.order(
        "ChangeConfiguration",
        {"key": key, "value": value},
        f"set the configuration key {key} to {value}",
    )
    run.log.check(
        "ChangeConfiguration names the key and value",
        (call.payload.get("key"), call.payload.get("value")) == (key, value),
        expected={"key": key, "value": value},
        observed=call.payload,
    )
    await run.answered(call, {"status": answer})


table(_change_configuration)(
    {
        "TC_021_CSMS": ("MeterValueSampleInterval", "30", "Accepted"),
        "TC_040_1_CSMS": ("ChargeyardNoSuchKey", "1", "NotSupported"),
        "TC_040_2_CSMS": ("MeterValueSampleInterval", "-1", "Rejected"),
    },
)


@case("TC_026_CSMS")
async def remote_start_rejected(run: CsmsCase) -> None:
    tag = await run.tag("Accepted")
    await run.booted()
    call = await run.remote_start(tag)
    await run.answered(call, {"status": "Rejected"})
    run.log.step("The connection stays usable: Heartbeat")
    await run.call("Heartbeat", {})


@case("TC_028_CSMS")
async def remote_stop_rejected(run: CsmsCase) -> None:
    tag = await run.tag("Accepted")
    await run.booted()
    transaction_id = await run.session(tag)
    call = await run.remote_stop(transaction_id)
    await run.answered(call, {"status": "Rejected"})
    run.log.step("The transaction goes on, then the driver stops it")
    await run.meter_values(transaction_id, 1_500)
    await run.finish(transaction_id, "Local", tag)


async def _trigger_message(run: CsmsCase, answer: str) -> None:
    """TriggerMessage (1.6 section 5.17) for a StatusNotification."""
    await run.booted()
    run.log.step("The Central System asks for a StatusNotification of connector 1")
    call = await run.order(
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "connectorId": 1},
        "trigger a StatusNotification of connector 1",
    )
    run.log.check(
        "TriggerMessage asks for StatusNotification",
        call.payload.get("requestedMessage") == "StatusNotification",
        expected="StatusNotification",
        observed=call.payload.get("requestedMessage"),
    )
    await run.answered(call, {"status": answer})
    if answer == "Accepted":
        run.log.step("The station sends what was asked for")
        await run.status(1, "Available")


table(_trigger_message)(
    {
        "TC_054_CSMS": ("Accepted",),
        "TC_055_CSMS": ("Rejected",),
    },
)


@case("TC_061_CSMS")
async def clear_cache(run: CsmsCase) -> None:
    await run.booted()
    run.log.step("The Central System clears the authorization cache")
    call = await run.order("ClearCache", {}, "clear the station's authorization cache")
    await run.answered(call, {"status": "Accepted"})


@case("TC_011_2_CSMS")
async def remote_start_time_out(run: CsmsCase) -> None:
    """A remote start accepted, then no EV within ConnectionTimeOut (1.6 section 5.11)."""
    tag = await run.tag("Accepted")
    await run.booted()
    call = await run.remote_start(tag)
    await run.answered(call, {"status": "Accepted"})
    run.log.step("No EV comes: Preparing, then Available when ConnectionTimeOut passes")
    await run.status(1, "Preparing")
    await run.status(1, "Available")


@case("TC_018_1_CSMS")
async def unlock_during_session(run: CsmsCase) -> None:
    """UnlockConnector during a transaction: the station stops it with reason UnlockCommand
    (1.6 section 5.18)."""
    tag = await run.tag("Accepted")
    await run.booted()
    transaction_id = await run.session(tag)
    run.log.step("The Central System unlocks the connector in use")
    call = await run.order("UnlockConnector", {"connectorId": 1}, "unlock connector 1")
    await run.answered(call, {"status": "Unlocked"})
    run.log.step("The station stops: StopTransaction (UnlockCommand), Finishing, Available")
    await run.finish(transaction_id, "UnlockCommand")
