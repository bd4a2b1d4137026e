"""Gateway chargers at security profile 3 (``api/gateway/client_certificates.py``), end to end:
chargeyard's central system listens on ``wss://`` and asks every station for a client
certificate chaining to the lab's certificate authority (``--tls-client-ca``, OCPP 2.0.1 part 2
A00.FR.4xx); a charger made by ``POST /ocpp/deployment`` at profile 3 gets a certificate from
that authority and boots Accepted, and one that has none is refused at the TLS handshake."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from chargeyard.conformance.tls_chain import CertificateAuthority as ServerChain
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.gateway.security import CLIENT_CERTIFICATE_KEY
from chargeyard.tls_settings import TlsSettings
from tests.api.gateway_fleet import ORG
from tests.api.gateway_lab import gateway_settings
from tests.polling import eventually, until
from tests.stack_lab import OPEN_CSMS, StackLab, stack_lab

MODEL = "alfen-eve-single-pro-line"


@pytest.fixture
async def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StackLab]:
    """The stack whose central system listens as ``chargeyard csms --tls-cert server.pem
    --tls-key server-key.pem --tls-client-ca ca-cert.pem`` does, ``ca-cert.pem`` being the
    lab's certificate authority (the one that also signs what its stations ask it to)."""
    authority = CertificateAuthority.in_data_dir(tmp_path)
    server = ServerChain(tmp_path / "server-ca").server("127.0.0.1")
    # The stations trust the server's root as a system trust store would (OpenSSL reads it).
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "server-ca" / "root.pem"))
    tls = TlsSettings(server.cert_file, server.key_file, tmp_path / "ca-cert.pem")
    csms = dataclasses.replace(OPEN_CSMS, tls=tls, authority=authority)
    async with stack_lab(
        tmp_path, csms=csms, settings=gateway_settings(), gateway=True, credentials="operator"
    ) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        yield lab


async def test_a_profile_3_charger_presents_the_labs_certificate_and_boots_accepted(
    lab: StackLab,
) -> None:
    assert lab.csms_url.startswith("wss://")
    body = {"identity": "CP-TLS-3", "model": MODEL, "ws_url": lab.csms_url, "security_profile": 3}

    response = await lab.client.post("/ocpp/deployment", json=body)

    assert response.status_code == 202, response.text
    charger_id = response.json()["deployment_id"]
    await until(lambda: lab.booted(charger_id), within=15)
    assert lab.registry.is_connected("CP-TLS-3")
    station = lab.hosted(charger_id)
    assert (station.security_profile, station.password) == (3, None)
    charger = await lab.store.chargers.get(ORG, charger_id)
    assert charger is not None
    chain = x509.load_pem_x509_certificates(
        charger.config[CLIENT_CERTIFICATE_KEY]["chain"].encode()
    )
    subject = chain[0].subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CP-TLS-3"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORG
    assert chain[0].issuer == lab.csms.settings.authority.certificate.subject  # type: ignore[union-attr]
    # The key stays in the row: no answer shows it.
    shown = await lab.client.get(f"/ocpp/chargers/{charger_id}")
    assert "PRIVATE KEY" not in shown.text
    assert CLIENT_CERTIFICATE_KEY not in shown.text


async def test_a_charger_without_a_certificate_is_refused_at_the_handshake(
    lab: StackLab, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "chargeyard.csms.tls_failures")
    body = {
        "identity": "CP-TLS-2",
        "model": MODEL,
        "ws_url": lab.csms_url,
        "security_profile": 2,
        "authorization_key": "basic-password-2",
    }

    response = await lab.client.post("/ocpp/deployment", json=body)

    assert response.status_code == 202, response.text
    charger_id = response.json()["deployment_id"]

    async def refused() -> bool:
        status = lab.host.station_status(charger_id)
        return status is not None and status.last_error is not None

    await eventually(refused, within=15)
    status = lab.host.station_status(charger_id)
    assert status is not None
    assert status.registration == "Disconnected", status.last_error
    said = [r.getMessage() for r in caplog.records if r.name == "chargeyard.csms.tls_failures"]
    assert any("it presented no client certificate (profile 3)" in line for line in said), said
    assert not lab.registry.is_connected("CP-TLS-2")
    assert await lab.store.stations.get("CP-TLS-2") is None  # never admitted


async def test_profile_3_without_a_certificate_authority_is_refused(tmp_path: Path) -> None:
    async with stack_lab(
        tmp_path, settings=gateway_settings(), gateway=True, credentials="operator"
    ) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        body = {
            "identity": "CP-3",
            "model": MODEL,
            "ws_url": "wss://csms.example.com/ocpp",
            "security_profile": 3,
        }
        response = await lab.client.post("/ocpp/deployment", json=body)
        assert response.status_code == 422, response.text
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "security_profile"]
        assert "no certificate authority" in error["msg"]
        assert await lab.store.chargers.list(ORG) == []


async def test_a_renamed_profile_3_charger_gets_a_certificate_naming_its_new_identity(
    lab: StackLab,
) -> None:
    body = {"identity": "CP-OLD", "model": MODEL, "ws_url": lab.csms_url, "security_profile": 3}
    response = await lab.client.post("/ocpp/deployment", json=body)
    charger_id = response.json()["deployment_id"]
    await until(lambda: lab.booted(charger_id), within=15)

    renamed = await lab.client.put(f"/ocpp/chargers/{charger_id}", json={"identity": "CP-NEW"})

    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["runtime_action"] == "restarted"
    await until(lambda: lab.registry.is_connected("CP-NEW"), within=15)
    await until(lambda: lab.booted(charger_id), within=15)
    charger = await lab.store.chargers.get(ORG, charger_id)
    assert charger is not None
    [leaf, *_] = x509.load_pem_x509_certificates(
        charger.config[CLIENT_CERTIFICATE_KEY]["chain"].encode()
    )
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CP-NEW"


async def test_once_its_csms_signed_one_the_charger_presents_that_certificate(
    lab: StackLab,
) -> None:
    body = {"identity": "CP-A02", "model": MODEL, "ws_url": lab.csms_url, "security_profile": 3}
    response = await lab.client.post("/ocpp/deployment", json=body)
    charger_id = response.json()["deployment_id"]
    await until(lambda: lab.booted(charger_id), within=15)
    station = lab.hosted(charger_id)
    issued = station.client_certificate  # the lab's, from the charger's row
    assert station.presented_certificate() is issued

    # A02: the central system has the station renew its certificate, and signs it.
    _, key = await lab.store.api_keys.create("renewal", organization_id=ORG)
    triggered = await lab.client.post(
        "/api/v1/chargers/CP-A02/trigger",
        json={"requestedMessage": "SignChargePointCertificate"},
        headers={"X-API-Key": key},
    )
    assert triggered.json()["status"] == "accepted", triggered.text
    await until(lambda: station.model.own_certificate.client_certificate() is not None)
    signed = station.model.own_certificate.client_certificate()
    assert signed != issued
    assert station.presented_certificate() is signed

    fleet = lab.host.fleet_of(ORG)
    assert fleet is not None
    runtime = fleet.runtime("CP-A02")
    connects = runtime.stats.connects
    station.redial()  # a new connection: its TLS handshake presents the signed one
    await until(lambda: runtime.stats.connects > connects and lab.booted(charger_id), within=15)
    assert lab.registry.is_connected("CP-A02")
