"""OCPP 1.6 Charge Point cases of the security extension's Charge Point certificate, signed by
the Central System ("Update Charge Point Certificate by request of Central System"): the suite
asks with ExtendedTriggerMessage SignChargePointCertificate, answers SignCertificate.req and
sends CertificateSigned.req signed by a root it installed first
(``own_certificate.py``). No TLS is needed to run them."""

from __future__ import annotations

from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case
from chargeyard.conformance.station_under_test.own_certificate import (
    authority_installed,
    invalid_event,
    requested,
    signed,
)


@case("TC_074_CS")
async def update_certificate(run: StationCaseV16) -> None:
    """The Charge Point makes a new key, sends its CSR and takes the certificate signed for it
    (CertificateSigned.conf Accepted)."""
    await run.ready()
    authority = await authority_installed(run)
    csr = await requested(run)
    run.step("The Central System sends the certificate signed for the CSR: Accepted")
    await signed(run, authority.sign(csr), "Accepted")


@case("TC_077_CS")
async def invalid_certificate_event(run: StationCaseV16) -> None:
    """A certificate that is not for the Charge Point's new key: CertificateSigned.conf
    Rejected, and the security event InvalidChargePointCertificate."""
    await run.ready()
    authority = await authority_installed(run)
    csr = await requested(run)
    run.step("The Central System sends a certificate of another key: Rejected")
    refused = run.mark()  # the event may follow the answer at once
    await signed(run, authority.sign_other_key(csr), "Rejected")
    await invalid_event(run, refused)
