"""The client certificate a gateway charger made at security profile 3 presents until its
central system signs one for it (OCPP 2.0.1 part 2 A00.FR.401; A02/A03 then replace it).

A real station leaves the factory with a certificate its operator's CA issued; here the lab's
certificate authority is that CA (``csms/authority.py``: the data directory's, or
``--ca-cert``/``--ca-key``): a key pair made for the charger (EC P-256, as the station's own
requests are, A00.FR.503), and a certificate for it whose subject's commonName is the
charger's identity (A00.FR.511; a central system at profile 3 checks it, A00.FR.405) and whose
organizationName is the charger's organization (A00.FR.509). A central system that trusts the
lab's CA (``chargeyard csms --tls-client-ca`` with its ``ca-cert.pem``) lets the charger in.

The chain and key go in the charger's row (``gateway/security.py``), never in an answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import Depends, Request

from chargeyard.csms.authority import CertificateAuthority


def issue(authority: CertificateAuthority, identity: str, organization_id: str) -> dict[str, str]:
    """A key pair and the certificate ``authority`` issues for it, naming ``identity``: the
    ``config["client_certificate"]`` of a charger (``chain``: its certificate, then the CA's;
    ``key``: PKCS#8 PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, identity),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization_id),
        ]
    )
    request = (
        x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    )
    certificate = authority.sign(request, datetime.now(UTC))
    chain = certificate.public_bytes(serialization.Encoding.PEM).decode() + authority.pem
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {"chain": chain, "key": key_pem}


def _authority(request: Request) -> CertificateAuthority | None:
    authority: CertificateAuthority | None = getattr(request.app.state, "authority", None)
    return authority


AuthorityDep = Annotated[CertificateAuthority | None, Depends(_authority)]
"""The lab's certificate authority, or None where the process has none."""
