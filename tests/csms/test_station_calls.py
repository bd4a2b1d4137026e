"""Station calls as messages: a request and every kind of answer survive to_dict, JSON and
from_dict unchanged, and the asker raises from the answer the same error, with the same words,
that the serving node caught (so the API answers as it did without the path)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chargeyard.csms.station_calls import (
    AnswerKind,
    StationAnswer,
    StationDidNotAnswer,
    StationNodeGone,
    StationNotConnected,
    StationRefused,
    StationRejected,
    StationRequest,
    StationsUnreachable,
    answer_for,
    payload_of,
)
from chargeyard.protocol import CallFailure, FrameTooLarge, MalformedCallResult, OcppError
from chargeyard.protocol.errors import ErrorKind

REQUEST = StationRequest(
    request_id="r-1",
    asker="api-1",
    identity="CP-1",
    action="ChangeConfiguration",
    payload={"key": "HeartbeatInterval", "value": "60"},
    timeout=0.3,
    deadline=1_800_000_000.25,
)


def carried(data: dict[str, Any]) -> dict[str, Any]:
    """As a stream between processes carries a message: JSON text."""
    text: dict[str, Any] = json.loads(json.dumps(data))
    return text


def test_a_request_round_trips() -> None:
    assert StationRequest.from_dict(carried(REQUEST.to_dict())) == REQUEST


# What the serving node caught, for each kind of answer but ``result``.
ERRORS: dict[AnswerKind, Exception] = {
    AnswerKind.NOT_CONNECTED: StationNotConnected("CP-1"),
    AnswerKind.REJECTED: StationRejected("CP-1"),
    AnswerKind.TIMEOUT: StationDidNotAnswer("CP-1", "ChangeConfiguration", 0.3),
    AnswerKind.CALL_ERROR: StationRefused(
        "CP-1", "ChangeConfiguration", "InternalError", "the flash is full"
    ),
    AnswerKind.MALFORMED: MalformedCallResult(
        "ChangeConfiguration", "u-17", ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, "status: 'Maybe'"
    ),
    AnswerKind.INVALID: OcppError(
        ErrorKind.TYPE_CONSTRAINT_VIOLATION, "key: too long", {"path": "key"}
    ),
    AnswerKind.TOO_LARGE: FrameTooLarge("the CALL ChangeConfiguration", 70_000, 65_536),
    AnswerKind.FAILED: RuntimeError("the node's store is gone"),
    AnswerKind.UNREACHABLE: StationsUnreachable("Redis at 127.0.0.1:6379 refused the connection"),
    AnswerKind.NODE_GONE: StationNodeGone(
        "CP-1", "the node holding charger CP-1 went away; retry (nothing was sent)"
    ),
}


def test_every_kind_of_answer_has_a_case() -> None:
    assert {AnswerKind.RESULT, *ERRORS} == set(AnswerKind)


def test_a_result_round_trips_and_is_returned() -> None:
    answer = StationAnswer("r-1", AnswerKind.RESULT, {"status": "Accepted"})
    carried_answer = StationAnswer.from_dict(carried(answer.to_dict()))
    assert carried_answer == answer
    assert payload_of(REQUEST, carried_answer) == {"status": "Accepted"}


@pytest.mark.parametrize("kind", list(ERRORS), ids=str)
def test_an_error_round_trips_and_is_raised_as_caught(kind: AnswerKind) -> None:
    caught = ERRORS[kind]
    answer = answer_for(REQUEST, caught)
    assert answer.kind is kind
    assert answer.request_id == "r-1"
    carried_answer = StationAnswer.from_dict(carried(answer.to_dict()))
    assert carried_answer == answer
    expected = CallFailure if kind is AnswerKind.FAILED else type(caught)
    with pytest.raises(expected) as raised:
        payload_of(REQUEST, carried_answer)
    assert type(raised.value) is expected
    if kind is AnswerKind.FAILED:
        assert str(raised.value) == "ChangeConfiguration [r-1]: the node's store is gone"
    else:
        assert str(raised.value) == str(caught)
        assert vars(raised.value) == vars(caught)


def test_a_timeout_names_the_asker_s_limit() -> None:
    answer = StationAnswer("r-1", AnswerKind.TIMEOUT)
    with pytest.raises(StationDidNotAnswer) as raised:
        payload_of(REQUEST, answer)
    assert str(raised.value) == "charger CP-1 did not answer ChangeConfiguration within 0.3 s"


def test_an_answer_to_dict_is_json_types_only() -> None:
    for caught in ERRORS.values():
        data = answer_for(REQUEST, caught).to_dict()
        assert carried(data) == data
        assert isinstance(data["kind"], str)
