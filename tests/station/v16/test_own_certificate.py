"""The 1.6 security extension's "Update Charge Point Certificate by request of Central System" on
the station: ExtendedTriggerMessage SignChargePointCertificate, SignCertificate.req with a CSR,
CertificateSigned.req kept or Rejected with InvalidChargePointCertificate, the Charge Point
certificate never deleted; and the other ExtendedTriggerMessage requests."""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chargeyard.protocol.certificates import read_certificate
from chargeyard.station.clock import ManualClock
from tests.certificates import make_csr, make_root, sign_csr
from tests.station.harness import Link

TRIGGER = {"requestedMessage": "SignChargePointCertificate"}


def _renewed(link: Link, status: str = "Accepted") -> str:
    link.csms.answers["SignCertificate"] = lambda p: {"status": status}
    assert link.call_station("ExtendedTriggerMessage", TRIGGER) == {"status": "Accepted"}
    [request] = link.csms.payloads("SignCertificate")
    assert set(request) == {"csr"}
    return str(request["csr"])


def test_sign_charge_point_certificate_brings_a_csr_of_a_new_key(online: Link) -> None:
    csr = x509.load_pem_x509_csr(_renewed(online).encode())
    assert csr.is_signature_valid
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CP-1"
    assert csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value


def test_a_certificate_chained_to_the_installed_root_is_accepted_and_never_deleted(
    online: Link, clock: ManualClock
) -> None:
    root = make_root("central system root", not_before=clock.now() - timedelta(days=1))
    installed = online.call_station(
        "InstallCertificate",
        {"certificateType": "CentralSystemRootCertificate", "certificate": root.pem},
    )
    assert installed == {"status": "Accepted"}
    chain = sign_csr(root, _renewed(online), not_before=clock.now())
    assert online.call_station("CertificateSigned", {"certificateChain": chain}) == {
        "status": "Accepted"
    }
    held = online.station.model.own_certificate.client_certificate()
    assert held is not None
    assert held.chain_pem == chain
    names = read_certificate(chain).hash_data(issuer=read_certificate(root.pem))
    assert online.call_station("DeleteCertificate", {"certificateHashData": names}) == {
        "status": "Failed"
    }


def test_an_invalid_certificate_is_rejected_with_the_security_event(
    online: Link, clock: ManualClock
) -> None:
    root = make_root("central system root", not_before=clock.now() - timedelta(days=1))
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    chain = sign_csr(root, _renewed(online), not_before=clock.now(), public_key=other)
    assert online.call_station("CertificateSigned", {"certificateChain": chain}) == {
        "status": "Rejected"
    }
    assert online.station.model.own_certificate.client_certificate() is None
    [event] = online.csms.payloads("SecurityEventNotification")
    assert event["type"] == "InvalidChargePointCertificate"


def test_a_certificate_signed_without_a_request_is_rejected(
    online: Link, clock: ManualClock
) -> None:
    root = make_root("central system root", not_before=clock.now() - timedelta(days=1))
    chain = sign_csr(root, make_csr("CP-1")[0], not_before=clock.now())
    assert online.call_station("CertificateSigned", {"certificateChain": chain}) == {
        "status": "Rejected"
    }


def test_a_rejected_request_discards_the_key(online: Link) -> None:
    _renewed(online, status="Rejected")
    assert not online.station.model.own_certificate.pending


def test_extended_trigger_shares_triggermessage_and_refuses_what_it_lacks(online: Link) -> None:
    assert online.call_station("ExtendedTriggerMessage", {"requestedMessage": "Heartbeat"}) == {
        "status": "Accepted"
    }
    assert online.csms.actions()[-1] == "Heartbeat"
    for message in ("FirmwareStatusNotification", "LogStatusNotification"):
        answer = online.call_station("ExtendedTriggerMessage", {"requestedMessage": message})
        assert answer == {"status": "NotImplemented"}
    unknown = {"requestedMessage": "StatusNotification", "connectorId": 9}
    assert online.call_station("ExtendedTriggerMessage", unknown) == {"status": "Rejected"}
