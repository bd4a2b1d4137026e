"""The TLS of an OCPP listener: security profiles 2 and 3 (OCPP 2.0.1 part 2 A00, the OCPP 1.6
security whitepaper, "Improved security for OCPP 1.6-J", sections 2.4 and 2.5).

Two listeners use it: the central system's (``csms/server.py``) and the conformance suite's when it
plays the central system against a station (``conformance/station_under_test/peer.py``), so a
station meets the same TLS from both. It sits outside both packages, beside ``outbound.py``, and
imports nothing of chargeyard: the suite judges a central system and must not reach into the one it
may be judging. Not in ``protocol/``: an ``ssl.SSLContext`` loads files and belongs to the socket,
and the protocol core is sans-I/O.

Theory of operation
-------------------
Given a server certificate and its key (PEM files), the listener speaks ``wss://``: the CSMS
is the TLS server and presents that certificate (A00.FR.306/307, 409/410). Only TLS 1.2 and
above are offered (A00.FR.313, 416): a station that only speaks an older version fails the
TLS handshake with a ``protocol_version`` alert and never reaches the WebSocket (A00.FR.315,
418: the connection is terminated). The listener does the handshakes itself, so that a failed
one is answered and logged with its reason (``tls_accept.py``). The TLS 1.2 cipher suites are
those A00.FR.318 (421) requires, plus their ECDHE RSA forms; TLS 1.3's suites are all AEAD and
stay as OpenSSL offers them. TLS compression is off (A00.FR.321, 424).

Without a client CA this is profile 2: server-side TLS, the station authenticated by HTTP
Basic as in profile 1 (``admission.py``; A00.FR.301-304, 324), and every station must have a
password: one without is refused, or with auto-registration keeps the first it presents
(``first_password.py``). With a client CA it is profile
3: every station must present a certificate whose path validates up to that CA (A00.FR.401-403,
407: otherwise the TLS handshake fails), and whose subject's commonName is the station's
identity, the name it connects under (A00.FR.405 asks for the station's unique serial number
there; the identity is what names a station to chargeyard; 1.6 whitepaper section 2.5). A
subject with two commonNames is refused (403), whichever the identity: it would let one
certificate stand for two stations. The certificate then is the station's credential: no HTTP
Basic password is asked.

The listener's profile is the one every station connecting to it has: no station comes in on
it with a lower one (A05.FR.07, for this listener). The store keeps no profile per station, so
another listener of a lower profile on the same store would let a station back in lower.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

# A00.FR.318 / 421 in OpenSSL's names: the two ECDHE-ECDSA and the two RSA key-exchange AES-GCM
# suites, with ECDHE-RSA beside them (forward secrecy for an RSA server key, A00.FR.319 note).
CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
    )
)
MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2  # A00.FR.313, 416


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """The listener's certificate, and the CA its stations' certificates chain to.

    Attributes:
        cert_file: the server certificate (PEM), followed by its intermediates if any.
        key_file: its private key (PEM, unencrypted).
        client_ca_file: the CA certificates (PEM) a station's certificate must chain to:
            security profile 3. None: profile 2.
    """

    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None

    @property
    def security_profile(self) -> int:
        return 2 if self.client_ca_file is None else 3

    def enforced(self, *, auto_register: bool) -> str:
        """What this listener asks of every station, in a few words (the CSMS's banner)."""
        if self.security_profile == 3:
            return "security profile 3: TLS, and a client certificate naming the station"
        kept = "; a station without one keeps the first it presents" if auto_register else ""
        return f"security profile 2: TLS, and every station's HTTP Basic password{kept}"

    def server_context(self) -> ssl.SSLContext:
        """The listener's TLS context.

        Raises:
            OSError: a file cannot be read.
            ssl.SSLError: a file holds no certificate or key, or they do not match.
        """
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = MINIMUM_VERSION
        context.options |= ssl.OP_NO_COMPRESSION  # A00.FR.321, 424
        context.set_ciphers(CIPHERS)
        context.load_cert_chain(self.cert_file, self.key_file)
        if self.client_ca_file is not None:
            context.verify_mode = ssl.CERT_REQUIRED  # A00.FR.403, 407
            context.load_verify_locations(cafile=self.client_ca_file)
        return context


def certificate_problem(tls: ssl.SSLObject | None, identity: str) -> str | None:
    """Why the station's verified client certificate does not name ``identity`` as its
    subject's commonName (A00.FR.405); None when it does. A subject with more than one
    commonName is refused whatever they are: the certificate must name one station, not
    stand for any of several."""
    peer = None if tls is None else tls.getpeercert()
    if not peer:
        return "no client certificate"
    subject = peer.get("subject", ())
    names: list[str] = []
    for rdn in subject if isinstance(subject, tuple) else ():
        for attribute in rdn:  # (("commonName", "CP-1"),) and the like
            if isinstance(attribute, tuple) and attribute[0] == "commonName":
                names.append(attribute[1])
    shown = ", ".join(repr(name) for name in names) or "no commonName"
    if len(names) > 1:
        return f"the client certificate's subject is ambiguous: {len(names)} commonNames ({shown})"
    if names == [identity]:
        return None
    return f"the client certificate names {shown}, not {identity!r}"
