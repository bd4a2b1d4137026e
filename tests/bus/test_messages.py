"""What travels on the bus is plain data: every kind of message survives JSON."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from chargeyard.bus import CommandMessage, CommandOutcome
from chargeyard.bus.requests import VERBS, RuntimeAnswer, RuntimeRequest
from chargeyard.protocol import V16


def message(n: int, charger_id: str = "dep-1") -> CommandMessage:
    return CommandMessage(f"c{n}", "org-1", charger_id, "plug", V16, {"evse_id": n})


def _every_kind() -> list[CommandMessage | CommandOutcome | RuntimeRequest | RuntimeAnswer]:
    requests = [
        RuntimeRequest(f"r-{verb}", "org-1", verb, ("dep-1", "dep-2"), {"event_type": "plug"})
        for verb in VERBS
    ]
    return [
        message(7),
        CommandOutcome("c1", "org-1", "dep-1", ok=True, result={"plugged": True}),
        CommandOutcome("c1", "org-1", "dep-1", ok=False, error="charger is not running"),
        *requests,
        RuntimeAnswer("r1", True, {"dep-1": None, "dep-2": "no connector 3 on EVSE 1"}),
        RuntimeAnswer("r1", False, None, "charger 'dep-9' not found", "not_found", {"k": "v"}),
        RuntimeAnswer("r1", False, None, "charger dep-1 has no ws_url", "cannot_run"),
        RuntimeAnswer("r1", False, None, "KeyError('x')", "internal"),
    ]


@pytest.mark.parametrize("item", _every_kind(), ids=lambda item: type(item).__name__)
def test_every_message_kind_round_trips_as_json(
    item: CommandMessage | CommandOutcome | RuntimeRequest | RuntimeAnswer,
) -> None:
    data: dict[str, Any] = orjson.loads(orjson.dumps(item.to_dict()))
    assert type(item).from_dict(data) == item


def test_a_request_with_an_unknown_verb_is_refused() -> None:
    data = RuntimeRequest("r1", "org-1", "stop", ("dep-1",)).to_dict()
    with pytest.raises(ValueError, match="unknown request verb"):
        RuntimeRequest.from_dict({**data, "verb": "explode"})
