"""OCPP 1.6 Central System cases of the security extension's Charge Point certificate, signed by
the Central System ("Update Charge Point Certificate by request of Central System"): the Central
System asks with ExtendedTriggerMessage SignChargePointCertificate, accepts the station's
SignCertificate.req and sends CertificateSigned.req with a certificate of the CSR's key
(``own_certificate.py``). No TLS is needed to run them: the certificate is what a station
would use for security profile 3."""

from __future__ import annotations

from chargeyard.conformance.csms_under_test.case import CsmsCase
from chargeyard.conformance.csms_under_test.cases_v16._registry import case
from chargeyard.conformance.csms_under_test.own_certificate import renewal


@case("TC_074_CSMS")
async def update_certificate(run: CsmsCase) -> None:
    """The Central System asks for a new Charge Point certificate and sends it; the station
    takes it (CertificateSigned.conf Accepted)."""
    await run.booted()
    await renewal(run)


@case("TC_077_CSMS")
async def invalid_certificate_event(run: CsmsCase) -> None:
    """The Central System sends a certificate the station finds invalid: it answers
    CertificateSigned.conf Rejected and tells the security event InvalidChargePointCertificate,
    which the Central System answers."""
    await run.booted()
    await renewal(run, answer="Rejected", security_event="InvalidChargePointCertificate")
