"""Bodies of the certificate commands (``csms/commands/certificates.py``): one vocabulary of
certificate uses, 2.0.1's, for both versions; camelCase on the wire, unknown fields refused,
as the other commands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from chargeyard.api.shapes import Request
from chargeyard.csms.commands.certificates import IdUse, InstallUse
from chargeyard.protocol.certificates import MAX_PEM_CHARS

# A self-signed root (ECDSA P-256, valid 2026 to 2045) as InstallCertificate carries one, and
# its id.
EXAMPLE_ROOT = """-----BEGIN CERTIFICATE-----
MIIBZDCCAQmgAwIBAgIUf4xAL0C8MHbAnefln3AApGf4WK8wCgYIKoZIzj0EAwIw
JzElMCMGA1UEAwwcY2hhcmdleWFyZCBleGFtcGxlIENTTVMgcm9vdDAeFw0yNjAx
MDEwMDAwMDBaFw00NTEyMjcwMDAwMDBaMCcxJTAjBgNVBAMMHGNoYXJnZXlhcmQg
ZXhhbXBsZSBDU01TIHJvb3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASm981C
TtSLr/cfNLkxErttPUZxtAsCzXyBl/CcDIA7Eo61IdCClhEMwozv78wI3uod40MU
GpE9ooNXF/L5TCHOoxMwETAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kA
MEYCIQCxq1RhxY5vsK1jFJ+FpC1xCXo+S5LetVd2o3gpzAj/OQIhAIRiY56lC6RM
NZSNJa5hySBwVUG92Jq4uS43GBOi9HF6
-----END CERTIFICATE-----
"""
EXAMPLE_HASH_DATA: dict[str, JsonValue] = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "caea283528b261357210717b02fe41e9fdf3463acff6ad6e78f3d4aa405a0e0c",
    "issuerKeyHash": "63608d1d7e2479ae1bde380c1b63de60ec48ec0f8ef6c922534b773f9dce9e21",
    "serialNumber": "7f8c402f40bc3076c09de7e59f7000a467f858af",
}

_USES_16 = " (1.6: CSMSRootCertificate is its CentralSystemRootCertificate; the others are 2.0.1's)"


class CertificateHashData(Request):
    """A certificate's id (CertificateHashDataType of both versions)."""

    hashAlgorithm: Literal["SHA256", "SHA384", "SHA512"]
    issuerNameHash: str = Field(min_length=1, max_length=128, description="Hexadecimal")
    issuerKeyHash: str = Field(min_length=1, max_length=128, description="Hexadecimal")
    serialNumber: str = Field(
        min_length=1, max_length=40, description="Hexadecimal, without leading zeroes"
    )


class InstallCertificateRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"certificateType": "CSMSRootCertificate", "certificate": EXAMPLE_ROOT}]
        },
    )

    certificateType: InstallUse = Field(description="What the certificate is for" + _USES_16)
    certificate: str = Field(
        min_length=1, max_length=MAX_PEM_CHARS, description="One X.509 certificate, PEM"
    )


class InstallCertificateResponse(BaseModel):
    message: str
    chargeBoxId: str
    certificateType: str
    certificateHashData: CertificateHashData = Field(
        description="The certificate installed, by its SHA256 id (what a delete names)"
    )
    status: str = Field(description="accepted, rejected or failed")


class InstalledCertificatesRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{}, {"certificateTypes": ["CSMSRootCertificate"]}],
        },
    )

    certificateTypes: list[IdUse] = Field(
        default_factory=list, max_length=5, description="None: every use" + _USES_16
    )


class InstalledCertificate(BaseModel):
    certificateType: str
    certificateHashData: CertificateHashData
    childCertificateHashData: list[CertificateHashData] | None = Field(
        default=None, description="2.0.1, a V2GCertificateChain's sub-CA certificates"
    )


class InstalledCertificatesResponse(BaseModel):
    chargeBoxId: str
    status: str = Field(description="accepted, or not_found when the station keeps none")
    certificates: list[InstalledCertificate]


class DeleteCertificateRequest(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"certificateHashData": EXAMPLE_HASH_DATA}]},
    )

    certificateHashData: CertificateHashData


class DeleteCertificateResponse(BaseModel):
    message: str
    chargeBoxId: str
    certificateHashData: CertificateHashData
    status: str = Field(description="accepted, failed or not_found")
