"""OCPP 2.0.1 charging-station cases of firmware management (block L, L01): an update
installed now, at a later installDateTime or retrieveDateTime, one whose image is missing or
does not install, one replaced by a newer update while downloading, one waiting for a
transaction to end; and FirmwareStatusNotification on request while downloading (F06). The
suite serves the image over HTTP (``file_site.py``).

Every FirmwareStatusNotification of an update is checked to carry its requestId (L01.FR.20).
Every update is secure: each case installs the suite's manufacturer root first, and the update
carries the suite's Firmware Signing certificate and its signature of the image served
(``firmware_signer.py``), which the station verifies (L01.FR.04, L01.FR.12).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from chargeyard import loop_clock
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.firmware_signer import FirmwareSigner
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.authorization import quiet
from chargeyard.conformance.station_under_test.firmware_signing import trusted_signer
from chargeyard.conformance.station_under_test.transactions_v201 import Session
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

IMAGE = "chargeyard-conformance-2.0.1.bin"
# A chargeyard image (station/maintenance.py): only chargeyard's simulated stations install
# it; another station's own image comes with --firmware.
CHARGEYARD_IMAGE = b"chargeyard-firmware conformance-2.0.1\n"
CORRUPT = "corrupt-2.0.1.bin"
SLOW = "slow-2.0.1.bin"
_REQUESTS = itertools.count(2001)


@dataclass(frozen=True, slots=True)
class Offered:
    """An image the suite serves (or a location where it serves none), and its bytes, which
    the update's signature covers."""

    location: str
    image: bytes = b""


def site(run: StationCaseV201, path: str) -> str:
    """The URL of ``path`` on the suite's file site, at the address the station reached."""
    connection = run.peer.connection
    host = connection.local_host if connection is not None else run.target.host
    return run.bench.files.url(host, path)


def _wire(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


async def update(
    run: StationCaseV201,
    signer: FirmwareSigner,
    offered: Offered,
    *,
    retrieve_in_s: float = -7200,
    install_in_s: float | None = -7200,
    status: str | tuple[str, ...] = "Accepted",
    retries: int | None = None,
    signed: bytes | None = None,
) -> int:
    """UpdateFirmware of ``offered`` with ``signer``'s certificate and signature of its image
    (of ``signed`` instead, when given) (retrieve and install times relative to now: Part 6's
    "two hours ago" by default; ``retries``: the download's, the station's own by default),
    answered ``status``; returns its requestId."""
    request_id = next(_REQUESTS)
    now = loop_clock.now()
    firmware: dict[str, object] = {
        "location": offered.location,
        "retrieveDateTime": _wire(now + timedelta(seconds=retrieve_in_s)),
        "signingCertificate": signer.certificate,
        "signature": signer.sign(offered.image if signed is None else signed),
    }
    if install_in_s is not None:
        firmware["installDateTime"] = _wire(now + timedelta(seconds=install_in_s))
    payload: dict[str, object] = {"requestId": request_id, "firmware": firmware}
    if retries is not None:
        payload["retries"] = retries
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    await StationCase.order(run, "UpdateFirmware", payload, status)
    return request_id


def offer(run: StationCaseV201, name: str = IMAGE, image: bytes | None = None) -> Offered:
    """Serve ``image`` (None: the target's, else a chargeyard one) as ``name``."""
    chosen = run.target.firmware or CHARGEYARD_IMAGE if image is None else image
    run.bench.files.images[name] = chosen
    return Offered(site(run, f"firmware/{name}"), chosen)


async def firmware_status(
    run: StationCaseV201,
    status: str | tuple[str, ...],
    request_id: int,
    *,
    since: int | None = None,
    within: float | None = None,
    reconnects: bool = False,
) -> ReceivedView[v201.FirmwareStatusNotificationRequest]:
    """The FirmwareStatusNotification of ``status`` (one of them), with the update's
    requestId (L01.FR.20)."""
    wanted = (status,) if isinstance(status, str) else status
    item = await run.expect(
        "FirmwareStatusNotification",
        where=lambda r: r.payload.get("status") in wanted,
        what=f"FirmwareStatusNotification {' or '.join(wanted)}",
        since=since,
        within=within,
        reconnects=reconnects,
    )
    run.log.check(
        f"FirmwareStatusNotification {item.payload.get('status')} names the update's requestId"
        " (L01.FR.20)",
        item.payload.get("requestId") == request_id,
        weight=Weight.SPEC,
        expected=request_id,
        observed=item.payload.get("requestId"),
    )
    return item


async def _installed(run: StationCaseV201, request_id: int, since: int) -> None:
    """Installing (or InstallRebooting before it), the reboot into the new firmware
    (BootNotification FirmwareUpdate), the connectors, Installed and the security event
    FirmwareUpdated (L01.FR.12, L01.FR.15, L01.FR.23)."""
    run.step("It installs and reboots into the new firmware: Installed")
    await firmware_status(
        run, ("Installing", "InstallRebooting"), request_id, since=since, within=2 * run.step_s
    )
    boot = await run.expect(
        "BootNotification", since=since, within=run.target.connect_s, reconnects=True
    )
    run.log.check(
        "the BootNotification after the installation says FirmwareUpdate",
        boot.payload.get("reason") == "FirmwareUpdate",
        weight=Weight.SPEC,
        expected="FirmwareUpdate",
        observed=boot.payload.get("reason"),
    )
    await firmware_status(
        run, "Installed", request_id, since=since, within=run.target.connect_s, reconnects=True
    )
    await run.maybe(
        "SecurityEventNotification",
        "the station tells of the update: SecurityEventNotification FirmwareUpdated (A04.FR.01)",
        where=lambda r: r.payload.get("type") == "FirmwareUpdated",
        since=since,
    )


async def _downloaded(run: StationCaseV201, request_id: int, since: int) -> None:
    await firmware_status(run, "Downloading", request_id, since=since)
    await firmware_status(run, "Downloaded", request_id, since=since)
    await firmware_status(run, "SignatureVerified", request_id, since=since)


@case("TC_L_01_CS")
async def firmware_installed(run: StationCaseV201) -> None:
    """UpdateFirmware now: Downloading, Downloaded, SignatureVerified, Installing, a reboot,
    Installed, FirmwareUpdated (L01)."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    run.step("UpdateFirmware: Accepted, Downloading, Downloaded, SignatureVerified")
    request_id = await update(run, signer, offer(run))
    await _downloaded(run, request_id, since)
    await _installed(run, request_id, since)


@case("TC_L_02_CS")
async def firmware_install_scheduled(run: StationCaseV201) -> None:
    """installDateTime ahead: InstallScheduled, installed at that time (L01.FR.16)."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    ahead = 2 * quiet(run) + 1
    run.step(f"UpdateFirmware, installed in {ahead:g} s: InstallScheduled")
    request_id = await update(run, signer, offer(run), install_in_s=ahead)
    await _downloaded(run, request_id, since)
    await firmware_status(run, "InstallScheduled", request_id, since=since)
    await _installed(run, request_id, since)


@case("TC_L_03_CS")
async def firmware_download_scheduled(run: StationCaseV201) -> None:
    """retrieveDateTime ahead: DownloadScheduled, downloaded at that time (L01.FR.13)."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    ahead = 2 * quiet(run) + 1
    run.step(f"UpdateFirmware, retrieved in {ahead:g} s: DownloadScheduled")
    request_id = await update(run, signer, offer(run), retrieve_in_s=ahead)
    await firmware_status(run, "DownloadScheduled", request_id, since=since)
    await _downloaded(run, request_id, since)
    await _installed(run, request_id, since)


@case("TC_L_07_CS")
async def firmware_download_failed(run: StationCaseV201) -> None:
    """An image that is not there: DownloadFailed."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    run.step("UpdateFirmware of an image that is not there, no retry: DownloadFailed")
    missing = Offered(site(run, "firmware/does-not-exist.bin"))
    request_id = await update(run, signer, missing, retries=0)
    await firmware_status(run, "DownloadFailed", request_id, since=since, within=2 * run.step_s)


@case("TC_L_08_CS")
async def firmware_installation_failed(run: StationCaseV201) -> None:
    """An image that does not install: InstallVerificationFailed or InstallationFailed; the
    connectors available again."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    run.step("UpdateFirmware of an image that does not install: InstallationFailed")
    request_id = await update(run, signer, offer(run, CORRUPT, b""))
    await _downloaded(run, request_id, since)
    await firmware_status(run, "Installing", request_id, since=since)
    await firmware_status(
        run,
        ("InstallVerificationFailed", "InstallationFailed"),
        request_id,
        since=since,
        within=2 * run.step_s,
    )


async def _slowly(run: StationCaseV201, seconds: float) -> Offered:
    """An image that takes ``seconds`` to download; its location."""
    run.bench.files.delays[SLOW] = seconds

    async def fast() -> None:
        run.bench.files.delays.pop(SLOW, None)

    run.on_close("slow image", fast)
    return offer(run, SLOW)


@case("TC_L_10_CS")
async def firmware_replaced_while_downloading(run: StationCaseV201) -> None:
    """A newer UpdateFirmware while the first downloads: AcceptedCanceled (L01.FR.24); the
    newer one is installed, its requestId in every notification from then on."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    run.step("UpdateFirmware of an image that downloads slowly: Downloading")
    first = await update(run, signer, await _slowly(run, 4 * quiet(run)))
    await firmware_status(run, "Downloading", first, since=since)
    run.step("Another UpdateFirmware meanwhile: AcceptedCanceled, then it is installed")
    since = run.mark()
    second = await update(run, signer, offer(run), status="AcceptedCanceled")
    await _downloaded(run, second, since)
    await _installed(run, second, since)


@case("TC_L_15_CS")
async def firmware_waits_for_the_transaction(run: StationCaseV201) -> None:
    """During a transaction: downloaded, InstallScheduled (or Installing) until it ends
    (L01.FR.06); the station takes no new session meanwhile (L01.FR.07); then installed."""
    await run.ready()
    signer = await trusted_signer(run)
    session: Session = await run.energy_transfer_started()
    since = run.mark()
    run.step("UpdateFirmware during the transaction: downloaded, installation scheduled")
    request_id = await update(run, signer, offer(run))
    await _downloaded(run, request_id, since)
    await firmware_status(run, ("InstallScheduled", "Installing"), request_id, since=since)
    for evse, connector in run.connectors():
        if evse != session.evse:
            await run.connector_status("Unavailable", evse, connector, since=since)
    await run.stop_authorized()
    await run.ev_connected_post_session()
    await run.ev_disconnected(status=None)
    await _installed(run, request_id, since)


@case("TC_F_19_CS")
async def trigger_firmware_status_downloading(run: StationCaseV201) -> None:
    """TriggerMessage FirmwareStatusNotification while downloading: Downloading, with the
    update's requestId (L01.FR.26)."""
    await run.ready()
    signer = await trusted_signer(run)
    since = run.mark()
    run.step("UpdateFirmware of an image that downloads slowly: Downloading")
    request_id = await update(run, signer, await _slowly(run, 4 * quiet(run)))
    first = await firmware_status(run, "Downloading", request_id, since=since)
    run.step("TriggerMessage FirmwareStatusNotification: Downloading again")
    await run.order(
        "TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"}, "Accepted"
    )
    await run.expect(
        "FirmwareStatusNotification",
        where=lambda r: r is not first and r.payload.get("status") == "Downloading",
        what="FirmwareStatusNotification Downloading, on request",
    )
    await _downloaded_rest(run, request_id, since)


async def _downloaded_rest(run: StationCaseV201, request_id: int, since: int) -> None:
    """The rest of an update, once downloaded: installed and rebooted."""
    await firmware_status(run, "Downloaded", request_id, since=since, within=2 * run.step_s)
    await _installed(run, request_id, since)
