"""The order of ``StationV201``'s lifecycle hooks, shown by what the CSMS receives.

Each test drives one event whose listeners both act, and asserts the whole sequence of frames:
swapping the two listeners in the table at the top of ``StationV201`` makes it fail (named in
each test's docstring). Hooks whose order no frame can show say so in the table's comments.
"""

from __future__ import annotations

from chargeyard.protocol import Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.support import events, statuses, tag, ts
from tests.station.v201.test_l_firmware import IMAGE_2_0_0, _update

IN_AN_HOUR = "2026-01-01T01:00:00.000Z"
ALFEN_DOUBLE = "alfen-eve-double-pro-line"  # EVSEs 1 and 2, one connector each
INOPERATIVE_EVSE_1 = {"operationalStatus": "Inoperative", "evse": {"id": 1}}


def _online(clock: ManualClock, template_id: str = "alfen-eve-single-pro-line") -> Link:
    """A booted station whose transfers are scripted (``station.io``), its boot cleared."""
    station = make_station(clock, template_id)
    link = make_link(station, clock)
    io = ScriptedIO(clock.monotonic)
    io.after, station.io = link.pump, io
    link.connect()
    link.csms.clear()
    return link


def _io(link: Link) -> ScriptedIO:
    assert isinstance(link.station.io, ScriptedIO)
    return link.station.io


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _charging(link: Link) -> StationV201:
    station = _station(link)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    return station


def _reserve(link: Link, evse_id: int, token: str = "TAG-1") -> None:
    reserve = {"id": 7, "expiryDateTime": IN_AN_HOUR, "idToken": tag(token), "evseId": evse_id}
    assert link.call_station("ReserveNow", reserve) == {"status": "Accepted"}


def _status(evse_id: int, status: str, at: float = 0) -> tuple[str, Payload]:
    return (
        "StatusNotification",
        {"timestamp": ts(at), "connectorStatus": status, "evseId": evse_id, "connectorId": 1},
    )


def _firmware(status: str) -> tuple[str, Payload]:
    return ("FirmwareStatusNotification", {"status": status, "requestId": 3})


def _waiting_update(link: Link) -> None:
    """An update downloaded, its installation waiting for the transaction (L01.FR.06)."""
    assert _update(link) == {"status": "Accepted"}
    _io(link).finish_download(IMAGE_2_0_0)
    link.run_for(60)
    assert _firmware("InstallScheduled") in link.csms.received


# -- SET_STATUS: the StatusNotification, then what the reservations show -----------------------


def test_h01_reserved_connector_unavailable_reports_in_order(clock: ManualClock) -> None:
    """The base's StatusNotification, then the reservation removed (H01.FR.23): fails when
    SET_STATUS runs the reservations first."""
    link = _online(clock)
    _reserve(link, 1)
    link.csms.clear()
    assert link.call_station("ChangeAvailability", INOPERATIVE_EVSE_1) == {"status": "Accepted"}
    assert link.csms.received == [
        _status(1, "Unavailable"),
        ("ReservationStatusUpdate", {"reservationId": 7, "reservationUpdateStatus": "Removed"}),
    ]


def test_h01_a_reserved_connector_unplugged_reports_available_then_reserved(
    clock: ManualClock,
) -> None:
    """Unplugged without a transaction: Available is reported, then the reservation shows it
    Reserved again (H01.FR.23). With the reservations first, Reserved would come before the
    status it follows."""
    link = _online(clock)
    station = _station(link)
    _reserve(link, 1)
    station.plug(1, 1)
    link.pump()
    link.csms.clear()
    station.unplug(1, 1)
    link.pump()
    assert link.csms.received == [_status(1, "Available"), _status(1, "Reserved")]


# -- ACCEPTED: every connector's status, then Installed ----------------------------------------


def test_l01_installed_after_the_boot_reports_every_connector(clock: ManualClock) -> None:
    """L01.FR.25: Installed "once the new firmware has booted and connected", after the
    statuses of B01: fails when ACCEPTED runs the firmware block first."""
    link = _online(clock, ALFEN_DOUBLE)
    station = _station(link)
    assert _update(link) == {"status": "Accepted"}
    _io(link).finish_download(IMAGE_2_0_0)
    link.run_for(5)
    link.csms.clear()
    link.run_for(station.firmware_install_s + 5)
    assert link.csms.actions() == [
        "FirmwareStatusNotification",
        "BootNotification",
        "StatusNotification",
        "StatusNotification",
        "FirmwareStatusNotification",
        *["SecurityEventNotification"] * 3,  # reset, start, firmware updated (A04.FR.01)
    ]
    booted_at = station.firmware_install_s + 5
    ordered = ("BootNotification", "SecurityEventNotification")
    assert [p for a, p in link.csms.received if a not in ordered] == [
        _firmware("InstallRebooting")[1],
        _status(1, "Available", booted_at)[1],
        _status(2, "Available", booted_at)[1],
        _firmware("Installed")[1],
    ]


# -- EVSE_IDLE: firmware, then a reset OnIdle, then a Scheduled availability -------------------


def test_g03_scheduled_unavailable_after_transaction_ends(clock: ManualClock) -> None:
    """G03.FR.05: the Scheduled change applies once the transaction block is done with the
    transaction (its Ended is queued), so the CSMS hears Ended, then Unavailable."""
    link = _online(clock)
    station = _charging(link)
    assert link.call_station("ChangeAvailability", INOPERATIVE_EVSE_1) == {"status": "Scheduled"}
    link.csms.clear()
    station.present_id_token("TAG-1")  # the driver stops; the cable stays in
    link.pump()
    assert link.csms.actions() == ["TransactionEvent", "StatusNotification"]
    assert events(link)[0]["eventType"] == "Ended"
    assert link.csms.received[1] == _status(1, "Unavailable")


def test_l01_an_installation_waiting_for_idle_goes_before_a_reset_on_idle(
    clock: ManualClock,
) -> None:
    """The transaction ends: the waiting installation starts (Installing, L01.FR.06) before
    the reset OnIdle reboots the station (B12.FR.02); the update, cut by that reboot, starts
    over after the boot. Fails when EVSE_IDLE runs the provisioning block (the reset) before
    the firmware block: the station reboots without Installing."""
    link = _online(clock)
    station = _charging(link)
    assert link.call_station("Reset", {"type": "OnIdle"}) == {"status": "Scheduled"}
    _waiting_update(link)
    link.csms.clear()
    station.present_id_token("TAG-1")
    link.pump()
    link.follow_station()
    link.run_for(6)
    assert link.csms.actions() == [
        "TransactionEvent",
        "FirmwareStatusNotification",
        "BootNotification",
        "StatusNotification",
        "FirmwareStatusNotification",
        *["SecurityEventNotification"] * 2,
    ]
    assert link.csms.payloads("FirmwareStatusNotification") == [
        _firmware("Installing")[1],
        _firmware("Downloading")[1],
    ]
    assert link.csms.payloads("BootNotification")[0]["reason"] == "ScheduledReset"
    assert statuses(link) == [(1, 1, "Occupied")]


def test_b12_a_reset_on_idle_reboots_before_a_scheduled_unavailable_is_reported(
    clock: ManualClock,
) -> None:
    """A reset OnIdle and a Scheduled Inoperative wait for the same transaction: the reset
    takes the station down first (B12), so Unavailable is first reported by the boot's
    statuses (G03 persists through the reboot). Fails when EVSE_IDLE runs the availability
    block before the provisioning block: Unavailable is reported twice, before and after."""
    link = _online(clock)
    station = _charging(link)
    assert link.call_station("Reset", {"type": "OnIdle"}) == {"status": "Scheduled"}
    assert link.call_station("ChangeAvailability", INOPERATIVE_EVSE_1) == {"status": "Scheduled"}
    link.csms.clear()
    station.present_id_token("TAG-1")
    link.pump()
    link.follow_station()
    link.run_for(6)
    assert link.csms.actions() == [
        "TransactionEvent",
        "BootNotification",
        "StatusNotification",
        *["SecurityEventNotification"] * 2,
    ]
    assert link.csms.payloads("BootNotification")[0]["reason"] == "ScheduledReset"
    assert statuses(link) == [(1, 1, "Unavailable")]


def test_l01_an_installation_waiting_for_idle_goes_before_a_scheduled_unavailable(
    clock: ManualClock,
) -> None:
    """The transaction ends: Installing (L01.FR.06), then the Scheduled Inoperative applies
    (G03) and the station reboots into the new firmware still Unavailable. Fails when
    EVSE_IDLE runs the availability block before the firmware block: Unavailable comes
    before Installing."""
    link = _online(clock)
    station = _charging(link)
    assert link.call_station("ChangeAvailability", INOPERATIVE_EVSE_1) == {"status": "Scheduled"}
    _waiting_update(link)
    link.csms.clear()
    station.present_id_token("TAG-1")
    link.pump()
    assert link.csms.actions() == [
        "TransactionEvent",
        "FirmwareStatusNotification",
        "StatusNotification",
    ]
    assert link.csms.received[1:] == [_firmware("Installing"), _status(1, "Unavailable", 60)]
    link.csms.clear()
    link.run_for(station.firmware_install_s + 5)
    assert link.csms.payloads("FirmwareStatusNotification") == [
        _firmware("InstallRebooting")[1],
        _firmware("Installed")[1],
    ]
    assert statuses(link) == [(1, 1, "Unavailable")]


# -- POWER_ON: nothing is reported before the boot is Accepted ---------------------------------


def test_b01_boot_before_any_status_after_a_power_cut(clock: ManualClock) -> None:
    """B01: after a power cut the BootNotification comes first, then the transaction the power
    cut ends (E04: PowerLoss, queued while offline), then every connector's status as the
    listeners of POWER_ON left it (the reservation still shown, H01)."""
    link = _online(clock, ALFEN_DOUBLE)
    station = _charging(link)
    _reserve(link, 2, "TAG-2")
    link.csms.clear()
    station.reboot()
    link.follow_station()
    link.run_for(6)
    assert [a for a in link.csms.actions() if a != "SecurityEventNotification"] == [
        "BootNotification",
        "TransactionEvent",
        "StatusNotification",
        "StatusNotification",
    ]
    assert link.csms.payloads("BootNotification")[0]["reason"] == "PowerUp"
    assert link.csms.payloads("StatusNotification") == [
        _status(1, "Occupied", 5)[1],
        _status(2, "Reserved", 5)[1],
    ]
    [ended] = events(link)
    assert (ended["eventType"], ended["triggerReason"], ended["offline"]) == (
        "Ended",
        "AbnormalCondition",
        True,
    )
    assert ended["transactionInfo"]["stoppedReason"] == "PowerLoss"
