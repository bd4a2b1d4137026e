"""OCPP 2.0.1 CSMS cases of block L, Firmware Management, where the station is a local
controller: it downloads a firmware image and publishes it to the stations behind it
(PublishFirmware, L03, with its progress in PublishFirmwareStatusNotification) and stops
serving it (UnpublishFirmware, L04)."""

from __future__ import annotations

import re
from typing import Any

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, table
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
LOCATION = "https://firmware.example/chargeyard-2.0.bin"
CHECKSUM = "9e107d9d372bb6826bd81d3542a419d6"  # an MD5, as 32 hexadecimal digits (L03.FR.02)
# Where the local controller serves the image once published, one URI per protocol (L03.FR.04).
PUBLISHED = ["http://192.168.1.2/chargeyard-2.0.bin", "https://192.168.1.2/chargeyard-2.0.bin"]
REQUEST_ID = 3_101
_MD5 = re.compile(r"[0-9a-fA-F]{32}")


async def _publish(run: CsmsCaseV201) -> int:
    """PublishFirmware of the image at LOCATION (L03), Accepted (L03.FR.05); returns its
    requestId."""
    await run.booted()
    call = await run.ordered(
        "PublishFirmware",
        {"location": LOCATION, "checksum": CHECKSUM, "requestId": REQUEST_ID},
        f"have the local controller publish the firmware at {LOCATION}",
        {"status": "Accepted"},
    )
    run.field_is(call, "location", LOCATION)
    checksum = call.payload.get("checksum")
    run.log.check(
        "PublishFirmware's checksum is an MD5 as 32 hexadecimal digits (L03.FR.02)",
        isinstance(checksum, str) and _MD5.fullmatch(checksum) is not None,
        weight=Weight.SPEC,
        expected="32 hexadecimal digits",
        observed=checksum,
    )
    request_id = call.payload.get("requestId")
    return request_id if isinstance(request_id, int) else REQUEST_ID


async def _published(run: CsmsCaseV201, statuses: list[v201.PublishFirmwareStatusEnumType]) -> None:
    """The publishing of L03, through each of ``statuses`` (L03.FR.01): the location where it
    is served comes with Published (L03.FR.04)."""
    request_id = await _publish(run)
    run.log.step(f"The local controller reports: {', '.join(statuses)}")
    for status in statuses:
        payload: v201.PublishFirmwareStatusNotificationRequest = {
            "status": status,
            "requestId": request_id,
        }
        if status == "Published":
            payload["location"] = PUBLISHED
        await run.call("PublishFirmwareStatusNotification", payload)


table(_published)(
    {
        "TC_L_17_CSMS": Doc(
            "L03.FR.09: downloaded, its checksum verified, published.",
            ["Downloading", "Downloaded", "ChecksumVerified", "Published"],
        ),
        "TC_L_19_CSMS": Doc(
            "L03.FR.07: the image does not match its checksum.",
            ["Downloading", "Downloaded", "InvalidChecksum"],
        ),
        "TC_L_20_CSMS": Doc(
            "L03.FR.08: verified, but the local controller cannot publish it.",
            ["Downloading", "Downloaded", "ChecksumVerified", "PublishFailed"],
        ),
        "TC_L_24_CSMS": Doc(
            "L03.FR.06: the image cannot be downloaded.", ["Downloading", "DownloadFailed"]
        ),
    },
)


async def _unpublish(run: CsmsCaseV201, answer: str) -> None:
    """UnpublishFirmware of the image with CHECKSUM (L04), answered ``answer``."""
    await run.booted()
    call = await run.ordered(
        "UnpublishFirmware",
        {"checksum": CHECKSUM},
        f"have the local controller stop serving the firmware of checksum {CHECKSUM}",
        {"status": answer},
    )
    run.field_is(call, "checksum", CHECKSUM)


table(_unpublish)(
    {
        "TC_L_21_CSMS": Doc("L04.FR.01, L04.FR.02.", "Unpublished"),
        "TC_L_22_CSMS": Doc("L04.FR.03: no image published.", "NoFirmware"),
        "TC_L_23_CSMS": Doc(
            "L04.FR.04: a station is downloading the image, which stays.", "DownloadOngoing"
        ),
    },
)
