"""Judging what a CSMS did (``probe/expected.py``): each outcome against the observations that
meet it and those that do not."""

from __future__ import annotations

from chargeyard.probe.expected import (
    Answered,
    CallErrorWith,
    ClosedWith,
    Expected,
    Ignored,
    Observation,
    codes,
)
from chargeyard.probe.wire import Closed
from chargeyard.protocol import V16, V201, ErrorKind

ERROR = [4, "p-1", "FormationViolation", "", {}]


def test_codes_are_spelled_per_version_each_once() -> None:
    kinds = ErrorKind.RPC_FRAMEWORK_ERROR, ErrorKind.FORMAT_VIOLATION
    assert codes(V16, *kinds) == ("FormationViolation",)
    assert codes(V201, *kinds) == ("RpcFrameworkError", "FormatViolation")


def test_a_callerror_passes_with_an_allowed_code_its_id_and_the_connection_open() -> None:
    outcome = CallErrorWith(("FormationViolation",), "p-1")
    assert outcome.met_by(Observation([ERROR], open_after=True))
    assert not outcome.met_by(Observation([ERROR], open_after=False))
    assert not outcome.met_by(Observation([[4, "p-2", *ERROR[2:]]], open_after=True))
    assert not outcome.met_by(Observation([[4, "p-1", "ProtocolError", "", {}]], open_after=True))
    assert not outcome.met_by(Observation([ERROR, ERROR], open_after=True))


def test_answered_wants_each_id_once_and_nothing_else() -> None:
    outcome = Answered(("a", "b"))
    assert outcome.met_by(Observation([[3, "b", {}], [4, "a", "X", "", {}]], open_after=True))
    assert not outcome.met_by(Observation([[3, "a", {}]], open_after=True))
    assert not outcome.met_by(Observation([[3, "a", {}], [3, "b", {}], "junk"], open_after=True))


def test_ignored_and_closed() -> None:
    assert Ignored().met_by(Observation(open_after=True))
    assert not Ignored().met_by(Observation([ERROR], open_after=True))
    assert ClosedWith((1007,)).met_by(Observation(closed=Closed(1007, "invalid UTF-8")))
    assert not ClosedWith((1007,)).met_by(Observation(closed=Closed(1000)))


def test_an_expectation_names_its_outcomes_and_codes_in_the_report() -> None:
    expected = Expected(
        (CallErrorWith(("FormationViolation", "ProtocolError"), "p-1"), Ignored()), "why"
    )
    assert str(expected) == (
        'CALLERROR FormationViolation or ProtocolError with id "p-1", the connection open'
        " | no answer, the connection open; why"
    )
    assert expected.accepted_codes == ("FormationViolation", "ProtocolError")
    said = Observation([ERROR], closed=None, open_after=True).said()
    assert said == '[4,"p-1","FormationViolation","",{}]; the connection stayed open'
