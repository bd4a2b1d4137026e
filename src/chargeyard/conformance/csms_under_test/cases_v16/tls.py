"""OCPP 1.6 Central System cases of the security extension over TLS (the 1.6 security
whitepaper, edition 3: security profile 2, TLS with the Central System's certificate, section
2.4; profile 3, with the Charge Point's client certificate too, section 2.5). They run when the
target is a ``wss://`` URL (``--ca`` trusting the Central System's root); TC_087_CSMS needs the
station's client certificate (``--client-cert``, ``--client-key``). TC_078_CSMS has the
station refuse a handshake first (it trusts another root), then report it (section 8's
InvalidCentralSystemCertificate, a critical event)."""

from __future__ import annotations

from pathlib import Path

from chargeyard.conformance.csms_under_test.case import CsmsCase, now
from chargeyard.conformance.csms_under_test.cases_v16._registry import case
from chargeyard.conformance.csms_under_test.tls_moves import (
    check_tls_version,
    not_verified,
    over_tls,
    scratch,
)


@case("TC_078_CSMS")
async def invalid_central_system_certificate(run: CsmsCase) -> None:
    """The station cannot verify the Central System's certificate and refuses the handshake;
    connected again (trusting the right root), it reports InvalidCentralSystemCertificate in
    SecurityEventNotification, which the Central System accepts (whitepaper sections 2.4, 8)."""
    over_tls(run)
    run.log.step("The station dials; the Central System's certificate does not verify")
    with scratch() as directory:
        reason = await not_verified(run, Path(directory))
    run.log.step("The station connects with the right root and boots")
    await run.connect()
    check_tls_version(run)
    await run.boot()
    run.log.step("The station reports the security event InvalidCentralSystemCertificate")
    await run.call(
        "SecurityEventNotification",
        {
            "type": "InvalidCentralSystemCertificate",
            "timestamp": now(),
            "techInfo": reason[:255],
        },
    )


@case("TC_086_CSMS")
async def server_certificate_valid(run: CsmsCase) -> None:
    """The Central System presents a server certificate the station's trusted root verifies
    (TLS 1.2 or above); the station connects and boots."""
    over_tls(run)
    run.log.step("The station sets up TLS, checks the Central System's certificate, connects")
    await run.connect()
    check_tls_version(run)
    await run.boot()


@case("TC_087_CSMS")
async def client_certificate_valid(run: CsmsCase) -> None:
    """The station presents its client certificate; the Central System verifies it and lets
    the station in; it boots."""
    over_tls(run, profile_3=True)
    run.log.step("The station presents its client certificate and connects")
    await run.connect()
    check_tls_version(run)
    await run.boot()
