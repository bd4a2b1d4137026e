"""The frames a test's simulated side exchanged, and the waits a test makes on them.

Every frame passes through one :class:`FrameRecorder`: it is kept as a :class:`Frame`, with
its direction and, for an answer, the action of the CALL it answers (matched by unique id, as
OCPP-J section 4 does), and whoever waits is woken. A wait (:meth:`FrameRecorder.wait_for`)
looks again at each frame, never on a timer; past its deadline it fails with what it waited
for and the last frames seen, so a failing test says why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import orjson

Payload = dict[str, Any]
Direction = Literal["sent", "received"]
_T = TypeVar("_T")

_CALL, _RESULT, _ERROR = 2, 3, 4
_SHOWN = 8  # frames a failed wait shows


class WaitTimedOut(AssertionError):
    """A wait of a test passed its deadline: the message says what was awaited and what was
    seen (an ``AssertionError``, so that pytest reports a failure, not an error)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One OCPP-J frame.

    Attributes:
        direction: ``"sent"`` by chargeyard's side (the simulated station, the lab's central
            system) or ``"received"`` from its peer.
        message_type: 2 CALL, 3 CALLRESULT, 4 CALLERROR (OCPP-J section 4.1.3).
        unique_id: the message id.
        action: the CALL's action; for an answer, the action of the CALL it answers ("" if
            none is known).
        payload: the CALL's or CALLRESULT's payload; a CALLERROR's details.
        error_code: a CALLERROR's code, else None.
        text: the frame as it went over the wire.
        identity: the station it went to or came from.
    """

    direction: Direction
    message_type: int
    unique_id: str
    action: str
    payload: Payload
    error_code: str | None
    text: str
    identity: str = ""

    @property
    def is_call(self) -> bool:
        return self.message_type == _CALL

    def __str__(self) -> str:
        arrow = "->" if self.direction == "sent" else "<-"
        return f"{arrow} {self.text[:160]}"


class FrameRecorder:
    """Frames in the order they passed, and the signal their waits wake on."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self._changed = asyncio.Event()
        # A CALL's station, sender and id -> its action (ids are unique per sender only).
        self._asked: dict[tuple[str, Direction, str], str] = {}
        self._taken: set[int] = set()  # frames an expectation took (by position)

    def record(self, direction: Direction, text: str | bytes, identity: str) -> None:
        """Keep a frame of ``identity``'s (one that is not OCPP-J: message type 0)."""
        shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        self.frames.append(self._frame(direction, shown, identity))
        self.notify()

    def _frame(self, direction: Direction, text: str, identity: str) -> Frame:
        try:
            message = orjson.loads(text)
            kind, unique_id = int(message[0]), str(message[1])
        except (orjson.JSONDecodeError, TypeError, ValueError, IndexError, KeyError):
            return Frame(direction, 0, "", "", {}, None, text, identity)
        if kind == _CALL and len(message) > 3:
            action = str(message[2])
            self._asked[identity, direction, unique_id] = action
            return Frame(direction, kind, unique_id, action, message[3], None, text, identity)
        other: Direction = "received" if direction == "sent" else "sent"
        action = self._asked.pop((identity, other, unique_id), "")
        if kind == _ERROR and len(message) > 4:
            code = str(message[2])
            return Frame(direction, kind, unique_id, action, message[4], code, text, identity)
        payload = message[2] if len(message) > 2 and isinstance(message[2], dict) else {}
        return Frame(direction, kind, unique_id, action, payload, None, text, identity)

    def notify(self) -> None:
        """Something changed: every wait looks again."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def calls(self, action: str, direction: Direction) -> list[Frame]:
        """The CALLs of ``action`` that went ``direction``."""
        return [
            frame
            for frame in self.frames
            if frame.is_call and frame.action == action and frame.direction == direction
        ]

    def take_call(
        self, action: str, direction: Direction, identity: str | None = None
    ) -> Frame | None:
        """The first CALL of ``action`` that went ``direction`` (of ``identity``'s, when
        given) and no expectation took yet (it is taken), or None: a CALL that came before
        the test looked for it is not missed, and each is taken once."""
        for position, frame in enumerate(self.frames):
            if (
                frame.is_call
                and frame.action == action
                and frame.direction == direction
                and (identity is None or frame.identity == identity)
                and position not in self._taken
            ):
                self._taken.add(position)
                return frame
        return None

    async def wait_for(
        self,
        found: Callable[[], _T | None],
        timeout: float,
        what: str,
        seen: Callable[[], str] | None = None,
    ) -> _T:
        """``found()``'s first answer that is not None, asked again at each change.

        Raises:
            WaitTimedOut: ``timeout`` seconds passed; the message says ``what`` was awaited
                and ``seen()`` (default: the last frames).
        """
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed = self._changed
                    result = found()
                    if result is not None:
                        return result
                    await changed.wait()
        except TimeoutError:
            said = seen() if seen is not None else self.last_frames()
            raise WaitTimedOut(f"waited {timeout:g} s for {what}; {said}") from None

    def last_frames(self) -> str:
        if not self.frames:
            return "no frame was exchanged"
        shown = "\n  ".join(str(frame) for frame in self.frames[-_SHOWN:])
        return f"the last of {len(self.frames)} frames:\n  {shown}"
