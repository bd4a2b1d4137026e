"""The certificate messages a station sends, answered by a central system without a certificate
authority.

A station asks the central system to have its key signed (SignCertificate: OCPP 1.6 security
extension, 2.0.1 A02/A03), to fetch an ISO 15118 contract certificate for an EV
(Get15118EVCertificate, 2.0.1 M01/M02) and to fetch the OCSP status of a certificate
(GetCertificateStatus, 2.0.1 M06). Each needs a certificate authority or a V2G PKI behind the
central system, which chargeyard has not. So each is answered as the spec has a central system
answer what it cannot do, rather than with a NotSupported CALLERROR:

* SignCertificate: Rejected (A02.FR.12, A03.FR.12: "NOT able to process the request");
* Get15118EVCertificate: Failed, with the empty ``exiResponse`` the schema requires (there is
  no CertificateInstallationRes to forward to the EV);
* GetCertificateStatus: Failed (M06.FR.04: the status could not be retrieved).

In 2.0.1 (and 2.1) the answer carries ``statusInfo`` with the reason code
``UnsupportedRequest`` (the 2.0.1 appendices' list of reason codes), which 1.6's answer has no
room for. Each request is kept as one of the station's notifications (``certificate``: the
request in ``detail``, the answer's status in ``status``) before it is answered, and told as a
``charger.notification`` event, so that a user sees what the station asked for.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from chargeyard.csms.context import StationContext
from chargeyard.protocol import ActionHandlers, Payload, on
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)

NO_AUTHORITY: Payload = {
    "reasonCode": "UnsupportedRequest",
    "additionalInfo": "this central system has no certificate authority",
}
"""The ``statusInfo`` of a 2.0.1 answer (StatusInfoType: reasonCode of 20 characters at most)."""


async def _refused(context: StationContext, action: str, payload: Payload, status: str) -> None:
    """Keep the request as the station's notification, answered ``status``."""
    logger.warning(
        "%s %s answered %s: this central system has no certificate authority",
        context.identity,
        action,
        status,
    )
    request: dict[str, Any] = {k: v for k, v in payload.items() if k != "customData"}
    await context.note(
        NotificationKind.CERTIFICATE,
        action,
        status=status,
        detail=orjson.dumps(request).decode(),
    )


class CertificatesV16(ActionHandlers):
    """The 1.6 security extension's SignCertificate, mixed into
    :class:`~chargeyard.csms.v16.CentralSystemV16`, which sets ``context``."""

    context: StationContext

    @on("SignCertificate")
    async def sign_certificate(self, payload: Payload) -> Payload:
        await _refused(self.context, "SignCertificate", payload, "Rejected")
        return {"status": "Rejected"}


class CertificatesV201(ActionHandlers):
    """The 2.0.1 certificate messages, mixed into
    :class:`~chargeyard.csms.v201.CentralSystemV201`, which sets ``context``."""

    context: StationContext

    @on("SignCertificate")
    async def sign_certificate(self, payload: Payload) -> Payload:
        await _refused(self.context, "SignCertificate", payload, "Rejected")
        return {"status": "Rejected", "statusInfo": dict(NO_AUTHORITY)}

    @on("Get15118EVCertificate")
    async def get_15118_ev_certificate(self, payload: Payload) -> Payload:
        await _refused(self.context, "Get15118EVCertificate", payload, "Failed")
        return {"status": "Failed", "exiResponse": "", "statusInfo": dict(NO_AUTHORITY)}

    @on("GetCertificateStatus")
    async def get_certificate_status(self, payload: Payload) -> Payload:
        await _refused(self.context, "GetCertificateStatus", payload, "Failed")
        return {"status": "Failed", "statusInfo": dict(NO_AUTHORITY)}
