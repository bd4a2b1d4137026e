"""The OCPP 1.6 Central System cases the suite runs: chargeyard plays the Charge Point.

Each function is one case of the catalog (``catalog.py``), registered under its id. Its steps
follow the use case in the OCPP 1.6 specification that the case's title names (section numbers
in the docstrings); the checks are the spec's rules for what the Central System sends back. A
case that needs the Central System to act asks the trigger (``CsmsCase.order``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from chargeyard.conformance.csms_case import (
    STATION_CONFIGURATION_16,
    CaseFunction,
    CsmsCase,
    now,
)
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


def _in(minutes: int) -> str:
    """A time ``minutes`` from now, as the wire writes it."""
    moment = datetime.now(UTC) + timedelta(minutes=minutes)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


async def _send_local_list(run: CsmsCase, update_type: str, answer: str) -> None:
    """SendLocalList (1.6 section 5.15) of ``update_type``, answered ``answer``."""
    await run.connect()
    await run.boot()
    run.log.step(f"The Central System sends a {update_type} local authorization list")
    entry = {"idTag": run.tags.valid, "idTagInfo": {"status": "Accepted"}}
    call = await run.order(
        "SendLocalList",
        {"listVersion": 1, "updateType": update_type, "localAuthorizationList": [entry]},
        f"send the station a {update_type} local list (version 1, with {run.tags.valid})",
    )
    run.log.check(
        f"SendLocalList is a {update_type} update",
        call.payload.get("updateType") == update_type,
        expected=update_type,
        observed=call.payload.get("updateType"),
    )
    await run.answered(call, {"status": answer})


@case("TC_043_1_CSMS")
async def send_local_list_not_supported(run: CsmsCase) -> None:
    await _send_local_list(run, "Full", "NotSupported")


@case("TC_043_3_CSMS")
async def send_local_list_failed(run: CsmsCase) -> None:
    await _send_local_list(run, "Full", "Failed")


@case("TC_043_4_CSMS")
async def send_local_list_full(run: CsmsCase) -> None:
    await _send_local_list(run, "Full", "Accepted")


@case("TC_043_5_CSMS")
async def send_local_list_differential(run: CsmsCase) -> None:
    await _send_local_list(run, "Differential", "Accepted")


async def _notify(run: CsmsCase, action: str, statuses: list[str]) -> None:
    for status in statuses:
        await run.call(action, {"status": status})


async def _update_firmware(run: CsmsCase, statuses: list[str], reboots: bool) -> None:
    """UpdateFirmware (1.6 section 5.16), then the station's FirmwareStatusNotifications
    (4.5); an installed firmware reboots the station first."""
    await run.connect()
    await run.boot()
    run.log.step("The Central System asks for a firmware update")
    location = "https://firmware.example/chargeyard-2.0.bin"
    call = await run.order(
        "UpdateFirmware",
        {"location": location, "retrieveDate": _in(0)},
        f"update the station's firmware from {location}",
    )
    run.log.check(
        "UpdateFirmware names the firmware's location",
        call.payload.get("location") == location,
        expected=location,
        observed=call.payload.get("location"),
    )
    await run.answered(call, {})
    run.log.step(f"The station reports: {', '.join(statuses)}")
    await _notify(run, "FirmwareStatusNotification", statuses)
    if reboots:
        run.log.step("The station reboots into the new firmware and says Installed")
        await run.reconnect()
        await run.boot()
        await _notify(run, "FirmwareStatusNotification", ["Installed"])


@case("TC_044_1_CSMS")
async def firmware_installed(run: CsmsCase) -> None:
    await _update_firmware(run, ["Downloading", "Downloaded", "Installing"], reboots=True)


@case("TC_044_2_CSMS")
async def firmware_download_failed(run: CsmsCase) -> None:
    await _update_firmware(run, ["Downloading", "DownloadFailed"], reboots=False)


@case("TC_044_3_CSMS")
async def firmware_installation_failed(run: CsmsCase) -> None:
    await _update_firmware(
        run, ["Downloading", "Downloaded", "Installing", "InstallationFailed"], reboots=False
    )


async def _get_diagnostics(run: CsmsCase, statuses: list[str]) -> None:
    """GetDiagnostics (1.6 section 5.9), then DiagnosticsStatusNotifications (4.4)."""
    await run.connect()
    await run.boot()
    run.log.step("The Central System asks for the diagnostics")
    location = "ftp://diagnostics.example/upload/"
    call = await run.order(
        "GetDiagnostics", {"location": location}, f"ask for the station's diagnostics at {location}"
    )
    run.log.check(
        "GetDiagnostics names where to upload",
        call.payload.get("location") == location,
        expected=location,
        observed=call.payload.get("location"),
    )
    await run.answered(call, {"fileName": "chargeyard-diagnostics.log"})
    run.log.step(f"The station reports: {', '.join(statuses)}")
    await _notify(run, "DiagnosticsStatusNotification", statuses)


@case("TC_045_1_CSMS")
async def diagnostics_uploaded(run: CsmsCase) -> None:
    await _get_diagnostics(run, ["Uploading", "Uploaded"])


@case("TC_045_2_CSMS")
async def diagnostics_upload_failed(run: CsmsCase) -> None:
    await _get_diagnostics(run, ["Uploading", "UploadFailed"])


RESERVATION_ID = 4711


async def _reserve(run: CsmsCase, tag: str, answer: str) -> None:
    """ReserveNow of connector 1 for ``tag`` (1.6 section 5.13), answered ``answer``; an
    accepted reservation makes the connector Reserved."""
    run.log.step("The Central System reserves connector 1")
    call = await run.order(
        "ReserveNow",
        {
            "connectorId": 1,
            "expiryDate": _in(30),
            "idTag": tag,
            "reservationId": RESERVATION_ID,
        },
        f"reserve connector 1 for {tag} (reservation {RESERVATION_ID}, 30 minutes)",
    )
    run.log.check(
        "ReserveNow names the connector, the tag and the reservation",
        (
            call.payload.get("connectorId"),
            call.payload.get("idTag"),
            call.payload.get("reservationId"),
        )
        == (1, tag, RESERVATION_ID),
        expected={"connectorId": 1, "idTag": tag, "reservationId": RESERVATION_ID},
        observed=call.payload,
    )
    await run.answered(call, {"status": answer})
    if answer == "Accepted":
        await run.status(1, "Reserved")


@case("TC_046_CSMS")
async def reservation_then_transaction(run: CsmsCase) -> None:
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await _reserve(run, tag, "Accepted")
    run.log.step("The driver comes: Authorize, Preparing, StartTransaction of the reservation")
    await run.authorize(tag)
    await run.status(1, "Preparing")
    answer = await run.call(
        "StartTransaction",
        {
            "connectorId": 1,
            "idTag": tag,
            "meterStart": 0,
            "timestamp": now(),
            "reservationId": RESERVATION_ID,
        },
    )
    transaction_id = answer.get("transactionId")
    if not run.log.check(
        "StartTransaction of a reservation is accepted with a transactionId",
        answer.get("idTagInfo", {}).get("status") == "Accepted" and isinstance(transaction_id, int),
        expected="Accepted, a transactionId",
        observed=answer,
    ):
        raise CaseEnded("the reserved start was not accepted")
    assert isinstance(transaction_id, int)
    await run.status(1, "Charging")
    await run.finish(transaction_id, "Local", tag)


@case("TC_047_CSMS")
async def reservation_expires(run: CsmsCase) -> None:
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await _reserve(run, tag, "Accepted")
    run.log.step("Nobody comes: the reservation expires and the connector is Available")
    await run.status(1, "Available")


async def _reservation_refused(run: CsmsCase, answer: str) -> None:
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await _reserve(run, tag, answer)
    run.log.step("The connection stays usable: Heartbeat")
    await run.call("Heartbeat", {})


@case("TC_048_1_CSMS")
async def reservation_faulted(run: CsmsCase) -> None:
    await _reservation_refused(run, "Faulted")


@case("TC_048_2_CSMS")
async def reservation_occupied(run: CsmsCase) -> None:
    await _reservation_refused(run, "Occupied")


@case("TC_048_3_CSMS")
async def reservation_unavailable(run: CsmsCase) -> None:
    await _reservation_refused(run, "Unavailable")


@case("TC_048_4_CSMS")
async def reservation_rejected(run: CsmsCase) -> None:
    await _reservation_refused(run, "Rejected")


async def _cancel(run: CsmsCase, answer: str) -> None:
    """CancelReservation (1.6 section 5.1) of the reservation made, answered ``answer``."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await _reserve(run, tag, "Accepted")
    run.log.step("The Central System cancels the reservation")
    call = await run.order(
        "CancelReservation",
        {"reservationId": RESERVATION_ID},
        f"cancel reservation {RESERVATION_ID}",
    )
    run.log.check(
        "CancelReservation names the reservation made",
        call.payload.get("reservationId") == RESERVATION_ID,
        expected=RESERVATION_ID,
        observed=call.payload.get("reservationId"),
    )
    await run.answered(call, {"status": answer})
    if answer == "Accepted":
        await run.status(1, "Available")


@case("TC_051_CSMS")
async def cancel_reservation(run: CsmsCase) -> None:
    await _cancel(run, "Accepted")


@case("TC_052_CSMS")
async def cancel_reservation_rejected(run: CsmsCase) -> None:
    await _cancel(run, "Rejected")


def _profile(purpose: str, transaction_id: int | None = None) -> dict[str, object]:
    """A charging profile of ``purpose``: 16 A from now on (1.6 section 7.8). A TxProfile is
    relative to its transaction's start; the others start now."""
    schedule: dict[str, object] = {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
    }
    relative = purpose == "TxProfile"
    if not relative:
        schedule["startSchedule"] = _in(0)
    profile: dict[str, object] = {
        "chargingProfileId": 7,
        "stackLevel": 0,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Relative" if relative else "Absolute",
        "chargingSchedule": schedule,
    }
    if transaction_id is not None:
        profile["transactionId"] = transaction_id
    return profile


async def _set_profile(
    run: CsmsCase, connector: int, purpose: str, transaction: int | None
) -> None:
    run.log.step(f"The Central System sets a {purpose}")
    call = await run.order(
        "SetChargingProfile",
        {"connectorId": connector, "csChargingProfiles": _profile(purpose, transaction)},
        f"set a {purpose} of 16 A on connector {connector}",
    )
    profile = call.payload.get("csChargingProfiles", {})
    run.log.check(
        f"SetChargingProfile carries a {purpose}",
        profile.get("chargingProfilePurpose") == purpose,
        expected=purpose,
        observed=profile.get("chargingProfilePurpose"),
    )
    if transaction is not None:
        run.log.check(
            "the TxProfile names the running transaction",
            profile.get("transactionId") == transaction,
            expected=transaction,
            observed=profile.get("transactionId"),
        )
    await run.answered(call, {"status": "Accepted"})


@case("TC_056_CSMS")
async def tx_default_profile(run: CsmsCase) -> None:
    """SetChargingProfile (1.6 section 5.16) with a TxDefaultProfile for every connector."""
    await run.connect()
    await run.boot()
    await _set_profile(run, 0, "TxDefaultProfile", None)


@case("TC_057_CSMS")
async def tx_profile(run: CsmsCase) -> None:
    """A TxProfile for the running transaction (1.6 section 3.13.3)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await run.status(1, "Preparing")
    await run.authorize(tag)
    transaction_id = await run.charge(tag)
    await _set_profile(run, 1, "TxProfile", transaction_id)
    await run.finish(transaction_id, "Local", tag)


@case("TC_066_CSMS")
async def composite_schedule(run: CsmsCase) -> None:
    """GetCompositeSchedule (1.6 section 5.7) for connector 1, an hour."""
    await run.connect()
    await run.boot()
    run.log.step("The Central System asks for the composite schedule of connector 1")
    call = await run.order(
        "GetCompositeSchedule",
        {"connectorId": 1, "duration": 3600},
        "read connector 1's composite schedule for an hour",
    )
    run.log.check(
        "GetCompositeSchedule names connector 1",
        call.payload.get("connectorId") == 1,
        expected=1,
        observed=call.payload.get("connectorId"),
    )
    await run.answered(
        call,
        {
            "status": "Accepted",
            "connectorId": 1,
            "scheduleStart": now(),
            "chargingSchedule": {
                "duration": 3600,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32.0}],
            },
        },
    )


@case("TC_067_CSMS")
async def clear_charging_profile(run: CsmsCase) -> None:
    """ClearChargingProfile (1.6 section 5.5) of a profile set before."""
    await run.connect()
    await run.boot()
    await _set_profile(run, 0, "TxDefaultProfile", None)
    run.log.step("The Central System clears the profile")
    call = await run.order(
        "ClearChargingProfile", {"id": 7}, "clear charging profile 7 of the station"
    )
    await run.answered(call, {"status": "Accepted"})


@case("TC_004_2_CSMS")
async def identification_first_connection_timeout(run: CsmsCase) -> None:
    """The tag, then no cable within ConnectionTimeOut: nothing starts (1.6 section 9.1.9)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The driver presents a valid tag, then no EV comes")
    await run.authorize(tag)
    await run.status(1, "Preparing")
    run.log.step("ConnectionTimeOut passes: the connector is Available again")
    await run.status(1, "Available")


@case("TC_007_CSMS")
async def cached_id(run: CsmsCase) -> None:
    """A tag the station authorized from its cache: StartTransaction without an Authorize
    before it, which the Central System checks itself (1.6 section 3.5.1)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The EV is plugged in and the cached tag starts charging at once")
    await run.status(1, "Preparing")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)


@case("TC_011_2_CSMS")
async def remote_start_time_out(run: CsmsCase) -> None:
    """A remote start accepted, then no EV within ConnectionTimeOut (1.6 section 5.11)."""
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
    run.log.step("No EV comes: Preparing, then Available when ConnectionTimeOut passes")
    await run.status(1, "Preparing")
    await run.status(1, "Available")


@case("TC_018_1_CSMS")
async def unlock_during_session(run: CsmsCase) -> None:
    """UnlockConnector during a transaction: the station stops it with reason UnlockCommand
    (1.6 section 5.18)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await run.status(1, "Preparing")
    await run.authorize(tag)
    transaction_id = await run.charge(tag)
    run.log.step("The Central System unlocks the connector in use")
    call = await run.order("UnlockConnector", {"connectorId": 1}, "unlock connector 1")
    await run.answered(call, {"status": "Unlocked"})
    run.log.step("The station stops: StopTransaction (UnlockCommand), Finishing, Available")
    await run.finish(transaction_id, "UnlockCommand")


@case("TC_024_CSMS")
async def lock_failure(run: CsmsCase) -> None:
    """The connector cannot lock the cable: no transaction, a Faulted status with
    ConnectorLockFailure (1.6 section 7.6)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await run.status(1, "Preparing")
    await run.authorize(tag)
    run.log.step("The lock fails: Faulted (ConnectorLockFailure), then Available")
    await run.status(1, "Faulted", "ConnectorLockFailure")
    await run.status(1, "Available")


@case("TC_032_1_CSMS")
async def power_failure_stops_transactions(run: CsmsCase) -> None:
    """Power fails during a transaction; the station boots again and stops it with reason
    PowerLoss (1.6 section 4.10)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    await run.status(1, "Preparing")
    await run.authorize(tag)
    transaction_id = await run.charge(tag)
    run.log.step("Power fails: a new connection, BootNotification, StopTransaction (PowerLoss)")
    await run.reconnect()
    await run.boot()
    await run.stop_transaction(transaction_id, 1_500, "PowerLoss")


async def _offline_start(run: CsmsCase) -> tuple[str, int]:
    """A transaction started while the connection was down, reported once it is back (1.6
    section 4.8: the timestamp is when it started)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("Offline, the station starts a transaction; back online it reports it")
    await run.reconnect()
    await run.boot()
    transaction_id = await run.start_transaction(tag)
    await run.status(1, "Charging")
    return tag, transaction_id


@case("TC_037_1_CSMS")
async def offline_start_valid_tag(run: CsmsCase) -> None:
    tag, transaction_id = await _offline_start(run)
    await run.finish(transaction_id, "Local", tag)


@case("TC_039_CSMS")
async def offline_transaction(run: CsmsCase) -> None:
    """A whole transaction while offline, reported in order once back: start, meter values,
    stop (1.6 section 4.8, 4.10)."""
    tag, transaction_id = await _offline_start(run)
    await run.meter_values(transaction_id, 1_000)
    await run.finish(transaction_id, "Local", tag)


@case("TC_049_CSMS")
async def reservation_of_the_charge_point(run: CsmsCase) -> None:
    """ReserveNow of connector 0, the whole charge point (1.6 section 5.13)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The Central System reserves the charge point (connector 0)")
    call = await run.order(
        "ReserveNow",
        {"connectorId": 0, "expiryDate": _in(30), "idTag": tag, "reservationId": RESERVATION_ID},
        f"reserve the whole charge point for {tag} (reservation {RESERVATION_ID})",
    )
    run.log.check(
        "ReserveNow names connector 0",
        call.payload.get("connectorId") == 0,
        expected=0,
        observed=call.payload.get("connectorId"),
    )
    await run.answered(call, {"status": "Accepted"})
    run.log.step("The driver comes and charges")
    await run.authorize(tag)
    await run.status(1, "Preparing")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)


@case("TC_059_CSMS")
async def remote_start_with_profile(run: CsmsCase) -> None:
    """RemoteStartTransaction carrying a TxProfile (1.6 section 5.11)."""
    tag = await run.tag("Accepted")
    await run.connect()
    await run.boot()
    run.log.step("The Central System starts a transaction with a charging profile")
    call = await run.order(
        "RemoteStartTransaction",
        {"connectorId": 1, "idTag": tag, "chargingProfile": _profile("TxProfile")},
        f"start a transaction on connector 1 for {tag} with a TxProfile of 16 A",
    )
    profile = call.payload.get("chargingProfile", {})
    run.log.check(
        "RemoteStartTransaction carries a TxProfile",
        profile.get("chargingProfilePurpose") == "TxProfile",
        expected="TxProfile",
        observed=profile.get("chargingProfilePurpose"),
    )
    await run.answered(call, {"status": "Accepted"})
    await run.status(1, "Preparing")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)
