"""The certificate the suite's ``wss://`` listener presents, switched for one handshake: the
cases where the station must refuse a central system's certificate it cannot verify (1.6
TC_078_CS, the security whitepaper sections 2.4 and 8; 2.0.1 TC_A_05_CS, A00.FR.310).

Theory of operation
-------------------
One listener, one context. Its ``sni_callback`` runs at every ClientHello, with or without a
server name (a station dialing an IP address sends none); when a case armed another
certificate, the callback hands the next handshake a context presenting it
(``SSLObject.context``), then disarms: the station's next attempt gets the listener's own
certificate again. So a station that refuses the certificate comes back on its next attempt,
and one that accepts it opens a connection the suite can tell (:meth:`CertificateSwitch.
presented_other`). A second listener would need a second URL given to the station; this needs
none.
"""

from __future__ import annotations

import ssl
import weakref
from pathlib import Path


class CertificateSwitch:
    """Presents another certificate at the next handshake of ``context``'s listener."""

    __slots__ = ("_armed", "_switched", "handshakes")

    def __init__(self, context: ssl.SSLContext) -> None:
        self._armed: ssl.SSLContext | None = None
        self._switched: weakref.WeakSet[ssl.SSLObject] = weakref.WeakSet()
        self.handshakes = 0
        """How many handshakes got the other certificate."""
        context.sni_callback = self._choose

    def present_once(self, cert_file: Path, key_file: Path) -> None:
        """The next handshake presents this certificate and key (PEM files, read now).

        Raises:
            OSError, ssl.SSLError: a file cannot be read or holds no certificate or key.
        """
        other = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        other.load_cert_chain(cert_file, key_file)
        self._armed = other

    def presented_other(self, tls: object) -> bool:
        """Whether a connection's TLS (its transport's ``ssl_object``) runs over the other
        certificate: the station accepted it."""
        return isinstance(tls, ssl.SSLObject) and tls in self._switched

    def _choose(self, tls: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
        other, self._armed = self._armed, None
        if other is not None:
            tls.context = other
            self._switched.add(tls)
            self.handshakes += 1
