"""Handlers that answer later: a handler returning an awaitable yields HandlerDeferred, and the
adapter answers with respond()/respond_error(). The core has no asyncio, so neither do these
tests: they drive the awaitable by hand or never run it at all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from chargeyard.protocol import (
    V21,
    ErrorKind,
    HandlerDeferred,
    OcppError,
    Payload,
    Session,
    VersionSpec,
)

from .support import (
    BOOT_ACCEPTED,
    BOOT_REQUEST,
    PERIODIC_EVENT_STREAM,
    Pending,
    each_version,
    run_to_completion,
    sent,
    text,
)

MakeSession = Callable[..., Session]


@each_version
def test_handler_returning_an_awaitable_is_deferred(
    version: VersionSpec, make_session: MakeSession
) -> None:
    pending = Pending()
    session = make_session(version, {"BootNotification": lambda payload: pending})
    events = session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]]))
    assert events == [HandlerDeferred("m-1", "BootNotification", pending)]
    assert sent(session) == []


@each_version
def test_respond_answers_the_deferred_call(version: VersionSpec, make_session: MakeSession) -> None:
    async def boot(payload: Payload) -> Payload:
        return {**BOOT_ACCEPTED, "interval": len(payload)}

    session = make_session(version, {"BootNotification": boot})
    [event] = session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]]))
    assert isinstance(event, HandlerDeferred)
    session.respond(event.unique_id, run_to_completion(event.awaitable))
    assert sent(session) == [[3, "m-1", {**BOOT_ACCEPTED, "interval": 2}]]


@each_version
def test_deferred_calls_are_answered_in_any_order(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version, {"BootNotification": lambda payload: Pending()})
    boot = BOOT_REQUEST[version.name]
    session.receive(text([2, "m-1", "BootNotification", boot]))
    session.receive(text([2, "m-2", "BootNotification", boot]))
    session.respond("m-2", {**BOOT_ACCEPTED, "status": "Pending"})
    session.respond("m-1", BOOT_ACCEPTED)
    assert sent(session) == [
        [3, "m-2", {**BOOT_ACCEPTED, "status": "Pending"}],
        [3, "m-1", BOOT_ACCEPTED],
    ]


@each_version
def test_deferred_answer_is_checked_against_the_schema(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version, {"BootNotification": lambda payload: Pending()})
    session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]]))
    session.respond("m-1", {"status": "Accepted"})
    assert sent(session) == [
        [4, "m-1", "InternalError", "BootNotification could not be processed", {}]
    ]


@each_version
def test_respond_error_with_ocpp_error_uses_its_code(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version, {"BootNotification": lambda payload: Pending()})
    session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]]))
    session.respond_error("m-1", OcppError(ErrorKind.SECURITY_ERROR, "not on the allow list"))
    assert sent(session) == [[4, "m-1", "SecurityError", "not on the allow list", {}]]


@each_version
def test_respond_error_with_any_other_exception_is_an_internal_error(
    version: VersionSpec, make_session: MakeSession, caplog: pytest.LogCaptureFixture
) -> None:
    async def boot(payload: Payload) -> Payload:
        raise KeyError("secret-key-name")

    session = make_session(version, {"BootNotification": boot})
    [event] = session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]]))
    assert isinstance(event, HandlerDeferred)
    with pytest.raises(KeyError) as raised:
        run_to_completion(event.awaitable)
    with caplog.at_level(logging.ERROR, logger="chargeyard.protocol.session"):
        session.respond_error("m-1", raised.value)
    assert sent(session) == [
        [4, "m-1", "InternalError", "BootNotification could not be processed", {}]
    ]
    [record] = caplog.records
    assert record.exc_info is not None
    assert record.exc_info[1] is raised.value


@each_version
def test_deferred_call_is_answered_once(version: VersionSpec, make_session: MakeSession) -> None:
    session = make_session(version, {"BootNotification": lambda payload: Pending()})
    session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]]))
    session.respond("m-1", BOOT_ACCEPTED)
    session.respond("m-1", BOOT_ACCEPTED)
    session.respond_error("m-1", RuntimeError("again"))
    assert sent(session) == [[3, "m-1", BOOT_ACCEPTED]]


@each_version
def test_respond_to_an_unknown_id_sends_nothing(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version)
    session.respond("m-9", BOOT_ACCEPTED)
    session.respond_error("m-9", OcppError(ErrorKind.GENERIC_ERROR))
    assert sent(session) == []


@each_version
def test_close_forgets_deferred_calls(version: VersionSpec, make_session: MakeSession) -> None:
    coroutines: list[Any] = []

    async def boot(payload: Payload) -> Payload:
        return BOOT_ACCEPTED

    def handler(payload: Payload) -> Any:
        coroutines.append(boot(payload))
        return coroutines[-1]

    session = make_session(version, {"BootNotification": handler})
    session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]]))
    assert session.close() == []
    coroutines[0].close()  # the adapter cancels what it was awaiting
    session.respond("m-1", BOOT_ACCEPTED)
    assert sent(session) == []


def test_deferred_send_handler_is_never_answered_21(make_session: MakeSession) -> None:
    pending = Pending()
    session = make_session(V21, {"NotifyPeriodicEventStream": lambda payload: pending})
    events = session.receive(text([6, "s-1", "NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM]))
    assert events == [HandlerDeferred("s-1", "NotifyPeriodicEventStream", pending)]
    session.respond("s-1", {})
    session.respond_error("s-1", RuntimeError("boom"))
    assert sent(session) == []


@each_version
def test_a_second_call_under_an_id_still_being_handled_gets_its_own_callerror(
    version: VersionSpec, make_session: MakeSession
) -> None:
    # OCPP-J 1.6 section 4.1.3 / 2.0.1 part 4 section 4.1.3: one id, one CALL. Each CALL still
    # gets exactly one answer: the duplicate a GenericError, the first its handler's answer.
    code = "GenericError"

    async def boot(payload: Payload) -> Payload:
        return BOOT_ACCEPTED

    session = make_session(version, {"BootNotification": boot})
    call = text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]])
    [first] = session.receive(call)
    assert isinstance(first, HandlerDeferred)
    assert session.receive(call) == []
    [duplicate] = sent(session)
    assert duplicate[:3] == [4, "m-1", code]
    assert "still being handled" in duplicate[3]
    session.respond("m-1", run_to_completion(first.awaitable))
    assert sent(session) == [[3, "m-1", BOOT_ACCEPTED]]
    # Once answered, the id may come again (a retry) and is handled as new.
    [again] = session.receive(call)
    assert isinstance(again, HandlerDeferred)
    again.awaitable.close()
