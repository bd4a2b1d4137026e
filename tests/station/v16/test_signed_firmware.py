"""The 1.6 security extension's secure firmware update (L01): SignedUpdateFirmware, its
SignedFirmwareStatusNotifications and security events, the signing certificate checked against
the installed ManufacturerRootCertificates and the image's signature verified. Transfers are
scripted (``ScriptedIO``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chargeyard.protocol import Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.v16 import StationV16
from tests.certificates import Issued, make_root, make_signed, sign_image
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link
from tests.station.v16.conftest import make_station

FW_URL = "http://127.0.0.1:8080/images/chargeyard-3.0.0.bin"
IMAGE_3_0_0 = b"chargeyard-firmware 3.0.0\n" + bytes(range(256))
PAST = "2025-12-31T00:00:00.000Z"


@pytest.fixture
def io(station: StationV16, link: Link, clock: ManualClock) -> ScriptedIO:
    scripted = ScriptedIO(clock.monotonic)
    scripted.after = link.pump
    station.io = scripted
    return scripted


def _signer(link: Link, clock: ManualClock, *, installed: bool = True) -> Issued:
    root = make_root("manufacturer", not_before=clock.now() - timedelta(days=1))
    if installed:
        payload = {"certificateType": "ManufacturerRootCertificate", "certificate": root.pem}
        assert link.call_station("InstallCertificate", payload) == {"status": "Accepted"}
    return make_signed(root, "firmware signer", not_before=clock.now() - timedelta(hours=1))


def _update(
    link: Link, signer: Issued, signature: str, request_id: int = 7, **firmware: str
) -> Payload:
    payload = {
        "requestId": request_id,
        "firmware": {
            "location": FW_URL,
            "retrieveDateTime": PAST,
            "signingCertificate": signer.pem,
            "signature": signature,
            **firmware,
        },
    }
    return link.call_station("SignedUpdateFirmware", payload)


def _statuses(link: Link) -> list[str]:
    return [p["status"] for p in link.csms.payloads("SignedFirmwareStatusNotification")]


def _events(link: Link) -> list[tuple[str, str | None]]:
    return [(p["type"], p.get("techInfo")) for p in link.csms.payloads("SecurityEventNotification")]


def test_l01_signed_update_verified_installed_and_reported(
    online: Link, station: StationV16, io: ScriptedIO, clock: ManualClock
) -> None:
    signer = _signer(online, clock)
    online.csms.clear()
    assert _update(online, signer, sign_image(signer, IMAGE_3_0_0)) == {"status": "Accepted"}
    assert [d.url for d in io.requested_downloads] == [FW_URL]
    io.finish_download(IMAGE_3_0_0)
    assert online.csms.payloads("SignedFirmwareStatusNotification") == [
        {"status": "Downloading", "requestId": 7},  # L01.FR.10: the request's requestId
        {"status": "Downloaded", "requestId": 7},
        {"status": "SignatureVerified", "requestId": 7},  # L01.FR.04
        {"status": "Installing", "requestId": 7},
    ]
    online.run_for(station.firmware_install_s)
    assert _statuses(online)[-1] == "InstallRebooting"  # L01.FR.15
    assert not online.up
    online.run_for(5)
    assert online.csms.payloads("BootNotification")[-1]["firmwareVersion"] == "3.0.0"
    assert _statuses(online)[-1] == "Installed"
    assert _events(online) == [("FirmwareUpdated", "firmware 3.0.0")]
    assert "FirmwareStatusNotification" not in online.csms.actions()  # 5.19's is another update
    assert station.signed_firmware.status == "Idle"


def test_l01_a_signing_certificate_without_an_installed_root_is_invalid(
    online: Link, io: ScriptedIO, clock: ManualClock
) -> None:
    signer = _signer(online, clock, installed=False)
    online.csms.clear()
    answer = _update(online, signer, sign_image(signer, IMAGE_3_0_0))
    assert answer == {"status": "InvalidCertificate"}
    online.pump()
    assert io.requested_downloads == []
    assert _statuses(online) == []
    # L01.FR.02
    assert _events(online) == [
        ("InvalidFirmwareSigningCertificate", "no ManufacturerRootCertificate is installed")
    ]


def test_l01_an_invalid_signature_stops_the_update(
    online: Link, station: StationV16, io: ScriptedIO, clock: ManualClock
) -> None:
    old_version = station.model.firmware_version
    signer = _signer(online, clock)
    online.csms.clear()
    assert _update(online, signer, sign_image(signer, b"another image")) == {"status": "Accepted"}
    io.finish_download(IMAGE_3_0_0)
    assert _statuses(online) == ["Downloading", "Downloaded", "InvalidSignature"]
    assert _events(online) == [("InvalidFirmwareSignature", "the signature does not verify")]
    online.run_for(3600)
    assert online.up
    assert station.model.firmware_version == old_version
    assert station.signed_firmware.status == "Idle"


def test_l01_install_date_time_ahead_schedules_the_installation(
    online: Link, station: StationV16, io: ScriptedIO, clock: ManualClock
) -> None:
    signer = _signer(online, clock)
    online.csms.clear()
    signature = sign_image(signer, IMAGE_3_0_0)
    _update(online, signer, signature, installDateTime="2026-01-01T01:00:00.000Z")
    io.finish_download(IMAGE_3_0_0)
    assert _statuses(online)[-1] == "InstallScheduled"  # L01.FR.16
    online.run_for(3599)
    assert _statuses(online)[-1] == "InstallScheduled"
    online.run_for(1)
    assert _statuses(online)[-1] == "Installing"


def test_l01_a_newer_update_cancels_the_one_under_way_but_not_an_installation(
    online: Link, station: StationV16, io: ScriptedIO, clock: ManualClock
) -> None:
    signer = _signer(online, clock)
    signature = sign_image(signer, IMAGE_3_0_0)
    assert _update(online, signer, signature, 7) == {"status": "Accepted"}
    assert _update(online, signer, signature, 8) == {"status": "AcceptedCanceled"}
    io.finish_download(IMAGE_3_0_0)  # the first one's: cancelled, it reports nothing
    assert station.signed_firmware.status == "Downloading"
    io.finish_download(IMAGE_3_0_0)
    assert station.signed_firmware.status == "Installing"
    assert _update(online, signer, signature, 9) == {"status": "Rejected"}
    last = online.csms.payloads("SignedFirmwareStatusNotification")[-1]
    assert last == {"status": "Installing", "requestId": 8}


def test_l01_installation_waits_for_the_transaction(clock: ManualClock) -> None:
    station = make_station(clock, "alfen-eve-double-pro-line")
    link = Link(station, clock)
    io = ScriptedIO(clock.monotonic)
    io.after, station.io = link.pump, io
    link.connect()
    signer = _signer(link, clock)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()

    _update(link, signer, sign_image(signer, IMAGE_3_0_0))
    io.finish_download(IMAGE_3_0_0)
    link.run_for(600)
    assert _statuses(link) == ["Downloading", "Downloaded", "SignatureVerified"]  # L01.FR.06
    statuses = [(p["connectorId"], p["status"]) for p in link.csms.payloads("StatusNotification")]
    assert statuses == [(2, "Unavailable")]  # L01.FR.07

    station.unplug(1, 1)
    link.run_for(0)
    assert _statuses(link)[-1] == "Installing"


def test_l01_one_update_at_a_time_signed_or_not(
    online: Link, station: StationV16, io: ScriptedIO, clock: ManualClock
) -> None:
    signer = _signer(online, clock)
    signature = sign_image(signer, IMAGE_3_0_0)
    plain = {"location": FW_URL, "retrieveDate": PAST}
    assert online.call_station("UpdateFirmware", plain) == {}
    assert station.firmware_status == "Downloading"
    # The signed update cancels the unsigned one under way.
    assert _update(online, signer, signature) == {"status": "AcceptedCanceled"}
    assert station.firmware_status == "Idle"
    assert station.signed_firmware.status == "Downloading"
    # And an UpdateFirmware.req cancels the signed one (section 5.19: a newer request).
    assert online.call_station("UpdateFirmware", plain) == {}
    assert station.signed_firmware.status == "Idle"
    assert station.firmware_status == "Downloading"
    for _ in range(3):
        io.finish_download(IMAGE_3_0_0)  # the cancelled transfers report nothing
    assert station.firmware_status == "Installing"
    assert _update(online, signer, signature) == {"status": "Rejected"}
