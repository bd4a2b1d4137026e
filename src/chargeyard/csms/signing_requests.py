"""Whether a station's certificate signing request may be signed: what the central system checks
before it answers SignCertificate Accepted (OCPP 2.0.1 A02/A03, the 1.6 security extension).

A CSR is signed when all of these hold, and refused (SignCertificate Rejected, A02.FR.12) when
one does not, the reason kept with the station's notification:

* it is one PEM-encoded PKCS#10 request (A02.FR.03: "as described in RFC 2986 and then PEM
  encoded") whose signature verifies with its own key (proof that the station holds the
  private key, RFC 2986 section 3);
* its key is strong enough (A00.FR.501-503: an RSA key of 2048 bits at least, an elliptic curve
  of 224 bits at least; other key types are refused);
* its subject's CN is the station's identity (A00.FR.511: the CN is the station's unique serial
  number, which the central system knows it by; A00.FR.405: the CSMS checks the CN of the
  certificate a station presents, so it does not sign one for another station);
* its subject has an O, the organization (A00.FR.509; 2.0.1 SecurityCtrlr.OrganizationName).
  The lab runs for one operator and does not hold its name, so any non-empty O is taken.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

MIN_RSA_BITS = 2048
MIN_EC_BITS = 224


class SigningRequestRefused(ValueError):
    """A CSR that is not signed; its text says why."""


def checked_request(text: str, identity: str) -> x509.CertificateSigningRequest:
    """The CSR of ``text`` when it may be signed for the station ``identity``.

    Raises:
        SigningRequestRefused: it may not (see the module docstring).
    """
    if "-----BEGIN CERTIFICATE REQUEST-----" not in text:
        raise SigningRequestRefused("not a PEM certificate signing request")
    try:
        request = x509.load_pem_x509_csr(text.encode())
    except ValueError:
        raise SigningRequestRefused("not a readable PKCS#10 certificate signing request") from None
    if not request.is_signature_valid:
        raise SigningRequestRefused("the request's signature does not verify with its key")
    key = request.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise SigningRequestRefused(f"an RSA key of {key.key_size} bits (2048 at least)")
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size < MIN_EC_BITS:
            raise SigningRequestRefused(f"an EC key of {key.curve.key_size} bits (224 at least)")
    else:
        raise SigningRequestRefused("a key that is neither RSA nor elliptic-curve")
    common_names = _values(request.subject, NameOID.COMMON_NAME)
    if common_names != [identity]:
        shown = ", ".join(common_names) or "none"
        raise SigningRequestRefused(f"the subject's CN ({shown}) is not the station's identity")
    if not any(value.strip() for value in _values(request.subject, NameOID.ORGANIZATION_NAME)):
        raise SigningRequestRefused("the subject has no O (organizationName)")
    return request


def _values(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(attribute.value) for attribute in name.get_attributes_for_oid(oid)]
