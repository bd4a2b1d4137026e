"""Incoming CALLs reach the handler registered for their action; what a handler raises or
returns is turned into the answer the spec names, and its bugs stay on our side."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NoReturn

import pytest

from chargeyard.protocol import V16, V21, V201, ErrorKind, OcppError, Payload, Session, VersionSpec

from .support import BOOT_ACCEPTED, BOOT_REQUEST, HEARTBEAT_ANSWER, each_version, sent, text

MakeSession = Callable[..., Session]


def per_version(code_16: str, code_2: str) -> Any:
    """Parametrize over the versions with the code each one answers (2.1 spells as 2.0.1)."""
    return pytest.mark.parametrize(
        ("version", "code"),
        [(V16, code_16), (V201, code_2), (V21, code_2)],
        ids=["1.6", "2.0.1", "2.1"],
    )


@each_version
def test_call_is_routed_to_the_handler_of_its_action(
    version: VersionSpec, make_session: MakeSession
) -> None:
    seen: list[tuple[str, Payload]] = []

    def boot(payload: Payload) -> Payload:
        seen.append(("boot", payload))
        return BOOT_ACCEPTED

    def beat(payload: Payload) -> Payload:
        seen.append(("heartbeat", payload))
        return HEARTBEAT_ANSWER

    session = make_session(version, {"BootNotification": boot, "Heartbeat": beat})
    assert session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]])) == []
    assert session.receive(text([2, "m-2", "Heartbeat", {}])) == []
    assert sent(session) == [[3, "m-1", BOOT_ACCEPTED], [3, "m-2", HEARTBEAT_ANSWER]]
    assert seen == [("boot", BOOT_REQUEST[version.name]), ("heartbeat", {})]


@each_version
def test_validate_false_hands_any_payload_to_the_handler(
    version: VersionSpec, make_session: MakeSession
) -> None:
    called: list[Payload] = []

    def boot(payload: Payload) -> Payload:
        called.append(payload)
        return {"status": "Whatever"}

    session = make_session(version, {"BootNotification": boot}, validate=False)
    session.receive(text([2, "m-1", "BootNotification", {"colour": "red"}]))
    assert sent(session) == [[3, "m-1", {"status": "Whatever"}]]
    assert called == [{"colour": "red"}]


def raise_runtime_error(payload: Payload) -> NoReturn:
    raise RuntimeError("database password is hunter2")


@each_version
def test_handler_that_raises_is_an_internal_error_without_leaking(
    version: VersionSpec, make_session: MakeSession, caplog: pytest.LogCaptureFixture
) -> None:
    session = make_session(version, {"Heartbeat": raise_runtime_error})
    with caplog.at_level(logging.ERROR, logger="chargeyard.protocol.session"):
        assert session.receive(text([2, "m-1", "Heartbeat", {}])) == []
    assert sent(session) == [[4, "m-1", "InternalError", "Heartbeat could not be processed", {}]]
    # The traceback goes to our log, not to the peer.
    [record] = caplog.records
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "database password is hunter2"


@each_version
def test_handler_raising_ocpp_error_is_answered_with_its_code(
    version: VersionSpec, make_session: MakeSession
) -> None:
    def refuse(payload: Payload) -> NoReturn:
        raise OcppError(ErrorKind.SECURITY_ERROR, "station not registered", {"reason": "unknown"})

    session = make_session(version, {"Heartbeat": refuse})
    session.receive(text([2, "m-1", "Heartbeat", {}]))
    assert sent(session) == [
        [4, "m-1", "SecurityError", "station not registered", {"reason": "unknown"}]
    ]


@per_version("OccurenceConstraintViolation", "OccurrenceConstraintViolation")
def test_handler_error_kind_is_spelled_for_the_version(
    version: VersionSpec, code: str, make_session: MakeSession
) -> None:
    def refuse(payload: Payload) -> NoReturn:
        raise OcppError(ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION)

    session = make_session(version, {"Heartbeat": refuse})
    session.receive(text([2, "m-1", "Heartbeat", {}]))
    assert sent(session) == [[4, "m-1", code, "", {}]]


@each_version
@pytest.mark.parametrize(
    "answer",
    [{**BOOT_ACCEPTED, "status": "Maybe"}, {"status": "Accepted"}, None, "Accepted", []],
    ids=["enum", "missing", "none", "string", "list"],
)
def test_handler_answering_an_invalid_payload_is_an_internal_error(
    version: VersionSpec, answer: Any, make_session: MakeSession
) -> None:
    session = make_session(version, {"BootNotification": lambda payload: answer})
    session.receive(text([2, "m-1", "BootNotification", BOOT_REQUEST[version.name]]))
    assert sent(session) == [
        [4, "m-1", "InternalError", "BootNotification could not be processed", {}]
    ]


@each_version
@pytest.mark.parametrize("validate", [True, False], ids=["validated", "unvalidated"])
def test_handler_answering_a_value_json_cannot_carry_is_an_internal_error(
    version: VersionSpec, validate: bool, make_session: MakeSession
) -> None:
    def heartbeat(payload: Payload) -> Payload:
        return {"currentTime": datetime(2025, 1, 1, 12, tzinfo=UTC), "spare": object()}

    session = make_session(version, {"Heartbeat": heartbeat}, validate=validate)
    assert session.receive(text([2, "m-1", "Heartbeat", {}])) == []
    assert sent(session) == [[4, "m-1", "InternalError", "Heartbeat could not be processed", {}]]


@each_version
def test_handler_returning_a_dict_subclass_is_answered(
    version: VersionSpec, make_session: MakeSession
) -> None:
    session = make_session(version)
    session.set_handler(
        "Heartbeat", lambda payload: OrderedDict(currentTime="2026-11-21T10:00:00Z")
    )
    session.receive(text([2, "h1", "Heartbeat", {}]))
    assert sent(session) == [[3, "h1", {"currentTime": "2026-11-21T10:00:00Z"}]]


@each_version
def test_ocpp_error_with_details_json_cannot_carry_still_answers_its_code(
    version: VersionSpec, make_session: MakeSession
) -> None:
    def refuse(payload: Payload) -> Payload:
        raise OcppError(ErrorKind.SECURITY_ERROR, "not allowed", {"when": object()})

    session = make_session(version)
    session.set_handler("Heartbeat", refuse)
    session.receive(text([2, "h1", "Heartbeat", {}]))
    assert sent(session) == [[4, "h1", "SecurityError", "not allowed", {}]]
