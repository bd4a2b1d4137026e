"""``/chargers/{chargeBoxId}/certificates/...``: the CA certificates a charger keeps, installed,
listed and deleted in its version's words (``csms/commands/certificates.py``). Errors as the
other commands (``app.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from chargeyard.api.deps import require_tenant
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.deps import ChargerDep
from chargeyard.api.v1.routes.chargers_commands import COMMAND_ERRORS
from chargeyard.api.v1.schemas.certificates import (
    DeleteCertificateRequest,
    DeleteCertificateResponse,
    InstallCertificateRequest,
    InstallCertificateResponse,
    InstalledCertificatesRequest,
    InstalledCertificatesResponse,
)
from chargeyard.csms.commands import certificates

router = APIRouter(
    prefix=API_PREFIX + "/chargers/{chargeBoxId}/certificates",
    tags=["Charger Commands"],
    dependencies=[Depends(require_tenant)],
    responses=COMMAND_ERRORS,
)


@router.post("/install", summary="Install CA certificate")
async def install_certificate(
    charger: ChargerDep, body: InstallCertificateRequest
) -> InstallCertificateResponse:
    """Install a CA certificate (InstallCertificate; 2.0.1 M05). 422 before anything is sent
    for a text that is not one PEM certificate, or a use the charger's version lacks (1.6 has
    CSMSRootCertificate, its CentralSystemRootCertificate, and ManufacturerRootCertificate)."""
    result = await certificates.install_certificate(charger, body.certificateType, body.certificate)
    return InstallCertificateResponse.model_validate(result)


@router.post("/installed", summary="Get installed certificate ids")
async def installed_certificates(
    charger: ChargerDep, body: InstalledCertificatesRequest
) -> InstalledCertificatesResponse:
    """The ids of the CA certificates the charger keeps, of the uses named (`{}`: every use),
    each with its use (GetInstalledCertificateIds; 2.0.1 M03; a 1.6 charger is asked once per
    use)."""
    result = await certificates.installed_certificates(charger, body.certificateTypes)
    return InstalledCertificatesResponse.model_validate(result)


@router.post("/delete", summary="Delete certificate")
async def delete_certificate(
    charger: ChargerDep, body: DeleteCertificateRequest
) -> DeleteCertificateResponse:
    """Delete the certificate its id names (DeleteCertificate; 2.0.1 M04), as
    `certificates/installed` and `certificates/install` give it."""
    hash_data = body.certificateHashData.model_dump()
    result = await certificates.delete_certificate(charger, hash_data)
    return DeleteCertificateResponse.model_validate(result)
