"""OCPP 1.6 Charge Point cases of what the Central System orders: a remote start (cable first,
remote start first, timed out, refused, by a cached tag, of an Invalid tag) and stop, the
authorization cache cleared, and unlocking a connector (1.6 sections 5.4, 5.11, 5.12, 5.18)."""

from __future__ import annotations

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case, table
from chargeyard.conformance.station_under_test.cases_v16.sessions import before, cached, short
from chargeyard.conformance.station_under_test.triggers import StationAct, Verb
from chargeyard.conformance.verdicts import Weight


async def _remote_start(run: StationCaseV16, tag: str, connector: int = 1) -> None:
    await run.order("RemoteStartTransaction", {"connectorId": connector, "idTag": tag}, "Accepted")


async def _remote_stop(run: StationCaseV16, transaction_id: int) -> None:
    """RemoteStopTransaction, Accepted: StopTransaction (Remote), Finishing, then the cable
    out: Available (sections 5.12, 7.39)."""
    run.step(f"The Central System stops transaction {transaction_id}: StopTransaction (Remote)")
    await run.order("RemoteStopTransaction", {"transactionId": transaction_id}, "Accepted")
    await run.expect_stop(transaction_id, reason="Remote")
    await run.status(1, "Finishing")
    await run.unplugged()


@case("TC_010_CS")
async def remote_start_cable_first(run: StationCaseV16) -> None:
    """The cable is in, then RemoteStartTransaction: the transaction starts (1.6 section
    5.11)."""
    await run.ready()
    tag = run.tags.valid
    run.step("The EV is plugged in: Preparing")
    await run.plug()
    await run.status(1, "Preparing")
    run.step(f"The Central System starts a transaction for {tag}: StartTransaction, Charging")
    await _remote_start(run, tag)
    transaction_id = await run.expect_start(tag)
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, tag)


@case("TC_011_1_CS")
async def remote_start_first(run: StationCaseV16) -> None:
    """RemoteStartTransaction first, then the cable: the transaction starts (1.6 sections
    5.11, 4.9 A2)."""
    await run.ready()
    tag = run.tags.valid
    run.step(f"The Central System starts a transaction for {tag}")
    await _remote_start(run, tag)
    run.step("The EV is plugged in: StartTransaction, Charging")
    await run.plug()
    transaction_id = await run.expect_start(tag)
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, tag)


@case("TC_011_2_CS")
async def remote_start_times_out(run: StationCaseV16) -> None:
    """RemoteStartTransaction and no cable within ConnectionTimeOut: nothing starts and the
    connector is Available again (1.6 sections 5.11, 9.1 ConnectionTimeOut)."""
    await run.ready()
    timeout = short(run)
    run.step(f"ConnectionTimeOut is set to {timeout} s")
    await run.configure("ConnectionTimeOut", str(timeout))
    tag = run.tags.valid
    run.step(f"The Central System starts a transaction for {tag}; no cable comes")
    await _remote_start(run, tag)
    await run.absent(
        "StartTransaction",
        timeout + 1,
        "no transaction starts without a cable",
        since=run.step_began,
    )
    if run.peer.received(
        "StatusNotification",
        since=run.step_began,
        where=lambda r: r.payload["status"] == "Preparing",
    ):
        await run.status(1, "Available", within=run.step_s)


@case("TC_012_CS")
async def remote_stop(run: StationCaseV16) -> None:
    """RemoteStopTransaction of the running transaction (1.6 section 5.12)."""
    await run.ready()
    transaction_id = await run.session()
    await _remote_stop(run, transaction_id)


@case("TC_007_2_CS")
async def remote_start_cached_id(run: StationCaseV16) -> None:
    """AuthorizeRemoteTxRequests with a tag in the cache and LocalPreAuthorize: the remote
    start is authorized as a local one would be, without Authorize (1.6 sections 5.11, 3.5.1,
    9.1)."""
    await run.ready()
    run.step("The cache is enabled and emptied; AuthorizeRemoteTxRequests is true")
    await run.configure("AuthorizationCacheEnabled", "true", optional=True)
    await run.configure("AuthorizeRemoteTxRequests", "true")
    await run.order("ClearCache", {}, "Accepted")
    tag = run.tags.valid
    await cached(run, tag)
    run.step("LocalPreAuthorize is true")
    await run.configure("LocalPreAuthorize", "true")
    run.step("The EV is plugged in: Preparing")
    await run.plug()
    await run.status(1, "Preparing")
    run.step(f"The Central System starts a transaction for the cached {tag}: no Authorize")
    since = run.mark()
    await _remote_start(run, tag)
    transaction_id = await run.expect_start(tag)
    start = run.peer.received("StartTransaction", since=since)[0]
    early = before(start, "Authorize", since, run)
    run.log.check(
        "no Authorize is sent for a cached tag before the transaction starts",
        not early,
        weight=Weight.SPEC,
        expected="no Authorize",
        observed=[item.payload for item in early] or "none",
    )
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, tag)


async def _cleared_cache_asks(run: StationCaseV16, remote: bool) -> None:
    """ClearCache, then the tag it held: the station must ask (Authorize) before starting
    (1.6 sections 5.4, 3.5.1)."""
    await run.ready()
    run.step("The cache is enabled; LocalPreAuthorize is true")
    await run.configure("AuthorizationCacheEnabled", "true", optional=True)
    if remote:
        await run.configure("AuthorizeRemoteTxRequests", "true")
    await run.order("ClearCache", {}, "Accepted")
    tag = run.tags.valid
    await cached(run, tag)
    await run.configure("LocalPreAuthorize", "true")
    run.step("The Central System clears the cache: ClearCache, Accepted")
    await run.order("ClearCache", {}, "Accepted")
    run.step("The EV is plugged in: Preparing")
    await run.plug()
    await run.status(1, "Preparing")
    how = "The Central System starts a transaction for" if remote else "The driver presents"
    run.step(f"{how} {tag}: Authorize before StartTransaction")
    if remote:
        await _remote_start(run, tag)
    else:
        await run.present(tag)
    await run.expect_authorize(tag)
    transaction_id = await run.expect_start(tag)
    await run.status(1, "Charging")
    await run.stop_by_tag(transaction_id, tag)


table(_cleared_cache_asks)(
    {
        "TC_061_1_CS": (False,),
        "TC_061_2_CS": (True,),
    },
)


@case("TC_023_5_CS")
async def remote_start_invalid(run: StationCaseV16) -> None:
    """AuthorizeRemoteTxRequests: the remote start's tag is answered Invalid, so nothing
    starts (1.6 sections 5.11, 9.1)."""
    await run.ready()
    run.step("The cache is emptied; AuthorizeRemoteTxRequests is true")
    await run.ask("ClearCache", {})
    await run.configure("AuthorizeRemoteTxRequests", "true")
    run.step("The EV is plugged in: Preparing")
    await run.plug()
    await run.status(1, "Preparing")
    tag = run.tags.invalid
    run.step(f"The Central System starts a transaction for {tag}: Authorize, Invalid")
    await _remote_start(run, tag)
    await run.expect_authorize(tag)
    await run.absent(
        "StartTransaction",
        short(run),
        "no transaction starts for an Invalid tag",
        since=run.step_began,
    )
    await run.unplugged()


@case("TC_026_CS")
async def remote_start_rejected(run: StationCaseV16) -> None:
    """RemoteStartTransaction on an Unavailable connector is Rejected (1.6 sections 5.2,
    5.11)."""
    await run.ready()
    run.step("Connector 1 is made Inoperative: Unavailable")

    async def operative() -> None:
        await run.ask("ChangeAvailability", {"connectorId": 1, "type": "Operative"})

    run.on_close("connector 1 operative", operative)
    await run.order("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"}, "Accepted")
    await run.status(1, "Unavailable")
    run.step("The Central System starts a transaction on it: Rejected")
    await run.order(
        "RemoteStartTransaction", {"connectorId": 1, "idTag": run.tags.valid}, "Rejected"
    )
    run.step("Connector 1 is made Operative again: Available")
    await run.order("ChangeAvailability", {"connectorId": 1, "type": "Operative"}, "Accepted")
    run.forget("connector 1 operative")
    await run.status(1, "Available")


@case("TC_027_CS")
async def remote_start_connector_zero(run: StationCaseV16) -> None:
    """RemoteStartTransaction on connectorId 0 is Rejected (1.6 section 6.33: connectorId
    SHALL be > 0)."""
    await run.ready()
    run.step("The Central System starts a transaction on connector 0: Rejected")
    await run.order(
        "RemoteStartTransaction", {"connectorId": 0, "idTag": run.tags.valid}, "Rejected"
    )
    await run.absent("StartTransaction", short(run), "no transaction starts", since=run.step_began)


@case("TC_028_CS")
async def remote_stop_rejected(run: StationCaseV16) -> None:
    """RemoteStopTransaction of a transaction the station does not run is Rejected (1.6
    section 5.12)."""
    await run.ready()
    run.step("The Central System stops a transaction that does not run: Rejected")
    await run.order("RemoteStopTransaction", {"transactionId": 987654}, "Rejected")


def _cable(run: StationCaseV16, fixed: bool) -> None:
    if run.target.fixed_cable != fixed:
        has = "a fixed cable" if run.target.fixed_cable else "a socket"
        raise NotApplicable(f"the station has {has} (--fixed-cable says which)")


@case("TC_017_1_CS")
async def unlock_without_session(run: StationCaseV16) -> None:
    """UnlockConnector of a socket with no session: Unlocked (1.6 section 5.18)."""
    _cable(run, fixed=False)
    await run.ready()
    run.step("The Central System unlocks connector 1: Unlocked")
    await run.order("UnlockConnector", {"connectorId": 1}, "Unlocked")


@case("TC_017_2_CS")
async def unlock_fixed_cable(run: StationCaseV16) -> None:
    """UnlockConnector of a fixed cable: NotSupported, it has no lock to open (1.6 sections
    5.18, 7.45)."""
    _cable(run, fixed=True)
    await run.ready()
    run.step("The Central System unlocks connector 1: NotSupported")
    await run.order("UnlockConnector", {"connectorId": 1}, "NotSupported")


@case("TC_018_1_CS")
async def unlock_during_session(run: StationCaseV16) -> None:
    """UnlockConnector during a transaction: the station stops it first (UnlockCommand),
    then unlocks (1.6 section 5.18)."""
    _cable(run, fixed=False)
    await run.ready()
    transaction_id = await run.session()
    run.step("The Central System unlocks connector 1: Unlocked, StopTransaction (UnlockCommand)")
    await run.order("UnlockConnector", {"connectorId": 1}, "Unlocked")
    await run.expect_stop(transaction_id, reason="UnlockCommand")
    await run.unplugged()


@case("TC_018_2_CS")
async def unlock_fixed_cable_during_session(run: StationCaseV16) -> None:
    """UnlockConnector of a fixed cable during a transaction: NotSupported; the driver stops
    the transaction as usual (1.6 sections 5.18, 7.45)."""
    _cable(run, fixed=True)
    await run.ready()
    transaction_id = await run.session()
    run.step("The Central System unlocks connector 1: NotSupported")
    await run.order("UnlockConnector", {"connectorId": 1}, "NotSupported")
    await run.stop_by_tag(transaction_id, run.tags.valid)


@case("TC_030_CS")
async def unlock_failure(run: StationCaseV16) -> None:
    """The lock does not open: UnlockConnector answers UnlockFailed (1.6 sections 5.18,
    7.45)."""
    _cable(run, fixed=False)
    await run.ready()
    run.step("Connector 1's lock is made to fail")
    await run.act(StationAct(Verb.UNLOCK_FAILURE, fails=True))
    run.step("The Central System unlocks connector 1: UnlockFailed")
    await run.order("UnlockConnector", {"connectorId": 1}, "UnlockFailed")
    run.step("The lock works again")
    await run.act(StationAct(Verb.UNLOCK_FAILURE, fails=False))


@case("TC_031_CS")
async def unlock_unknown_connector(run: StationCaseV16) -> None:
    """UnlockConnector of a connector the station does not have: NotSupported (1.6 section
    7.45: "... or ConnectorId is unknown")."""
    await run.ready()
    unknown = await run.connectors() + 1
    run.step(f"The Central System unlocks connector {unknown}, which does not exist")
    await run.order("UnlockConnector", {"connectorId": unknown}, "NotSupported")
