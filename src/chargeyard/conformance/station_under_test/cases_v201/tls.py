"""OCPP 2.0.1 charging-station cases of block A over TLS (security profiles 2 and 3, A00): the
station verifies the suite's server certificate and connects over TLS 1.2 or above, and at
profile 3 presents its client certificate; a certificate it cannot verify it refuses, and
reports (TC_A_05_CS). They run when the suite listens on ``wss://``
(``--tls-cert``, ``--tls-key``; ``--tls-client-ca`` for profile 3), the station trusting the
root of that certificate."""

from __future__ import annotations

from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.tls_checks import (
    check_client_certificate,
    check_tls,
    over_tls,
    refuses_unknown_certificate,
)


async def _reconnected(run: StationCaseV201) -> None:
    """The central system ends the connection: the station sets up TLS again (a new TLS
    handshake, the server's certificate verified) and comes back."""
    connection = await run.ready()
    run.step("The central system closes the connection: the station connects again over TLS")
    await run.peer.disconnect()
    again = await run.connected(after=connection.number)
    check_tls(run, again)
    if run.target.tls is not None and run.target.tls.client_ca_file is not None:
        check_client_certificate(run, again)


@case("TC_A_04_CS")
async def server_certificate_valid(run: StationCaseV201) -> None:
    """The station verifies the central system's certificate (A00.FR.308, 309) and connects
    over TLS 1.2 or above (A00.FR.312, 313)."""
    over_tls(run)
    await _reconnected(run)


@case("TC_A_05_CS")
async def server_certificate_invalid(run: StationCaseV201) -> None:
    """The central system presents a certificate the station cannot verify, then a valid one:
    the station ends the first handshake (A00.FR.308, 311) and, connected again, reports
    InvalidCsmsCertificate (A00.FR.310) in SecurityEventNotification (A04.FR.01)."""
    await refuses_unknown_certificate(run, "InvalidCsmsCertificate")


@case("TC_A_07_CS")
async def client_certificate_valid(run: StationCaseV201) -> None:
    """The station presents its certificate as TLS client certificate, its CN the station's
    identity (A00.FR.401, 402, 405), over TLS 1.2 or above (A00.FR.416)."""
    over_tls(run, profile_3=True)
    await _reconnected(run)
