"""OCPP 1.6 Charge Point cases of the Firmware Management profile: a firmware update
downloaded and installed, or failing to download or to install, and diagnostics uploaded or
failing to (1.6 sections 4.4, 4.5, 5.9, 5.19). The suite serves the image and takes the upload
itself, over HTTP (``file_site.py``)."""

from __future__ import annotations

from typing import Literal

from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.station_under_test.answers import wire_now
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16
from chargeyard.conformance.station_under_test.cases_v16._registry import case
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v16

PROFILE = "FirmwareManagement"
IMAGE = "chargeyard-conformance.bin"
# A chargeyard image (station/maintenance.py): only chargeyard's simulated stations install
# it; another station's own image comes with --firmware.
CHARGEYARD_IMAGE = b"chargeyard-firmware conformance-1.6\n"
CORRUPT = "corrupt.bin"


def _site(run: StationCaseV16, path: str) -> str:
    """The URL of ``path`` on the suite's file site, at the address the station reached."""
    connection = run.peer.connection
    host = connection.local_host if connection is not None else run.target.host
    return run.bench.files.url(host, path)


async def _notification(
    run: StationCaseV16,
    action: Literal["FirmwareStatusNotification", "DiagnosticsStatusNotification"],
    status: str,
    *,
    within: float | None = None,
    reconnects: bool = False,
    since: int | None = None,
) -> (
    ReceivedView[v16.FirmwareStatusNotificationRequest]
    | ReceivedView[v16.DiagnosticsStatusNotificationRequest]
):
    return await run.expect(
        action,
        where=lambda r: r.payload.get("status") == status,
        what=f"{action} {status}",
        within=within,
        reconnects=reconnects,
        since=since,
    )


async def _update(run: StationCaseV16, location: str) -> int:
    """UpdateFirmware of ``location``, retrieved now, tried once (section 5.19)."""
    since = run.mark()
    await run.call(
        "UpdateFirmware", {"location": location, "retrieveDate": wire_now(), "retries": 0}
    )
    return since


@case("TC_044_1_CS")
async def firmware_installed(run: StationCaseV16) -> None:
    """UpdateFirmware: Downloading, Downloaded, Installing, a reboot with the new firmware
    and Installed (1.6 sections 4.5, 5.19)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.bench.files.images[IMAGE] = run.target.firmware or CHARGEYARD_IMAGE
    run.step("The Central System asks for an update: Downloading, Downloaded, Installing")
    since = await _update(run, _site(run, f"firmware/{IMAGE}"))
    for status in ("Downloading", "Downloaded", "Installing"):
        await _notification(run, "FirmwareStatusNotification", status, since=since)
    run.step("The station reboots into it: BootNotification, then Installed")
    boot = await run.expect(
        "BootNotification", since=since, within=run.target.connect_s, reconnects=True
    )
    await _notification(
        run,
        "FirmwareStatusNotification",
        "Installed",
        within=run.target.connect_s,
        reconnects=True,
        since=since,
    )
    run.log.check(
        "the BootNotification after the update tells a firmwareVersion",
        bool(boot.payload.get("firmwareVersion")),
        weight=Weight.SPEC,
        expected="a firmwareVersion",
        observed=boot.payload.get("firmwareVersion"),
    )


@case("TC_044_2_CS")
async def firmware_download_failed(run: StationCaseV16) -> None:
    """UpdateFirmware of an image that is not there: Downloading, DownloadFailed (1.6
    sections 4.5, 5.19)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.step("The Central System asks for an image that is not there: DownloadFailed")
    since = await _update(run, _site(run, "firmware/no-such-image.bin"))
    await _notification(run, "FirmwareStatusNotification", "Downloading", since=since)
    await _notification(
        run, "FirmwareStatusNotification", "DownloadFailed", within=2 * run.step_s, since=since
    )


@case("TC_044_3_CS")
async def firmware_installation_failed(run: StationCaseV16) -> None:
    """UpdateFirmware of an image that cannot be installed (empty): Downloaded, Installing,
    InstallationFailed (1.6 sections 4.5, 5.19)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.bench.files.images[CORRUPT] = b""
    run.step("The Central System asks for a corrupt image: InstallationFailed")
    since = await _update(run, _site(run, f"firmware/{CORRUPT}"))
    for status in ("Downloading", "Downloaded"):
        await _notification(run, "FirmwareStatusNotification", status, since=since)
    await _notification(
        run,
        "FirmwareStatusNotification",
        "InstallationFailed",
        within=run.target.connect_s,
        since=since,
    )


async def _diagnostics(run: StationCaseV16, path: str) -> tuple[int, str | None]:
    """GetDiagnostics to the file site's ``path``, tried once (section 5.9); the place in the
    stream and the file name answered."""
    since = run.mark()
    answer = await run.call("GetDiagnostics", {"location": _site(run, path), "retries": 0})
    name = answer.get("fileName")
    return since, name if isinstance(name, str) else None


@case("TC_045_1_CS")
async def diagnostics_uploaded(run: StationCaseV16) -> None:
    """GetDiagnostics: the file named in the answer is uploaded, Uploading, Uploaded (1.6
    sections 4.4, 5.9)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.bench.files.uploads.clear()
    run.step("The Central System asks for the diagnostics: Uploading, Uploaded")
    since, name = await _diagnostics(run, "uploads/")
    await _notification(run, "DiagnosticsStatusNotification", "Uploading", since=since)
    await _notification(
        run, "DiagnosticsStatusNotification", "Uploaded", within=2 * run.step_s, since=since
    )
    uploads = await run.bench.files.uploaded(run.step_s)
    run.log.check(
        "the diagnostics file reached the location given",
        bool(uploads),
        expected="a file",
        observed=sorted(uploads) or "nothing",
    )
    if name is not None:
        run.log.check(
            "the file uploaded is the one GetDiagnostics named",
            name in uploads,
            weight=Weight.SPEC,
            expected=name,
            observed=sorted(uploads),
        )


@case("TC_045_2_CS")
async def diagnostics_upload_failed(run: StationCaseV16) -> None:
    """GetDiagnostics to a location that refuses the upload: Uploading, UploadFailed (1.6
    sections 4.4, 5.9)."""
    await run.ready()
    await run.requires_profile(PROFILE)
    run.step("The Central System asks for the diagnostics where uploads fail: UploadFailed")
    since, _ = await _diagnostics(run, "uploads-refused/")
    await _notification(run, "DiagnosticsStatusNotification", "Uploading", since=since)
    await _notification(
        run, "DiagnosticsStatusNotification", "UploadFailed", within=2 * run.step_s, since=since
    )
