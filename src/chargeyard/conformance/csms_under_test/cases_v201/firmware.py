"""OCPP 2.0.1 CSMS cases of block L, Firmware Management: the secure firmware update (L01)
and its outcomes. The catalog also files TC_L_01_CSMS here, whose Part 6 title is the running
cost sent with CostUpdated (I02): Part 6 numbers two of its tables TC_L_01_CSMS, and the
catalog keeps the title of the first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict, Unpack

from chargeyard import loop_clock
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201, energy
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
LOCATION = "https://firmware.example/chargeyard-2.0.bin"
# What a secure update carries (L01.FR.01): the certificate the firmware is signed with and
# its signature, here stand-ins the station never verifies.
SIGNING_CERTIFICATE = "-----BEGIN CERTIFICATE-----\nQ1ktRklSTVdBUkU=\n-----END CERTIFICATE-----"
SIGNATURE = "Q1ktU0lHTkFUVVJF"
REQUEST_ID = 3_001


@case("TC_L_01_CSMS")
async def running_cost(run: CsmsCaseV201) -> None:
    """The CSMS tells the driver the running cost during charging with CostUpdated, which
    names the transaction (I02.FR.01)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.authorized(tag)
    await run.ev_connected_pre_session()
    await run.energy_transfer_started(tag)
    for wh in (500, 1_000):
        await run.transaction_event("Updated", "MeterValuePeriodic", meter_value=[energy(wh)])
    transaction_id = run.transaction().id
    call = await run.ordered(
        "CostUpdated",
        {"totalCost": 1.25, "transactionId": transaction_id},
        f"send the running cost of transaction {transaction_id}",
        {},
    )
    run.field_is(call, "transactionId", transaction_id)


def _in(minutes: int) -> str:
    moment = loop_clock.now() + timedelta(minutes=minutes)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


class _FirmwareOptions(TypedDict, total=False):
    """What a case changes of the FirmwareType :func:`_update_firmware` sends."""

    retrieveDateTime: str
    installDateTime: str


async def _update_firmware(run: CsmsCaseV201, **firmware: Unpack[_FirmwareOptions]) -> int:
    """UpdateFirmware of a signed firmware (L01.FR.01), Accepted; returns its requestId."""
    payload: Payload = {
        "requestId": REQUEST_ID,
        "firmware": {
            "location": LOCATION,
            "retrieveDateTime": _in(0),
            "signingCertificate": SIGNING_CERTIFICATE,
            "signature": SIGNATURE,
            **firmware,
        },
    }
    call = await run.ordered(
        "UpdateFirmware",
        payload,
        f"update the station's firmware from {LOCATION}",
        {"status": "Accepted"},
    )
    run.field_is(call, "firmware.location", LOCATION)
    run.field_is(call, "firmware.signingCertificate", SIGNING_CERTIFICATE)
    for name in ("installDateTime", "retrieveDateTime"):
        if name in firmware:
            run.field_is(call, f"firmware.{name}", firmware[name])
    request_id = call.payload.get("requestId")
    return request_id if isinstance(request_id, int) else REQUEST_ID


async def _statuses(
    run: CsmsCaseV201, request_id: int, statuses: list[v201.FirmwareStatusEnumType]
) -> None:
    """FirmwareStatusNotification of each of ``statuses``, with the update's requestId
    (L01.FR.11)."""
    run.log.step(f"The station reports: {', '.join(statuses)}")
    for status in statuses:
        await run.call("FirmwareStatusNotification", {"status": status, "requestId": request_id})


async def _installed(
    run: CsmsCaseV201, request_id: int, last: v201.FirmwareStatusEnumType = "Installed"
) -> None:
    """The station reboots into the new firmware (BootNotification FirmwareUpdate, L01.FR.15)
    and reports ``last``."""
    await _statuses(run, request_id, ["InstallRebooting"])
    await run.reconnect()
    await run.boot("FirmwareUpdate")
    await _statuses(run, request_id, [last])


DOWNLOADED: list[v201.FirmwareStatusEnumType] = ["Downloading", "Downloaded", "SignatureVerified"]


@case("TC_L_02_CSMS")
async def firmware_install_scheduled(run: CsmsCaseV201) -> None:
    """The install at a future installDateTime: InstallScheduled, then installed
    (L01.FR.01, L01.FR.11, L01.FR.15)."""
    await run.booted()
    request_id = await _update_firmware(run, installDateTime=_in(1))
    await _statuses(run, request_id, [*DOWNLOADED, "InstallScheduled", "Installing"])
    await _installed(run, request_id)


@case("TC_L_03_CSMS")
async def firmware_download_scheduled(run: CsmsCaseV201) -> None:
    """The download at a future retrieveDateTime: DownloadScheduled, then installed
    (L01.FR.01, L01.FR.11, L01.FR.15)."""
    await run.booted()
    request_id = await _update_firmware(run, retrieveDateTime=_in(1))
    await _statuses(run, request_id, ["DownloadScheduled", *DOWNLOADED, "Installing"])
    await _installed(run, request_id)


@case("TC_L_06_CSMS")
async def firmware_invalid_signature(run: CsmsCaseV201) -> None:
    """The signature does not verify: InvalidSignature, and the security event
    InvalidFirmwareSignature (L01.FR.01, L01.FR.11)."""
    await run.booted()
    request_id = await _update_firmware(run)
    await _statuses(run, request_id, ["Downloading", "Downloaded", "InvalidSignature"])
    await run.call(
        "SecurityEventNotification",
        {"type": "InvalidFirmwareSignature", "timestamp": _in(0)},
    )


@case("TC_L_07_CSMS")
async def firmware_download_failed(run: CsmsCaseV201) -> None:
    """L01.FR.01, L01.FR.11."""
    await run.booted()
    request_id = await _update_firmware(run)
    await _statuses(run, request_id, ["Downloading", "DownloadFailed"])


@case("TC_L_08_CSMS")
async def firmware_verification_failed(run: CsmsCaseV201) -> None:
    """L01.FR.01, L01.FR.11."""
    await run.booted()
    request_id = await _update_firmware(run)
    await _statuses(run, request_id, [*DOWNLOADED, "Installing", "InstallVerificationFailed"])


@case("TC_L_09_CSMS")
async def firmware_installation_failed(run: CsmsCaseV201) -> None:
    """Rebooted, the installation failed (L01.FR.01, L01.FR.11)."""
    await run.booted()
    request_id = await _update_firmware(run)
    await _statuses(run, request_id, [*DOWNLOADED, "Installing"])
    await _installed(run, request_id, last="InstallationFailed")


async def _second_update(run: CsmsCaseV201, answer: str) -> int:
    """A second UpdateFirmware while the first downloads (L01.FR.24, L01.FR.27), answered
    ``answer``; returns the requestId that goes on."""
    await run.booted()
    first = await _update_firmware(run)
    await _statuses(run, first, ["Downloading"])
    run.log.step(f"The CSMS sends a second UpdateFirmware, answered {answer}")
    call = await run.ordered(
        "UpdateFirmware",
        {
            "requestId": first + 1,
            "firmware": {
                "location": LOCATION,
                "retrieveDateTime": _in(0),
                "signingCertificate": SIGNING_CERTIFICATE,
                "signature": SIGNATURE,
            },
        },
        "update the station's firmware again while it downloads",
        {"status": answer},
    )
    second = call.payload.get("requestId")
    if answer == "AcceptedCanceled" and isinstance(second, int):
        return second
    return first


@case("TC_L_10_CSMS")
async def firmware_update_replaces_another(run: CsmsCaseV201) -> None:
    """The second update cancels the first (AcceptedCanceled) and is installed
    (L01.FR.01, L01.FR.11, L01.FR.24)."""
    request_id = await _second_update(run, "AcceptedCanceled")
    await _statuses(run, request_id, [*DOWNLOADED, "Installing"])
    await _installed(run, request_id)


@case("TC_L_11_CSMS")
async def firmware_update_cannot_cancel(run: CsmsCaseV201) -> None:
    """The first update cannot be cancelled (Rejected) and goes on (L01.FR.01, L01.FR.11,
    L01.FR.27)."""
    request_id = await _second_update(run, "Rejected")
    await _statuses(run, request_id, ["Downloaded", "SignatureVerified", "Installing"])
    await _installed(run, request_id)


@case("TC_L_13_CSMS")
async def firmware_waits_for_transaction(run: CsmsCaseV201) -> None:
    """During a transaction (AllowNewSessionsPendingFirmwareUpdate false): the download waits
    for it to end, then the update goes as usual (L01.FR.01, L01.FR.11)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    request_id = await _update_firmware(run)
    await _statuses(run, request_id, ["DownloadScheduled"])
    await run.session_to_end(tag)
    await _statuses(run, request_id, [*DOWNLOADED, "Installing"])
    await _installed(run, request_id)
