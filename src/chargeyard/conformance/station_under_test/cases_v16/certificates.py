"""OCPP 1.6 Charge Point cases of the security extension's certificate management without TLS:
a root certificate installed and listed (InstallCertificate, GetInstalledCertificateIds), one
deleted (DeleteCertificate). The suite installs roots of its own
(``certificates.py``) and deletes them when the case ends."""

from __future__ import annotations

from typing import Final

from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import Doc, case, table
from chargeyard.conformance.station_under_test.certificates import (
    forget,
    install,
    new_root,
    reported,
)
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v16

CSMS_ROOT: Final = "CentralSystemRootCertificate"
MANUFACTURER_ROOT: Final = "ManufacturerRootCertificate"


async def _installed(
    run: StationCaseV16, kind: v16.CertificateUseEnumType
) -> v16.GetInstalledCertificateIdsResponse:
    """GetInstalledCertificateIds of ``kind``: the answer, which must be a CALLRESULT."""
    return await run.call("GetInstalledCertificateIds", {"certificateType": kind})


async def _installed_and_listed(run: StationCaseV16, kind: v16.CertificateUseEnumType) -> None:
    await run.ready()
    pem = new_root(f"chargeyard conformance {kind}")
    run.step(f"The Central System installs a {kind}: Accepted")
    status = await install(run, kind, pem)
    if not run.log.check(
        "InstallCertificate is answered Accepted",
        status == "Accepted",
        expected="Accepted",
        observed=status,
    ):
        return
    run.step(f"The Central System asks for the installed {kind}s: the new one is among them")
    answer = await _installed(run, kind)
    run.log.check(
        "GetInstalledCertificateIds is answered Accepted",
        answer.get("status") == "Accepted",
        expected="Accepted",
        observed=answer.get("status"),
    )
    run.log.check(
        "certificateHashData names the certificate installed (by the suite's own hashes)",
        reported(answer, pem) is not None,
        weight=Weight.SPEC,
        expected="its issuerNameHash, issuerKeyHash and serialNumber",
        observed=answer.get("certificateHashData") or "no certificateHashData",
    )


table(_installed_and_listed)(
    {
        "TC_075_1_CS": Doc(
            "InstallCertificate of a ManufacturerRootCertificate: Accepted; "
            "GetInstalledCertificateIds of the type names it (security extension M05, M03).",
            MANUFACTURER_ROOT,
        ),
        "TC_075_2_CS": Doc(
            "InstallCertificate of a CentralSystemRootCertificate: Accepted; "
            "GetInstalledCertificateIds of the type names it (security extension M05, M03).",
            CSMS_ROOT,
        ),
    },
)


@case("TC_076_CS")
async def delete_certificate(run: StationCaseV16) -> None:
    """A CentralSystemRootCertificate installed (the memory state CertificateInstalled) is
    listed, deleted by the hash data the station reported (Accepted), and listed no more
    (security extension M04). The suite deletes only a certificate it installed."""
    await run.ready()
    pem = new_root("chargeyard conformance root to delete")
    run.step("Before: the Central System installs a CentralSystemRootCertificate")
    status = await install(run, CSMS_ROOT, pem)
    if not run.log.check(
        "InstallCertificate is answered Accepted",
        status == "Accepted",
        expected="Accepted",
        observed=status,
    ):
        return
    run.step("The Central System asks for the installed CentralSystemRootCertificates")
    answer = await _installed(run, CSMS_ROOT)
    names = reported(answer, pem)
    if not run.log.check(
        "certificateHashData names the certificate installed",
        names is not None,
        weight=Weight.SPEC,
        expected="its hash data",
        observed=answer.get("certificateHashData") or answer.get("status"),
    ):
        return
    assert names is not None
    run.step("The Central System deletes it, in the hashAlgorithm reported: Accepted")
    deleted = await run.order("DeleteCertificate", {"certificateHashData": names}, "Accepted")
    if deleted.get("status") == "Accepted":
        forget(run, pem)
    run.step("The Central System asks again: the certificate is no longer listed")
    after = await _installed(run, CSMS_ROOT)
    run.log.check(
        "GetInstalledCertificateIds no longer names the deleted certificate",
        reported(after, pem) is None,
        weight=Weight.SPEC,
        expected="not listed",
        observed="still listed" if reported(after, pem) is not None else "not listed",
    )
