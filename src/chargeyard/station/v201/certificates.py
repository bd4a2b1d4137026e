"""OCPP 2.0.1 certificate management of CA certificates (functional block M without ISO 15118):
GetInstalledCertificateIds (M03), DeleteCertificate (M04), InstallCertificate (M05).

Theory of operation
-------------------
The station's certificate store (``model/certificates.py``, shared with 1.6) holds the roots the
CSMS installs, as one of the InstallCertificateUseEnumType types (V2GRootCertificate,
MORootCertificate, CSMSRootCertificate, ManufacturerRootCertificate). SecurityCtrlr.
CertificateEntries reads how many it holds, live; its maxLimit is the store's size.

* InstallCertificate (M05): Accepted once stored (M05.FR.02), the same certificate again
  replacing itself (M05.FR.17); Rejected with reasonCode InvalidCertificate for a certificate
  that is invalid (unreadable, no CA's, not yet valid or expired at the station's clock,
  M05.FR.07), with OutOfStorage for one more than CertificateEntries' maxLimit (M05.FR.06).
  AdditionalRootCertificateCheck (M05.FR.09 to 16) is not implemented: it governs which CSMS
  root verifies the TLS connection, and the station speaks no TLS.
* GetInstalledCertificateIds (M03): for each installed certificate of the types asked (every
  type when none is asked), its certificateType and certificateHashData (SHA256), Accepted
  (M03.FR.03, 04); NotFound, without a chain and with reasonCode NotFound, when none matches
  (M03.FR.02). The station holds no V2G certificate chain (no CertificateSigned), so asked for
  V2GCertificateChain it finds nothing (M03.FR.05).
* DeleteCertificate (M04): Accepted once deleted (M04.FR.02); NotFound when no certificate has
  the hashes given, hashed with the hashAlgorithm given (M04.FR.04, 07). Failed is for the
  Charging Station Certificate (M04.FR.06), which this station does not hold, and for a
  deletion the station refuses (M04.FR.03 allows keeping the last of a type; this station does
  not refuse).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import Payload, on
from chargeyard.station.blocks import Block
from chargeyard.station.model.certificates import InstallStatus

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

# StatusInfoType.additionalInfo is a string of at most 512 characters.
_ADDITIONAL_INFO_MAX = 512


class CertificatesV201(Block["StationV201"]):
    """GetInstalledCertificateIds, DeleteCertificate, InstallCertificate; see the module
    docstring."""

    __slots__ = ()

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        entries = station.device_model.variable("SecurityCtrlr", "CertificateEntries")
        if entries is not None and entries.max_limit is not None:
            # Read-only: sized once, for the station's life.
            station.model.certificates.max_entries = int(entries.max_limit)

    # -- M05 -------------------------------------------------------------------------------------

    @on("InstallCertificate")
    def install_certificate(self, payload: Payload) -> Payload:
        kind: str = payload["certificateType"]
        now = self.station.clock.now().timestamp()
        outcome = self.station.model.certificates.install(kind, payload["certificate"], now)
        if outcome.status is InstallStatus.ACCEPTED:
            self.station.note(f"certificates: {kind} installed")
            return {"status": outcome.status.value}
        self.station.note(f"certificates: {kind} refused ({outcome.detail})")
        info: Payload = {"reasonCode": outcome.reason or "InvalidCertificate"}
        if outcome.detail:
            info["additionalInfo"] = outcome.detail[:_ADDITIONAL_INFO_MAX]
        return {"status": outcome.status.value, "statusInfo": info}

    # -- M03 -------------------------------------------------------------------------------------

    @on("GetInstalledCertificateIds")
    def get_installed_certificate_ids(self, payload: Payload) -> Payload:
        kinds: list[str] | None = payload.get("certificateType") or None
        installed = self.station.model.certificates.of(kinds)
        if not installed:
            return {"status": "NotFound", "statusInfo": {"reasonCode": "NotFound"}}
        return {
            "status": "Accepted",
            "certificateHashDataChain": [
                {"certificateType": item.kind, "certificateHashData": item.hash_data()}
                for item in installed
            ],
        }

    # -- M04 -------------------------------------------------------------------------------------

    @on("DeleteCertificate")
    def delete_certificate(self, payload: Payload) -> Payload:
        deleted = self.station.model.certificates.delete(payload["certificateHashData"])
        if deleted:
            self.station.note("certificates: a certificate deleted")
        return {"status": "Accepted" if deleted else "NotFound"}
