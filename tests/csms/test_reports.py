"""DeviceReports: a waited-for report resolves with every part in seqNo order (in the order
they came, for messages without seqNo) once the last part came; parts nobody waits for are
ignored; forgetting cancels the wait."""

from __future__ import annotations

import asyncio

import pytest

from chargeyard.csms.reports import DeviceReports


def part(seq_no: int, *names: str, tbc: bool = False, request_id: int = 7) -> dict[str, object]:
    data = [{"variable": {"name": name}} for name in names]
    return {"requestId": request_id, "seqNo": seq_no, "tbc": tbc, "reportData": data}


async def test_the_parts_come_together_in_seq_no_order() -> None:
    reports = DeviceReports()
    report = reports.expect("CS-1", 7)
    reports.add_part("CS-1", part(1, "b", tbc=True))
    reports.add_part("CS-1", part(0, "a", tbc=True))
    reports.add_part("CS-2", part(2, "other station"))
    reports.add_part("CS-1", part(2, "other request", request_id=8))
    assert not report.done()
    last = {"requestId": 7, "seqNo": 2}  # without reportData
    reports.add_part("CS-1", last)
    assert await report == [part(0, "a", tbc=True), part(1, "b", tbc=True), last]
    reports.forget("CS-1", 7)
    assert len(reports) == 0


async def test_parts_without_seq_no_keep_the_order_they_came_in() -> None:
    # ReportChargingProfiles and NotifyDisplayMessages number no parts (K09, block O).
    reports = DeviceReports()
    report = reports.expect("CS-1", 7)
    first = {"requestId": 7, "tbc": True, "evseId": 1, "chargingProfile": [{"id": 1}]}
    second = {"requestId": 7, "evseId": 2, "chargingProfile": [{"id": 2}]}
    reports.add_part("CS-1", first)
    reports.add_part("CS-1", second)
    assert await report == [first, second]


async def test_a_part_nobody_waits_for_is_ignored() -> None:
    reports = DeviceReports()
    reports.add_part("CS-1", part(0, "a"))
    assert len(reports) == 0


async def test_forgetting_cancels_the_wait() -> None:
    reports = DeviceReports()
    report = reports.expect("CS-1", 7)
    reports.forget("CS-1", 7)
    with pytest.raises(asyncio.CancelledError):
        await report
    reports.add_part("CS-1", part(0, "late"))  # after the wait: ignored, no error
