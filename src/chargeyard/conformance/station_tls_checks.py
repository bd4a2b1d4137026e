"""The checks of the charging-station cases over TLS, both versions alike (security profiles 2
and 3: OCPP 2.0.1 part 2 A00.FR.3xx and 4xx; the OCPP 1.6 security whitepaper, sections 2.4
and 2.5): the suite listens on ``wss://`` with the certificate it is given (``--tls-cert``,
``--tls-key``), and for profile 3 asks the station for a certificate chaining to
``--tls-client-ca``."""

from __future__ import annotations

from chargeyard.conformance.csms_handshake import Connection
from chargeyard.conformance.station_case import NotApplicable, StationCase
from chargeyard.conformance.verdicts import Weight

TLS_VERSIONS = ("TLSv1.2", "TLSv1.3")  # A00.FR.313, 416: 1.2 or above


def over_tls(run: StationCase, *, profile_3: bool = False) -> None:
    """The case needs the suite listening on ``wss://`` (and asking for the station's client
    certificate, ``profile_3``).

    Raises:
        NotApplicable: it does not.
    """
    tls = run.target.tls
    if tls is None:
        raise NotApplicable(
            "the suite listens on ws://: the case needs --tls-cert and --tls-key (security"
            " profile 2 or 3)"
        )
    if profile_3 and tls.client_ca_file is None:
        raise NotApplicable(
            "no --tls-client-ca: the case needs the station's client certificate (security"
            " profile 3)"
        )


def check_tls(run: StationCase, connection: Connection) -> None:
    """The station connected over TLS 1.2 or above (A00.FR.313, 416), having verified the
    suite's certificate (A00.FR.308, 411: it would not have connected otherwise)."""
    run.log.check(
        "the station connects over TLS 1.2 or above",
        connection.tls_version in TLS_VERSIONS,
        weight=Weight.SPEC,
        expected=" or ".join(TLS_VERSIONS),
        observed=connection.tls_version or "no TLS",
    )


def check_client_certificate(run: StationCase, connection: Connection) -> None:
    """The station presented a client certificate (verified by the listener against the
    client CA) whose commonName is its identity (A00.FR.402, 405)."""
    names = connection.certificate_names
    run.log.check(
        "the station presents its client certificate, its CN the station's identity",
        connection.identity in names,
        weight=Weight.SPEC,
        expected=connection.identity,
        observed=", ".join(names) or "no client certificate",
    )
