"""Declared DataTransfer replies: what a declaration may say (the lengths of the official
DataTransfer schemas, the answers, data where it makes sense) and how layers merge."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.station.model.vendor_replies import (
    MAX_DATA_CHARS,
    MAX_REPLIES,
    Answer,
    InvalidVendorReply,
    VendorReply,
    merged,
    replies_json,
    vendor_handlers,
    vendor_replies,
)


def test_a_declaration_reads_into_replies_and_back() -> None:
    declared = [
        {"vendor_id": "MyVendor", "message_id": "Ping", "answer": "echo"},
        {"vendor_id": "MyVendor", "answer": "accept", "data": {"text": "Hello"}},
    ]
    replies = vendor_replies(declared)
    assert replies == (
        VendorReply("MyVendor", "Ping", Answer.ECHO),
        VendorReply("MyVendor", None, Answer.ACCEPT, {"text": "Hello"}),
    )
    assert replies_json(replies) == [
        {"vendor_id": "MyVendor", "message_id": "Ping", "answer": "echo", "data": None},
        {
            "vendor_id": "MyVendor",
            "message_id": None,
            "answer": "accept",
            "data": {"text": "Hello"},
        },
    ]
    assert vendor_replies(replies_json(replies)) == replies


@pytest.mark.parametrize(
    ("declared", "where", "reason"),
    [
        ({"vendor_id": "V"}, "", "must be a list of replies"),
        (["V"], "[1]", "must be a table of vendor_id, answer"),
        ([{"answer": "echo"}], "[1].vendor_id", "must be a string, not None"),
        ([{"vendor_id": "", "answer": "echo"}], "[1].vendor_id", "must be 1 to 255 characters"),
        (
            [{"vendor_id": "V" * 256, "answer": "echo"}],
            "[1].vendor_id",
            "must be 1 to 255 characters, not 256",
        ),
        (
            [{"vendor_id": "V", "message_id": "M" * 51, "answer": "echo"}],
            "[1].message_id",
            "must be 1 to 50 characters, not 51",
        ),
        ([{"vendor_id": "V\n", "answer": "echo"}], "[1].vendor_id", "must be printable text"),
        (
            [{"vendor_id": "V", "answer": "pong"}],
            "[1].answer",
            "must be one of echo, accept, reject, unknown_message_id, not 'pong'",
        ),
        (
            [{"vendor_id": "V", "answer": "echo", "data": "x"}],
            "[1].data",
            "echo takes no data",
        ),
        (
            [{"vendor_id": "V", "answer": "unknown_message_id", "data": "x"}],
            "[1].data",
            "unknown_message_id takes no data",
        ),
        (
            [{"vendor_id": "V", "answer": "accept", "data": "x" * MAX_DATA_CHARS}],
            "[1].data",
            f"at most {MAX_DATA_CHARS:,}",
        ),
        (
            [{"vendor_id": "V", "answer": "accept", "data": float("nan")}],
            "[1].data",
            "must be a JSON value",
        ),
        (
            [{"vendor_id": "V", "answer": "echo", "colour": "red"}],
            "[1].colour",
            "unknown field",
        ),
        (
            [
                {"vendor_id": "V", "message_id": "M", "answer": "echo"},
                {"vendor_id": "v", "message_id": "m", "answer": "reject"},
            ],
            "[2]",
            "a second reply for vendorId 'v' with messageId 'm'",
        ),
        (
            [{"vendor_id": "V", "answer": "echo"}, {"vendor_id": "V", "answer": "reject"}],
            "[2]",
            "a second reply for vendorId 'V' with no messageId",
        ),
        (
            [{"vendor_id": f"V{n}", "answer": "echo"} for n in range(MAX_REPLIES + 1)],
            "",
            f"at most {MAX_REPLIES}",
        ),
    ],
)
def test_a_broken_rule_names_the_entry_and_field(declared: Any, where: str, reason: str) -> None:
    with pytest.raises(InvalidVendorReply) as raised:
        vendor_replies(declared)
    assert raised.value.where == where
    assert reason in raised.value.reason


def test_a_later_layer_replaces_a_reply_for_the_same_ids() -> None:
    defaults = vendor_replies([{"vendor_id": "chargeyard", "answer": "echo"}])
    model = vendor_replies(
        [
            {"vendor_id": "ChargeYard", "answer": "reject"},
            {"vendor_id": "Acme", "message_id": "Ping", "answer": "echo"},
        ]
    )
    assert merged(defaults, model) == model


def test_handlers_are_keyed_by_vendor_and_answer_by_message_id() -> None:
    replies = vendor_replies(
        [
            {"vendor_id": "Acme", "message_id": "Ping", "answer": "echo"},
            {"vendor_id": "Acme", "message_id": "Off", "answer": "reject"},
        ]
    )
    handlers = vendor_handlers(replies, text_data=True)
    assert list(handlers) == ["Acme"]
    assert handlers["Acme"]("Ping", "p") == ("Accepted", "p")
    assert handlers["Acme"]("Off", None) == ("Rejected", None)
    assert handlers["Acme"]("On", None) == ("UnknownMessageId", None)
