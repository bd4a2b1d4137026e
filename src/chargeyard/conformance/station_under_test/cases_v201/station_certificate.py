"""OCPP 2.0.1 charging-station cases of A02, the Charging Station Certificate renewed by request
of the CSMS without ISO 15118, and of M04 on it: the suite asks with TriggerMessage
SignChargingStationCertificate, answers SignCertificate and sends CertificateSigned signed by a
root it installed first as the CSMSRootCertificate (``own_certificate.py``). No TLS is
needed to run them."""

from __future__ import annotations

from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.own_certificate import (
    authority_installed,
    csr_checked,
    invalid_event,
    requested,
    signed,
)
from chargeyard.protocol.certificates import read_certificate

WAIT_MINIMUM = Var("SecurityCtrlr", "CertSigningWaitMinimum")
REPEAT_TIMES = Var("SecurityCtrlr", "CertSigningRepeatTimes")
WAIT_S = 3
"""CertSigningWaitMinimum for TC_A_23_CS: short, so the case takes seconds."""
EARLY_S = 0.5
"""How much sooner than its back-off a repeated request may come (clocks and scheduling)."""


async def _renewed(run: StationCaseV201) -> tuple[str, str]:
    """Reusable State RenewChargingStationCertificate: the certificate and its root's PEM."""
    authority = await authority_installed(run)
    csr = await requested(run)
    run.step("The CSMS sends the certificate signed for the CSR: Accepted")
    chain = authority.sign(csr)
    await signed(run, chain, "Accepted")
    return chain, authority.pem


@case("TC_A_11_CS")
async def renew_station_certificate(run: StationCaseV201) -> None:
    """RenewChargingStationCertificate: a new key (A02.FR.02), its CSR (A02.FR.03), the
    certificate checked and taken (A02.FR.06)."""
    await run.ready()
    await _renewed(run)


@case("TC_A_14_CS")
async def invalid_certificate(run: StationCaseV201) -> None:
    """A certificate that is not for the station's new key: CertificateSigned Rejected and the
    security event InvalidChargingStationCertificate (A02.FR.07)."""
    await run.ready()
    authority = await authority_installed(run)
    csr = await requested(run)
    run.step("The CSMS sends a certificate of another key: Rejected")
    refused = run.mark()  # the event may follow the answer at once
    await signed(run, authority.sign_other_key(csr), "Rejected")
    await invalid_event(run, refused)


@case("TC_A_15_CS")
async def sign_request_rejected(run: StationCaseV201) -> None:
    """The CSMS answers the station's SignCertificate Rejected, which the station takes."""
    await run.ready()
    await requested(run, sign_answer="Rejected")


@case("TC_A_23_CS")
async def certificate_signed_timeout(run: StationCaseV201) -> None:
    """No CertificateSigned comes: the station sends SignCertificate again after
    CertSigningWaitMinimum, then after twice that (A02.FR.17, A02.FR.18), and takes the
    certificate of its first CSR when it comes."""
    await run.ready()
    await run.set_variable(WAIT_MINIMUM, str(WAIT_S), optional=True)
    await run.set_variable(REPEAT_TIMES, "1", optional=True)
    authority = await authority_installed(run)
    first_at = run.mark()
    csr = await requested(run)
    [first] = run.peer.received("SignCertificate", since=first_at)
    previous = first.at
    for times in (1, 2):
        wait = WAIT_S * times
        waiting = run.mark()
        run.step(f"No CertificateSigned: the station asks again after {wait} s")
        again = await run.expect("SignCertificate", within=wait + run.step_s, since=waiting)
        csr_checked(run, again)
        run.log.check(
            f"SignCertificate is sent again {wait} s after the last at the soonest (A02.FR.18)",
            again.at - previous >= wait - EARLY_S,
            expected=f"{wait} s or more",
            observed=f"{again.at - previous:.1f} s",
        )
        previous = again.at
    run.step("The CSMS sends the certificate signed for the first CSR: Accepted")
    await signed(run, authority.sign(csr), "Accepted")


@case("TC_M_23_CS")
async def station_certificate_not_deleted(run: StationCaseV201) -> None:
    """After RenewChargingStationCertificate, DeleteCertificate of the station's certificate is
    answered NotFound or Failed (M04.FR.06): a station never deletes its own certificate."""
    await run.ready()
    chain, root = await _renewed(run)
    run.step("GetInstalledCertificates: the CSMS asks for every type")
    await run.call("GetInstalledCertificateIds", {})
    run.step("The CSMS deletes the station's certificate: NotFound or Failed")
    names = read_certificate(chain).hash_data(issuer=read_certificate(root))
    await run.order("DeleteCertificate", {"certificateHashData": names}, ("NotFound", "Failed"))
