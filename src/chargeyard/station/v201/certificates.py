"""OCPP 2.0.1 certificate management of CA certificates (functional block M without ISO 15118):
GetInstalledCertificateIds (M03), DeleteCertificate (M04), InstallCertificate (M05); and the
station's own certificate, signed by the CSMS (A02, A03: SignCertificate, CertificateSigned).

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
  (M03.FR.02). The station holds no V2G certificate chain (no ISO 15118), so asked for
  V2GCertificateChain it finds nothing (M03.FR.05).
* DeleteCertificate (M04): Accepted once deleted (M04.FR.02); NotFound when no certificate has
  the hashes given, hashed with the hashAlgorithm given (M04.FR.04, 07); Failed for the
  Charging Station Certificate (M04.FR.06, below). M04.FR.03 allows refusing to delete the
  last of a type; this station does not refuse.

The station's own certificate (``model/own_certificate.py``):

* :meth:`CertificatesV201.renew` (TriggerMessage SignChargingStationCertificate, ``control.py``,
  after its answer, A02.FR.02): a new key pair and SignCertificate with its CSR and
  certificateType ChargingStationCertificate (A02.FR.03, A02.FR.13), the organization being
  SecurityCtrlr.OrganizationName (A00.FR.509). In 2.1 it carries a requestId, new for each key
  (a repetition keeps it), which the CertificateSigned answering it echoes; the station logs
  it and checks the chain as in 2.0.1 (the chain's key decides whose certificate it is).
* SignCertificate Rejected: the key is discarded. Accepted: when no CertificateSigned comes
  within SecurityCtrlr.CertSigningWaitMinimum seconds the same CSR goes again, the wait doubled
  each time (A02.FR.17, 18), CertSigningRepeatTimes doublings at most, so RepeatTimes + 1
  repetitions in all; then the station stops until asked again (A02.FR.19). A reboot stops it.
* CertificateSigned of a ChargingStationCertificate: the chain checked (A02.FR.06) against the
  installed CSMSRootCertificates; Accepted and kept, or Rejected (reasonCode
  InvalidCertificate), discarded, with the security event InvalidChargingStationCertificate
  (A02.FR.07), and no new request until asked (A02.FR.20). A V2GCertificate is Rejected: the
  station speaks no ISO 15118.
* DeleteCertificate of the station's own certificate is Failed (M04.FR.06); M03 does not list
  it (GetCertificateIdUseEnumType has no type for it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, cast

from chargeyard.protocol import Payload, on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.model.certificates import InstallStatus
from chargeyard.station.model.own_certificate import Refused

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

# StatusInfoType.additionalInfo is a string of at most 512 characters.
_ADDITIONAL_INFO_MAX = 512
STATION_CERTIFICATE: Final = "ChargingStationCertificate"
CSMS_ROOT = "CSMSRootCertificate"
_RETRY = "own-certificate:retry"
# SecurityCtrlr.CertSigningWaitMinimum and CertSigningRepeatTimes when unreadable.
DEFAULT_WAIT_S = 60
DEFAULT_REPEAT_TIMES = 3


class CertificatesV201(Block["StationV201"]):
    """GetInstalledCertificateIds, DeleteCertificate, InstallCertificate; see the module
    docstring."""

    __slots__ = ("_csr", "_repeats", "_request_id")

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        self._csr: str | None = None  # the request waiting for its certificate (A02.FR.17)
        self._repeats = 0
        self._request_id = 0  # 2.1: the requestId of the latest SignCertificate
        entries = station.device_model.variable("SecurityCtrlr", "CertificateEntries")
        if entries is not None and entries.max_limit is not None:
            # Read-only: sized once, for the station's life.
            station.model.certificates.max_entries = int(entries.max_limit)

    # -- M05 -------------------------------------------------------------------------------------

    @on("InstallCertificate")
    def install_certificate(
        self, payload: v201.InstallCertificateRequest
    ) -> v201.InstallCertificateResponse:
        kind: str = payload["certificateType"]
        now = self.station.clock.now().timestamp()
        outcome = self.station.model.certificates.install(kind, payload["certificate"], now)
        if outcome.status is InstallStatus.ACCEPTED:
            self.station.note(f"certificates: {kind} installed")
            return {"status": "Accepted"}
        self.station.note(f"certificates: {kind} refused ({outcome.detail})")
        info: v201.StatusInfoType = {"reasonCode": outcome.reason or "InvalidCertificate"}
        if outcome.detail:
            info["additionalInfo"] = outcome.detail[:_ADDITIONAL_INFO_MAX]
        return {"status": "Rejected", "statusInfo": info}

    # -- M03 -------------------------------------------------------------------------------------

    @on("GetInstalledCertificateIds")
    def get_installed_certificate_ids(
        self, payload: v201.GetInstalledCertificateIdsRequest
    ) -> v201.GetInstalledCertificateIdsResponse:
        kinds = payload.get("certificateType") or None
        uses = self.station.dialect.certificate_id_uses
        chain: list[v201.CertificateHashDataChainType] = [
            # (The version's word, checked against its GetCertificateIdUseEnumType just
            # below; 2.1's OEMRootCertificate is not in 2.0.1's type.)
            {
                "certificateType": cast(v201.GetCertificateIdUseEnumType, item.kind),
                "certificateHashData": item.hash_data(),
            }
            for item in self.station.model.certificates.of(kinds)
            # Every type InstallCertificate installs (M05) is one GetInstalledCertificateIds
            # names: this leaves out none of a 2.x station's.
            if item.kind in uses
        ]
        if not chain:
            return {"status": "NotFound", "statusInfo": {"reasonCode": "NotFound"}}
        return {"status": "Accepted", "certificateHashDataChain": chain}

    # -- M04 -------------------------------------------------------------------------------------

    @on("DeleteCertificate")
    def delete_certificate(
        self, payload: v201.DeleteCertificateRequest
    ) -> v201.DeleteCertificateResponse:
        if self.station.model.own_certificate.names(payload["certificateHashData"]):
            return {"status": "Failed"}  # M04.FR.06: never the Charging Station Certificate
        deleted = self.station.model.certificates.delete(payload["certificateHashData"])
        if deleted:
            self.station.note("certificates: a certificate deleted")
        return {"status": "Accepted" if deleted else "NotFound"}

    # -- A02 / A03 -------------------------------------------------------------------------------

    def renew(self) -> None:
        """A new key pair and its SignCertificate (A02.FR.02, 03); any earlier request is
        replaced, and its repetitions with it."""
        station = self.station
        organization = station.device_model.value("SecurityCtrlr", "OrganizationName")
        self._csr = station.model.own_certificate.signing_request(station.identity, organization)
        self._repeats = 0
        self._request_id += 1
        station.timers.cancel(_RETRY)
        station.note("certificates: a new key, its certificate asked for")
        self._send_request()

    def _send_request(self) -> None:
        csr = self._csr
        if csr is None:
            return
        payload: v201.SignCertificateRequest = {"csr": csr, "certificateType": STATION_CERTIFICATE}
        if self.station.dialect.sign_request_ids:
            # 2.1: one requestId per CSR, so a repetition (the same CSR) keeps it.
            cast(dict[str, object], payload)["requestId"] = self._request_id
        self.station.call("SignCertificate", payload, self._request_answered, requested=True)

    def _request_answered(self, answer: Payload) -> None:
        if answer.get("status") != "Accepted":
            self.station.note("certificates: the certificate request was rejected")
            self._stop()
            return
        if self._csr is None or not self.station.model.own_certificate.pending:
            return  # the certificate came already
        if self._repeats > self._repeat_times():
            return  # A02.FR.19: no more until the CSMS asks again
        wait_s = self.station.device_model.get_int(
            "SecurityCtrlr", "CertSigningWaitMinimum", default=DEFAULT_WAIT_S
        )
        at = self.station.clock.monotonic() + max(wait_s, 1) * 2**self._repeats  # A02.FR.18
        self.station.timers.set(_RETRY, at, self._repeat)

    def _repeat(self) -> None:
        if self._csr is None or not self.station.model.own_certificate.pending:
            return
        self._repeats += 1
        self.station.note(f"certificates: no certificate yet, request repeated ({self._repeats})")
        self._send_request()  # A02.FR.17: the same CSR

    def _repeat_times(self) -> int:
        return self.station.device_model.get_int(
            "SecurityCtrlr", "CertSigningRepeatTimes", default=DEFAULT_REPEAT_TIMES
        )

    def _stop(self) -> None:
        self._csr = None
        self.station.timers.cancel(_RETRY)
        self.station.model.own_certificate.discard_pending()

    @on("CertificateSigned")
    def certificate_signed(
        self, payload: v201.CertificateSignedRequest
    ) -> v201.CertificateSignedResponse:
        own = self.station.model.own_certificate
        if payload.get("certificateType", STATION_CERTIFICATE) != STATION_CERTIFICATE:
            return {
                "status": "Rejected",
                "statusInfo": {"reasonCode": "UnsupportedRequest"},  # no ISO 15118 here
            }
        if "requestId" in payload:  # 2.1: the SignCertificate it answers
            request_id = cast(dict[str, object], payload)["requestId"]
            self.station.note(f"certificates: a signed certificate for request {request_id}")
        roots = [item.certificate for item in self.station.model.certificates.of([CSMS_ROOT])]
        now = self.station.clock.now().timestamp()
        refused = own.install(payload["certificateChain"], self.station.identity, roots, now)
        self._csr = None
        self.station.timers.cancel(_RETRY)
        if isinstance(refused, Refused):
            self.station.note(f"certificates: the signed certificate refused ({refused.reason})")
            # A02.FR.07: Rejected, discarded, and the security event (a critical one).
            self.station.security_event("InvalidChargingStationCertificate", refused.reason)
            return {
                "status": "Rejected",
                "statusInfo": {
                    "reasonCode": "InvalidCertificate",
                    "additionalInfo": refused.reason[:_ADDITIONAL_INFO_MAX],
                },
            }
        self.station.note("certificates: the station's own certificate installed")
        return {"status": "Accepted"}
