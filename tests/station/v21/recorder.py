"""Every frame a station sends and receives, kept in order, and each message judged against the
official schemas of the station's version: a CALL by its action's request schema, a CALLRESULT by
the response schema of the CALL it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from chargeyard.protocol import MessageType, OcppError, VersionSpec
from chargeyard.station.core import SimulatedStation


@dataclass
class FrameRecorder:
    """Wraps the station's ``data_to_send`` and ``receive`` (a test's station only)."""

    station: SimulatedStation
    sent: list[list[Any]] = field(default_factory=list)
    received: list[list[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        send, receive = self.station.data_to_send, self.station.receive

        def data_to_send() -> list[bytes]:
            frames = send()
            self.sent.extend(orjson.loads(frame) for frame in frames)
            return frames

        def receive_frame(data: str | bytes) -> None:
            self.received.append(orjson.loads(data))
            receive(data)

        # The instance's own attributes, over the class's methods.
        self.station.data_to_send = data_to_send  # type: ignore[method-assign]
        self.station.receive = receive_frame  # type: ignore[method-assign]

    def refusals(self) -> list[list[Any]]:
        """Every CALLERROR and CALLRESULTERROR either way."""
        refused = (MessageType.CALL_ERROR, MessageType.CALL_RESULT_ERROR)
        return [frame for frame in (*self.sent, *self.received) if frame[0] in refused]

    def sent_actions(self) -> list[str]:
        """The action of each message the station sent: its CALLs', and the CALLs its
        CALLRESULTs answer, as ``"<action>"`` and ``"<action> answer"``."""
        calls = {frame[1]: frame[2] for frame in self.received if frame[0] == MessageType.CALL}
        return [
            frame[2] if frame[0] == MessageType.CALL else f"{calls[frame[1]]} answer"
            for frame in self.sent
            if frame[0] in (MessageType.CALL, MessageType.CALL_RESULT)
        ]

    def violations(self, version: VersionSpec) -> list[str]:
        """What of the station's messages ``version``'s schemas refuse (empty: none)."""
        schemas = version.schemas
        calls = {frame[1]: frame[2] for frame in self.received if frame[0] == MessageType.CALL}
        found = []
        for frame in self.sent:
            try:
                if frame[0] == MessageType.CALL:
                    schemas.check_request(frame[2], frame[3])
                elif frame[0] == MessageType.CALL_RESULT:
                    schemas.check_response(calls[frame[1]], frame[2])
            except OcppError as error:
                found.append(f"{frame}: {error.kind} {error.description}")
        return found
