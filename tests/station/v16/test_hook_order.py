"""The order of ``StationV16``'s lifecycle hooks, shown by what the central system receives.

Each test drives one event whose listeners both act, and asserts the whole sequence of frames:
moving the listeners named in its docstring in the table at the top of ``StationV16`` makes it
fail. Hooks whose order no frame can show say so in the table's comments.
"""

from __future__ import annotations

from chargeyard.protocol import Payload
from chargeyard.station.clock import ManualClock
from tests.station.harness import Link
from tests.station.v16.core_support import booted, reboot_fully, start_charging, station_of

IN_AN_HOUR = "2026-01-01T01:00:00.000Z"


def _status(connector_id: int, status: str, at: str) -> tuple[str, Payload]:
    return (
        "StatusNotification",
        {"connectorId": connector_id, "errorCode": "NoError", "status": status, "timestamp": at},
    )


def _reserve(link: Link, connector_id: int, id_tag: str = "TAG-1") -> None:
    reserve = {
        "connectorId": connector_id,
        "expiryDate": IN_AN_HOUR,
        "idTag": id_tag,
        "reservationId": 1,
    }
    assert link.call_station("ReserveNow", reserve) == {"status": "Accepted"}


def test_5_13_a_reserved_connector_is_reported_reserved_once_after_a_reboot(
    clock: ManualClock,
) -> None:
    """The reserving idTag was presented (Preparing, no cable yet) when a Hard reset came: at
    power-on the connector starts afresh (Available, 4.9), then the reservation, which
    outlives the reboot, shows it Reserved (5.13); the boot reports that once. Fails when
    POWER_ON runs the reservations before the core profile (the reservation looks at the
    connector as it was, and its Reserved is reported twice)."""
    link = booted(clock, "alfen-eve-single-pro-line")
    station = station_of(link)
    _reserve(link, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()
    assert link.call_station("Reset", {"type": "Hard"}) == {"status": "Accepted"}
    reboot_fully(link)
    boot = "2026-01-01T00:00:06.000Z"  # off 1 s after the answer, then 5 s
    assert link.csms.actions() == ["BootNotification", "StatusNotification", "StatusNotification"]
    assert link.csms.received[1:] == [_status(0, "Available", boot), _status(1, "Reserved", boot)]
    assert len(station.model.reservations) == 1


def test_5_2_scheduled_unavailable_after_the_stop_transaction(clock: ManualClock) -> None:
    """Section 5.2: a Scheduled change "takes place after the transaction has finished": the
    StopTransaction.req is queued before TRANSACTION_ENDED settles the connector, so the
    central system hears the stop, then Finishing and Unavailable."""
    link = booted(clock)
    start_charging(link, 1)
    inoperative = {"connectorId": 1, "type": "Inoperative"}
    assert link.call_station("ChangeAvailability", inoperative) == {"status": "Scheduled"}
    link.call_station("RemoteStopTransaction", {"transactionId": 1})
    assert link.csms.actions() == ["StopTransaction", "StatusNotification", "StatusNotification"]
    now = "2026-01-01T00:00:00.000Z"
    assert link.csms.received[1:] == [
        _status(1, "Finishing", now),
        _status(1, "Unavailable", now),
    ]
