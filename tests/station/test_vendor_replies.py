"""DataTransfer from the central system (1.6 section 5.6, 2.0.1 P01) answered as a template
or the gateway declares it (``station/model/vendor_replies.py``), on a station of each
version over the in-memory link: every answer kind, matching by vendorId and messageId, and
the data each version carries."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from chargeyard.fleet.fleet import station_class
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.station.catalog import StationTemplate, load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model.vendor_replies import vendor_replies
from tests.station.harness import Link

VERSIONS = pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])

# The reference's example: a display vendor with a GetDisplayMessage extension.
DISPLAY = [
    {"vendor_id": "MyVendor", "message_id": "Ping", "answer": "echo"},
    {
        "vendor_id": "MyVendor",
        "message_id": "GetDisplayMessage",
        "answer": "accept",
        "data": '{"text": "Hello"}',
    },
    {"vendor_id": "MyVendor", "message_id": "Reboot", "answer": "reject", "data": "busy"},
    {"vendor_id": "MyVendor", "message_id": "Legacy", "answer": "unknown_message_id"},
]


def _template(replies: list[dict[str, Any]]) -> StationTemplate:
    base = load_catalog().template("alfen-eve-single-pro-line")
    return dataclasses.replace(base, data_transfer=vendor_replies(replies))


def _online(version: VersionSpec, template: StationTemplate) -> Link:
    ids = itertools.count(1)
    clock = ManualClock()
    station = station_class(version)("CP-1", template, clock=clock, new_id=lambda: f"m{next(ids)}")
    link = Link(station, clock)
    link.connect()
    return link


def _transfer(link: Link, vendor_id: str, message_id: str | None = None, data: Any = None) -> Any:
    payload: dict[str, Any] = {"vendorId": vendor_id}
    if message_id is not None:
        payload["messageId"] = message_id
    if data is not None:
        payload["data"] = data
    return link.call_station("DataTransfer", payload)


@VERSIONS
def test_each_answer_kind_of_a_templates_replies(version: VersionSpec) -> None:
    link = _online(version, _template(DISPLAY))
    assert _transfer(link, "MyVendor", "Ping", "hello") == {"status": "Accepted", "data": "hello"}
    assert _transfer(link, "MyVendor", "Ping") == {"status": "Accepted"}
    assert _transfer(link, "MyVendor", "GetDisplayMessage", '{"screen": 1}') == {
        "status": "Accepted",
        "data": '{"text": "Hello"}',
    }
    assert _transfer(link, "MyVendor", "Reboot") == {"status": "Rejected", "data": "busy"}
    assert _transfer(link, "MyVendor", "Legacy") == {"status": "UnknownMessageId"}
    # A messageId no reply names, and a request without one: the vendor has no catch-all.
    assert _transfer(link, "MyVendor", "Other") == {"status": "UnknownMessageId"}
    assert _transfer(link, "MyVendor") == {"status": "UnknownMessageId"}


@VERSIONS
def test_an_unknown_vendor_is_still_unknown_vendor_id(version: VersionSpec) -> None:
    link = _online(version, _template(DISPLAY))
    assert _transfer(link, "OtherVendor", "Ping", "x") == {"status": "UnknownVendorId"}


@VERSIONS
def test_a_reply_without_message_id_stands_for_every_other_one(version: VersionSpec) -> None:
    replies = [
        {"vendor_id": "MyVendor", "answer": "reject"},
        {"vendor_id": "MyVendor", "message_id": "Ping", "answer": "echo"},
    ]
    link = _online(version, _template(replies))
    assert _transfer(link, "MyVendor", "Ping", "p") == {"status": "Accepted", "data": "p"}
    assert _transfer(link, "MyVendor", "Anything") == {"status": "Rejected"}
    assert _transfer(link, "MyVendor") == {"status": "Rejected"}


@VERSIONS
def test_ids_are_compared_without_regard_to_case(version: VersionSpec) -> None:
    # 1.6 types both as CiString (case insensitive).
    link = _online(version, _template(DISPLAY))
    assert _transfer(link, "myvendor", "PING", "x") == {"status": "Accepted", "data": "x"}


def test_1_6_carries_json_data_as_its_text() -> None:
    # 1.6 DataTransfer.conf data is a string (official schema): a JSON value goes as text.
    replies = [{"vendor_id": "V", "answer": "accept", "data": {"text": "Hello"}}]
    link = _online(V16, _template(replies))
    assert _transfer(link, "V") == {"status": "Accepted", "data": '{"text":"Hello"}'}


def test_2_0_1_carries_json_data_as_it_is() -> None:
    # 2.0.1 DataTransferRequest/Response data has no type (official schemas): any JSON.
    replies = [
        {"vendor_id": "V", "message_id": "Get", "answer": "accept", "data": {"text": "Hello"}},
        {"vendor_id": "V", "message_id": "Echo", "answer": "echo"},
    ]
    link = _online(V201, _template(replies))
    assert _transfer(link, "V", "Get") == {"status": "Accepted", "data": {"text": "Hello"}}
    assert _transfer(link, "V", "Echo", {"n": [1, 2]}) == {
        "status": "Accepted",
        "data": {"n": [1, 2]},
    }


@VERSIONS
def test_set_vendor_replies_replaces_the_templates(version: VersionSpec) -> None:
    link = _online(version, _template(DISPLAY))
    station: SimulatedStation = link.station
    station.set_vendor_replies(vendor_replies([{"vendor_id": "Acme", "answer": "echo"}]))
    assert _transfer(link, "Acme", "Hi", "there") == {"status": "Accepted", "data": "there"}
    assert _transfer(link, "MyVendor", "Ping", "x") == {"status": "UnknownVendorId"}
    station.set_vendor_replies(())
    assert _transfer(link, "Acme", "Hi") == {"status": "UnknownVendorId"}


@VERSIONS
def test_the_shipped_templates_echo_the_simulators_own_vendor_id(version: VersionSpec) -> None:
    link = _online(version, load_catalog().template("abb-terra-54"))
    assert _transfer(link, "chargeyard", "Anything", "ping") == {
        "status": "Accepted",
        "data": "ping",
    }
    assert _transfer(link, "MyVendor", "GetDisplayMessage") == {"status": "UnknownVendorId"}
