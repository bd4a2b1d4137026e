"""The moves of the TLS cases against a CSMS, both versions alike (security profiles 2 and 3:
OCPP 2.0.1 part 2 A00.FR.3xx and 4xx; the OCPP 1.6 security whitepaper, sections 2.4 and
2.5): which profile the target is run at, the TLS version a connection got, and a connection
the CSMS must refuse."""

from __future__ import annotations

import dataclasses
import ssl
import tempfile
from pathlib import Path

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase
from chargeyard.conformance.csms_under_test.tls import StationTls
from chargeyard.conformance.endings import CaseEnded, NotActed, NotApplicable
from chargeyard.conformance.tls_chain import CertificateAuthority

TLS_VERSIONS = ("TLSv1.2", "TLSv1.3")  # A00.FR.313, 416: 1.2 or above


def over_tls(run: CsmsCaseBase, *, profile_3: bool = False) -> None:
    """The case needs the CSMS reached on ``wss://`` (and, for ``profile_3``, the station's
    client certificate).

    Raises:
        NotApplicable: the target is not run so.
    """
    target = run.target
    if not target.secure:
        raise NotApplicable(
            f"the CSMS is reached on {target.url}: the case needs its wss:// URL (security"
            " profile 2 or 3)",
            need="the CSMS's wss:// URL (--url wss://..., with --ca)",
        )
    if profile_3 and (target.tls is None or not target.tls.profile_3):
        raise NotApplicable(
            "no --client-cert and --client-key: the case needs the station's client"
            " certificate (security profile 3)",
            need="the station's client certificate (--client-cert, --client-key)",
        )


def basic_password(run: CsmsCaseBase) -> str:
    """The station's Basic password, for a case of HTTP Basic authentication: security
    profiles 1 and 2 only (A00.FR.201, 301), since at profile 3 the station is known by its
    client certificate and sends no password (A00.FR.401).

    Raises:
        NotApplicable: the station presents a client certificate (profile 3).
        NotActed: no password was given.
    """
    target = run.target
    if target.tls is not None and target.tls.profile_3:
        raise NotApplicable(
            "a case of security profiles 1 and 2 (HTTP Basic authentication): the station"
            " presents a client certificate (--client-cert), profile 3, where a CSMS knows it"
            " by that certificate and needs no password"
        )
    if run.password is None:
        raise NotActed(
            "no --password given: the case needs the station's Basic password",
            need="the station's Basic password (--password)",
        )
    return run.password


def check_tls_version(run: CsmsCaseBase) -> None:
    """The connection just opened runs TLS 1.2 or above (A00.FR.313, 416)."""
    version = run.peer.tls_version
    run.log.check(
        "the connection runs TLS 1.2 or above",
        version in TLS_VERSIONS,
        expected=" or ".join(TLS_VERSIONS),
        observed=version,
    )


async def refused(run: CsmsCaseBase, tls: ssl.SSLContext, rule: str, expected: str) -> None:
    """A connection with ``tls`` must not open: the CSMS ends the TLS handshake or refuses the
    upgrade (checked as ``rule``)."""
    run.peer = run._new_peer(tls=tls)
    try:
        await run.peer.connect()
        # TLS 1.3 tells the client its certificate was refused after the handshake: the
        # connection closes at once, before the station can say anything.
        await run.peer.call("Heartbeat", {}, within=run.target.step_s)
    except CaseEnded as why:
        run.log.check(rule, True, expected=expected, observed=str(why))
        return
    finally:
        await run.peer.close()
    run.log.check(rule, False, expected=expected, observed="the connection was upgraded")


def too_old(run: CsmsCaseBase) -> ssl.SSLContext:
    """A context offering TLS 1.0 and 1.1 only, trusting the CSMS as the target does."""
    return (run.target.tls or StationTls()).context(too_old=True)


def unknown_certificate(run: CsmsCaseBase, directory: Path) -> ssl.SSLContext:
    """A context presenting a client certificate of the station's identity signed by a root
    the suite makes here, which the CSMS cannot know (TC_A_08_CSMS: "Unknown certificate")."""
    pair = CertificateAuthority(directory, "chargeyard conformance unknown CA").client(
        run.target.identity
    )
    return (run.target.tls or StationTls()).context(client=(pair.cert_file, pair.key_file))


async def not_verified(run: CsmsCaseBase, directory: Path) -> str:
    """The station dials trusting only a root the suite makes here, which the CSMS's
    certificate cannot chain to: the station refuses the handshake (A00.FR.310; the 1.6
    whitepaper, section 2.4). Returns why, as the station's techInfo would say it."""
    root = CertificateAuthority(directory, "chargeyard conformance other CA").root_file
    trusting = dataclasses.replace(run.target.tls or StationTls(), ca_file=root)
    run.peer = run._new_peer(tls=trusting.context())
    try:
        await run.peer.connect()
    except CaseEnded as why:
        refused = str(why)
    else:
        refused = ""
    finally:
        await run.peer.close()
    run.log.check(
        "the station cannot verify the CSMS's certificate against another root",
        bool(refused),
        expected="the TLS handshake fails",
        observed=refused or "the connection opened",
    )
    run.peer = run._new_peer()
    return refused


def scratch() -> tempfile.TemporaryDirectory[str]:
    """A directory for certificates a case makes, gone when the case ends."""
    return tempfile.TemporaryDirectory(prefix="chargeyard-conformance-")
