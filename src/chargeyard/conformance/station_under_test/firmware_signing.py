"""The suite's manufacturer root installed on the charging station under test, for the cases
of a secure firmware update (OCPP 2.0.1 L01; the 1.6 security extension's SignedUpdateFirmware):
the station verifies the signing certificate against its installed ManufacturerRootCertificates
(L01.FR.12, L01.FR.21), so the suite's root goes there first (InstallCertificate;
``certificates.install`` deletes it when the case ends), then the suite signs what it serves
(``firmware_signer.py``)."""

from __future__ import annotations

from chargeyard.conformance.endings import CaseEnded
from chargeyard.conformance.firmware_signer import MANUFACTURER_ROOT, FirmwareSigner, new_signer
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.certificates import install


async def trusted_signer(run: StationCase) -> FirmwareSigner:
    """A new signer whose root the station installed as its ManufacturerRootCertificate.

    Raises:
        NotApplicable: the station does not implement InstallCertificate.
        CaseEnded: it did not accept the root.
    """
    signer = new_signer()
    run.step("The suite installs its ManufacturerRootCertificate: Accepted")
    status = await install(run, MANUFACTURER_ROOT, signer.root)
    if not run.log.check(
        "InstallCertificate of the suite's ManufacturerRootCertificate is answered Accepted",
        status == "Accepted",
        expected="Accepted",
        observed=status,
    ):
        raise CaseEnded("the station did not install the suite's manufacturer root")
    return signer
