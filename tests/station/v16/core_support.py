"""Helpers of the Core profile and Remote Trigger tests."""

from __future__ import annotations

from typing import Any

import orjson

from chargeyard.protocol import Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link
from tests.station.v16.conftest import make_station

DOUBLE = "alfen-eve-double-pro-line"  # two EVSEs of one connector each: 1.6 connectors 1, 2


def statuses(link: Link) -> list[tuple[int, str]]:
    return [(p["connectorId"], p["status"]) for p in link.csms.payloads("StatusNotification")]


def booted(clock: ManualClock, template_id: str = DOUBLE) -> Link:
    """A station of ``template_id``, Accepted, its first reports cleared."""
    link = Link(make_station(clock, template_id), clock)
    link.connect()
    link.csms.clear()
    return link


def station_of(link: Link) -> StationV16:
    station = link.station
    assert isinstance(station, StationV16)
    return station


def start_charging(link: Link, evse_id: int = 1, tag: str = "TAG-1") -> StationV16:
    """Plug an SUV at 50 % into ``evse_id`` and start with ``tag``; reports cleared."""
    station = station_of(link)
    station.plug(evse_id, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token(tag, evse_id)
    link.pump()
    link.csms.clear()
    return station


def reply_frames(link: Link, action: str, payload: Payload) -> list[list[Any]]:
    """Send a CALL to the station and return what it wrote back, in order, decoded.

    The frames are then delivered to the central system as usual.
    """
    link.csms.session.call(action, payload)
    for frame in link.csms.session.data_to_send():
        link.station.receive(frame)
    reply = link.station.data_to_send()
    for frame in reply:
        link.csms.session.receive(frame)
    link.pump()
    return [orjson.loads(frame) for frame in reply]


def reboot_fully(link: Link, delay_s: float = 5.0) -> None:
    """Let a reboot happen: the connection drops, then the station boots again."""
    link.run_for(1)
    assert not link.up
    link.run_for(delay_s)
    assert link.up
