"""The central system's handlers take and answer their version's generated message types
(``protocol/messages``), and the type checker holds a handler to its messages' keys."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from chargeyard.csms.context import id_tag_info
from chargeyard.csms.server import HANDLERS
from chargeyard.csms.v201 import _id_token_info
from chargeyard.protocol import V16, V21, V201, ActionHandlers, VersionSpec
from chargeyard.protocol.initiators import STATION_INITIATED
from chargeyard.protocol.messages import generate
from chargeyard.store.repositories import Authorization
from tests.message_types import check_types, message_types


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
def test_every_handler_takes_and_answers_its_versions_messages(version: VersionSpec) -> None:
    handlers = HANDLERS[version]
    assert isinstance(handlers, type)
    assert issubclass(handlers, ActionHandlers)
    module = f"chargeyard.protocol.messages.{generate.MODULES[version]}"
    untyped = []
    for action, name in sorted(handlers.handler_names().items()):
        hints = typing.get_type_hints(getattr(handlers, name))
        if (module, f"{action}Request") not in message_types(hints["payload"]) or (
            module,
            f"{action}Response",
        ) not in message_types(hints["return"]):
            untyped.append(action)
    assert untyped == []
    assert len(handlers.handler_names()) == {V16: 14, V201: 25}[version]


def test_2_1_adds_a_handler_typed_with_2_1_messages_to_the_2_0_1_handlers() -> None:
    # 2.1's station-initiated core messages keep their 2.0.1 shape (the session checks each
    # answer against 2.1's own schema); each message 2.1 adds has a handler of its own.
    handlers, base = HANDLERS[V21], HANDLERS[V201]
    assert isinstance(handlers, type)
    assert isinstance(base, type)
    assert issubclass(handlers, base)
    assert issubclass(base, ActionHandlers)
    added = STATION_INITIATED[V21] - STATION_INITIATED[V201]
    assert set(handlers.handler_names()) == set(base.handler_names()) | added
    module = f"chargeyard.protocol.messages.{generate.MODULES[V21]}"
    untyped = []
    for action in sorted(added):
        hints = typing.get_type_hints(getattr(handlers, handlers.handler_names()[action]))
        # A SEND (NotifyPeriodicEventStream) has no answer: its handler returns None.
        answer = (module, f"{action}Response") if V21.schemas.has_response(action) else None
        if (module, f"{action}Request") not in message_types(hints["payload"]) or (
            answer is not None and answer not in message_types(hints["return"])
        ):
            untyped.append(action)
    assert untyped == []
    assert len(added) == 12


HANDLER = """\
from chargeyard.protocol import ActionHandlers, on
from chargeyard.protocol.messages import v16


class CentralSystem(ActionHandlers):
    @on("StopTransaction")
    async def stop_transaction(
        self, payload: v16.StopTransactionRequest
    ) -> v16.StopTransactionResponse:
        meter_stop: int = payload["{read}"]
        if "idTag" in payload:
            return {{"{answer}": {{"status": "Accepted"}}}}
        return {{}}
"""


@pytest.mark.slow  # a run of mypy
def test_mypy_reports_a_misspelt_key_of_a_message(tmp_path: Path) -> None:
    reports = check_types(
        tmp_path,
        {
            "right": HANDLER.format(read="meterStop", answer="idTagInfo"),
            "wrong": HANDLER.format(read="meterstop", answer="idtagInfo"),
        },
    )
    assert reports["right"] == []
    assert reports["wrong"] == [
        'wrong.py:10: error: TypedDict "StopTransactionRequest" has no key "meterstop"'
        "  [typeddict-item]",
        'wrong.py:10: note: Did you mean "meterStop"?',
        'wrong.py:12: error: Extra key "idtagInfo" for TypedDict "StopTransactionResponse"'
        "  [typeddict-unknown-key]",
    ]


@pytest.mark.parametrize(
    ("status", "answered"),
    [("Blocked", "Blocked"), ("ConcurrentTx", "ConcurrentTx"), ("NoCredit", "Invalid")],
)
def test_a_tag_status_1_6_cannot_say_is_answered_invalid(status: str, answered: str) -> None:
    # The API stores only 1.6's five. Another (a row written around it) is not sent for the
    # station's schema to reject: the tag does not charge.
    assert id_tag_info(Authorization(status)) == {"status": answered}


@pytest.mark.parametrize(
    ("status", "answered"), [("NoCredit", "NoCredit"), ("Suspended", "Invalid")]
)
def test_a_token_status_2_0_1_cannot_say_is_answered_invalid(status: str, answered: str) -> None:
    assert _id_token_info(Authorization(status)) == {"status": answered}
