"""OCPP 1.6 Firmware Management profile: UpdateFirmware (5.19) and GetDiagnostics (5.9), with
the status notifications of sections 4.4 and 4.5. Transfers are scripted (``ScriptedIO``)."""

from __future__ import annotations

import pytest

from chargeyard.station.clock import ManualClock
from chargeyard.station.maintenance import firmware_image_version
from chargeyard.station.v16 import StationV16
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link
from tests.station.v16.conftest import make_station

FW_URL = "http://127.0.0.1:8080/images/chargeyard-2.0.0.bin"
IMAGE_2_0_0 = b"chargeyard-firmware 2.0.0\n" + bytes(range(256))
PAST = "2025-12-31T00:00:00.000Z"
DIAGNOSTICS_URL = "ftp://127.0.0.1/diagnostics/"


@pytest.fixture
def io(station: StationV16, link: Link, clock: ManualClock) -> ScriptedIO:
    scripted = ScriptedIO(clock.monotonic)
    scripted.after = link.pump
    station.io = scripted
    return scripted


def firmware_statuses(link: Link) -> list[str]:
    return [p["status"] for p in link.csms.payloads("FirmwareStatusNotification")]


def diagnostics_statuses(link: Link) -> list[str]:
    return [p["status"] for p in link.csms.payloads("DiagnosticsStatusNotification")]


def update_firmware(link: Link, retrieve_date: str = PAST, **fields: object) -> None:
    payload = {"location": FW_URL, "retrieveDate": retrieve_date, **fields}
    assert link.call_station("UpdateFirmware", payload) == {}


# -- UpdateFirmware (5.19) -------------------------------------------------------------------------


def test_5_19_update_firmware_downloads_at_retrieve_date_installs_and_reboots_with_new_version(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    old_version = station.model.firmware_version
    update_firmware(online, "2026-01-01T01:00:00.000Z", retries=2, retryInterval=30)
    online.run_for(3599)
    assert io.requested_downloads == []
    assert firmware_statuses(online) == []
    assert station.firmware_status == "Idle"

    online.run_for(1)
    assert [(d.url, d.at) for d in io.requested_downloads] == [(FW_URL, 3600.0)]
    assert online.csms.payloads("FirmwareStatusNotification") == [{"status": "Downloading"}]
    assert station.firmware_status == "Downloading"

    online.csms.clear()
    io.finish_download(IMAGE_2_0_0)
    assert firmware_statuses(online) == ["Downloaded", "Installing"]
    assert station.firmware_status == "Installing"
    assert station.model.firmware_version == old_version

    online.run_for(station.firmware_install_s)  # installed: the station reboots
    assert not online.up
    online.run_for(5)  # back on, boots with the new firmware, then reports Installed
    assert online.csms.actions() == [
        "FirmwareStatusNotification",
        "FirmwareStatusNotification",
        "BootNotification",
        "StatusNotification",
        "StatusNotification",
        "FirmwareStatusNotification",
    ]
    assert online.csms.payloads("BootNotification") == [
        {
            "chargePointVendor": "Alfen BV",
            "chargePointModel": "NG910-60003",
            "firmwareVersion": "2.0.0",
        }
    ]
    assert firmware_statuses(online) == ["Downloaded", "Installing", "Installed"]
    assert station.firmware_status == "Idle"  # 4.5: TriggerMessage now reports Idle
    online.run_for(3600)
    assert firmware_statuses(online) == ["Downloaded", "Installing", "Installed"]


def test_5_19_a_past_retrieve_date_downloads_right_after_the_answer(
    online: Link, io: ScriptedIO
) -> None:
    update_firmware(online, PAST)
    assert online.csms.actions() == ["FirmwareStatusNotification"]
    assert [d.url for d in io.requested_downloads] == [FW_URL]


def test_5_19_a_failed_download_is_retried_every_retry_interval(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    update_firmware(online, retries=2, retryInterval=30)
    io.fail_download()
    online.run_for(29)
    assert len(io.requested_downloads) == 1
    online.run_for(1)
    io.fail_download()
    online.run_for(30)
    assert [d.at for d in io.requested_downloads] == [0.0, 30.0, 60.0]
    assert station.firmware_status == "Downloading"
    io.finish_download(IMAGE_2_0_0)
    assert firmware_statuses(online) == ["Downloading", "Downloaded", "Installing"]


def test_5_19_download_failed_after_every_retry_keeps_the_firmware(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    old_version = station.model.firmware_version
    update_firmware(online, retries=1, retryInterval=10)
    io.fail_download()
    online.run_for(10)
    io.fail_download("ConnectError: connection refused")
    assert [d.at for d in io.requested_downloads] == [0.0, 10.0]
    assert online.csms.payloads("FirmwareStatusNotification") == [
        {"status": "Downloading"},
        {"status": "DownloadFailed"},
    ]
    assert station.firmware_status == "Idle"
    online.run_for(3600)
    assert "BootNotification" not in online.csms.actions()
    assert station.model.firmware_version == old_version
    assert len(io.requested_downloads) == 2


def test_5_19_without_retries_the_station_tries_four_times_a_minute_apart(
    online: Link, io: ScriptedIO
) -> None:
    update_firmware(online)
    for _ in range(4):
        io.fail_download()
        online.run_for(60)
    assert [d.at for d in io.requested_downloads] == [0.0, 60.0, 120.0, 180.0]
    assert firmware_statuses(online) == ["Downloading", "DownloadFailed"]


@pytest.mark.parametrize(
    "image",
    [b"", b"chargeyard-firmware\n", b"chargeyard-firmware " + b"9" * 51 + b"\n"],
    ids=["empty", "no-version", "version-too-long"],
)
def test_5_19_a_corrupt_image_fails_installation_without_reboot(
    online: Link, station: StationV16, io: ScriptedIO, image: bytes
) -> None:
    old_version = station.model.firmware_version
    update_firmware(online)
    io.finish_download(image)
    online.run_for(station.firmware_install_s)
    assert online.up
    assert firmware_statuses(online) == [
        "Downloading",
        "Downloaded",
        "Installing",
        "InstallationFailed",
    ]
    assert station.firmware_status == "Idle"
    assert station.model.firmware_version == old_version
    online.run_for(600)
    assert "BootNotification" not in online.csms.actions()


def test_5_19_installation_waits_for_the_transaction_with_idle_connectors_unavailable(
    clock: ManualClock,
) -> None:
    station = make_station(clock, "alfen-eve-double-pro-line")
    link = Link(station, clock)
    io = ScriptedIO(clock.monotonic)
    io.after, station.io = link.pump, io
    link.connect()
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()

    update_firmware(link)
    io.finish_download(IMAGE_2_0_0)
    link.run_for(600)
    assert firmware_statuses(link) == ["Downloading", "Downloaded"]
    statuses = [(p["connectorId"], p["status"]) for p in link.csms.payloads("StatusNotification")]
    assert statuses == [(2, "Unavailable")]

    link.csms.clear()
    station.unplug(1, 1)
    link.run_for(0)  # the end of the transaction ends the wait
    assert [a for a in link.csms.actions() if a != "MeterValues"] == [
        "StopTransaction",
        "StatusNotification",
        "FirmwareStatusNotification",
    ]
    assert firmware_statuses(link) == ["Installing"]
    link.csms.clear()
    link.run_for(station.firmware_install_s + 5)
    statuses = [(p["connectorId"], p["status"]) for p in link.csms.payloads("StatusNotification")]
    assert statuses == [(0, "Available"), (1, "Available"), (2, "Available")]
    assert link.csms.payloads("BootNotification")[0]["firmwareVersion"] == "2.0.0"
    assert firmware_statuses(link) == ["Installed"]


def test_5_19_a_reboot_during_the_download_starts_the_update_over_after_the_boot(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    update_firmware(online)
    station.reboot()  # a Reset or a power cut, not the installation
    online.follow_station()
    assert station.firmware_status == "Idle"
    online.run_for(5)
    assert online.csms.actions()[-1] == "FirmwareStatusNotification"
    assert firmware_statuses(online) == ["Downloading", "Downloading"]
    assert [d.at for d in io.requested_downloads] == [0.0, 5.0]
    io.finish_download(b"chargeyard-firmware 1.0.0\n")  # the interrupted one: too late
    assert firmware_statuses(online) == ["Downloading", "Downloading"]
    io.finish_download(IMAGE_2_0_0)
    assert firmware_statuses(online) == ["Downloading", "Downloading", "Downloaded", "Installing"]


def test_5_19_a_newer_update_firmware_replaces_the_pending_one(
    online: Link, io: ScriptedIO
) -> None:
    update_firmware(online, "2026-01-01T01:00:00.000Z")
    newer = "http://127.0.0.1:8080/images/eve-6.2.1.bin"
    online.call_station("UpdateFirmware", {"location": newer, "retrieveDate": PAST})
    online.run_for(7200)
    assert [d.url for d in io.requested_downloads] == [newer]
    io.finish_download(b"\x7fELF opaque vendor image")
    online.run_for(60)
    assert online.csms.payloads("BootNotification")[0]["firmwareVersion"] == "eve-6.2.1"


@pytest.mark.parametrize(
    ("image", "location", "version"),
    [
        (b"chargeyard-firmware 2.1.0\r\nbody", "http://h/x.bin", "2.1.0"),
        (b"\x00\x01vendor", "http://h/images/eve-6.2.1.bin", "eve-6.2.1"),
        (b"\x00\x01vendor", "ftp://u:p@h/fw/ABB%20Terra%201.8.tar.gz?x=1", "ABB Terra 1.8"),
        (b"vendor", "http://h/images/", "sha256-630ba09448af"),
        (b"", "http://h/x.bin", None),
        (b"chargeyard-firmware \n", "http://h/x.bin", None),
    ],
)
def test_firmware_image_version_rule(image: bytes, location: str, version: str | None) -> None:
    assert firmware_image_version(image, location) == version


# -- GetDiagnostics (5.9) --------------------------------------------------------------------------


def test_5_9_get_diagnostics_uploads_a_real_file(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.run_for(60)
    online.csms.clear()
    answer = online.call_station(
        "GetDiagnostics", {"location": DIAGNOSTICS_URL, "retries": 1, "retryInterval": 10}
    )
    assert answer == {"fileName": "CP-1-diagnostics-20260101T000100Z.log"}
    assert online.csms.payloads("DiagnosticsStatusNotification") == [{"status": "Uploading"}]
    assert station.diagnostics_status == "Uploading"

    [upload] = io.requested_uploads
    assert (upload.url, upload.filename) == (DIAGNOSTICS_URL, answer["fileName"])
    text = upload.content.decode()
    assert text.startswith("chargeyard diagnostics (OCPP 1.6)\nstation: CP-1\n")
    assert f"firmware: {station.model.firmware_version}\n" in text
    assert "template: alfen-eve-single-pro-line (Alfen BV NG910-60003)\n" in text
    assert "\n0: Available\n1: Charging, NoError (EVSE 1 connector 1, " in text
    assert "EVSE 1: transaction 1 (" in text
    assert f"\nHeartbeatInterval = {station.config.get('HeartbeatInterval')}\n" in text
    assert "\nNumberOfConnectors = 1 (read-only)\n" in text
    log = text.split("[log]", 1)[1]
    assert '>> [2,"m1","BootNotification",' in log
    assert '"StartTransaction",{"connectorId":1,"idTag":"TAG-1"' in log
    assert '<< [2,"' in log
    assert '"GetDiagnostics",{"location":"ftp://127.0.0.1/diagnostics/"' in log

    io.finish_upload()
    assert diagnostics_statuses(online) == ["Uploading", "Uploaded"]
    assert station.diagnostics_status == "Idle"  # 4.4: Idle when not busy


def test_5_9_a_failed_upload_is_retried_then_upload_failed(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    online.call_station(
        "GetDiagnostics", {"location": DIAGNOSTICS_URL, "retries": 1, "retryInterval": 10}
    )
    io.fail_upload()
    assert station.diagnostics_status == "Uploading"
    online.run_for(10)
    io.fail_upload("HTTP 403 Forbidden")
    assert [u.at for u in io.requested_uploads] == [0.0, 10.0]
    assert online.csms.payloads("DiagnosticsStatusNotification") == [
        {"status": "Uploading"},
        {"status": "UploadFailed"},
    ]
    assert station.diagnostics_status == "Idle"
    # The file of a later request tells what happened.
    online.call_station("GetDiagnostics", {"location": DIAGNOSTICS_URL})
    text = io.requested_uploads[-1].content.decode()
    assert "-- diagnostics: upload attempt 1 of 2 failed: HTTP 503 Service Unavailable" in text
    assert "-- diagnostics: HTTP 403 Forbidden" in text


def test_5_9_start_and_stop_time_limit_the_log(online: Link, io: ScriptedIO) -> None:
    online.run_for(600)  # Heartbeats at 00:05:00 and 00:10:00
    online.call_station(
        "GetDiagnostics",
        {
            "location": DIAGNOSTICS_URL,
            "startTime": "2026-01-01T00:04:00.000Z",
            "stopTime": "2026-01-01T00:06:00.000Z",
        },
    )
    text = io.requested_uploads[0].content.decode()
    assert "period: 2026-01-01T00:04:00.000Z .. 2026-01-01T00:06:00.000Z\n" in text
    log = text.split("[log] the last 32 OCPP frames and events\n", 1)[1].splitlines()
    assert [line.split(" ", 2)[:2] for line in log] == [
        ["2026-01-01T00:05:00.000Z", ">>"],
        ["2026-01-01T00:05:00.000Z", "<<"],
    ]
    assert '"Heartbeat",{}]' in log[0]
    assert "\n1: Available, NoError" in text  # the state of the station is always there


def test_5_9_an_empty_window_has_no_file(online: Link, io: ScriptedIO) -> None:
    answer = online.call_station(
        "GetDiagnostics",
        {
            "location": DIAGNOSTICS_URL,
            "startTime": "2026-01-01T00:06:00.000Z",
            "stopTime": "2026-01-01T00:04:00.000Z",
        },
    )
    assert answer == {}
    assert io.requested_uploads == []
    assert online.csms.actions() == []


def test_5_9_the_log_keeps_the_last_frames_only(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    online.run_for(300 * 40)
    online.call_station("GetDiagnostics", {"location": DIAGNOSTICS_URL})
    log = io.requested_uploads[0].content.decode().split("[log]", 1)[1].splitlines()[1:]
    assert len(log) == station.log_size == 32
    assert '"GetDiagnostics"' in log[-1]


def test_5_9_a_reboot_abandons_the_upload(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    online.call_station("GetDiagnostics", {"location": DIAGNOSTICS_URL})
    station.reboot()
    online.follow_station()
    assert station.diagnostics_status == "Idle"
    online.run_for(5)
    io.finish_upload()  # too late: nothing is reported
    assert diagnostics_statuses(online) == ["Uploading"]
    assert station.diagnostics_status == "Idle"


def test_5_9_a_newer_get_diagnostics_replaces_the_upload(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    online.call_station("GetDiagnostics", {"location": DIAGNOSTICS_URL})
    online.call_station("GetDiagnostics", {"location": "ftp://127.0.0.1/other/"})
    io.finish_upload()  # the first: abandoned
    assert station.diagnostics_status == "Uploading"
    io.finish_upload()
    assert diagnostics_statuses(online) == ["Uploading", "Uploading", "Uploaded"]
    assert station.diagnostics_status == "Idle"
