"""Where OCPP 2.1 changed a rule or a message of a block that the 2.0.1 and 2.1 stations share:
one :class:`Dialect2x` per version, in :data:`DIALECTS`, read by the blocks as
``self.station.dialect``. A block never asks which version its station speaks; it asks the
dialect for the one thing that differs.

What 2.1 did not change needs no entry: a 2.1 request the 2.0.1 schema cannot carry reaches a
2.1 station only, and the block answers it the way 2.1 asks (a word the station does not
implement is refused with its reasonCode, as 2.0.1 refuses one it does not support).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from chargeyard.protocol import V16, V21, V201, VersionTable
from chargeyard.protocol.messages import v21, v201


@dataclass(frozen=True, slots=True)
class Dialect2x:
    """What one 2.x version says where 2.0.1 and 2.1 differ.

    Attributes:
        network_versions: the ocppVersion values of a NetworkConnectionProfileType the station
            can dial (B09), None in the set for a profile without one; None: the field is
            ignored, whatever it says.
        monitor_kind_reported: whether NotifyMonitoringReport names who made each monitor
            (VariableMonitoringType.eventNotificationType).
        certificate_id_uses: the certificate types GetInstalledCertificateIds lists (M03,
            GetCertificateIdUseEnumType).
        event_severity_reported: whether NotifyEvent's eventData carries the severity of the
            monitor that made it (EventDataType.severity).
        sign_request_ids: whether SignCertificate carries a requestId, which the
            CertificateSigned answering it echoes (A02, SignCertificateRequest.requestId).
        id_token_types: the IdTokenType types a TransactionEvent may carry; None: any string
            the schema takes.
    """

    network_versions: frozenset[str | None] | None
    monitor_kind_reported: bool
    certificate_id_uses: frozenset[str]
    event_severity_reported: bool
    sign_request_ids: bool
    id_token_types: frozenset[str] | None


DIALECTS: VersionTable[Dialect2x] = VersionTable(
    "a 2.x station's dialect",
    {
        # B09: OCPP20 is the one ocppVersion 2.0.1 has for itself, and it is required.
        V201: Dialect2x(
            network_versions=frozenset({"OCPP20"}),
            monitor_kind_reported=False,
            certificate_id_uses=frozenset(typing.get_args(v201.GetCertificateIdUseEnumType)),
            event_severity_reported=False,
            sign_request_ids=False,
            id_token_types=frozenset(typing.get_args(v201.IdTokenEnumType)),
        ),
        # 2.1 B09: ocppVersion is optional and ignored (2.1's OCPPVersionEnumType: "This field
        # is ignored, since the OCPP version to use is determined during the websocket
        # handshake. The field is only kept for backwards compatibility with the OCPP 2.0.1
        # JSON schema"): a profile naming OCPP20 is dialled as any other. 2.1 N02/N03:
        # VariableMonitoringType.eventNotificationType is required in a monitoring report.
        # 2.1 M03/M05: OEMRootCertificate is installed and listed. 2.1 N07: a NotifyEvent
        # names the severity of its monitor. 2.1 A02: SignCertificate has a requestId "to match
        # this message with the CertificateSignedRequest". 2.1's idToken type is an open string
        # (IdTokenEnumStringType), e.g. DirectPayment for a payment at the station's terminal.
        V21: Dialect2x(
            network_versions=None,
            monitor_kind_reported=True,
            certificate_id_uses=frozenset(typing.get_args(v21.GetCertificateIdUseEnumType)),
            event_severity_reported=True,
            sign_request_ids=True,
            id_token_types=None,
        ),
    },
    lacking={V16: "a 1.6 station is StationV16, which has no 2.x block"},
)


__all__ = ["DIALECTS", "Dialect2x"]
