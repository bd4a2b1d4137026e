"""OCPP 1.6 Central System cases of the security extension that need no TLS (the 1.6
security whitepaper, edition 3): HTTP Basic authentication (security profile 1, section 2.3),
the password the Central System sets (A01), the security log it asks for (N01) and the CA
certificates it installs, lists and deletes (M05, M03, M04; ``certificates.py``)."""

from __future__ import annotations

import uuid

from chargeyard.conformance.csms_under_test.case import CsmsCase, later
from chargeyard.conformance.csms_under_test.cases_v16._registry import case
from chargeyard.conformance.csms_under_test.certificates import (
    CertificateStore,
    deleted,
    ids_asked,
    installed,
    keeping,
    reported,
)
from chargeyard.conformance.csms_under_test.tls_moves import basic_password

PASSWORD_KEY = "AuthorizationKey"
LOG_REQUEST_ID = 79


@case("TC_085_CSMS")
async def basic_authentication(run: CsmsCase) -> None:
    """HTTP Basic authentication with the station's identity and password (security profile
    1, A00.FR.202-A00.FR.204): the Central System lets it in and accepts its boot."""
    basic_password(run)
    await run.booted()


async def _set_password(run: CsmsCase, password: str) -> None:
    """ChangeConfiguration of AuthorizationKey (A01.FR.02), Accepted; the station uses the
    new password once the Central System took its answer (A01.FR.03)."""
    run.log.step(f"The Central System sets a new {PASSWORD_KEY}")
    call = await run.order(
        "ChangeConfiguration",
        {"key": PASSWORD_KEY, "value": password},
        f"set the station's {PASSWORD_KEY} (its Basic password) to a new one",
    )
    key, value = call.payload.get("key"), call.payload.get("value")
    run.log.check(
        f"ChangeConfiguration sets {PASSWORD_KEY}",
        key == PASSWORD_KEY,
        expected=PASSWORD_KEY,
        observed=key,
    )
    await run.answered(call, {"status": "Accepted"})
    await run.order_done()
    if isinstance(value, str):
        run.password = value


@case("TC_073_CSMS")
async def password_update(run: CsmsCase) -> None:
    """The Central System sets a new Basic password; the station accepts it, disconnects and
    connects with it, which the Central System must let in (A01.FR.02, A01.FR.03; the key is
    write-only, section 7.2). The old password is set back the same way at the end, so the
    station's credentials are as they were."""
    old = basic_password(run)
    await run.booted()
    # 16 random bytes as 32 hexadecimal digits: the key's form (A00.FR.205).
    await _set_password(run, uuid.uuid4().hex)
    run.log.step("The station reconnects with the new password")
    await run.reconnect()
    await run.boot()
    await _set_password(run, old)
    run.log.step("The station reconnects with its first password")
    await run.reconnect()
    await run.boot()


@case("TC_079_CSMS")
async def security_log(run: CsmsCase) -> None:
    """GetLog of the security log (N01.FR.01, N01.FR.03): the station accepts, uploads and
    tells each status with the request's id (N01.FR.07-N01.FR.09), which the Central System
    acknowledges."""
    await run.booted()
    run.log.step("The Central System asks for the security log")
    location = "https://logs.example/upload/"
    call = await run.order(
        "GetLog",
        {
            "logType": "SecurityLog",
            "requestId": LOG_REQUEST_ID,
            "log": {"remoteLocation": location, "latestTimestamp": later(0)},
        },
        f"ask for the station's security log, uploaded to {location}",
    )
    log_type = call.payload.get("logType")
    run.log.check(
        "GetLog asks for the SecurityLog",
        log_type == "SecurityLog",
        expected="SecurityLog",
        observed=log_type,
    )
    remote = call.payload.get("log", {}).get("remoteLocation")
    run.log.check(
        "GetLog names where to upload",
        isinstance(remote, str) and remote != "",
        expected="a remoteLocation",
        observed=remote,
    )
    await run.answered(call, {"status": "Accepted", "filename": "chargeyard-security.log"})
    request_id = call.payload.get("requestId")
    run.log.step("The station uploads: LogStatusNotification Uploading, Uploaded")
    for status in ("Uploading", "Uploaded"):
        await run.call("LogStatusNotification", {"status": status, "requestId": request_id})


# -- certificate management (InstallCertificate, GetInstalledCertificateIds, DeleteCertificate)


@case("TC_075_1_CSMS")
async def install_manufacturer_root(run: CsmsCase) -> None:
    """The Central System installs a ManufacturerRootCertificate (InstallCertificate): one
    PEM certificate of the use asked for, which the station keeps and accepts."""
    await run.booted()
    await installed(run, CertificateStore(), "ManufacturerRootCertificate")


@case("TC_075_2_CSMS")
async def install_central_system_root(run: CsmsCase) -> None:
    """The Central System installs a CentralSystemRootCertificate, as
    :func:`install_manufacturer_root`."""
    await run.booted()
    await installed(run, CertificateStore(), "CentralSystemRootCertificate")


@case("TC_076_CSMS")
async def delete_certificate(run: CsmsCase) -> None:
    """The station keeps a CentralSystemRootCertificate; the Central System asks for its id
    (GetInstalledCertificateIds, one certificateType) and deletes it by that id
    (DeleteCertificate, in the hash algorithm the station reported it in)."""
    store = keeping("CentralSystemRootCertificate")
    await run.booted()
    found = await ids_asked(run, store, ["CentralSystemRootCertificate"])
    await deleted(run, store, reported(found, "CentralSystemRootCertificate"))
