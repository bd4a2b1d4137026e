"""OCPP 1.6 Charge Point cases of the security whitepaper (edition 3) that need no TLS and no
certificates: HTTP Basic authentication (security profile 1), its password changed by the
Central System (A01), and the security log retrieved (N01)."""

from __future__ import annotations

import base64
import itertools
import secrets
from collections.abc import Callable, Mapping

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.station_under_test.case import PASSWORD_NEED
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case
from chargeyard.conformance.station_under_test.handshake import Connection
from chargeyard.conformance.station_under_test.tls_checks import by_password
from chargeyard.conformance.verdicts import Weight

_REQUESTS = itertools.count(501)


def _status_is(status: str) -> Callable[[ReceivedView[Mapping[str, object]]], bool]:
    return lambda received: received.payload.get("status") == status


def _password(run: StationCaseV16) -> str:
    if run.peer.password is None:
        raise NotApplicable(
            "the station does not authenticate with a password (security profile 1: --password)",
            need=PASSWORD_NEED,
        )
    return run.peer.password


def _credentials(run: StationCaseV16, connection: Connection, password: str) -> None:
    """The handshake's Authorization header is Basic, the identity and ``password`` (A00.FR.202
    to 205)."""
    wanted = "Basic " + base64.b64encode(f"{connection.identity}:{password}".encode()).decode()
    run.log.check(
        "the handshake carries HTTP Basic credentials: the identity and its password",
        connection.authorization == wanted,
        expected="Basic <identity>:<password>",
        observed="the right credentials"
        if connection.authorization == wanted
        else connection.authorization or "no Authorization header",
    )


@case("TC_085_CS")
async def basic_authentication(run: StationCaseV16) -> None:
    """The station presents its identity and password with every connection (whitepaper
    2.3, A00.FR.202-205)."""
    password = _password(run)
    connection = await run.ready()
    by_password(connection)
    run.step("The station's connection carries its Basic credentials")
    _credentials(run, connection, password)
    run.step("The Central System closes the connection: the station presents them again")
    await run.peer.disconnect()
    again = await run.connected(after=connection.number)
    _credentials(run, again, password)


@case("TC_073_CS")
async def update_password(run: StationCaseV16) -> None:
    """ChangeConfiguration of AuthorizationKey: Accepted; the station reconnects with the new
    password, and the old one is no longer accepted (whitepaper A01, 7.2)."""
    old = _password(run)
    connection = await run.ready()
    by_password(connection)
    new = secrets.token_hex(16)  # 16 bytes as 32 hexadecimal digits (A00.FR.205)
    run.step("The Central System sets a new AuthorizationKey: Accepted")
    answer = await run.order(
        "ChangeConfiguration",
        {"key": "AuthorizationKey", "value": new},
        "Accepted",
        of="AuthorizationKey",
    )
    if answer.get("status") != "Accepted":
        return
    # A01.FR.03: from the Accepted answer, the old credentials are not accepted any more.
    run.peer.password = new

    async def restore() -> None:
        answer = await run.ask("ChangeConfiguration", {"key": "AuthorizationKey", "value": old})
        if answer.payload is not None and answer.payload.get("status") == "Accepted":
            before = run.peer.connections
            run.peer.password = old
            await run.peer.connected(run.target.connect_s, after=before)

    run.on_close("AuthorizationKey", restore)
    run.step("The station reconnects with the new password")
    again = await run.connected(after=connection.number)
    _credentials(run, again, new)
    keys = await run.call("GetConfiguration", {"key": ["AuthorizationKey"]})
    shown = [
        entry.get("value")
        for entry in keys.get("configurationKey") or []
        if entry.get("key") == "AuthorizationKey" and entry.get("value")
    ]
    run.log.check(
        "AuthorizationKey is write-only: GetConfiguration does not tell it (whitepaper 7.2)",
        not shown,
        weight=Weight.SPEC,
        expected="no value",
        observed="its value" if shown else "no value",
    )


@case("TC_079_CS")
async def get_security_log(run: StationCaseV16) -> None:
    """GetLog of the security log: Accepted with the file's name, Uploading, Uploaded, each
    LogStatusNotification with the request's id (whitepaper N01)."""
    connection = await run.ready()
    request_id = next(_REQUESTS)
    location = run.bench.files.url(connection.local_host, "uploads/")
    run.bench.files.uploads.clear()
    run.step("The Central System asks for the security log: Accepted, with a file name")
    since = run.mark()
    answer = await run.ask(
        "GetLog",
        {
            "logType": "SecurityLog",
            "requestId": request_id,
            "log": {"remoteLocation": location},
            "retries": 0,
        },
    )
    if answer.error_code in ("NotImplemented", "NotSupported"):
        raise NotApplicable(f"the station does not implement GetLog ({answer.error_code})")
    if not run.log.check(
        "the station answers GetLog with a CALLRESULT",
        answer.payload is not None,
        expected="CALLRESULT",
        observed=f"CALLERROR {answer.error_code}: {answer.error_description}",
    ):
        return
    assert answer.payload is not None
    run.log.check(
        "GetLog is answered Accepted",
        answer.payload.get("status") == "Accepted",
        expected="Accepted",
        observed=answer.payload.get("status"),
    )
    run.log.check(
        "GetLog's answer names the file (N01.FR.01)",
        bool(answer.payload.get("filename")),
        weight=Weight.SPEC,
        expected="a filename",
        observed=answer.payload.get("filename"),
    )
    run.step("The station uploads it: LogStatusNotification Uploading, Uploaded")
    for status in ("Uploading", "Uploaded"):
        item = await run.expect(
            "LogStatusNotification",
            where=_status_is(status),
            what=f"LogStatusNotification {status}",
            within=2 * run.step_s,
            since=since,
        )
        run.log.check(
            f"LogStatusNotification {status} names the request (N01.FR.07)",
            item.payload.get("requestId") == request_id,
            weight=Weight.SPEC,
            expected=request_id,
            observed=item.payload.get("requestId"),
        )
    uploads = await run.bench.files.uploaded(run.step_s)
    run.log.check(
        "the security log reached the location given",
        bool(uploads),
        expected="a file",
        observed=sorted(uploads) or "nothing",
    )
