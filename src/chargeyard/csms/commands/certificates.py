"""The CA certificates a station keeps, managed by the central system, whatever OCPP version
the station speaks.

=====================  ==================================  =====================================
command                1.6 (security extension)            2.0.1 / 2.1
=====================  ==================================  =====================================
certificates/install   InstallCertificate                  InstallCertificate {certificateType,
                       {certificateType, certificate}      certificate} (M05)
certificates/installed GetInstalledCertificateIds          GetInstalledCertificateIds
                       {certificateType}, one type a call  {certificateType: [...]} (M03)
certificates/delete    DeleteCertificate                   DeleteCertificate
                       {certificateHashData}               {certificateHashData} (M04)
=====================  ==================================  =====================================

One vocabulary names a certificate's use, 2.0.1's (InstallCertificateUseEnumType and
GetCertificateIdUseEnumType); each version says it in its own words. 1.6 knows two uses:
its CentralSystemRootCertificate is 2.0.1's CSMSRootCertificate, and
ManufacturerRootCertificate is the same in both; the ISO 15118 uses (V2GRootCertificate,
MORootCertificate, V2GCertificateChain) are 2.0.1's only, refused on a 1.6 station before
anything is sent. A 1.6 GetInstalledCertificateIds names exactly one type, so a request for
several (or for every one: none named) asks once per type and joins the answers.

A certificate to install is read first (``protocol/certificates.py``): a text that is not one
PEM certificate is refused unsent, and the answer names the certificate installed by its
CertificateHashDataType (SHA256), as a later delete names it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from chargeyard.csms.commands.base import (
    Charger,
    InvalidCommand,
    Result,
    Send,
    outcome,
    sender,
    snake,
)
from chargeyard.protocol import V16, V21, V201, Payload, VersionTable
from chargeyard.protocol.certificates import CertificateError, read_certificate

InstallUse = Literal[
    "CSMSRootCertificate", "ManufacturerRootCertificate", "V2GRootCertificate", "MORootCertificate"
]
IdUse = Literal[
    "CSMSRootCertificate",
    "ManufacturerRootCertificate",
    "V2GRootCertificate",
    "MORootCertificate",
    "V2GCertificateChain",
]
# The 1.6 security extension's CertificateUseEnumType, by the use's name in the API.
_NAMES_16: Mapping[str, str] = {
    "CSMSRootCertificate": "CentralSystemRootCertificate",
    "ManufacturerRootCertificate": "ManufacturerRootCertificate",
}
_USES_16: Mapping[str, str] = {name: use for use, name in _NAMES_16.items()}


class CertificateDialect(Protocol):
    async def install(self, send: Send, use: str, pem: str) -> str: ...
    async def installed(self, send: Send, uses: Sequence[str]) -> tuple[str, list[Payload]]: ...
    async def delete(self, send: Send, hash_data: Payload) -> str: ...


def _name_16(use: str) -> str:
    name = _NAMES_16.get(use)
    if name is None:
        raise InvalidCommand(
            f"certificateType {use} is an OCPP 2.0.1 use: a 1.6 station (security extension)"
            " keeps CSMSRootCertificate (its CentralSystemRootCertificate) and"
            " ManufacturerRootCertificate"
        )
    return name


class _Ocpp16:
    async def install(self, send: Send, use: str, pem: str) -> str:
        payload = {"certificateType": _name_16(use), "certificate": pem}
        return str((await send("InstallCertificate", payload))["status"])

    async def installed(self, send: Send, uses: Sequence[str]) -> tuple[str, list[Payload]]:
        names = [_name_16(use) for use in uses] or list(_NAMES_16.values())
        found: list[Payload] = []
        for name in names:
            answer = await send("GetInstalledCertificateIds", {"certificateType": name})
            found += [
                {"certificateType": _USES_16[name], "certificateHashData": data}
                for data in answer.get("certificateHashData", [])
            ]
        return ("Accepted" if found else "NotFound"), found

    async def delete(self, send: Send, hash_data: Payload) -> str:
        answer = await send("DeleteCertificate", {"certificateHashData": hash_data})
        return str(answer["status"])


class _Ocpp201:
    async def install(self, send: Send, use: str, pem: str) -> str:
        payload = {"certificateType": use, "certificate": pem}
        return str((await send("InstallCertificate", payload))["status"])

    async def installed(self, send: Send, uses: Sequence[str]) -> tuple[str, list[Payload]]:
        payload: Payload = {"certificateType": list(uses)} if uses else {}
        answer = await send("GetInstalledCertificateIds", payload)
        found: list[Payload] = []
        for chain in answer.get("certificateHashDataChain", []):
            entry: Payload = {
                "certificateType": chain["certificateType"],
                "certificateHashData": chain["certificateHashData"],
            }
            if chain.get("childCertificateHashData"):
                entry["childCertificateHashData"] = chain["childCertificateHashData"]
            found.append(entry)
        return str(answer["status"]), found

    async def delete(self, send: Send, hash_data: Payload) -> str:
        answer = await send("DeleteCertificate", {"certificateHashData": hash_data})
        return str(answer["status"])


CERTIFICATE_DIALECTS: VersionTable[CertificateDialect] = VersionTable(
    "how certificate management is said",
    {V16: _Ocpp16(), V201: _Ocpp201(), V21: _Ocpp201()},
)


async def install_certificate(charger: Charger, use: InstallUse, pem: str) -> Result:
    """Install a CA certificate on the station (1.6 InstallCertificate, 2.0.1 M05).

    Raises:
        InvalidCommand: the text is not one PEM certificate, or the station's version has no
        such use.
    """
    try:
        certificate = read_certificate(pem)
    except CertificateError as error:
        raise InvalidCommand(f"certificate: {error}") from None
    dialect = CERTIFICATE_DIALECTS[await charger.link.version_of(charger.identity)]
    status = await dialect.install(sender(charger), use, pem)
    return {
        "message": f"Certificate install {outcome(status)}",
        "chargeBoxId": charger.identity,
        "certificateType": use,
        "certificateHashData": certificate.hash_data("SHA256"),
        "status": snake(status),
    }


async def installed_certificates(charger: Charger, uses: Sequence[IdUse]) -> Result:
    """The ids of the certificates the station keeps of ``uses`` (none: every use), each with
    its use (1.6 GetInstalledCertificateIds, 2.0.1 M03); ``not_found`` when it keeps none.

    Raises:
        InvalidCommand: a use the station's version does not have.
    """
    dialect = CERTIFICATE_DIALECTS[await charger.link.version_of(charger.identity)]
    status, found = await dialect.installed(sender(charger), list(dict.fromkeys(uses)))
    return {
        "chargeBoxId": charger.identity,
        "status": snake(status),
        "certificates": found,
    }


async def delete_certificate(charger: Charger, hash_data: Payload) -> Result:
    """Delete the certificate ``hash_data`` names (1.6 DeleteCertificate, 2.0.1 M04): the
    station answers Accepted, Failed (it keeps the certificate) or NotFound."""
    dialect = CERTIFICATE_DIALECTS[await charger.link.version_of(charger.identity)]
    status = await dialect.delete(sender(charger), hash_data)
    return {
        "message": f"Certificate delete {outcome(status)}",
        "chargeBoxId": charger.identity,
        "certificateHashData": hash_data,
        "status": snake(status),
    }
