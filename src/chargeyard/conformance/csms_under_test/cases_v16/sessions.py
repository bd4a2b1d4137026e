"""OCPP 1.6 Central System cases of a driver's session as the station reports it: boots,
authorization, transactions started and stopped (at the station, offline, by a power failure),
data transfer, and the subprotocol of the handshake (its Basic authentication is the
security profile's: ``security.py``)."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case import CsmsCase, later
from chargeyard.conformance.csms_under_test.cases_v16._registry import case, table
from chargeyard.conformance.endings import CaseEnded
from chargeyard.conformance.verdicts import Weight


@case("TC_001_CSMS")
async def cold_boot(run: CsmsCase) -> None:
    """Boot, connectors Available, Heartbeat (1.6 sections 4.2, 4.6, 4.9)."""
    await run.booted()
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
    await run.booted()
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
    await run.booted()
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
    await run.booted()
    transaction_id = await run.session(tag)
    run.log.step("The EV unplugs: StopTransaction (EVDisconnected), Finishing, Available")
    await run.finish(transaction_id, "EVDisconnected")


async def _refused_tag(run: CsmsCase, status: str) -> None:
    """A tag the Central System must refuse with ``status`` (1.6 sections 4.1, 7.14)."""
    tag = await run.tag(status)
    await run.booted()
    run.log.step("The EV is plugged in: Preparing")
    await run.status(1, "Preparing")
    run.log.step(f"The driver presents a tag the Central System must answer {status}")
    await run.authorize(tag, status)
    run.log.step("No transaction starts: the connector is Available again")
    await run.status(1, "Available")


table(_refused_tag)(
    {
        "TC_023_1_CSMS": ("Invalid",),
        "TC_023_2_CSMS": ("Expired",),
        "TC_023_3_CSMS": ("Blocked",),
    },
)


@case("TC_064_CSMS")
async def data_transfer(run: CsmsCase) -> None:
    """A DataTransfer the Central System does not know the vendor of (1.6 section 4.3): it
    answers with a status, not a CALLERROR. The OCA's test case takes Rejected, UnknownMessageId
    or UnknownVendorId (section 4.3 names UnknownVendorId); an Accepted fails conformance only,
    since the test case allows it with a warning."""
    await run.booted()
    run.log.step("The station sends a DataTransfer of an unknown vendor")
    answer = await run.call(
        "DataTransfer", {"vendorId": "org.chargeyard.conformance", "messageId": "Probe"}
    )
    run.log.check(
        "DataTransfer of an unknown vendor is answered UnknownVendorId, UnknownMessageId or"
        " Rejected",
        answer.get("status") in _NOT_TAKEN,
        weight=Weight.SPEC,
        expected=" or ".join(_NOT_TAKEN),
        observed=answer.get("status"),
    )


_NOT_TAKEN = ("UnknownVendorId", "UnknownMessageId", "Rejected")


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


@case("TC_004_2_CSMS")
async def identification_first_connection_timeout(run: CsmsCase) -> None:
    """The tag, then no cable within ConnectionTimeOut: nothing starts (1.6 section 9.1.9)."""
    tag = await run.tag("Accepted")
    await run.booted()
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
    await run.booted()
    run.log.step("The EV is plugged in and the cached tag starts charging at once")
    await run.status(1, "Preparing")
    transaction_id = await run.charge(tag)
    await run.finish(transaction_id, "Local", tag)


@case("TC_024_CSMS")
async def lock_failure(run: CsmsCase) -> None:
    """The connector cannot lock the cable: no transaction, a Faulted status with
    ConnectorLockFailure (1.6 section 7.6)."""
    tag = await run.tag("Accepted")
    await run.booted()
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
    await run.booted()
    transaction_id = await run.session(tag)
    run.log.step("Power fails: a new connection, BootNotification, StopTransaction (PowerLoss)")
    await run.reconnect()
    await run.boot()
    await run.stop_transaction(transaction_id, 1_500, "PowerLoss")


async def _offline_start(run: CsmsCase) -> tuple[str, int]:
    """A transaction started while the connection was down, reported once it is back (1.6
    section 4.8: the timestamp is when it started)."""
    tag = await run.tag("Accepted")
    await run.booted()
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


@case("TC_037_3_CSMS")
async def offline_start_invalid_tag(run: CsmsCase) -> None:
    """A transaction started offline for a tag the Central System does not know: reported
    once back, it must be answered Invalid (with a transactionId all the same), and the
    station, whose StopTransactionOnInvalidId is true, stops it with reason DeAuthorized
    (1.6 sections 3.5.4, 4.8 and 9.1.24)."""
    tag = await run.tag("Invalid")
    await run.booted()
    run.log.step("Offline, the station starts a transaction for an unknown tag; back, reports it")
    await run.reconnect()
    await run.boot()
    answer = await run.call(
        "StartTransaction",
        {"connectorId": 1, "idTag": tag, "meterStart": 0, "timestamp": later(-5)},
    )
    status = answer.get("idTagInfo", {}).get("status")
    run.log.check(
        f"StartTransaction of {tag} is answered Invalid",
        status == "Invalid",
        expected="Invalid",
        observed=status,
    )
    transaction_id = answer.get("transactionId")
    if not run.log.check(
        "StartTransaction's answer holds a transactionId, the tag invalid or not",
        isinstance(transaction_id, int),
        expected="an integer",
        observed=transaction_id,
    ):
        raise CaseEnded("the CSMS gave no transactionId")
    assert isinstance(transaction_id, int)
    await run.status(1, "Charging")
    run.log.step("StopTransactionOnInvalidId: the station stops it (DeAuthorized)")
    await run.finish(transaction_id, "DeAuthorized")
