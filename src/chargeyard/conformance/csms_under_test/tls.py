"""TLS as the suite's station speaks it to a CSMS under test (security profiles 2 and 3: OCPP
2.0.1 part 2 A00; the OCPP 1.6 security whitepaper, sections 2.4 and 2.5).

The command line names what the station trusts (``--ca``: the CSMS's root; else the system's
trust store) and, for profile 3, the client certificate it presents (``--client-cert``,
``--client-key``: its CN the station's identity, A00.FR.405). A case asks for a context with
the usual rules (TLS 1.2 or above, A00.FR.313) or one bent to test the CSMS: a station that
offers only TLS 1.0 and 1.1 (TC_A_06_CSMS), or one presenting a certificate the CSMS does not
know (TC_A_08_CSMS).
"""

from __future__ import annotations

import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StationTls:
    """What the suite's station trusts and presents on ``wss://``.

    Attributes:
        ca_file: the CSMS's root certificates (PEM); None: the system's trust store.
        client_cert, client_key: the station's client certificate and key (PEM files):
            security profile 3. None: profile 2 (HTTP Basic over TLS).
    """

    ca_file: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None

    @property
    def profile_3(self) -> bool:
        return self.client_cert is not None

    def context(
        self,
        *,
        client: tuple[Path, Path] | bool = True,
        too_old: bool = False,
    ) -> ssl.SSLContext:
        """A client context trusting the CSMS's root.

        Args:
            client: True presents the configured client certificate (if any), False none, a
                pair of files that certificate and key instead.
            too_old: offer only TLS 1.0 and 1.1, which a CSMS must refuse (A00.FR.315, 418).

        Raises:
            OSError, ssl.SSLError: a file cannot be read or holds no certificate or key.
        """
        context = ssl.create_default_context(
            cafile=None if self.ca_file is None else str(self.ca_file)
        )
        if too_old:
            with warnings.catch_warnings():  # (deprecated versions: what the case offers)
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = ssl.TLSVersion.TLSv1
                context.maximum_version = ssl.TLSVersion.TLSv1_1
            # OpenSSL's default security level refuses to offer these versions at all.
            context.set_ciphers("ALL:@SECLEVEL=0")
        else:
            context.minimum_version = ssl.TLSVersion.TLSv1_2
        if client is True and self.client_cert is not None and self.client_key is not None:
            context.load_cert_chain(self.client_cert, self.client_key)
        elif isinstance(client, tuple):
            context.load_cert_chain(*client)
        return context
