"""A durable charger's security profile (OCPP 2.0.1 part 2 A00; the 1.6 security whitepaper,
section 2), as its row keeps it: ``config["security_profile"]``, 0 to 3.

The profile is how the station proves itself to its central system: 0 not at all, 1 HTTP Basic
over ``ws://``, 2 HTTP Basic over ``wss://``, 3 its TLS client certificate over ``wss://``.
Profiles 1 and 2 send the charger's password (``config["password"]``, the 1.6
AuthorizationKey); the URL's scheme says whether TLS is used. Profile 3 presents the
station's client certificate: the one its central system signed for it (A02/A03, kept in the
station's memory), else the one the lab's certificate authority issued when the charger was
made (``config["client_certificate"]``: ``{"chain", "key"}``, PEM; the key never leaves the
row but for the station's TLS client). A row without a profile has the one its URL and
credentials make, as a runner's always had (``fleet/security_profile.py``).
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chargeyard.protocol.certificates import Certificate
from chargeyard.station.model.own_certificate import HeldCertificate

SECURITY_PROFILE_KEY = "security_profile"
"""The key of a charger's ``config`` holding its security profile."""
CLIENT_CERTIFICATE_KEY = "client_certificate"
"""The key of a charger's ``config`` holding the client certificate issued for it."""

CERTIFIED = 3
"""The profile whose credential is the station's client certificate."""


def security_profile(config: dict[str, Any]) -> int | None:
    """The profile the row asks for, or None (the one its URL and password make).

    Raises:
        ValueError: the stored value is not a profile.
    """
    value = config.get(SECURITY_PROFILE_KEY)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= CERTIFIED:
        raise ValueError(f"config.{SECURITY_PROFILE_KEY} must be 0, 1, 2 or 3, not {value!r}")
    return value


def client_certificate(config: dict[str, Any]) -> HeldCertificate | None:
    """The client certificate issued for the charger (its chain and its EC key), or None.

    Raises:
        ValueError: the stored value is not a PEM chain and its EC private key.
    """
    value = config.get(CLIENT_CERTIFICATE_KEY)
    if value is None:
        return None
    if not isinstance(value, dict) or not {"chain", "key"} <= value.keys():
        raise ValueError(f"config.{CLIENT_CERTIFICATE_KEY} must hold chain and key")
    chain, key_pem = str(value["chain"]), str(value["key"])
    try:
        [leaf, *_] = x509.load_pem_x509_certificates(chain.encode())
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    except ValueError as error:
        raise ValueError(f"config.{CLIENT_CERTIFICATE_KEY}: {error}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != leaf.public_key():
        raise ValueError(f"config.{CLIENT_CERTIFICATE_KEY}: the key is not the certificate's")
    return HeldCertificate(chain, Certificate(chain, leaf), key)
