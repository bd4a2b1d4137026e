"""Certificate management from the central system (1.6 security extension InstallCertificate,
GetInstalledCertificateIds, DeleteCertificate; 2.0.1 M03-M05): one API body each, said in the
station's version, against a station that keeps what it is given. What the station's version
cannot say, or a text that is not a certificate, is a 422 and nothing is sent."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.protocol.certificates import read_certificate, same_certificate
from tests.api.conftest import ApiLab
from tests.certificates import make_root

ID = {"1.6": "CP-16", "2.0.1": "CS-201"}
SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}


class Keeper:
    """A station's CA certificates as the specifications have it keep them: installed by
    InstallCertificate, listed by use, deleted by their id; answered in ``version``'s words."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.kept: list[tuple[str, dict[str, Any]]] = []  # (use as sent, hash data)

    def __call__(self, call: list[Any]) -> list[Any]:
        _, unique_id, action, payload = call
        return [3, unique_id, getattr(self, action)(payload)]

    def InstallCertificate(self, payload: dict[str, Any]) -> dict[str, Any]:
        data = read_certificate(payload["certificate"]).hash_data("SHA256")
        self.kept.append((payload["certificateType"], data))
        return {"status": "Accepted"}

    def GetInstalledCertificateIds(self, payload: dict[str, Any]) -> dict[str, Any]:
        wanted = payload.get("certificateType")
        if self.version == "1.6":
            found = [data for use, data in self.kept if use == wanted]
            return (
                {"status": "Accepted", "certificateHashData": found}
                if found
                else {"status": "NotFound"}
            )
        chains = [
            {"certificateType": use, "certificateHashData": data}
            for use, data in self.kept
            if not wanted or use in wanted
        ]
        if not chains:
            return {"status": "NotFound"}
        return {"status": "Accepted", "certificateHashDataChain": chains}

    def DeleteCertificate(self, payload: dict[str, Any]) -> dict[str, Any]:
        named = payload["certificateHashData"]
        kept = [(use, data) for use, data in self.kept if not same_certificate(data, named)]
        status = "Accepted" if len(kept) < len(self.kept) else "NotFound"
        self.kept = kept
        return {"status": status}


@pytest.fixture(params=["1.6", "2.0.1"])
async def version(lab: ApiLab, request: pytest.FixtureRequest) -> str:
    await lab.raw_peer(ID[request.param], Keeper(request.param), SUBPROTOCOL[request.param])
    return str(request.param)


async def _post(lab: ApiLab, version: str, path: str, body: Any) -> tuple[int, Any]:
    response = await lab.post(ID[version], f"certificates/{path}", body)
    return response.status_code, response.json()


async def test_m05_install_m03_list_m04_delete(lab: ApiLab, version: str) -> None:
    root = make_root("lab CSMS root")
    hash_data = read_certificate(root.pem).hash_data("SHA256")
    body = {"certificateType": "CSMSRootCertificate", "certificate": root.pem}
    assert await _post(lab, version, "install", body) == (
        200,
        {
            "message": "Certificate install accepted by charger",
            "chargeBoxId": ID[version],
            "certificateType": "CSMSRootCertificate",
            "certificateHashData": hash_data,
            "status": "accepted",
        },
    )
    use = {"1.6": "CentralSystemRootCertificate", "2.0.1": "CSMSRootCertificate"}[version]
    assert lab.last_call() == (
        "InstallCertificate",
        {"certificateType": use, "certificate": root.pem},
    )

    listed = {
        "chargeBoxId": ID[version],
        "status": "accepted",
        "certificates": [
            {
                "certificateType": "CSMSRootCertificate",
                "certificateHashData": hash_data,
                "childCertificateHashData": None,
            }
        ],
    }
    body = {"certificateTypes": ["CSMSRootCertificate"]}
    assert await _post(lab, version, "installed", body) == (200, listed)
    asked = {"1.6": use, "2.0.1": ["CSMSRootCertificate"]}[version]
    assert lab.last_call() == ("GetInstalledCertificateIds", {"certificateType": asked})

    assert await _post(lab, version, "delete", {"certificateHashData": hash_data}) == (
        200,
        {
            "message": "Certificate delete accepted by charger",
            "chargeBoxId": ID[version],
            "certificateHashData": hash_data,
            "status": "accepted",
        },
    )
    assert lab.last_call() == ("DeleteCertificate", {"certificateHashData": hash_data})
    status, answer = await _post(lab, version, "delete", {"certificateHashData": hash_data})
    assert (status, answer["status"]) == (200, "not_found")
    assert await _post(lab, version, "installed", {}) == (
        200,
        {"chargeBoxId": ID[version], "status": "not_found", "certificates": []},
    )


async def test_m03_every_use_listed_with_its_use(lab: ApiLab, version: str) -> None:
    csms, maker = make_root("lab CSMS root"), make_root("lab manufacturer root")
    for use, root in (("CSMSRootCertificate", csms), ("ManufacturerRootCertificate", maker)):
        body = {"certificateType": use, "certificate": root.pem}
        assert (await _post(lab, version, "install", body))[0] == 200
    lab.registry.sent.clear()
    status, answer = await _post(lab, version, "installed", {})
    assert (status, answer["status"]) == (200, "accepted")
    assert [(c["certificateType"], c["certificateHashData"]) for c in answer["certificates"]] == [
        ("CSMSRootCertificate", read_certificate(csms.pem).hash_data()),
        ("ManufacturerRootCertificate", read_certificate(maker.pem).hash_data()),
    ]
    # A 1.6 request names one type: every use is asked for in turn.
    asked = {
        "1.6": [
            {"certificateType": "CentralSystemRootCertificate"},
            {"certificateType": "ManufacturerRootCertificate"},
        ],
        "2.0.1": [{}],
    }[version]
    assert [payload for _, _, payload in lab.registry.sent] == asked


async def test_a_text_that_is_not_a_certificate_is_refused_unsent(
    lab: ApiLab, version: str
) -> None:
    lab.registry.sent.clear()
    body = {"certificateType": "CSMSRootCertificate", "certificate": "MIIB...not PEM"}
    assert await _post(lab, version, "install", body) == (
        422,
        {"detail": "certificate: not a PEM certificate (no BEGIN CERTIFICATE line)"},
    )
    two = make_root().pem + make_root().pem
    body = {"certificateType": "CSMSRootCertificate", "certificate": two}
    assert await _post(lab, version, "install", body) == (
        422,
        {"detail": "certificate: 2 certificates where one was expected"},
    )
    assert lab.registry.sent == []


async def test_an_iso_15118_use_is_2_0_1_s(lab: ApiLab, version: str) -> None:
    lab.registry.sent.clear()
    body = {"certificateType": "V2GRootCertificate", "certificate": make_root().pem}
    status, answer = await _post(lab, version, "install", body)
    listing = await _post(lab, version, "installed", {"certificateTypes": ["MORootCertificate"]})
    if version == "1.6":
        assert (status, listing[0], lab.registry.sent) == (422, 422, [])
        assert answer["detail"] == (
            "certificateType V2GRootCertificate is an OCPP 2.0.1 use: a 1.6 station (security"
            " extension) keeps CSMSRootCertificate (its CentralSystemRootCertificate) and"
            " ManufacturerRootCertificate"
        )
    else:
        assert (status, answer["status"], listing[1]["status"]) == (200, "accepted", "not_found")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (
            {"certificateType": "CentralSystemRootCertificate", "certificate": "x"},
            "certificateType",
        ),
        ({"certificateType": "CSMSRootCertificate", "certificate": "x" * 5501}, "certificate"),
    ],
)
async def test_a_body_out_of_the_vocabulary_is_422(
    lab: ApiLab, version: str, body: dict[str, str], where: str
) -> None:
    lab.registry.sent.clear()
    status, answer = await _post(lab, version, "install", body)
    assert (status, [problem["loc"] for problem in answer["detail"]]) == (422, [["body", where]])
    assert lab.registry.sent == []


async def test_a_delete_names_a_whole_id(lab: ApiLab, version: str) -> None:
    lab.registry.sent.clear()
    body = {"certificateHashData": {"hashAlgorithm": "MD5", "issuerNameHash": "ab"}}
    status, answer = await _post(lab, version, "delete", body)
    assert status == 422
    assert sorted(p["loc"][-1] for p in answer["detail"]) == [
        "hashAlgorithm",
        "issuerKeyHash",
        "serialNumber",
    ]
    assert lab.registry.sent == []


@pytest.mark.parametrize("station_version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_chargeyard_s_station_is_sent_nothing_for_a_text_that_is_not_a_certificate(
    lab: ApiLab, station_version: VersionSpec
) -> None:
    await lab.station("CP-SIM", station_version)
    lab.registry.sent.clear()
    body = {
        "certificateType": "ManufacturerRootCertificate",
        "certificate": "-----BEGIN CERTIFICATE-----",
    }
    response = await lab.post("CP-SIM", "certificates/install", body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("certificate: not a readable X.509 certificate")
    assert lab.registry.sent == []
