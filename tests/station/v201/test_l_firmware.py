"""OCPP 2.0.1 L: firmware updates (L01 secure, L02 not), their FirmwareStatusNotifications, and
Reset while installing. Transfers are scripted (``ScriptedIO``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chargeyard.protocol import OcppError, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from tests.certificates import Issued, make_root, make_signed, sign_image
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.support import statuses, ts

FW_URL = "http://127.0.0.1:8080/images/chargeyard-2.0.0.bin"
IMAGE_2_0_0 = b"chargeyard-firmware 2.0.0\n" + bytes(range(256))
PAST = "2025-12-31T00:00:00.000Z"


@pytest.fixture
def io(station: StationV201, link: Link, clock: ManualClock) -> ScriptedIO:
    scripted = ScriptedIO(clock.monotonic)
    scripted.after = link.pump
    station.io = scripted
    return scripted


def _update(link: Link, request_id: int = 3, retrieve: str = PAST, **fields: Any) -> Payload:
    firmware = {"location": fields.pop("location", FW_URL), "retrieveDateTime": retrieve}
    firmware.update(fields.pop("firmware", {}))
    payload = {"requestId": request_id, "firmware": firmware, **fields}
    return link.call_station("UpdateFirmware", payload)


def _statuses(link: Link) -> list[str]:
    return [p["status"] for p in link.csms.payloads("FirmwareStatusNotification")]


def _trigger(link: Link) -> Payload:
    link.csms.clear()
    answer = link.call_station("TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"})
    assert answer == {"status": "Accepted"}
    [notification] = link.csms.payloads("FirmwareStatusNotification")
    return notification


def test_l01_update_firmware_installs_and_reboots_with_new_version(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    old_version = station.model.firmware_version
    answer = _update(online, 3, "2026-01-01T01:00:00.000Z", retries=2, retryInterval=30)
    assert answer == {"status": "Accepted"}
    assert online.csms.payloads("FirmwareStatusNotification") == [
        {"status": "DownloadScheduled", "requestId": 3}  # L01.FR.13
    ]
    online.run_for(3599)
    assert io.requested_downloads == []
    online.run_for(1)
    assert [(d.url, d.at) for d in io.requested_downloads] == [(FW_URL, 3600.0)]
    online.csms.clear()
    io.finish_download(IMAGE_2_0_0)
    assert online.csms.payloads("FirmwareStatusNotification") == [
        {"status": "Downloaded", "requestId": 3},
        {"status": "Installing", "requestId": 3},
    ]
    assert station.model.firmware_version == old_version
    online.run_for(station.firmware_install_s)
    assert not online.up  # L01.FR.15: InstallRebooting, then the reboot
    assert _statuses(online)[-1] == "InstallRebooting"
    online.csms.clear()
    online.run_for(5)
    assert online.csms.actions() == [
        "BootNotification",
        "StatusNotification",
        "FirmwareStatusNotification",
        *["SecurityEventNotification"] * 3,
    ]
    assert online.csms.payloads("BootNotification") == [
        {
            "reason": "FirmwareUpdate",
            "chargingStation": {
                "model": "NG910-60003",
                "vendorName": "Alfen BV",
                "firmwareVersion": "2.0.0",
            },
        }
    ]
    assert online.csms.payloads("FirmwareStatusNotification") == [
        {"status": "Installed", "requestId": 3}
    ]
    assert _trigger(online) == {"status": "Idle"}  # L01.FR.25
    online.csms.clear()
    online.run_for(3600)
    assert "FirmwareStatusNotification" not in online.csms.actions()


def _signer(link: Link, clock: ManualClock, *, installed: bool = True) -> Issued:
    """A firmware signing certificate of a manufacturer root, installed unless said not."""
    root = make_root("manufacturer", not_before=clock.now() - timedelta(days=1))
    if installed:
        payload = {"certificateType": "ManufacturerRootCertificate", "certificate": root.pem}
        assert link.call_station("InstallCertificate", payload) == {"status": "Accepted"}
    return make_signed(root, "firmware signer", not_before=clock.now() - timedelta(hours=1))


def _security_events(link: Link) -> list[tuple[str, str | None]]:
    return [(p["type"], p.get("techInfo")) for p in link.csms.payloads("SecurityEventNotification")]


def test_l01_a_signed_firmware_is_verified_before_installing(
    online: Link, io: ScriptedIO, clock: ManualClock
) -> None:
    signer = _signer(online, clock)
    signed = {"signingCertificate": signer.pem, "signature": sign_image(signer, IMAGE_2_0_0)}
    assert _update(online, firmware=signed) == {"status": "Accepted"}
    io.finish_download(IMAGE_2_0_0)
    # L01.FR.04
    assert _statuses(online) == ["Downloading", "Downloaded", "SignatureVerified", "Installing"]


def test_l01_fr_22_a_certificate_no_installed_root_issued_is_invalid(
    online: Link, io: ScriptedIO, clock: ManualClock
) -> None:
    signer = _signer(online, clock, installed=False)
    online.csms.clear()
    signed = {"signingCertificate": signer.pem, "signature": sign_image(signer, IMAGE_2_0_0)}
    assert _update(online, firmware=signed) == {"status": "InvalidCertificate"}
    online.pump()
    assert io.requested_downloads == []
    assert _statuses(online) == []
    # L01.FR.02
    assert _security_events(online) == [
        ("InvalidFirmwareSigningCertificate", "no ManufacturerRootCertificate is installed")
    ]


def test_l01_fr_22_a_refused_certificate_leaves_the_update_under_way(
    online: Link, io: ScriptedIO, clock: ManualClock
) -> None:
    signer = _signer(online, clock)
    signed = {"signingCertificate": signer.pem, "signature": sign_image(signer, IMAGE_2_0_0)}
    assert _update(online, 3, firmware=signed) == {"status": "Accepted"}
    stranger = _signer(online, clock, installed=False)
    other = {"signingCertificate": stranger.pem, "signature": sign_image(stranger, IMAGE_2_0_0)}
    assert _update(online, 4, firmware=other) == {"status": "InvalidCertificate"}
    io.finish_download(IMAGE_2_0_0)
    assert {p["requestId"] for p in online.csms.payloads("FirmwareStatusNotification")} == {3}
    assert _statuses(online)[-1] == "Installing"


def test_l01_fr_03_an_invalid_signature_stops_the_update(
    online: Link, station: StationV201, io: ScriptedIO, clock: ManualClock
) -> None:
    old_version = station.model.firmware_version
    signer = _signer(online, clock)
    online.csms.clear()
    signed = {"signingCertificate": signer.pem, "signature": sign_image(signer, b"another image")}
    assert _update(online, firmware=signed) == {"status": "Accepted"}
    io.finish_download(IMAGE_2_0_0)
    assert online.csms.payloads("FirmwareStatusNotification") == [
        {"status": "Downloading", "requestId": 3},
        {"status": "Downloaded", "requestId": 3},
        {"status": "InvalidSignature", "requestId": 3},
    ]
    assert _security_events(online) == [
        ("InvalidFirmwareSignature", "the signature does not verify")
    ]
    online.run_for(3600)
    assert station.model.firmware_version == old_version  # nothing installed, no reboot
    assert online.up
    assert _trigger(online) == {"status": "InvalidSignature", "requestId": 3}  # L01.FR.26


def test_l01_a_signature_without_its_certificate_cannot_be_verified(
    online: Link, io: ScriptedIO
) -> None:
    assert _update(online, firmware={"signature": "c2lnbmF0dXJl"}) == {
        "status": "InvalidCertificate"
    }
    assert io.requested_downloads == []


def test_l01_install_date_time_ahead_schedules_the_installation(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    _update(online, firmware={"installDateTime": "2026-01-01T02:00:00.000Z"})
    io.finish_download(IMAGE_2_0_0)
    assert _statuses(online) == ["Downloading", "Downloaded", "InstallScheduled"]  # L01.FR.16
    station.plug(1, 1)  # sessions go on until then
    station.present_id_token("TAG-1")
    online.pump()
    station.present_id_token("TAG-1")
    station.unplug(1, 1)
    online.run_for(7199)
    assert _statuses(online)[-1] == "InstallScheduled"
    online.run_for(1)
    assert _statuses(online)[-1] == "Installing"  # L01.FR.17


def test_l01_a_failed_download_is_retried_then_download_failed(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    old_version = station.model.firmware_version
    _update(online, 4, retries=1, retryInterval=10)
    io.fail_download()
    online.run_for(10)
    io.fail_download("ConnectError: connection refused")
    assert [d.at for d in io.requested_downloads] == [0.0, 10.0]
    assert online.csms.payloads("FirmwareStatusNotification") == [
        {"status": "Downloading", "requestId": 4},
        {"status": "DownloadFailed", "requestId": 4},
    ]
    assert _trigger(online) == {"status": "DownloadFailed", "requestId": 4}  # L01.FR.26
    online.run_for(3600)
    assert "BootNotification" not in online.csms.actions()
    assert station.model.firmware_version == old_version


def test_l01_a_corrupt_image_fails_installation_without_reboot(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    _update(online)
    io.finish_download(b"chargeyard-firmware\n")  # no version: corrupt
    online.run_for(station.firmware_install_s)
    assert online.up
    assert _statuses(online) == ["Downloading", "Downloaded", "Installing", "InstallationFailed"]
    online.csms.clear()
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}


def test_l01_installation_waits_for_transactions_with_idle_evses_unavailable(
    clock: ManualClock,
) -> None:
    station = make_station(clock, "alfen-eve-double-pro-line")
    link = make_link(station, clock)
    io = ScriptedIO(clock.monotonic)
    io.after, station.io = link.pump, io
    link.connect()
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()
    _update(link)
    io.finish_download(IMAGE_2_0_0)
    link.run_for(600)
    # L01.FR.06: not while a transaction runs; L01.FR.07: the free EVSE is Unavailable.
    assert _statuses(link) == ["Downloading", "Downloaded", "InstallScheduled"]
    assert statuses(link) == [(2, 1, "Unavailable")]
    with pytest.raises(OcppError):
        station.plug(2, 1)
    link.csms.clear()
    station.present_id_token("TAG-1")  # the driver stops; the cable comes out
    station.unplug(1, 1)
    link.pump()
    # The last transaction has ended: Installing; the EVSE it freed is held too.
    assert [a for a in link.csms.actions() if a != "TransactionEvent"] == [
        "FirmwareStatusNotification",
        "StatusNotification",
        "StatusNotification",
    ]
    assert _statuses(link) == ["Installing"]
    assert statuses(link) == [(1, 1, "Available"), (1, 1, "Unavailable")]
    link.csms.clear()
    link.run_for(station.firmware_install_s + 5)
    assert statuses(link) == [(1, 1, "Available"), (2, 1, "Available")]
    assert link.csms.payloads("BootNotification")[0]["chargingStation"]["firmwareVersion"] == (
        "2.0.0"
    )


def test_l01_a_new_update_cancels_the_one_under_way(online: Link, io: ScriptedIO) -> None:
    _update(online, 3, "2026-01-01T01:00:00.000Z")
    newer = "http://127.0.0.1:8080/images/eve-6.2.1.bin"
    assert _update(online, 4, location=newer) == {"status": "AcceptedCanceled"}  # L01.FR.24
    online.run_for(7200)
    assert [d.url for d in io.requested_downloads] == [newer]
    io.finish_download(b"\x7fELF opaque vendor image")
    # From Installing on, the installation cannot be cancelled (L01.FR.27).
    assert _update(online, 5) == {"status": "Rejected"}
    online.run_for(60)
    assert online.csms.payloads("BootNotification")[0]["chargingStation"]["firmwareVersion"] == (
        "eve-6.2.1"
    )
    assert online.csms.payloads("FirmwareStatusNotification")[-1] == {
        "status": "Installed",
        "requestId": 4,
    }


def test_b11_reset_is_rejected_while_the_firmware_installs(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    _update(online)
    assert online.call_station("Reset", {"type": "OnIdle"}) == {"status": "Accepted"}
    online.follow_station()
    online.run_for(6)  # the reset abandons the download: it starts over after the boot
    assert [d.at for d in io.requested_downloads] == [0.0, 6.0]  # off after 1 s, for 5 s
    io.finish_download(b"chargeyard-firmware 1.0.0\n")  # the interrupted one: too late
    io.finish_download(IMAGE_2_0_0)
    assert _statuses(online)[-1] == "Installing"
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Rejected"}
    assert online.call_station("Reset", {"type": "OnIdle", "evseId": 1}) == {"status": "Rejected"}
    online.run_for(station.firmware_install_s + 5)
    assert online.csms.payloads("BootNotification")[-1]["reason"] == "FirmwareUpdate"
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}


def test_l01_the_update_and_its_reboot_are_in_the_logs(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    _update(online)
    io.finish_download(IMAGE_2_0_0)
    online.run_for(station.firmware_install_s + 5)
    diagnostics = station.diagnostics.log_file("DiagnosticsLog").decode()
    assert f"{ts(0)} -- firmware: downloading {FW_URL}" in diagnostics
    assert "-- firmware: 2.0.0 installed; rebooting" in diagnostics
    security = station.diagnostics.log_file("SecurityLog").decode()
    assert security.splitlines()[-3:] == [
        f"{ts(10)} ResetOrReboot boot reason FirmwareUpdate",
        f"{ts(15)} StartupOfTheDevice",
        f"{ts(15)} FirmwareUpdated firmware 2.0.0",
    ]


def test_l01_the_station_reboots_once_install_rebooting_is_answered(
    online: Link, station: StationV201, io: ScriptedIO, clock: ManualClock
) -> None:
    _update(online, 3)
    online.run_for(1)
    io.finish_download(IMAGE_2_0_0)
    online.run_for(station.firmware_install_s - 1)
    online.csms.clear()
    clock.advance(1)
    station.tick()  # installed: InstallRebooting goes out (L01.FR.15)
    on_its_way = online.to_csms()
    assert _statuses(online) == ["InstallRebooting"]
    online.follow_station()
    assert online.up  # its answer is on its way: the reboot waits for it
    online.to_station(on_its_way)
    online.follow_station()
    assert not online.up
    online.run_for(5)
    assert station.model.firmware_version == "2.0.0"
    assert _statuses(online) == ["InstallRebooting", "Installed"]  # each once
