"""The certificate messages a station sends: SignCertificate answered by the central system's
certificate authority when it has one, the others as a central system without a V2G PKI.

A station asks the central system to have its key signed (SignCertificate: OCPP 1.6 security
extension, 2.0.1 A02/A03), to fetch an ISO 15118 contract certificate for an EV
(Get15118EVCertificate, 2.0.1 M01/M02) and to fetch the OCSP status of a certificate
(GetCertificateStatus, 2.0.1 M06).

SignCertificate, with the central system's CA (``authority.py``; ``StationContext.authority``):

* a CSR for the station's own certificate (1.6: every CSR; 2.0.1: certificateType
  ChargingStationCertificate or omitted) that may be signed (``signing_requests.py``: well
  formed, signed by its key, a strong key, the station's identity as CN, an O) is answered
  Accepted (A02.FR.11, A03.FR.11); the certificate is signed and sent in CertificateSigned
  after the answer (``follow_ups.py``), its certificateChain the PEM certificate (the CA is
  the root: no sub-CA to add), with certificateType ChargingStationCertificate in 2.0.1
  (A02.FR.14: the type asked);
* a CSR that may not is answered Rejected, with reasonCode InvalidCSR in 2.0.1 (the 2.0.1
  appendices' reason codes), and nothing is sent;
* a V2GCertificate request is Rejected, reasonCode UnsupportedRequest: a V2G certificate is
  signed by a V2G PKI, which the lab has not (A02.FR.12: "NOT able to process the request").

Without a CA (the listener's setting), every SignCertificate is Rejected as a V2G request is.
Get15118EVCertificate is Failed, with the empty ``exiResponse`` the schema requires (there is
no CertificateInstallationRes to forward to the EV); GetCertificateStatus is Failed (M06.FR.04:
the status could not be retrieved). 1.6's answers have no room for a reason.

Each request is kept as one of the station's notifications (``certificate``: the request in
``detail``, the answer's status in ``status``) before it is answered, and told as a
``charger.notification`` event, so that a user sees what the station asked for. What came of a
CertificateSigned is kept and told the same way (action CertificateSigned, the station's
status, or why there is none: the serial number and subject of what was sent in ``detail``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from chargeyard.csms.context import StationContext, iso, utc_now
from chargeyard.csms.signing_requests import SigningRequestRefused, checked_request
from chargeyard.protocol import ActionHandlers, Payload, on
from chargeyard.protocol.messages import v16, v201
from chargeyard.store.errors import NotFoundError
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)

NO_AUTHORITY: v201.StatusInfoType = {
    "reasonCode": "UnsupportedRequest",
    "additionalInfo": "this central system has no certificate authority",
}
"""The ``statusInfo`` of a 2.0.1 answer (StatusInfoType: reasonCode of 20 characters at most)."""
NO_V2G_PKI: v201.StatusInfoType = {
    "reasonCode": "UnsupportedRequest",
    "additionalInfo": "this central system signs no V2G certificates (no V2G PKI)",
}
STATION_CERTIFICATE = "ChargingStationCertificate"
_ADDITIONAL_INFO_MAX = 512


def _request(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "customData"}


async def _refused(
    context: StationContext, action: str, payload: Mapping[str, Any], status: str
) -> None:
    """Keep the request as the station's notification, answered ``status``."""
    logger.warning(
        "%s %s answered %s: this central system has no certificate authority",
        context.identity,
        action,
        status,
    )
    await context.note(
        NotificationKind.CERTIFICATE,
        action,
        status=status,
        detail=orjson.dumps(_request(payload)).decode(),
    )


_Signing = tuple[v201.GenericStatusEnumType, v201.StatusInfoType | None]
"""SignCertificate's answer: its status (the same two in 1.6), and why when Rejected (2.0.1's
statusInfo)."""


async def _sign(
    context: StationContext,
    payload: v16.SignCertificateRequest | v201.SignCertificateRequest,
    *,
    typed: bool,
) -> _Signing:
    """SignCertificate (see the module docstring); ``typed``: the version's messages carry a
    certificateType (2.0.1)."""
    kind = payload.get("certificateType")  # 2.0.1 only
    authority, follow_ups = context.authority, context.follow_ups
    if authority is None or follow_ups is None or kind not in (None, STATION_CERTIFICATE):
        await _refused(context, "SignCertificate", payload, "Rejected")
        info = NO_AUTHORITY if authority is None or follow_ups is None else NO_V2G_PKI
        return "Rejected", info.copy()
    try:
        request = checked_request(payload["csr"], context.identity)
    except SigningRequestRefused as refusal:
        logger.warning("%s SignCertificate answered Rejected: %s", context.identity, refusal)
        await context.note(
            NotificationKind.CERTIFICATE,
            "SignCertificate",
            status="Rejected",
            detail=orjson.dumps({**_request(payload), "reason": str(refusal)}).decode(),
        )
        return "Rejected", {
            "reasonCode": "InvalidCSR",
            "additionalInfo": str(refusal)[:_ADDITIONAL_INFO_MAX],
        }
    certificate = authority.sign(request, utc_now())
    await context.note(
        NotificationKind.CERTIFICATE,
        "SignCertificate",
        status="Accepted",
        detail=orjson.dumps(_request(payload)).decode(),
    )
    signed: Payload = {
        "certificateChain": certificate.public_bytes(serialization.Encoding.PEM).decode()
    }
    if typed:
        signed["certificateType"] = STATION_CERTIFICATE  # A02.FR.14: the type asked for
    issued = _described(certificate)

    async def told(answer: Payload | None, failure: str | None) -> None:
        status = answer.get("status") if answer is not None else None
        detail: dict[str, Any] = dict(issued)
        if failure is not None:
            detail["error"] = failure
        if answer is not None and answer.get("statusInfo"):
            detail["statusInfo"] = answer["statusInfo"]
        logger.info(
            "%s CertificateSigned (serial %s): %s",
            context.identity,
            issued["serialNumber"],
            status or failure,
        )
        with contextlib.suppress(NotFoundError):  # the station was deleted meanwhile
            await context.note(
                NotificationKind.CERTIFICATE,
                "CertificateSigned",
                status=status if isinstance(status, str) else "NoAnswer",
                detail=orjson.dumps(detail).decode(),
            )

    follow_ups.call_after_answer("CertificateSigned", signed, told)
    return "Accepted", None


def _described(certificate: x509.Certificate) -> dict[str, Any]:
    """What a notification tells of a certificate sent: enough to find it, not the text."""
    return {
        "serialNumber": format(certificate.serial_number, "x"),
        "subject": certificate.subject.rfc4514_string(),
        "notAfter": iso(certificate.not_valid_after_utc),
    }


class CertificatesV16(ActionHandlers):
    """The 1.6 security extension's SignCertificate, mixed into
    :class:`~chargeyard.csms.v16.CentralSystemV16`, which sets ``context``."""

    context: StationContext

    @on("SignCertificate")
    async def sign_certificate(
        self, payload: v16.SignCertificateRequest
    ) -> v16.SignCertificateResponse:
        status, _ = await _sign(self.context, payload, typed=False)
        return {"status": status}  # 1.6 has no room for a reason


class CertificatesV201(ActionHandlers):
    """The 2.0.1 certificate messages, mixed into
    :class:`~chargeyard.csms.v201.CentralSystemV201`, which sets ``context``."""

    context: StationContext

    @on("SignCertificate")
    async def sign_certificate(
        self, payload: v201.SignCertificateRequest
    ) -> v201.SignCertificateResponse:
        status, info = await _sign(self.context, payload, typed=True)
        return {"status": status} if info is None else {"status": status, "statusInfo": info}

    @on("Get15118EVCertificate")
    async def get_15118_ev_certificate(
        self, payload: v201.Get15118EVCertificateRequest
    ) -> v201.Get15118EVCertificateResponse:
        await _refused(self.context, "Get15118EVCertificate", payload, "Failed")
        return {"status": "Failed", "exiResponse": "", "statusInfo": NO_AUTHORITY.copy()}

    @on("GetCertificateStatus")
    async def get_certificate_status(
        self, payload: v201.GetCertificateStatusRequest
    ) -> v201.GetCertificateStatusResponse:
        await _refused(self.context, "GetCertificateStatus", payload, "Failed")
        return {"status": "Failed", "statusInfo": NO_AUTHORITY.copy()}
