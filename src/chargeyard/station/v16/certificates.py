"""Certificate management of a 1.6 station, the security extension without TLS: InstallCertificate,
GetInstalledCertificateIds and DeleteCertificate ("Improved security for OCPP 1.6-J", use cases
M03 to M05 and their messages).

Theory of operation
-------------------
The station's certificate store (``model/certificates.py``, shared with 2.0.1) holds the roots
the central system installs, CentralSystemRootCertificate or ManufacturerRootCertificate (the
1.6 CertificateUseEnumType), up to the read-only configuration key CertificateStoreMaxLength
(the extension's configuration keys; ``DEFAULT_MAX_ENTRIES`` when the template has none).

* InstallCertificate.req: Accepted once stored; Rejected for a certificate that is invalid
  (unreadable, no CA's, not yet valid or expired at the station's clock) and for one more than
  CertificateStoreMaxLength allows (InstallCertificateStatusEnumType: Rejected is "invalid
  and/or incorrect OR ... more certificates than allowed"). Failed ("valid and correct, but
  another reason") has no cause in a simulated store.
* GetInstalledCertificateIds.req: the CertificateHashDataType (SHA256) of each certificate of
  the type asked, Accepted; NotFound, without hash data, when there is none.
* DeleteCertificate.req: Accepted once deleted, NotFound when no certificate has the hashes
  given (in the hashAlgorithm given). The extension makes deletion fail for the Charge Point's
  own certificate and for a CentralSystemRootCertificate in use for the TLS connection: this
  station has neither (no TLS), so nothing it holds is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import Payload, on
from chargeyard.station.blocks import Block
from chargeyard.station.model.certificates import DEFAULT_MAX_ENTRIES, InstallStatus

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

CERTIFICATE_STORE_KEY = "CertificateStoreMaxLength"


class CertificatesV16(Block["StationV16"]):
    """InstallCertificate, GetInstalledCertificateIds, DeleteCertificate; see the module
    docstring."""

    __slots__ = ()

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        # Read-only: sized once, for the station's life.
        station.model.certificates.max_entries = station.config.get_int(
            CERTIFICATE_STORE_KEY, DEFAULT_MAX_ENTRIES
        )

    @on("InstallCertificate")
    def install_certificate(self, payload: Payload) -> Payload:
        kind: str = payload["certificateType"]
        now = self.station.clock.now().timestamp()
        outcome = self.station.model.certificates.install(kind, payload["certificate"], now)
        if outcome.status is InstallStatus.ACCEPTED:
            self.station.note(f"certificates: {kind} installed")
        else:
            self.station.note(f"certificates: {kind} refused ({outcome.detail})")
        return {"status": outcome.status.value}

    @on("GetInstalledCertificateIds")
    def get_installed_certificate_ids(self, payload: Payload) -> Payload:
        installed = self.station.model.certificates.of([payload["certificateType"]])
        if not installed:
            return {"status": "NotFound"}
        return {
            "status": "Accepted",
            "certificateHashData": [item.hash_data() for item in installed],
        }

    @on("DeleteCertificate")
    def delete_certificate(self, payload: Payload) -> Payload:
        deleted = self.station.model.certificates.delete(payload["certificateHashData"])
        if deleted:
            self.station.note("certificates: a certificate deleted")
        return {"status": "Accepted" if deleted else "NotFound"}
