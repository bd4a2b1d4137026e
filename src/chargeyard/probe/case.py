"""A probe case as data: what it sends (messages, or an opening handshake), in which group,
and what OCPP-J expects of the CSMS (``expected.py``). The cases themselves are written in
``cases_rpc.py``, ``cases_transport.py`` and ``cases_payloads.py``; ``cases.py`` gathers them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import orjson

from chargeyard.probe.expected import Expected
from chargeyard.probe.payloads import Rule


class Group(StrEnum):
    """The groups of cases, in the order they run (the handshakes last: a wrong password may
    make the CSMS hold the identity's next handshakes back)."""

    FRAMES = "frames"
    MESSAGE_TYPES = "message types"
    ACTIONS = "actions"
    MESSAGE_IDS = "message ids"
    PAYLOADS = "payloads"
    WEBSOCKET = "websocket"
    HANDSHAKE = "handshake"


class Kind(StrEnum):
    TEXT = "text"
    BINARY = "binary"
    RAW_TEXT = "text (not UTF-8)"


@dataclass(frozen=True, slots=True)
class Out:
    """One message a case sends; ``awaits``: the ids whose answers come before the next (an id
    awaited twice: two answers)."""

    data: str | bytes
    kind: Kind = Kind.TEXT
    awaits: tuple[str, ...] = ()

    def shown(self, limit: int = 300) -> str:
        """The message as a report shows it (a long one cut, with its size)."""
        text = self.data if isinstance(self.data, str) else self.data.decode(errors="replace")
        if len(text) > limit:
            text = f"{text[:limit]}… ({len(self.data):,} bytes)"
        return text if self.kind is Kind.TEXT else f"{self.kind}: {text}"


@dataclass(frozen=True, slots=True)
class HandshakeTry:
    """An opening handshake: the subprotocols offered (None: no header) and the password
    (``use_password``: the station's; else ``password`` as given)."""

    subprotocols: list[str] | None
    password: str | None = None
    use_password: bool = True

    def shown(self) -> str:
        """The attempt as a report shows it."""
        offered = "none" if self.subprotocols is None else ", ".join(self.subprotocols)
        credentials = "the station's" if self.use_password else f"{self.password!r}"
        return f"opening handshake: subprotocols {offered}; Basic password {credentials}"


@dataclass(frozen=True, slots=True)
class ProbeCase:
    """One case. ``needs``: why it cannot be judged with what the user gave (inconclusive)."""

    id: str
    group: Group
    title: str
    expected: Expected
    sends: tuple[Out, ...] = ()
    handshake: HandshakeTry | None = None
    needs: str | None = None
    rule: Rule | None = None
    action: str | None = None


class Ids:
    """Message ids, fresh and in order, so that a seed gives the same frames."""

    def __init__(self, prefix: str = "probe") -> None:
        self._prefix = prefix
        self._next = 0

    def __call__(self) -> str:
        self._next += 1
        return f"{self._prefix}-{self._next}"


def call(unique_id: str, action: str, payload: object) -> str:
    """A CALL frame as text."""
    return orjson.dumps([2, unique_id, action, payload]).decode()
