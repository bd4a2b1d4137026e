"""OCPP 1.6 Charge Point cases over TLS (the security whitepaper, edition 3: security profile
2, section 2.4; profile 3, with the Charge Point's client certificate, section 2.5). They run
when the suite listens on ``wss://`` (``--tls-cert``, ``--tls-key``; ``--tls-client-ca`` for
profile 3), the station trusting the root of that certificate."""

from __future__ import annotations

from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case
from chargeyard.conformance.station_under_test.tls_checks import (
    check_client_certificate,
    check_tls,
    over_tls,
    refuses_unknown_certificate,
)


async def _reconnected(run: StationCaseV16) -> None:
    """The Central System ends the connection: the station sets up TLS again (the server's
    certificate verified) and comes back."""
    connection = await run.ready()
    run.step("The Central System closes the connection: the station connects again over TLS")
    await run.peer.disconnect()
    again = await run.connected(after=connection.number)
    check_tls(run, again)
    if run.target.tls is not None and run.target.tls.client_ca_file is not None:
        check_client_certificate(run, again)


@case("TC_078_CS")
async def invalid_central_system_certificate(run: StationCaseV16) -> None:
    """The Central System presents a certificate the station cannot verify, then a valid one:
    the station refuses the first and, connected, reports InvalidCentralSystemCertificate in
    SecurityEventNotification (sections 2.4 and 8)."""
    await refuses_unknown_certificate(run, "InvalidCentralSystemCertificate")


@case("TC_086_CS")
async def server_certificate_valid(run: StationCaseV16) -> None:
    """The station verifies the Central System's certificate and connects over TLS 1.2 or
    above (section 2.4)."""
    over_tls(run)
    await _reconnected(run)


@case("TC_087_CS")
async def client_certificate_valid(run: StationCaseV16) -> None:
    """The station presents its client certificate, its CN the station's identity, over TLS
    (section 2.5)."""
    over_tls(run, profile_3=True)
    await _reconnected(run)
