"""OCPP 2.0.1 CSMS cases of A02, the Charging Station Certificate renewed by request of the CSMS
without ISO 15118: the CSMS sends TriggerMessage SignChargingStationCertificate, accepts the
station's SignCertificate and sends CertificateSigned (Part 6's Reusable State
RenewChargingStationCertificate; ``own_certificate.py``). No TLS is needed to run them:
the certificate is what a station would use for security profile 3."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.csms_under_test.own_certificate import renewal


@case("TC_A_11_CSMS")
async def renew_station_certificate(run: CsmsCaseV201) -> None:
    """Reusable State RenewChargingStationCertificate: the station takes the certificate
    (A02.FR.11, A02.FR.14, F06.FR.01)."""
    await run.booted()
    await renewal(run)


@case("TC_A_14_CSMS")
async def station_rejects_the_certificate(run: CsmsCaseV201) -> None:
    """The renewal, the station answering CertificateSigned Rejected, which the CSMS takes."""
    await run.booted()
    await renewal(run, answer="Rejected")
