"""OCPP 2.0.1 CSMS cases of block A over TLS (security profiles 2 and 3, A00): the CSMS's
server certificate, the TLS version it accepts, and the station's client certificate. They run
when the target is a ``wss://`` URL (``--ca`` trusting the CSMS's root); those of profile 3
need the station's client certificate (``--client-cert``, ``--client-key``)."""

from __future__ import annotations

from pathlib import Path

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.csms_under_test.tls_moves import (
    check_tls_version,
    over_tls,
    refused,
    scratch,
    too_old,
    unknown_certificate,
)


@case("TC_A_04_CSMS")
async def server_certificate_valid(run: CsmsCaseV201) -> None:
    """The CSMS presents its server certificate, which the station's trusted root verifies,
    and upgrades the TLS connection (A00.FR.306, 307, 312); then the station boots."""
    over_tls(run)
    run.log.step("The station sets up TLS, checks the CSMS's certificate and connects")
    await run.connect()
    check_tls_version(run)
    await run.boot()


@case("TC_A_06_CSMS")
async def tls_version_too_low(run: CsmsCaseV201) -> None:
    """A station offering only TLS 1.0 and 1.1 is refused (A00.FR.314, 315, 417, 418); the same
    station with TLS 1.2 or above connects and boots."""
    over_tls(run)
    run.log.step("The station offers TLS 1.1 at most")
    await refused(
        run,
        too_old(run),
        "the CSMS ends a TLS handshake below TLS 1.2",
        "the connection ended (A00.FR.315)",
    )
    run.log.step("The station offers TLS 1.2 or above")
    run.peer = run._new_peer()
    await run.connect()
    check_tls_version(run)
    await run.boot()


@case("TC_A_07_CSMS")
async def client_certificate_valid(run: CsmsCaseV201) -> None:
    """The station presents its client certificate (A00.FR.401, 402); the CSMS verifies it
    and upgrades the connection (A00.FR.403, 405, 409, 410); then the station boots."""
    over_tls(run, profile_3=True)
    run.log.step("The station presents its client certificate and connects")
    await run.connect()
    check_tls_version(run)
    await run.boot()


@case("TC_A_08_CSMS")
async def client_certificate_invalid(run: CsmsCaseV201) -> None:
    """A client certificate of the station's identity that no root the CSMS trusts signed is
    refused (A00.FR.403, 407: the connection is terminated)."""
    over_tls(run, profile_3=True)
    run.log.step("The station presents a client certificate of an unknown root")
    with scratch() as directory:
        tls = unknown_certificate(run, Path(directory))
        await refused(
            run,
            tls,
            "the CSMS refuses a client certificate it cannot verify",
            "the connection ended (A00.FR.407)",
        )
