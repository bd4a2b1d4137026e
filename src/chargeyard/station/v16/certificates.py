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
  given (in the hashAlgorithm given); Failed for the Charge Point's own certificate, which the
  extension forbids deleting. (A CentralSystemRootCertificate in use for the TLS connection may
  not be deleted either: this station speaks no TLS, so no root is in use.)

The station's own certificate (``model/own_certificate.py``; the extension's use case "Update
Charge Point Certificate by request of Central System"):

* :meth:`CertificatesV16.renew` (ExtendedTriggerMessage SignChargePointCertificate, after its
  answer): a new key pair, and SignCertificate.req with its CSR, the subject's CN the station's
  identity and O the configuration key CpoName (the template's vendor without one).
  SignCertificate.conf Rejected: the key is discarded.
* CertificateSigned.req: the chain checked against the installed CentralSystemRootCertificates;
  Accepted and kept, or Rejected, discarded, with the security event InvalidChargePointCertificate
  sent in SecurityEventNotification.req (a critical event). 1.6 has no CertSigningWaitMinimum:
  a request that gets no certificate is not repeated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import Payload, on
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.model.certificates import DEFAULT_MAX_ENTRIES, InstallStatus
from chargeyard.station.model.own_certificate import Refused

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

CERTIFICATE_STORE_KEY = "CertificateStoreMaxLength"
CPO_NAME_KEY = "CpoName"
CENTRAL_SYSTEM_ROOT = "CentralSystemRootCertificate"


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
    def install_certificate(
        self, payload: v16.InstallCertificateRequest
    ) -> v16.InstallCertificateResponse:
        kind: str = payload["certificateType"]
        now = self.station.clock.now().timestamp()
        outcome = self.station.model.certificates.install(kind, payload["certificate"], now)
        if outcome.status is InstallStatus.ACCEPTED:
            self.station.note(f"certificates: {kind} installed")
        else:
            self.station.note(f"certificates: {kind} refused ({outcome.detail})")
        return {"status": outcome.status.value}

    @on("GetInstalledCertificateIds")
    def get_installed_certificate_ids(
        self, payload: v16.GetInstalledCertificateIdsRequest
    ) -> v16.GetInstalledCertificateIdsResponse:
        installed = self.station.model.certificates.of([payload["certificateType"]])
        if not installed:
            return {"status": "NotFound"}
        return {
            "status": "Accepted",
            "certificateHashData": [item.hash_data() for item in installed],
        }

    @on("DeleteCertificate")
    def delete_certificate(
        self, payload: v16.DeleteCertificateRequest
    ) -> v16.DeleteCertificateResponse:
        if self.station.model.own_certificate.names(payload["certificateHashData"]):
            return {"status": "Failed"}  # never the Charge Point's own certificate
        deleted = self.station.model.certificates.delete(payload["certificateHashData"])
        if deleted:
            self.station.note("certificates: a certificate deleted")
        return {"status": "Accepted" if deleted else "NotFound"}

    # -- the station's own certificate ----------------------------------------------------------

    def renew(self) -> None:
        """A new key pair and its SignCertificate.req (see the module docstring)."""
        station = self.station
        organization = station.config.get(CPO_NAME_KEY) or station.template.vendor
        csr = station.model.own_certificate.signing_request(station.identity, organization)
        station.note("certificates: a new key, its certificate asked for")
        request: v16.SignCertificateRequest = {"csr": csr}
        station.call("SignCertificate", request, self._request_answered, requested=True)

    def _request_answered(self, answer: Payload) -> None:
        if answer.get("status") != "Accepted":
            self.station.note("certificates: the certificate request was rejected")
            self.station.model.own_certificate.discard_pending()

    @on("CertificateSigned")
    def certificate_signed(
        self, payload: v16.CertificateSignedRequest
    ) -> v16.CertificateSignedResponse:
        roots = self.station.model.certificates.of([CENTRAL_SYSTEM_ROOT])
        refused = self.station.model.own_certificate.install(
            payload["certificateChain"],
            self.station.identity,
            [item.certificate for item in roots],
            self.station.clock.now().timestamp(),
        )
        if isinstance(refused, Refused):
            self.station.note(f"certificates: the signed certificate refused ({refused.reason})")
            self.station.security.notify("InvalidChargePointCertificate", refused.reason)
            return {"status": "Rejected"}
        self.station.note("certificates: the station's own certificate installed")
        return {"status": "Accepted"}
