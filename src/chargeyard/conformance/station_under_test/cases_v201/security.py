"""OCPP 2.0.1 charging-station cases of security without TLS or certificates (block A: A00
HTTP Basic authentication, security profile 1, and A01 its password changed by the CSMS)."""

from __future__ import annotations

import base64
import secrets

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.exchanges import present
from chargeyard.conformance.station_under_test.case import PASSWORD_NEED
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.device_v201 import Var, result_for
from chargeyard.conformance.station_under_test.handshake import Connection
from chargeyard.conformance.station_under_test.tls_checks import by_password
from chargeyard.conformance.verdicts import Weight

PASSWORD = Var("SecurityCtrlr", "BasicAuthPassword")


def _password(run: StationCaseV201) -> str:
    if run.peer.password is None:
        raise NotApplicable(
            "the station does not authenticate with a password (security profile 1: --password)",
            need=PASSWORD_NEED,
        )
    return run.peer.password


def _credentials(run: StationCaseV201, connection: Connection | None, password: str) -> None:
    """The handshake's Authorization header is Basic, the identity and ``password``
    (A00.FR.202 to 205)."""
    identity = connection.identity if connection is not None else run.identity
    wanted = "Basic " + base64.b64encode(f"{identity}:{password}".encode()).decode()
    header = connection.authorization if connection is not None else None
    run.log.check(
        "the handshake carries HTTP Basic credentials: the identity and its password",
        header == wanted,
        expected="Basic <identity>:<password>",
        observed="the right credentials"
        if header == wanted
        else header or "no Authorization header",
    )


async def _set_password(run: StationCaseV201, value: str) -> str | None:
    """SetVariables of BasicAuthPassword: its attributeStatus."""
    answer = await run.call("SetVariables", {"setVariableData": [PASSWORD.setting(value)]})
    found = result_for(answer.get("setVariableResult") or [], PASSWORD)
    status = present(found).get("attributeStatus")
    return status if isinstance(status, str) else None


@case("TC_A_01_CS")
async def basic_authentication(run: StationCaseV201) -> None:
    """Reusable State Booted: the station's connection carries its identity and
    BasicAuthPassword as HTTP Basic credentials (A00.FR.202-205, B01)."""
    password = _password(run)
    by_password(await run.ready())
    await run.booted()
    _credentials(run, run.peer.connection, password)


@case("TC_A_09_CS")
async def update_password(run: StationCaseV201) -> None:
    """SetVariables of a new BasicAuthPassword: Accepted (or RebootRequired, then reset);
    the station's next connection presents it (A01.FR.01, A00.FR.205)."""
    old = _password(run)
    connection = await run.ready()
    by_password(connection)
    new = secrets.token_urlsafe(24)  # 32 characters of a passwordString
    run.step("The central system sets a new BasicAuthPassword: Accepted or RebootRequired")
    status = await _set_password(run, new)
    run.log.check(
        "SetVariables of BasicAuthPassword is Accepted or RebootRequired",
        status in ("Accepted", "RebootRequired"),
        expected="Accepted or RebootRequired",
        observed=status,
    )
    if status not in ("Accepted", "RebootRequired"):
        return
    # A01.FR.03: from the answer on, the old credentials are not accepted any more.
    run.peer.password = new

    async def restore() -> None:
        before = run.peer.connections
        if await _set_password(run, old) == "Accepted":
            run.peer.password = old
            await run.peer.connected(run.target.connect_s, after=before)

    run.on_close("BasicAuthPassword", restore)
    if status == "RebootRequired":
        await run.booted(reset="OnIdle")
        _credentials(run, run.peer.connection, new)
        return
    run.step("The station connects again with the new password")
    again = await run.connected(after=connection.number)
    _credentials(run, again, new)


@case("TC_A_10_CS")
async def update_password_rejected(run: StationCaseV201) -> None:
    """SetVariables of a BasicAuthPassword of 15 characters, shorter than a passwordString
    may be: Rejected; after a reboot the station presents the password it had (A00.FR.205,
    A01.FR.04)."""
    old = _password(run)
    by_password(await run.ready())
    run.step("The central system sets a BasicAuthPassword of 15 characters: Rejected")
    status = await _set_password(run, secrets.token_hex(8)[:15])
    run.log.check(
        "SetVariables of a too short BasicAuthPassword is Rejected (A00.FR.205: 16 to 40"
        " characters)",
        status == "Rejected",
        weight=Weight.SPEC,
        expected="Rejected",
        observed=status,
    )
    if status != "Rejected":
        return
    await run.booted()
    _credentials(run, run.peer.connection, old)
