"""Frames are held to the session's size limit (``protocol/limits.py``): ours are refused
before they are sent, the peer's CALLs are answered FormatViolation (what OCPP 2.0.1 B06.FR.17
answers a request over BytesPerMessage), answers over it fail their call, and the session
goes on."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from chargeyard.protocol import (
    V16,
    V21,
    V201,
    CallFailed,
    FrameDropped,
    FrameTooLarge,
    MalformedCallResult,
    Payload,
    Role,
    Session,
    VersionSpec,
)

from .support import BOOT_REQUEST, HEARTBEAT_ANSWER, each_version, failures, sent, text

MakeSession = Callable[..., Session]
LIMIT = 200


def per_version(code_16: str, code_2: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("version", "code"),
        [(V16, code_16), (V201, code_2), (V21, code_2)],
        ids=["1.6", "2.0.1", "2.1"],
    )


def heartbeat(payload: Payload) -> Payload:
    return HEARTBEAT_ANSWER


def big_transfer(fill: str = "x", count: int = LIMIT) -> Payload:
    return {"vendorId": "com.example", "data": fill * count}


@each_version
def test_a_call_over_the_limit_is_refused_before_anything_is_queued(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version, max_frame_bytes=LIMIT)
    frame_size = len(orjson.dumps([2, "cs-1", "DataTransfer", big_transfer()]))
    with pytest.raises(FrameTooLarge) as refused:
        session.call("DataTransfer", big_transfer())
    assert (refused.value.size, refused.value.limit, refused.value.description) == (
        frame_size,
        LIMIT,
        f"the DataTransfer CALL is a frame of {frame_size:,} bytes;"
        f" frames are limited to {LIMIT:,} bytes",
    )
    assert (sent(session), session.calls_outstanding) == ([], 0)
    # The session goes on: the next call goes out at once.
    session.call("DataTransfer", {"vendorId": "com.example"})
    assert sent(session) == [[2, "cs-2", "DataTransfer", {"vendorId": "com.example"}]]


def test_a_send_over_the_limit_is_refused(make_session: MakeSession) -> None:
    session = make_session(V21, role=Role.STATION, prefix="st", max_frame_bytes=LIMIT)
    stream = {"id": 1, "pending": 0, "basetime": "2025-01-01T00:00:00Z", "data": []}
    stream["data"] = [{"t": n, "v": "230.1"} for n in range(20)]
    with pytest.raises(FrameTooLarge):
        session.send("NotifyPeriodicEventStream", stream)
    assert sent(session) == []


@per_version("FormationViolation", "FormatViolation")
@pytest.mark.parametrize("fill", ["x", "€"], ids=["ascii", "three-byte-characters"])
def test_a_peer_s_call_over_the_limit_is_answered_format_violation(
    version: VersionSpec, code: str, fill: str, make_session: MakeSession
) -> None:
    session = make_session(version, {"Heartbeat": heartbeat}, max_frame_bytes=LIMIT)
    # 70 three-byte characters are 70 characters but 210 bytes: the bytes count.
    message = text([2, "m-1", "DataTransfer", big_transfer(fill, LIMIT if fill == "x" else 70)])
    size = len(message.encode())
    assert size > LIMIT
    assert session.receive(message) == []
    assert sent(session) == [
        [
            4,
            "m-1",
            code,
            f"the message is a frame of {size:,} bytes; frames are limited to {LIMIT:,} bytes",
            {"size": size, "limit": LIMIT},
        ]
    ]
    # The session goes on.
    session.receive(text([2, "m-2", "Heartbeat", {}]))
    assert sent(session) == [[3, "m-2", HEARTBEAT_ANSWER]]


@per_version("FormationViolation", "FormatViolation")
def test_a_large_message_whose_id_cannot_be_read_is_answered_with_id_minus_one(
    version: VersionSpec, code: str, make_session: MakeSession
) -> None:
    session = make_session(version, max_frame_bytes=LIMIT)
    message = " " * LIMIT + "not a frame"
    assert session.receive(message.encode()) == []
    [(kind, unique_id, answered_code, _, details)] = sent(session)
    assert (kind, unique_id, answered_code, details) == (
        4,
        "-1",
        code,
        {"size": len(message), "limit": LIMIT},
    )


@each_version
def test_an_answer_over_the_limit_fails_its_call(
    version: VersionSpec, make_session: MakeSession
) -> None:
    station = make_session(version, role=Role.STATION, prefix="st", max_frame_bytes=LIMIT)
    station.call("BootNotification", BOOT_REQUEST[version.name])
    sent(station)
    answer = text([3, "st-1", {"status": "Accepted", "padding": "x" * LIMIT}])
    size = len(answer)
    description = f"the message is a frame of {size:,} bytes; frames are limited to {LIMIT:,} bytes"
    events = station.receive(answer)
    assert failures(events) == [
        (
            "st-1",
            "BootNotification",
            MalformedCallResult,
            f"BootNotification [st-1]: malformed CALLRESULT (FormatViolation): {description}",
        )
    ]
    # 2.1 tells the peer its CALLRESULT was not taken (part 4 section 4.2.4); 1.6 and 2.0.1
    # have no such message.
    expected = [[5, "st-1", "FormatViolation", description, {}]] if version is V21 else []
    assert sent(station) == expected
    assert station.calls_outstanding == 0


@each_version
def test_a_callerror_over_the_limit_fails_its_call(
    version: VersionSpec, make_session: MakeSession
) -> None:
    station = make_session(version, role=Role.STATION, prefix="st", max_frame_bytes=LIMIT)
    station.call("BootNotification", BOOT_REQUEST[version.name])
    sent(station)
    events = station.receive(text([4, "st-1", "InternalError", "x" * LIMIT, {}]))
    assert len(events) == 1
    assert isinstance(events[0], CallFailed)
    assert isinstance(events[0].error, MalformedCallResult)
    assert station.calls_outstanding == 0


@each_version
def test_an_answer_over_the_limit_to_no_call_of_ours_is_dropped(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version, max_frame_bytes=LIMIT)
    events = session.receive(text([3, "nobody", {"padding": "x" * LIMIT}]))
    assert [type(event) for event in events] == [FrameDropped]
    assert sent(session) == []


def test_a_send_over_the_limit_is_dropped_without_an_answer(make_session: MakeSession) -> None:
    session = make_session(V21, max_frame_bytes=LIMIT)
    message = text([6, "m-1", "NotifyPeriodicEventStream", {"padding": "x" * LIMIT}])
    assert [type(event) for event in session.receive(message)] == [FrameDropped]
    assert sent(session) == []


@each_version
def test_an_answer_of_ours_over_the_limit_becomes_a_generic_error(
    version: VersionSpec, make_session: MakeSession
) -> None:
    def data_transfer(payload: Payload) -> Payload:
        return {"status": "Accepted", "data": "x" * LIMIT}

    session = make_session(version, {"DataTransfer": data_transfer}, max_frame_bytes=LIMIT)
    session.receive(text([2, "m-1", "DataTransfer", {"vendorId": "com.example"}]))
    size = len(orjson.dumps([3, "m-1", {"status": "Accepted", "data": "x" * LIMIT}]))
    assert sent(session) == [
        [
            4,
            "m-1",
            "GenericError",
            f"the answer to DataTransfer is a frame of {size:,} bytes;"
            f" frames are limited to {LIMIT:,} bytes",
            {},
        ]
    ]


@each_version
def test_without_a_limit_any_size_goes(version: VersionSpec, make_session: MakeSession) -> None:
    session = make_session(version, max_frame_bytes=None)
    session.call("DataTransfer", big_transfer(count=100_000))
    assert len(session.data_to_send()[0]) > 100_000
