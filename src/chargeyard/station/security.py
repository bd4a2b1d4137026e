"""What a station trusts and presents when it dials ``wss://`` (security profiles 2 and 3,
``tls.py``), read off its certificate store, and the security event of a handshake it refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.station.model.own_certificate import HeldCertificate
from chargeyard.station.tls import ClientCertificate, Refusal

if TYPE_CHECKING:
    from chargeyard.station.core import SimulatedStation


def csms_roots(station: SimulatedStation) -> tuple[str, ...]:
    """The CSMS root certificates installed (PEM texts, in installation order): what a
    ``wss://`` connection trusts (A00.FR.308; none: the system's trust store)."""
    installed = station.model.certificates.of((station.CSMS_ROOT,))
    return tuple(item.certificate.pem for item in installed)


def presented_certificate(
    station: SimulatedStation,
) -> ClientCertificate | HeldCertificate | None:
    """The certificate it presents as a TLS client at security profile 3 (A00.FR.401): the
    one its central system signed for it (A02.FR.09: the newest is used), else its
    runner's; None when it has neither."""
    held = station.model.own_certificate.client_certificate()
    return held if held is not None else station.client_certificate


def tls_refused(station: SimulatedStation, refusal: Refusal, reason: str) -> None:
    """It refused its central system's TLS handshake (``tls.py``): the certificate did
    not verify (A00.FR.310; 1.6 whitepaper 2.4) or no TLS version from 1.2 on was offered
    (A00.FR.316). A critical security event, ``reason`` its techInfo, reported once the
    station is connected again."""
    if refusal is Refusal.CERTIFICATE:
        station.security_event(station.INVALID_CSMS_CERTIFICATE, reason)
    else:
        station.security_event("InvalidTLSVersion", reason)


__all__ = ["csms_roots", "presented_certificate", "tls_refused"]
