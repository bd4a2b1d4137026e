"""``POST /api/v1/chargers/{id}/trigger`` SignChargePointCertificate through chargeyard's real
CSMS to its simulated stations of each version: the charger renews its own certificate (1.6
ExtendedTriggerMessage, 2.0.1 TriggerMessage, A02), the central system's CA signs it, and what
came of it is kept as the charger's notifications; and the same with stations written with the
``ocpp`` library (``ocpp_library_stations.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from chargeyard.api.settings import ApiSettings
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.protocol import V16, V201, VersionSpec
from tests.api.ocpp_library_stations import booted
from tests.polling import polled, until
from tests.stack_lab import KNOWN_ONLY, StackLab, stack_lab

IDENTITY = "CHARGER-CERT"
SENT = {"1.6": "ExtendedTriggerMessage", "2.0.1": "TriggerMessage"}


@pytest.fixture
def authority(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority.in_data_dir(tmp_path / "ca")


@pytest.fixture
async def signing_lab(
    tmp_path: Path, settings: ApiSettings, authority: CertificateAuthority
) -> AsyncIterator[StackLab]:
    csms = replace(KNOWN_ONLY, authority=authority)
    async with stack_lab(tmp_path, csms=csms, settings=settings) as lab:
        yield lab


async def _notifications(lab: StackLab) -> dict[str, Any]:
    response = await lab.client.get(
        f"/api/v1/chargers/{IDENTITY}/notifications", params={"kind": "certificate"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
@pytest.mark.parametrize("word", ["SignChargePointCertificate", "SignChargingStationCertificate"])
async def test_a02_the_charger_renews_its_certificate_signed_by_the_csms(
    signing_lab: StackLab, authority: CertificateAuthority, version: VersionSpec, word: str
) -> None:
    runtime = await signing_lab.station(IDENTITY, version)
    response = await signing_lab.client.post(
        f"/api/v1/chargers/{IDENTITY}/trigger", json={"requestedMessage": word}
    )
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": f"{word} trigger accepted by charger",
            "chargeBoxId": IDENTITY,
            "requestedMessage": word,
            "connectorId": None,
            "status": "accepted",
        },
    )
    body = await polled(
        lambda: _notifications(signing_lab),
        lambda body: any(n["action"] == "CertificateSigned" for n in body["notifications"]),
    )
    outcomes = [(n["action"], n["status"]) for n in body["notifications"]]
    assert outcomes == [("CertificateSigned", "Accepted"), ("SignCertificate", "Accepted")]
    held = runtime.station.model.own_certificate.client_certificate()
    assert held is not None
    held.certificate.parsed.verify_directly_issued_by(authority.certificate)
    history = await signing_lab.client.get("/api/v1/commands", params={"chargeBoxId": IDENTITY})
    assert SENT[version.name] in history.text


async def test_without_a_ca_the_request_is_rejected_and_nothing_signed(
    csms_lab: StackLab,
) -> None:
    runtime = await csms_lab.station(IDENTITY, V201)
    response = await csms_lab.client.post(
        f"/api/v1/chargers/{IDENTITY}/trigger",
        json={"requestedMessage": "SignChargePointCertificate"},
    )
    assert response.json()["status"] == "accepted"
    body = await polled(lambda: _notifications(csms_lab), lambda body: body["count"] == 1)
    assert [(n["action"], n["status"]) for n in body["notifications"]] == [
        ("SignCertificate", "Rejected")
    ]
    # The central system keeps its answer before the station has read it.
    own_certificate = runtime.station.model.own_certificate
    await until(lambda: not own_certificate.pending)
    assert own_certificate.client_certificate() is None
    assert not own_certificate.pending


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a02_a_station_of_the_ocpp_library_gets_its_certificate(
    signing_lab: StackLab, authority: CertificateAuthority, version: str
) -> None:
    async with booted(signing_lab, version, IDENTITY) as station:
        response = await signing_lab.client.post(
            f"/api/v1/chargers/{IDENTITY}/trigger",
            json={"requestedMessage": "SignChargePointCertificate"},
        )
        assert response.json()["status"] == "accepted"
        # CertificateSigned follows the answer to SignCertificate on the wire, but the station
        # may handle it before its own call returns with that answer: wait for both.
        await until(lambda: station.own_certificate is not None and bool(station.sign_answers))
        assert station.sign_answers == ["Accepted"]
        assert station.own_certificate is not None
        certificate = x509.load_pem_x509_certificate(station.own_certificate.encode())
        certificate.verify_directly_issued_by(authority.certificate)
        body = await polled(
            lambda: _notifications(signing_lab),
            lambda body: any(n["action"] == "CertificateSigned" for n in body["notifications"]),
        )
        assert body["notifications"][0]["status"] == "Accepted"


async def test_a02_a_station_that_refuses_the_certificate_is_told_as_rejected(
    signing_lab: StackLab,
) -> None:
    async with booted(signing_lab, "2.0.1", IDENTITY) as station:
        station.script("CertificateSigned", status="Rejected")
        await signing_lab.client.post(
            f"/api/v1/chargers/{IDENTITY}/trigger",
            json={"requestedMessage": "SignChargingStationCertificate"},
        )
        body = await polled(
            lambda: _notifications(signing_lab),
            lambda body: any(n["action"] == "CertificateSigned" for n in body["notifications"]),
        )
        assert [(n["action"], n["status"]) for n in body["notifications"]] == [
            ("CertificateSigned", "Rejected"),
            ("SignCertificate", "Accepted"),
        ]
