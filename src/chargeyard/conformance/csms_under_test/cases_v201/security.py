"""OCPP 2.0.1 CSMS cases of block A that need no TLS: HTTP Basic authentication (security
profile 1, A00) and the password the CSMS sets with SetVariables (A01)."""

from __future__ import annotations

import uuid

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.csms_under_test.tls_moves import basic_password
from chargeyard.conformance.endings import CaseEnded

PASSWORD_VARIABLE = {
    "component": {"name": "SecurityCtrlr"},
    "variable": {"name": "BasicAuthPassword"},
}


@case("TC_A_01_CSMS")
async def basic_authentication_valid(run: CsmsCaseV201) -> None:
    """The station's identity and password in the upgrade's Authorization header: the CSMS
    lets it in and accepts its boot (A00.FR.204, B01.FR.02)."""
    basic_password(run)
    run.log.step("The station connects with its identity and password")
    await run.booted()


async def _refused(run: CsmsCaseV201, username: str, password: str) -> None:
    """The CSMS must refuse the upgrade of a station whose Basic credentials are wrong
    (A00.FR.204)."""
    run.log.step("The station connects with wrong Basic credentials")
    run.password = password
    run.peer = run._new_peer(username=username)
    try:
        await run.peer.connect()
    except CaseEnded as why:
        run.log.check(
            "the CSMS refuses the WebSocket upgrade",
            "refused the WebSocket handshake" in str(why),
            expected="the handshake refused (HTTP 401)",
            observed=str(why),
        )
        return
    run.log.check(
        "the CSMS refuses the WebSocket upgrade",
        False,
        expected="the handshake refused (HTTP 401)",
        observed="the connection was upgraded",
    )


@case("TC_A_02_CSMS")
async def basic_authentication_other_user(run: CsmsCaseV201) -> None:
    """The password is right, the user is not the station's identity (A00.FR.204)."""
    password = basic_password(run)
    await _refused(run, run.target.identity + "Invalid", password)


@case("TC_A_03_CSMS")
async def basic_authentication_wrong_password(run: CsmsCaseV201) -> None:
    """The user is the station's identity, the password a random one (A00.FR.204)."""
    basic_password(run)
    await _refused(run, run.target.identity, "cy" + uuid.uuid4().hex)


async def _set_password(run: CsmsCaseV201, password: str, answer: str) -> None:
    """SetVariables of SecurityCtrlr.BasicAuthPassword (A01.FR.02), answered ``answer``."""
    call = await run.ordered(
        "SetVariables",
        {"setVariableData": [{**PASSWORD_VARIABLE, "attributeValue": password}]},
        "set the station's BasicAuthPassword",
    )
    data = call.payload.get("setVariableData", [])
    named = [
        (item.get("component", {}).get("name"), item.get("variable", {}).get("name"))
        for item in data
    ]
    run.log.check(
        "SetVariables sets SecurityCtrlr.BasicAuthPassword",
        ("SecurityCtrlr", "BasicAuthPassword") in named,
        expected="SecurityCtrlr.BasicAuthPassword",
        observed=named,
    )
    await run.answered(
        call,
        {
            "setVariableResult": [
                {
                    "attributeStatus": answer,
                    "component": item.get("component", {}),
                    "variable": item.get("variable", {}),
                }
                for item in data
            ]
        },
    )
    # The station uses the new password once the CSMS took its answer (A01.FR.03).
    await run.order_done()


@case("TC_A_09_CSMS")
async def password_update_accepted(run: CsmsCaseV201) -> None:
    """The CSMS sets a new password; the station accepts it and reconnects with it, which
    the CSMS must let in (A01.FR.02, A01.FR.03). The old password is set back the same way
    at the end, so the station's credentials are as they were."""
    old = basic_password(run)
    await run.booted()
    new = "cy-" + uuid.uuid4().hex
    await _set_password(run, new, "Accepted")
    run.log.step("The station reconnects with the new password")
    run.password = new
    await run.reconnect()
    await run.boot()
    run.log.step("The password is set back")
    await _set_password(run, old, "Accepted")
    run.password = old
    await run.reconnect()
    await run.boot()


@case("TC_A_10_CSMS")
async def password_update_rejected(run: CsmsCaseV201) -> None:
    """The station rejects the new password, so the CSMS must keep accepting the old one
    (A01.FR.04, A01.FR.05)."""
    basic_password(run)
    await run.booted()
    await _set_password(run, "cy-" + uuid.uuid4().hex, "Rejected")
    run.log.step("The station reconnects with its old password")
    await run.reconnect()
    await run.boot()
