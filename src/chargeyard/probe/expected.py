"""What OCPP-J asks of a CSMS for each case, and what the probe saw it do.

Theory of operation
-------------------
A case is judged on an :class:`Observation`: the frames the CSMS sent in answer to what the
case sent (its own CALLs and the probe's barrier left out), how the connection ended if it did,
whether it still answers a Heartbeat afterwards, and for a handshake what the upgrade came to.
An :class:`Expected` lists the outcomes the specification allows, each an :class:`Outcome`;
the case passes when what was observed is one of them.

A CALLERROR is judged by its code against the set the spec allows for the case, spelled as the
version spells it (``ErrorKind`` through ``VersionSpec.error_code``: 1.6 FormationViolation and
OccurenceConstraintViolation, 2.0.1 FormatViolation and OccurrenceConstraintViolation). Where the
error-code table of OCPP-J (1.6 section 4.2.3 table 7; 2.0.1 part 4 section 4.3) fits one
mistake under two definitions, both are accepted and the report names them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from chargeyard.probe.wire import Closed
from chargeyard.protocol import ErrorKind, VersionSpec


def codes(version: VersionSpec, *kinds: ErrorKind) -> tuple[str, ...]:
    """The wire codes of ``kinds`` in ``version``, each once, in the order given."""
    return tuple(dict.fromkeys(version.error_code(kind) for kind in kinds))


@dataclass(slots=True)
class Observation:
    """What the CSMS did in a case.

    Attributes:
        answers: the frames it sent in answer (decoded JSON, or the text when it is none).
        closed: how the connection ended during the case (None: it stayed open).
        open_after: whether a Heartbeat sent after the case was answered.
        handshake: for a handshake case, what the upgrade came to in words ("HTTP 401",
            "opened with ocpp1.6"), else None.
        refused: for a handshake case, whether the CSMS refused (an HTTP status, or a
            WebSocket closed before anything was answered).
    """

    answers: list[Any] = field(default_factory=list)
    closed: Closed | None = None
    open_after: bool = False
    handshake: str | None = None
    refused: bool = False

    def said(self) -> str:
        """The observation as a report shows it."""
        parts: list[str] = []
        if self.handshake is not None:
            parts.append(f"handshake: {self.handshake}")
        parts.extend(
            orjson.dumps(answer).decode() if not isinstance(answer, str) else answer
            for answer in self.answers
        )
        if self.handshake is None and not self.answers:
            parts.append("no answer")
        if self.closed is not None:
            parts.append(str(self.closed))
        elif self.handshake is None:
            parts.append(
                "the connection stayed open"
                + ("" if self.open_after else ", but a Heartbeat after it went unanswered")
            )
        return "; ".join(parts)


class Outcome:
    """One outcome the spec allows."""

    def met_by(self, seen: Observation) -> bool:
        raise NotImplementedError

    def __str__(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class CallErrorWith(Outcome):
    """A CALLERROR with one of ``codes`` carrying ``unique_id`` (None: any id), and the
    connection still open."""

    codes: tuple[str, ...]
    unique_id: str | None

    def met_by(self, seen: Observation) -> bool:
        if len(seen.answers) != 1 or not seen.open_after:
            return False
        answer = seen.answers[0]
        return (
            isinstance(answer, list)
            and len(answer) == 5
            and answer[0] == 4
            and (self.unique_id is None or answer[1] == self.unique_id)
            and answer[2] in self.codes
        )

    def __str__(self) -> str:
        which = " or ".join(self.codes)
        to = "" if self.unique_id is None else f' with id "{self.unique_id}"'
        return f"CALLERROR {which}{to}, the connection open"


@dataclass(frozen=True, slots=True)
class ResultFor(Outcome):
    """A CALLRESULT carrying ``unique_id``, and the connection still open."""

    unique_id: str

    def met_by(self, seen: Observation) -> bool:
        return (
            seen.open_after
            and len(seen.answers) == 1
            and isinstance(seen.answers[0], list)
            and seen.answers[0][:2] == [3, self.unique_id]
        )

    def __str__(self) -> str:
        return f'a CALLRESULT with id "{self.unique_id}", the connection open'


@dataclass(frozen=True, slots=True)
class Answered(Outcome):
    """Each of ``unique_ids`` answered once (a CALLRESULT or a CALLERROR, in any order), and
    the connection still open."""

    unique_ids: tuple[str, ...]

    def met_by(self, seen: Observation) -> bool:
        answered = [
            answer[1]
            for answer in seen.answers
            if isinstance(answer, list) and len(answer) >= 3 and answer[0] in (3, 4)
        ]
        return (
            seen.open_after
            and len(answered) == len(seen.answers)
            and sorted(map(str, answered)) == sorted(self.unique_ids)
        )

    def __str__(self) -> str:
        ids = ", ".join(f'"{unique_id}"' for unique_id in self.unique_ids)
        return f"a CALLRESULT or CALLERROR for each of {ids}, the connection open"


@dataclass(frozen=True, slots=True)
class Ignored(Outcome):
    """No answer at all, and the connection still open."""

    def met_by(self, seen: Observation) -> bool:
        return not seen.answers and seen.closed is None and seen.open_after

    def __str__(self) -> str:
        return "no answer, the connection open"


@dataclass(frozen=True, slots=True)
class ClosedWith(Outcome):
    """The CSMS closes the WebSocket with one of ``close_codes`` (RFC 6455 section 7.4.1)."""

    close_codes: tuple[int, ...]

    def met_by(self, seen: Observation) -> bool:
        return seen.closed is not None and seen.closed.code in self.close_codes

    def __str__(self) -> str:
        return "the WebSocket closed with " + " or ".join(map(str, self.close_codes))


@dataclass(frozen=True, slots=True)
class RefusedHandshake(Outcome):
    """The handshake refused: an HTTP status other than 101, or a WebSocket the CSMS closes
    before it answers anything."""

    def met_by(self, seen: Observation) -> bool:
        return seen.refused

    def __str__(self) -> str:
        return "refused (an HTTP error status, or the WebSocket closed before any answer)"


@dataclass(frozen=True, slots=True)
class Expected:
    """The outcomes the spec allows for a case; ``why``: the rule, with its section."""

    outcomes: tuple[Outcome, ...]
    why: str
    unserved: CallErrorWith | None = None
    """The answer of a CSMS that does not serve the action at all (NotSupported or
    NotImplemented): the case cannot judge how it checks the action's payload."""

    def met_by(self, seen: Observation) -> bool:
        return any(outcome.met_by(seen) for outcome in self.outcomes)

    def unjudged(self, seen: Observation) -> bool:
        """Whether ``seen`` says the CSMS does not serve what the case needs (inconclusive)."""
        return self.unserved is not None and self.unserved.met_by(seen)

    @property
    def accepted_codes(self) -> tuple[str, ...]:
        """Every CALLERROR code an outcome accepts."""
        found: Iterable[str] = (
            code
            for outcome in self.outcomes
            if isinstance(outcome, CallErrorWith)
            for code in outcome.codes
        )
        return tuple(dict.fromkeys(found))

    def __str__(self) -> str:
        return " | ".join(map(str, self.outcomes)) + f"; {self.why}"
