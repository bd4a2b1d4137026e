"""OCPP 2.0.1 A02/A03 on the station: TriggerMessage SignChargingStationCertificate, a new key
and its CSR in SignCertificate, the chain of CertificateSigned checked and kept or refused with
the security event, the request repeated when no certificate comes (A02.FR.17-19), and the
station's certificate never deleted (M04.FR.06)."""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chargeyard.protocol import Payload
from chargeyard.protocol.certificates import read_certificate
from chargeyard.station.clock import ManualClock
from tests.certificates import make_root, sign_csr
from tests.station.harness import Link
from tests.station.v201.support import set_variable

TRIGGER = {"requestedMessage": "SignChargingStationCertificate"}


def _requests(link: Link) -> list[Payload]:
    return link.csms.payloads("SignCertificate")


def _renewed(link: Link, status: str = "Accepted") -> str:
    link.csms.answers["SignCertificate"] = lambda p: {"status": status}
    assert link.call_station("TriggerMessage", TRIGGER) == {"status": "Accepted"}
    [request] = _requests(link)
    return str(request["csr"])


def test_a02_fr_02_03_the_trigger_brings_a_csr_of_a_new_key(online: Link) -> None:
    csr = _renewed(online)
    [request] = _requests(online)
    assert request["certificateType"] == "ChargingStationCertificate"  # A02.FR.13
    parsed = x509.load_pem_x509_csr(csr.encode())
    assert parsed.is_signature_valid
    assert isinstance(parsed.public_key(), ec.EllipticCurvePublicKey)
    assert parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CS-1"
    assert parsed.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)  # A00.FR.509
    # The trigger's answer went first (F06), the request after it.
    assert online.station.model.own_certificate.pending


def test_a02_fr_06_a_chain_to_the_installed_csms_root_is_accepted_and_kept(
    online: Link, clock: ManualClock
) -> None:
    root = make_root("csms root", not_before=clock.now() - timedelta(days=1))
    online.call_station(
        "InstallCertificate", {"certificateType": "CSMSRootCertificate", "certificate": root.pem}
    )
    csr = _renewed(online)
    chain = sign_csr(root, csr, not_before=clock.now() - timedelta(minutes=1))
    answer = online.call_station(
        "CertificateSigned",
        {"certificateChain": chain, "certificateType": "ChargingStationCertificate"},
    )
    assert answer == {"status": "Accepted"}
    held = online.station.model.own_certificate.client_certificate()
    assert held is not None
    assert held.chain_pem == chain
    assert held.key_pem().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert not online.station.model.own_certificate.pending
    # M03 lists CA certificates only; M04.FR.06: the station's own is never deleted.
    names = read_certificate(chain).hash_data(issuer=read_certificate(root.pem))
    answer = online.call_station("DeleteCertificate", {"certificateHashData": names})
    assert answer == {"status": "Failed"}
    assert online.station.model.own_certificate.client_certificate() is held


def _refused(link: Link, chain: str) -> None:
    answer = link.call_station(
        "CertificateSigned",
        {"certificateChain": chain, "certificateType": "ChargingStationCertificate"},
    )
    assert answer["status"] == "Rejected"
    assert answer["statusInfo"]["reasonCode"] == "InvalidCertificate"
    assert link.station.model.own_certificate.client_certificate() is None
    events = link.csms.payloads("SecurityEventNotification")
    assert [e["type"] for e in events] == ["InvalidChargingStationCertificate"]  # A02.FR.07


def test_a02_fr_07_a_certificate_of_another_key_is_rejected_with_the_event(
    online: Link, clock: ManualClock
) -> None:
    root = make_root("csms root", not_before=clock.now() - timedelta(days=1))
    csr = _renewed(online)
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    _refused(online, sign_csr(root, csr, not_before=clock.now(), public_key=other))
    # A02.FR.20: nothing more is asked until the CSMS triggers again.
    online.run_for(3600)
    assert len(_requests(online)) == 1


def test_a02_fr_06_a_chain_that_no_installed_root_signed_is_rejected(
    online: Link, clock: ManualClock
) -> None:
    installed = make_root("csms root", not_before=clock.now() - timedelta(days=1))
    online.call_station(
        "InstallCertificate",
        {"certificateType": "CSMSRootCertificate", "certificate": installed.pem},
    )
    stranger = make_root("another root", not_before=clock.now() - timedelta(days=1))
    _refused(online, sign_csr(stranger, _renewed(online), not_before=clock.now()))


def test_a02_fr_06_an_expired_certificate_is_rejected(online: Link, clock: ManualClock) -> None:
    root = make_root("csms root", not_before=clock.now() - timedelta(days=30))
    _refused(
        online,
        sign_csr(root, _renewed(online), not_before=clock.now() - timedelta(days=20), valid_days=1),
    )


def test_a02_sign_certificate_rejected_discards_the_key(online: Link) -> None:
    _renewed(online, status="Rejected")
    assert not online.station.model.own_certificate.pending
    online.run_for(3600)
    assert len(_requests(online)) == 1  # no repetition of a refused request


def test_a02_fr_17_18_19_the_request_is_repeated_with_a_doubling_wait(
    online: Link, clock: ManualClock
) -> None:
    assert set_variable(online, "SecurityCtrlr", "CertSigningWaitMinimum", "10") == "Accepted"
    assert set_variable(online, "SecurityCtrlr", "CertSigningRepeatTimes", "1") == "Accepted"
    csr = _renewed(online)
    online.run_for(9)
    assert len(_requests(online)) == 1
    online.run_for(1)  # 10 s: the first repetition, the same CSR (A02.FR.17)
    assert [r["csr"] for r in _requests(online)] == [csr, csr]
    online.run_for(19)
    assert len(_requests(online)) == 2
    online.run_for(1)  # 20 s more: the wait doubled (A02.FR.18)
    assert len(_requests(online)) == 3
    online.run_for(3600)  # A02.FR.19: one doubling allowed, then no more
    assert len(_requests(online)) == 3
    # The certificate of the first request is still taken.
    root = make_root("csms root", not_before=clock.now() - timedelta(days=1))
    answer = online.call_station(
        "CertificateSigned", {"certificateChain": sign_csr(root, csr, not_before=clock.now())}
    )
    assert answer == {"status": "Accepted"}


def test_a02_a_v2g_certificate_is_rejected(online: Link, clock: ManualClock) -> None:
    root = make_root("csms root", not_before=clock.now() - timedelta(days=1))
    chain = sign_csr(root, _renewed(online), not_before=clock.now())
    answer = online.call_station(
        "CertificateSigned", {"certificateChain": chain, "certificateType": "V2GCertificate"}
    )
    assert answer["status"] == "Rejected"
    assert online.station.model.own_certificate.pending  # still waiting for its own
