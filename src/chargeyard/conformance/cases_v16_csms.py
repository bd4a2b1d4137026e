"""The OCPP 1.6 Central System cases the suite runs: chargeyard plays the Charge Point.

Each function is one case of the catalog (``catalog.py``), registered under its id. Its steps
follow the use case in the OCPP 1.6 specification that the case's title names (section numbers
in the docstrings); the checks are the spec's rules for what the Central System sends back. A
case that needs the Central System to act asks the trigger (``CsmsCase.order``).
"""

from __future__ import annotations

from collections.abc import Callable

from chargeyard.conformance.csms_case import STATION_CONFIGURATION_16, CaseFunction, CsmsCase
from chargeyard.conformance.station_peer import CaseEnded
from chargeyard.conformance.verdicts import Weight

CASES: dict[str, CaseFunction] = {}


def case(case_id: str) -> Callable[[CaseFunction], CaseFunction]:
    """Register the decorated function as the case ``case_id``."""

    def register(function: CaseFunction) -> CaseFunction:
        CASES[case_id] = function
        return function

    return register


@case("TC_001_CSMS")
async def cold_boot(run: CsmsCase) -> None:
    """Boot, connectors Available, Heartbeat (1.6 sections 4.2, 4.6, 4.9)."""
    await run.connect()
    await run.boot()
    run.log.step("The station sends a Heartbeat")
    answer = await run.call("Heartbeat", {})
    run.log.check(
        "the Heartbeat's answer tells the current time",
        "currentTime" in answer,
        expected="currentTime",
        observed=answer,
    )


@case("TC_003_CSMS")
async def plugin_first(run: CsmsCase) -> None:
    """Cable first, then the tag, then charging until the driver stops (1.6 sections 3.4,
    4.1, 4.8, 4.10)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The EV is plugged in: Preparing")
    await run.status(1, "Preparing")
    run.log.step("The driver presents a valid tag: Authorize")
    await run.authorize(tag)
    run.log.step("Charging starts: StartTransaction, Charging, MeterValues")
    transaction_id = await run.charge(tag)
    run.log.step("The driver stops: StopTransaction, Finishing, Available")
    await run.finish(transaction_id, "Local", tag)


@case("TC_004_1_CSMS")
async def identification_first(run: CsmsCase) -> None:
    """The tag first, then the cable (1.6 section 3.4)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The driver presents a valid tag: Authorize")
    await run.authorize(tag)
    run.log.step("The EV is plugged in: Preparing, then charging")
    await run.status(1, "Preparing")
    transaction_id = await run.charge(tag)
    run.log.step("The driver stops")
    await run.finish(transaction_id, "Local", tag)


@case("TC_005_1_CSMS")
async def ev_side_disconnected(run: CsmsCase) -> None:
    """The EV unplugs while charging and the station stops the transaction itself
    (StopTransactionOnEVSideDisconnect, 1.6 section 9.1; reason EVDisconnected, 7.43)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await run.status(1, "Preparing")
    await run.authorize(tag)
    transaction_id = await run.charge(tag)
    run.log.step("The EV unplugs: StopTransaction (EVDisconnected), Finishing, Available")
    await run.finish(transaction_id, "EVDisconnected")


@case("TC_010_CSMS")
async def remote_start_cable_first(run: CsmsCase) -> None:
    """The cable is in; the Central System starts the session remotely (1.6 section 5.11)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The EV is plugged in: Preparing")
    await run.status(1, "Preparing")
    run.log.step("The Central System sends RemoteStartTransaction")
    call = await run.order(
        "RemoteStartTransaction",
        {"connectorId": 1, "idTag": tag},
        f"start a transaction remotely on connector 1 for {tag}",
    )
    run.log.check(
        "RemoteStartTransaction names the tag",
        call.payload.get("idTag") == tag,
        expected=tag,
        observed=call.payload.get("idTag"),
    )
    await run.answered(call, {"status": "Accepted"})
    run.log.step("The station starts: StartTransaction, Charging")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)


@case("TC_011_1_CSMS")
async def remote_start_first(run: CsmsCase) -> None:
    """RemoteStartTransaction before the cable (1.6 section 5.11)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The Central System sends RemoteStartTransaction")
    call = await run.order(
        "RemoteStartTransaction",
        {"connectorId": 1, "idTag": tag},
        f"start a transaction remotely on connector 1 for {tag}",
    )
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
    await run.connect()
    await run.boot()
    await run.status(1, "Preparing")
    await run.authorize(tag)
    transaction_id = await run.charge(tag)
    run.log.step("The Central System sends RemoteStopTransaction")
    call = await run.order(
        "RemoteStopTransaction",
        {"transactionId": transaction_id},
        f"stop transaction {transaction_id} remotely",
    )
    run.log.check(
        "RemoteStopTransaction names the running transaction",
        call.payload.get("transactionId") == transaction_id,
        expected=transaction_id,
        observed=call.payload.get("transactionId"),
    )
    await run.answered(call, {"status": "Accepted"})
    run.log.step("The station stops: StopTransaction (Remote), Finishing, Available")
    await run.finish(transaction_id, "Remote")


async def _reset(run: CsmsCase, kind: str) -> None:
    """A reset without a transaction (1.6 section 5.14): answered Accepted, the station
    reboots and boots again."""
    await run.connect()
    await run.boot()
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


@case("TC_013_CSMS")
async def hard_reset(run: CsmsCase) -> None:
    await _reset(run, "Hard")


@case("TC_014_CSMS")
async def soft_reset(run: CsmsCase) -> None:
    await _reset(run, "Soft")


async def _unlock(run: CsmsCase, connector: int, answer: str) -> None:
    """UnlockConnector (1.6 section 5.18) answered ``answer``."""
    await run.connect()
    await run.boot()
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


@case("TC_017_1_CSMS")
async def unlock_not_fixed_cable(run: CsmsCase) -> None:
    await _unlock(run, 1, "Unlocked")


@case("TC_017_2_CSMS")
async def unlock_fixed_cable(run: CsmsCase) -> None:
    # A fixed cable cannot be unlocked: the station says NotSupported (1.6 section 7.51).
    await _unlock(run, 1, "NotSupported")


@case("TC_030_CSMS")
async def unlock_failure(run: CsmsCase) -> None:
    await _unlock(run, 1, "UnlockFailed")


@case("TC_031_CSMS")
async def unlock_unknown_connector(run: CsmsCase) -> None:
    # A connector the station does not have: NotSupported (1.6 section 7.51).
    await _unlock(run, 9, "NotSupported")


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
    await run.connect()
    await run.boot()
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
    await run.connect()
    await run.boot()
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
    await run.connect()
    await run.boot()
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


@case("TC_021_CSMS")
async def change_configuration(run: CsmsCase) -> None:
    await _change_configuration(run, "MeterValueSampleInterval", "30", "Accepted")


@case("TC_040_1_CSMS")
async def change_configuration_not_supported(run: CsmsCase) -> None:
    await _change_configuration(run, "ChargeyardNoSuchKey", "1", "NotSupported")


@case("TC_040_2_CSMS")
async def change_configuration_invalid_value(run: CsmsCase) -> None:
    await _change_configuration(run, "MeterValueSampleInterval", "-1", "Rejected")


async def _refused_tag(run: CsmsCase, status: str) -> None:
    """A tag the Central System must refuse with ``status`` (1.6 sections 4.1, 7.14)."""
    tag = await run.tag(status)
    await run.connect()
    await run.boot()
    run.log.step("The EV is plugged in: Preparing")
    await run.status(1, "Preparing")
    run.log.step(f"The driver presents a tag the Central System must answer {status}")
    await run.authorize(tag, status)
    run.log.step("No transaction starts: the connector is Available again")
    await run.status(1, "Available")


@case("TC_023_1_CSMS")
async def authorize_invalid(run: CsmsCase) -> None:
    await _refused_tag(run, "Invalid")


@case("TC_023_2_CSMS")
async def authorize_expired(run: CsmsCase) -> None:
    await _refused_tag(run, "Expired")


@case("TC_023_3_CSMS")
async def authorize_blocked(run: CsmsCase) -> None:
    await _refused_tag(run, "Blocked")


@case("TC_026_CSMS")
async def remote_start_rejected(run: CsmsCase) -> None:
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The Central System asks for a start; the station rejects it")
    call = await run.order(
        "RemoteStartTransaction",
        {"connectorId": 1, "idTag": tag},
        f"start a transaction remotely on connector 1 for {tag}",
    )
    await run.answered(call, {"status": "Rejected"})
    run.log.step("The connection stays usable: Heartbeat")
    await run.call("Heartbeat", {})


@case("TC_028_CSMS")
async def remote_stop_rejected(run: CsmsCase) -> None:
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await run.status(1, "Preparing")
    await run.authorize(tag)
    transaction_id = await run.charge(tag)
    run.log.step("The Central System asks for a stop; the station rejects it")
    call = await run.order(
        "RemoteStopTransaction",
        {"transactionId": transaction_id},
        f"stop transaction {transaction_id} remotely",
    )
    await run.answered(call, {"status": "Rejected"})
    run.log.step("The transaction goes on, then the driver stops it")
    await run.meter_values(transaction_id, 1_500)
    await run.finish(transaction_id, "Local", tag)


async def _trigger_message(run: CsmsCase, answer: str) -> None:
    """TriggerMessage (1.6 section 5.17) for a StatusNotification."""
    await run.connect()
    await run.boot()
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


@case("TC_054_CSMS")
async def trigger_message(run: CsmsCase) -> None:
    await _trigger_message(run, "Accepted")


@case("TC_055_CSMS")
async def trigger_message_rejected(run: CsmsCase) -> None:
    await _trigger_message(run, "Rejected")


@case("TC_061_CSMS")
async def clear_cache(run: CsmsCase) -> None:
    await run.connect()
    await run.boot()
    run.log.step("The Central System clears the authorization cache")
    call = await run.order("ClearCache", {}, "clear the station's authorization cache")
    await run.answered(call, {"status": "Accepted"})


async def _local_list_version(run: CsmsCase, version: int) -> None:
    await run.connect()
    await run.boot()
    run.log.step("The Central System asks for the local list's version")
    call = await run.order("GetLocalListVersion", {}, "read the station's local list version")
    await run.answered(call, {"listVersion": version})


@case("TC_042_1_CSMS")
async def local_list_not_supported(run: CsmsCase) -> None:
    # -1: the station does not support local lists (1.6 section 5.10).
    await _local_list_version(run, -1)


@case("TC_042_2_CSMS")
async def local_list_empty(run: CsmsCase) -> None:
    await _local_list_version(run, 0)


@case("TC_064_CSMS")
async def data_transfer(run: CsmsCase) -> None:
    """A DataTransfer the Central System does not know the vendor of (1.6 section 4.3): it
    answers with a status (UnknownVendorId is expected), not a CALLERROR."""
    await run.connect()
    await run.boot()
    run.log.step("The station sends a DataTransfer of an unknown vendor")
    answer = await run.call(
        "DataTransfer", {"vendorId": "org.chargeyard.conformance", "messageId": "Probe"}
    )
    run.log.check(
        "DataTransfer of an unknown vendor is answered UnknownVendorId",
        answer.get("status") == "UnknownVendorId",
        weight=Weight.SPEC,
        expected="UnknownVendorId",
        observed=answer.get("status"),
    )


@case("TC_085_CSMS")
async def basic_authentication(run: CsmsCase) -> None:
    """HTTP Basic authentication with the station's password (1.6 security profile 1)."""
    if run.target.password is None:
        raise CaseEnded("no --password given: the case needs the station's password")
    await run.connect()
    await run.boot()


@case("TC_088_CSMS")
async def subprotocol_negotiation(run: CsmsCase) -> None:
    """The station offers an older subprotocol and its own; the Central System picks its own
    (OCPP-J 1.6 section 3.1.2)."""
    wanted = run.target.version.subprotocol
    offered = ["ocpp1.5", wanted]
    run.log.step(f"The station offers {' and '.join(offered)}")
    chosen = await run.peer.connect(subprotocols=offered)
    run.log.check(
        f"the Central System picks {wanted}",
        chosen == wanted,
        expected=wanted,
        observed=chosen,
    )
    await run.boot()
