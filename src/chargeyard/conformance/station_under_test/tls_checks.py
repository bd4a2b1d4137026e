"""The checks of the charging-station cases over TLS, both versions alike (security profiles 2
and 3: OCPP 2.0.1 part 2 A00.FR.3xx and 4xx; the OCPP 1.6 security whitepaper, sections 2.4
and 2.5): the suite listens on ``wss://`` with the certificate it is given (``--tls-cert``,
``--tls-key``), and for profile 3 asks the station for a certificate chaining to
``--tls-client-ca``; for one handshake it may present another (``listener_certificate.py``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case import CLIENT_CA_NEED, TLS_NEED, StationCase
from chargeyard.conformance.station_under_test.handshake import Connection
from chargeyard.conformance.tls_chain import CertificateAuthority
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
            " profile 2 or 3)",
            need=TLS_NEED,
        )
    if profile_3 and tls.client_ca_file is None:
        raise NotApplicable(
            "no --tls-client-ca: the case needs the station's client certificate (security"
            " profile 3)",
            need=CLIENT_CA_NEED,
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


def by_password(connection: Connection) -> None:
    """A case of HTTP Basic authentication is one of security profiles 1 and 2 (A00.FR.201,
    301): not applicable to a station that presented a client certificate (profile 3, where
    the certificate is how it is known, A00.FR.401).

    Raises:
        NotApplicable: ``connection`` came with a client certificate.
    """
    if connection.certificate_names:
        raise NotApplicable(
            "a case of security profiles 1 and 2 (HTTP Basic authentication): the station"
            " presents a client certificate (security profile 3), which is how it is known"
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


async def refuses_unknown_certificate(run: StationCase, event: str) -> None:
    """The suite presents, for one handshake, a certificate of a root it makes for the case:
    the station must refuse it (A00.FR.308, 311; the 1.6 whitepaper section 2.4), connect
    again when the suite's own certificate is back, and report ``event`` (A00.FR.310: 2.0.1
    InvalidCsmsCertificate; 1.6 InvalidCentralSystemCertificate, a critical event of section
    8) in a SecurityEventNotification once connected (A04.FR.01, 02)."""
    over_tls(run)
    switch = run.peer.certificates
    assert switch is not None  # (a wss:// listener has one)
    connection = await run.ready()
    run.step(
        "The central system closes the connection; at the next handshake it presents a"
        " certificate of a root the station does not trust"
    )
    with tempfile.TemporaryDirectory(prefix="chargeyard-conformance-") as directory:
        other = CertificateAuthority(Path(directory), "chargeyard conformance other CA")
        pair = other.server(connection.local_host)
        switch.present_once(pair.cert_file, pair.key_file)
    presented = switch.handshakes
    since = run.mark()
    await run.peer.disconnect()
    run.step("The station refuses that certificate and connects again with the valid one")
    again = await run.connected(after=connection.number)
    run.log.check(
        "the station's next TLS handshake got the certificate it cannot verify",
        switch.handshakes > presented,
        expected="a handshake with the other certificate",
        observed=f"{switch.handshakes - presented} such handshakes",
    )
    accepted = [n for n in run.peer.opened_over_other if n > connection.number]
    run.log.check(
        "the station refuses a certificate it cannot verify (no connection over it)",
        not accepted,
        weight=Weight.SPEC,
        expected="the TLS handshake ended by the station",
        observed=f"connection {accepted[0]} opened over it" if accepted else "refused",
    )
    check_tls(run, again)
    run.step(f"The station reports the security event {event}")
    await run.expect(
        "SecurityEventNotification",
        where=lambda r: r.payload.get("type") == event,
        what=f"SecurityEventNotification {event}",
        since=since,
    )
