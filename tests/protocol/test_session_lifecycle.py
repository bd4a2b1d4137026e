"""Deadlines of outgoing calls (the sender decides how long to wait, OCPP-J 1.6 section 4.1.1)
and closing a session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chargeyard.protocol import (
    CallAnswered,
    CallCancelled,
    CallTimeout,
    FrameDropped,
    Role,
    Session,
    VersionSpec,
)

from .support import HEARTBEAT_ANSWER, FakeClock, each_version, failures, sent, text

MakeSession = Callable[..., Session]


@pytest.fixture
def station(make_session: MakeSession) -> Callable[..., Session]:
    def make(version: VersionSpec, **options: object) -> Session:
        return make_session(version, role=Role.STATION, prefix="st", **options)

    return make


@each_version
def test_idle_session_has_no_deadline(version: VersionSpec, station: MakeSession) -> None:
    session = station(version)
    assert (session.next_deadline(), session.expire()) == (None, [])


@each_version
def test_call_expires_at_its_deadline(
    version: VersionSpec, station: MakeSession, clock: FakeClock
) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    assert session.next_deadline() == 1030.0
    clock.advance(29.999)
    assert session.expire() == []
    clock.advance(0.001)
    assert failures(session.expire()) == [
        ("st-1", "Heartbeat", CallTimeout, "Heartbeat [st-1]: no answer within 30 s")
    ]
    assert (session.next_deadline(), session.calls_outstanding, sent(session)) == (
        None,
        0,
        [[2, "st-1", "Heartbeat", {}]],
    )


@each_version
def test_call_timeout_is_configurable(
    version: VersionSpec, station: MakeSession, clock: FakeClock
) -> None:
    session = station(version, call_timeout=2.5)
    session.call("Heartbeat", {})
    assert session.next_deadline() == 1002.5
    clock.advance(2.5)
    assert failures(session.expire()) == [
        ("st-1", "Heartbeat", CallTimeout, "Heartbeat [st-1]: no answer within 2.5 s")
    ]


@each_version
def test_deadline_starts_when_sent_not_when_queued(
    version: VersionSpec, station: MakeSession, clock: FakeClock
) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    clock.advance(10)
    session.call("Heartbeat", {})  # queued at 1010
    clock.advance(15)
    session.receive(text([3, "st-1", HEARTBEAT_ANSWER]))  # st-2 goes out at 1025
    assert sent(session) == [[2, "st-1", "Heartbeat", {}], [2, "st-2", "Heartbeat", {}]]
    assert session.next_deadline() == 1055.0
    clock.advance(29)
    assert session.expire() == []
    clock.advance(1)
    assert failures(session.expire()) == [
        ("st-2", "Heartbeat", CallTimeout, "Heartbeat [st-2]: no answer within 30 s")
    ]


@each_version
def test_after_expiry_next_queued_call_goes_out_with_its_own_deadline(
    version: VersionSpec, station: MakeSession, clock: FakeClock
) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    session.call("Heartbeat", {})
    assert sent(session) == [[2, "st-1", "Heartbeat", {}]]
    clock.advance(45)  # the adapter's timer may fire late
    assert failures(session.expire()) == [
        ("st-1", "Heartbeat", CallTimeout, "Heartbeat [st-1]: no answer within 30 s")
    ]
    assert sent(session) == [[2, "st-2", "Heartbeat", {}]]
    assert (session.next_deadline(), session.calls_outstanding) == (1075.0, 1)


@each_version
def test_late_answer_to_an_expired_call_is_dropped(
    version: VersionSpec, station: MakeSession, clock: FakeClock
) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    session.call("Heartbeat", {})
    clock.advance(30)
    session.expire()
    sent(session)
    assert session.receive(text([3, "st-1", HEARTBEAT_ANSWER])) == [
        FrameDropped("CALLRESULT for unknown id 'st-1'")
    ]
    assert session.receive(text([4, "st-1", "GenericError", "late", {}])) == [
        FrameDropped("CALLERROR for unknown id 'st-1'")
    ]
    assert (sent(session), session.calls_outstanding) == ([], 1)
    assert session.receive(text([3, "st-2", HEARTBEAT_ANSWER])) == [
        CallAnswered("st-2", "Heartbeat", HEARTBEAT_ANSWER)
    ]


@each_version
def test_answered_call_does_not_expire(
    version: VersionSpec, station: MakeSession, clock: FakeClock
) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    session.receive(text([3, "st-1", HEARTBEAT_ANSWER]))
    clock.advance(3600)
    assert (session.expire(), session.next_deadline()) == ([], None)


@each_version
def test_close_cancels_pending_and_queued_calls_in_order(
    version: VersionSpec, station: MakeSession
) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    session.call("Heartbeat", {})
    session.call("Heartbeat", {})
    assert failures(session.close()) == [
        ("st-1", "Heartbeat", CallCancelled, "Heartbeat [st-1]: connection closed"),
        ("st-2", "Heartbeat", CallCancelled, "Heartbeat [st-2]: connection closed"),
        ("st-3", "Heartbeat", CallCancelled, "Heartbeat [st-3]: connection closed"),
    ]
    assert (session.calls_outstanding, session.next_deadline(), session.expire()) == (0, None, [])
    # Only the first CALL had gone out; the queued ones never will.
    assert sent(session) == [[2, "st-1", "Heartbeat", {}]]


@each_version
def test_close_of_an_idle_session_fails_nothing(version: VersionSpec, station: MakeSession) -> None:
    assert station(version).close() == []


@each_version
def test_call_after_close_raises(version: VersionSpec, station: MakeSession) -> None:
    session = station(version)
    session.close()
    with pytest.raises(CallCancelled) as raised:
        session.call("Heartbeat", {})
    assert str(raised.value) == "Heartbeat [-]: the session is closed"
    assert sent(session) == []


@each_version
def test_answer_after_close_is_dropped(version: VersionSpec, station: MakeSession) -> None:
    session = station(version)
    session.call("Heartbeat", {})
    session.close()
    assert session.receive(text([3, "st-1", HEARTBEAT_ANSWER])) == [
        FrameDropped("message after the session closed")
    ]


@each_version
def test_a_closed_session_answers_no_call(version: VersionSpec, station: MakeSession) -> None:
    session = station(version)
    session.set_handler("Reset", lambda payload: {"status": "Accepted"})
    session.close()
    assert session.receive(text([2, "c1", "Reset", {"type": "Hard"}])) == [
        FrameDropped("message after the session closed")
    ]
    assert sent(session) == []
