"""The frame faults: what becomes of each OCPP message the station writes while its chaos has
``frame`` faults (``faults.py``): dropped, sent twice, held back, sent out of order, or, for
the station's answers to the central system's calls, held past its timeout or never sent.

:func:`send` takes the frames of one step of the station, in order, and a ``write`` bound to
the connection they were written on: what is sent late goes on that connection or nowhere
(bytes in flight die with their TCP connection), and never reaches a later one. The station
is not told: it believes it sent them, so its own rules (a CALL's timeout, the transaction
queue's retries, 1.6 section 4.10, 2.0.1 E13) are what a fault puts to the test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import orjson

from chargeyard.fleet.chaos.faults import (
    DelayAnswers,
    DelayFrames,
    DropFrames,
    DuplicateFrames,
    ReorderFrames,
    WithholdAnswers,
)

if TYPE_CHECKING:
    from chargeyard.fleet.chaos.engine import Chaos

Write = Callable[[list[bytes]], None]

_CALL, _RESULT, _ERROR = 2, 3, 4


def heard(chaos: Chaos, message: bytes) -> None:
    """Note the action of a CALL the central system sent (``chaos.asked``: id -> action), so
    that the answer's faults can be limited to actions."""
    asked = chaos.asked
    if message[1:2] != b"2":
        return
    try:
        parsed = orjson.loads(message)
        asked[str(parsed[1])] = str(parsed[2])
    except (orjson.JSONDecodeError, IndexError, TypeError):
        return
    if len(asked) > 256:  # (a peer whose calls are never answered must not grow it)
        asked.pop(next(iter(asked)))


def send(chaos: Chaos, frames: list[bytes], write: Write) -> None:
    """Write ``frames`` through the frame faults (see the module docstring)."""
    asked = chaos.asked
    now: list[bytes] = []
    for frame in frames:
        kind, unique_id, action = _described(frame, asked)
        what = f"{_NAMES.get(kind, '?')} {action or '?'} {unique_id}"
        if kind in (_RESULT, _ERROR):
            if _hit(chaos, chaos.all(WithholdAnswers), action):
                chaos.applied("answer_withheld", what, frame)
                continue
            delay = _hit_delay(chaos, chaos.all(DelayAnswers), action)
            if delay is not None:
                chaos.applied("answer_delayed", f"{what} by {delay:g} s", frame)
                _later(chaos, delay, frame, write)
                continue
        if _hit(chaos, chaos.all(DropFrames), action):
            chaos.applied("frame_dropped", what, frame)
            continue
        delay = _hit_delay(chaos, chaos.all(DelayFrames), action)
        if delay is not None:
            chaos.applied("frame_delayed", f"{what} by {delay:g} s", frame)
            _later(chaos, delay, frame, write)
            continue
        now.append(frame)
        if _hit(chaos, chaos.all(DuplicateFrames), action):
            chaos.applied("frame_duplicated", what, frame)
            now.append(frame)
    reorders = chaos.all(ReorderFrames)
    holding = any(held_write == write for _, held_write in chaos.held)
    if now and reorders and not holding and chaos.rng.random() < max(f.share for f in reorders):
        if len(now) > 1:
            chaos.applied("frame_reordered", f"{len(now)} frames reversed", now[-1])
            now.reverse()
        else:
            alone = _named(now[0], asked)
            chaos.applied("frame_reordered", f"{alone} held for the next frames", now[0])
            _hold(chaos, now[0], write, max(f.hold_s for f in reorders))
            now = []
    if now and chaos.held:
        # Frames held for reordering go after these (the point of holding them).
        # (== not is: a bound method is a new object at each access)
        held = [frame for frame, held_write in chaos.held if held_write == write]
        chaos.held = [(frame, w) for frame, w in chaos.held if w != write]
        now += held
    if now:
        write(now)


def release_held(chaos: Chaos) -> None:
    """Send the frames held for reordering now (their hold ended, or the chaos was cleared)."""
    held, chaos.held = chaos.held, []
    for frame, write in held:
        write([frame])


def _hold(chaos: Chaos, frame: bytes, write: Write, hold_s: float) -> None:
    chaos.held.append((frame, write))

    def due() -> None:
        chaos.late.pop(handle, None)
        _held_out(chaos, frame)

    handle = chaos.loop.call_later(hold_s, due)
    chaos.late[handle] = None  # (release_held sends it on a clear)


def _held_out(chaos: Chaos, frame: bytes) -> None:
    for item in chaos.held:
        if item[0] is frame:
            chaos.held.remove(item)
            item[1]([frame])
            return


def _later(chaos: Chaos, delay: float, frame: bytes, write: Write) -> None:
    def due() -> None:
        chaos.late.pop(handle, None)
        write([frame])

    handle = chaos.loop.call_later(delay, due)
    chaos.late[handle] = lambda: write([frame])  # (a clear sends it at once)


def _hit(
    chaos: Chaos,
    faults: list[DropFrames] | list[DuplicateFrames] | list[WithholdAnswers],
    action: str | None,
) -> bool:
    return any(_matches(f.actions, action) and chaos.rng.random() < f.share for f in faults)


def _hit_delay(
    chaos: Chaos, faults: list[DelayFrames] | list[DelayAnswers], action: str | None
) -> float | None:
    for fault in faults:
        if _matches(fault.actions, action) and chaos.rng.random() < fault.share:
            return fault.delay_s
    return None


def _matches(actions: tuple[str, ...], action: str | None) -> bool:
    return not actions or action in actions


_NAMES = {_CALL: "CALL", _RESULT: "CALLRESULT", _ERROR: "CALLERROR"}


def _named(frame: bytes, asked: dict[str, str]) -> str:
    kind, unique_id, action = _described(frame, asked)
    return f"{_NAMES.get(kind, '?')} {action or '?'} {unique_id}"


def _described(frame: bytes, asked: dict[str, str]) -> tuple[int, str, str | None]:
    """(message type, unique id, action: the CALL's, or that of the CALL an answer answers)."""
    try:
        message = orjson.loads(frame)
        kind, unique_id = int(message[0]), str(message[1])
    except (orjson.JSONDecodeError, IndexError, TypeError, ValueError):
        return 0, "?", None
    if kind == _CALL:
        return kind, unique_id, str(message[2])
    # (Not popped: a held answer is described again; heard() keeps the map bounded.)
    return kind, unique_id, asked.get(unique_id)


__all__ = ["heard", "release_held", "send"]
