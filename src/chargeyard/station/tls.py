"""What a simulated station trusts and presents when it dials ``wss://`` (security profiles 2
and 3: OCPP 2.0.1 part 2 A00; the OCPP 1.6 security whitepaper, "Improved security for OCPP
1.6-J", sections 2.4 and 2.5).

Theory of operation
-------------------
The station verifies the central system's certificate path (A00.FR.308, 411) against the CSMS
root certificates installed in its certificate store (2.0.1 CSMSRootCertificate, 1.6
CentralSystemRootCertificate: ``model/certificates.py``) and against those only; a station
with none installed trusts the system's certificate store, as it always did. The host name is
checked against the certificate (A00.FR.309, 412). Only TLS 1.2 and above are offered
(A00.FR.313, 416), without compression (A00.FR.321).

For profile 3 the station presents its own certificate and key (A00.FR.401, 402): the one the
central system signed for it (A02: a :class:`~chargeyard.station.model.own_certificate.
HeldCertificate`, in memory), else the one its runner gave it (a :class:`ClientCertificate`,
two PEM files: the simulator's ``--client-cert``/``--client-key``); :meth:`SimulatedStation.
presented_certificate <chargeyard.station.core.SimulatedStation.presented_certificate>` says
which.

A handshake that fails for either reason is a security event the station records and reports
(:func:`refusal`): a certificate that does not verify (unknown CA, expired, another host) is
2.0.1 InvalidCsmsCertificate (A00.FR.310), 1.6 InvalidCentralSystemCertificate (whitepaper
section 8); a server that offers nothing from TLS 1.2 on is InvalidTLSVersion (A00.FR.316).

Contexts are cached by what they trust and present: the stations of a fleet that trust the same
roots with no certificate of their own share one, so ten thousand stations cost one context,
and a station pays for it only when it dials ``wss://``.
"""

from __future__ import annotations

import enum
import functools
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chargeyard.station.model.own_certificate import HeldCertificate

MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2  # A00.FR.313, 416


class Refusal(enum.Enum):
    """Why the station refused its central system's TLS handshake (see the module docstring)."""

    CERTIFICATE = "certificate"  # A00.FR.310; 1.6 InvalidCentralSystemCertificate
    VERSION = "version"  # A00.FR.316: InvalidTLSVersion


# What OpenSSL says when the two sides share no protocol version: the server's alert, or our
# own refusal of the version it chose.
_VERSION_REASONS = frozenset(
    {
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "UNSUPPORTED_PROTOCOL",
        "WRONG_SSL_VERSION",
        "NO_PROTOCOLS_AVAILABLE",
    }
)


def refusal(error: BaseException) -> tuple[Refusal, str] | None:
    """Whether a failed connection attempt was the station refusing the server's TLS (its
    certificate, or its protocol version), and why in a few words (the event's techInfo); None
    for anything else (a refused TCP connect, a timeout, an HTTP answer)."""
    if isinstance(error, ssl.SSLCertVerificationError):
        # "unable to get local issuer certificate", "certificate has expired", "Hostname
        # mismatch, certificate is not valid for 'x'."
        return Refusal.CERTIFICATE, f"server certificate not valid: {error.verify_message}"
    if isinstance(error, ssl.SSLError) and error.reason in _VERSION_REASONS:
        return Refusal.VERSION, f"no TLS version from 1.2 on offered ({error.reason})"
    return None


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A station's own TLS client certificate (its subject's CN the station's identity,
    A00.FR.405) and private key, as PEM files: what ``SSLContext.load_cert_chain`` reads.

    Attributes:
        cert_file: the certificate, followed by its intermediates if any.
        key_file: its private key (unencrypted).
    """

    cert_file: Path
    key_file: Path

    def of(self, identity: str) -> ClientCertificate:
        """The files of ``identity``: ``{identity}`` in a path is replaced by it, so that one
        option names each station of a fleet its own certificate."""
        return ClientCertificate(
            Path(str(self.cert_file).replace("{identity}", identity)),
            Path(str(self.key_file).replace("{identity}", identity)),
        )


@functools.lru_cache(maxsize=256)
def client_context(roots: tuple[str, ...], client: ClientCertificate | None) -> ssl.SSLContext:
    """The TLS context of a station that trusts ``roots`` (PEM texts; none: the system's trust
    store) and presents ``client`` (None: no certificate).

    Raises:
        OSError: the client certificate's files cannot be read.
        ssl.SSLError: a root or the client certificate is not PEM, or the key does not match.
    """
    context = _trusting(roots)
    if client is not None:
        context.load_cert_chain(client.cert_file, client.key_file)
    return context


def presenting_context(
    roots: tuple[str, ...], presented: ClientCertificate | HeldCertificate | None
) -> ssl.SSLContext:
    """The context of a station that trusts ``roots`` and presents ``presented``: its runner's
    files, or the certificate the central system signed for it."""
    if isinstance(presented, HeldCertificate):
        return _held_context(roots, presented)
    return client_context(roots, presented)


@functools.lru_cache(maxsize=256)
def _held_context(roots: tuple[str, ...], held: HeldCertificate) -> ssl.SSLContext:
    """A context presenting a certificate held in memory, made once per certificate (a
    station redialling reuses it). ``load_cert_chain`` reads files only, so the chain and key
    are written into a folder only this user may read, read, and removed at once."""
    context = _trusting(roots)
    with tempfile.TemporaryDirectory(prefix="chargeyard-tls-") as folder:
        os.chmod(folder, 0o700)
        cert_file, key_file = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_file.write_text(held.chain_pem, encoding="ascii")
        key_file.touch(mode=0o600)
        key_file.write_bytes(held.key_pem())
        context.load_cert_chain(cert_file, key_file)
    return context


def _trusting(roots: tuple[str, ...]) -> ssl.SSLContext:
    """A new client context that trusts ``roots`` (none: the system's trust store), TLS 1.2 and
    above, without compression."""
    if roots:
        context = ssl.create_default_context(cadata="\n".join(roots))
    else:
        context = ssl.create_default_context()
    context.minimum_version = MINIMUM_VERSION
    context.options |= ssl.OP_NO_COMPRESSION
    return context
