"""Feeding one connection's frames to the store's batched frame log.

:class:`FrameRecorder` is the :data:`~chargeyard.transport.connection.FrameObserver` of one
station's connection. It reads only the head of each frame (message type, unique id and, for a
CALL, the action) with one regular expression, never the payload, so the cost per frame does
not grow with its size. The action of an answer is the action of the CALL it answers: the
recorder remembers the actions of CALLs in flight by unique id, in both directions, and forgets
each when its answer passes (a CALL never answered is forgotten once more than
``_MAX_REMEMBERED`` wait). OCPP-J allows one CALL in flight per direction, so the table stays
tiny. A frame the expression cannot read is recorded with neither action nor id.

One kind of frame is read whole: a CALL sent to the station that may set its Basic password
(ChangeConfiguration, SetVariables), whose password is kept masked (A01.FR.09 of OCPP 2.0.1
and of the 1.6 security whitepaper: no password in clear in the logs). Such CALLs are rare.
"""

from __future__ import annotations

import re

import orjson

from chargeyard.csms.commands.basic_password import PASSWORD_ACTIONS, without_password
from chargeyard.store import FrameLog
from chargeyard.store.models import Direction

_HEAD = re.compile(r'\s*\[\s*([2-6])\s*,\s*"((?:[^"\\]|\\.)*)"\s*(?:,\s*"([^"\\]*)")?')
_CALL, _SEND = "2", "6"
_MAX_REMEMBERED = 16
_DIRECTIONS = {"in": Direction.INCOMING, "out": Direction.OUTGOING}


class FrameRecorder:
    """Records each frame of the station ``identity`` in ``log``."""

    def __init__(self, log: FrameLog, identity: str) -> None:
        self._log = log
        self._identity = identity
        self._calls: dict[str, str] = {}

    def __call__(self, direction: str, text: str) -> None:
        action = unique_id = None
        head = _HEAD.match(text)
        if head is not None:
            message_type, unique_id, action = head.groups()
            if message_type == _CALL and action is not None:
                calls = self._calls
                if len(calls) >= _MAX_REMEMBERED:
                    del calls[next(iter(calls))]
                calls[f"{direction}{unique_id}"] = action
                if direction == "out" and action in PASSWORD_ACTIONS:
                    text = _masked(text)
            elif message_type != _SEND:
                # An answer travels the other way from its CALL.
                asked = "out" if direction == "in" else "in"
                action = self._calls.pop(f"{asked}{unique_id}", None)
        self._log.record(self._identity, _DIRECTIONS[direction], action, unique_id, text)


def _masked(text: str) -> str:
    """A CALL of ours (always well formed) with the password it sets masked."""
    message_type, unique_id, action, payload = orjson.loads(text)
    masked = without_password(action, payload)
    if masked is payload:
        return text
    return orjson.dumps([message_type, unique_id, action, masked]).decode()
