"""GetCertificateChainStatus (OCPP 2.1, functional block M): a station asks for the revocation
status of each certificate of a chain at once, where 2.0.1's GetCertificateStatus asks for
one (M06). The central system fetches no OCSP responses and reads no revocation lists (it has
no V2G PKI, as ``csms/certificates.py`` says), so each certificate's status is Failed, from
the source the station named, with ``nextUpdate`` now: the station may ask again at any time.
The request is kept like the other certificate requests (kind ``certificate``, ``status``
Failed, the request in ``detail``).
"""

from __future__ import annotations

import logging

from chargeyard.csms.context import StationContext, iso, utc_now
from chargeyard.csms.notifications_v201 import as_json, without
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v21
from chargeyard.store.models import NotificationKind

logger = logging.getLogger(__name__)


class CertificatesV21(ActionHandlers):
    """Mixed into :class:`~chargeyard.csms.v21.CentralSystemV21`, which sets ``context``."""

    context: StationContext

    @on("GetCertificateChainStatus")
    async def get_certificate_chain_status(
        self, payload: v21.GetCertificateChainStatusRequest
    ) -> v21.GetCertificateChainStatusResponse:
        requests = payload["certificateStatusRequests"]
        logger.warning(
            "%s GetCertificateChainStatus (%d certificates) answered Failed: no OCSP or CRL access",
            self.context.identity,
            len(requests),
        )
        await self.context.note(
            NotificationKind.CERTIFICATE,
            "GetCertificateChainStatus",
            status="Failed",
            detail=as_json(without(payload)),
        )
        now = iso(utc_now())
        return {
            "certificateStatus": [
                {
                    "certificateHashData": request["certificateHashData"],
                    "source": request["source"],
                    "status": "Failed",
                    "nextUpdate": now,
                }
                for request in requests
            ]
        }
