"""The in-memory bus: order, outcomes to whoever waits, requests to whoever holds a charger,
plain data only, and an orderly close."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from chargeyard.bus import CommandBus, CommandMessage, CommandOutcome, InMemoryBus
from chargeyard.bus.requests import VERBS, RuntimeAnswer, RuntimeRequest


def message(n: int, charger_id: str = "dep-1") -> CommandMessage:
    return CommandMessage(f"c{n}", "org-1", charger_id, "plug", "ocpp1.6", {"evse_id": n})


async def test_commands_are_consumed_in_order_and_outcomes_reach_waiters() -> None:
    bus: CommandBus = InMemoryBus()
    await bus.publish(message(1))
    await bus.publish_many([message(2), message(3)])
    seen: list[str] = []

    async def consume() -> None:
        async for item in bus.consume("node-1"):
            seen.append(item.command_id)
            await bus.report(CommandOutcome(item.command_id, "org-1", "dep-1", ok=True))

    waiting = asyncio.create_task(bus.wait_outcome("c3"))
    await asyncio.sleep(0)  # the waiter is registered before the outcome comes
    consumer = asyncio.create_task(consume())
    async with asyncio.timeout(1):
        outcome = await waiting
    assert outcome == CommandOutcome("c3", "org-1", "dep-1", ok=True)
    assert seen == ["c1", "c2", "c3"]
    # A waiter that comes after the outcome finds it.
    async with asyncio.timeout(1):
        assert await bus.wait_outcome("c1") == CommandOutcome("c1", "org-1", "dep-1", ok=True)
    await bus.close()
    async with asyncio.timeout(1):
        await consumer  # the iteration ends with the bus
    with pytest.raises(RuntimeError, match="closed"):
        await bus.publish(message(4))


async def test_a_wait_without_an_outcome_times_out_and_is_forgotten() -> None:
    bus = InMemoryBus()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await bus.wait_outcome("never")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await bus.request(RuntimeRequest("r1", "org-1", "stop", ("dep-1",)))
    assert bus.waiting() == 0


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


async def test_what_travels_is_a_copy_not_the_publishers_object() -> None:
    bus = InMemoryBus()
    sent = message(1)
    await bus.publish(sent)
    async with asyncio.timeout(1):
        received = await anext(aiter(bus.consume("node-1")))
    assert received == sent
    assert received is not sent
    assert received.payload is not sent.payload


async def _serve(bus: InMemoryBus, node: str, seen: list[tuple[str, tuple[str, ...]]]) -> None:
    """A node that answers every request with its own name per charger."""
    async for request in bus.requests(node):
        seen.append((node, request.charger_ids))
        result = {charger_id: node for charger_id in request.charger_ids}
        await bus.answer(RuntimeAnswer(request.request_id, True, result))


async def test_requests_go_to_the_node_holding_each_charger_and_answers_are_merged() -> None:
    bus = InMemoryBus()
    seen: list[tuple[str, tuple[str, ...]]] = []
    await bus.hold("node-a", ["dep-1"])  # the first node: the placement node
    await bus.hold("node-b", ["dep-2", "dep-3"])
    servers = [asyncio.create_task(_serve(bus, node, seen)) for node in ("node-a", "node-b")]
    async with asyncio.timeout(1):
        answer = await bus.request(
            RuntimeRequest("r1", "org-1", "precheck", ("dep-1", "dep-2", "dep-3", "dep-4"))
        )
    assert answer == RuntimeAnswer(
        "r1", True, {"dep-1": "node-a", "dep-2": "node-b", "dep-3": "node-b", "dep-4": "node-a"}
    )
    assert sorted(seen) == [("node-a", ("dep-1", "dep-4")), ("node-b", ("dep-2", "dep-3"))]
    # Released, a charger's requests go to the placement node.
    await bus.release("node-b", ["dep-2"])
    await bus.release("node-a", ["dep-3"])  # (not node-a's: left as it is)
    seen.clear()
    async with asyncio.timeout(1):
        await bus.request(RuntimeRequest("r2", "org-1", "stop", ("dep-2",)))
        await bus.request(RuntimeRequest("r3", "org-1", "stop", ("dep-3",)))
    assert seen == [("node-a", ("dep-2",)), ("node-b", ("dep-3",))]
    await bus.close()
    async with asyncio.timeout(1):
        await asyncio.gather(*servers)


async def test_a_split_request_answers_with_the_first_failure() -> None:
    bus = InMemoryBus()
    await bus.hold("node-a", ["dep-1"])
    await bus.hold("node-b", ["dep-2"])

    async def refuse(node: str) -> None:
        async for request in bus.requests(node):
            if node == "node-b":
                failure = RuntimeAnswer(request.request_id, False, None, "boom", "internal")
                await bus.answer(failure)
            else:
                await bus.answer(RuntimeAnswer(request.request_id, True, {"dep-1": None}))

    servers = [asyncio.create_task(refuse(node)) for node in ("node-a", "node-b")]
    async with asyncio.timeout(1):
        answer = await bus.request(RuntimeRequest("r1", "org-1", "status", ("dep-1", "dep-2")))
    assert answer == RuntimeAnswer("r1", False, None, "boom", "internal")
    await bus.close()
    async with asyncio.timeout(1):
        await asyncio.gather(*servers)


async def test_commands_go_to_the_node_holding_their_charger() -> None:
    bus = InMemoryBus()
    await bus.hold("node-a", ["dep-1"])
    await bus.hold("node-b", ["dep-2"])
    await bus.publish_many([message(1, "dep-1"), message(2, "dep-2"), message(3, "dep-9")])
    assert (bus.pending("node-a"), bus.pending("node-b")) == (2, 1)
    async with asyncio.timeout(1):
        on_b = await anext(aiter(bus.consume("node-b")))
    assert on_b.charger_id == "dep-2"


async def test_a_node_that_leaves_hands_on_what_it_had_not_taken() -> None:
    bus = InMemoryBus()
    await bus.hold("node-a", ["dep-1"])  # the placement node
    await bus.hold("node-b", ["dep-2"])
    await bus.publish_many([message(1, "dep-2"), message(2, "dep-2")])
    on_b = aiter(bus.consume("node-b"))
    async with asyncio.timeout(1):
        assert (await anext(on_b)).command_id == "c1"  # taken: never delivered again
    await bus.leave("node-b")
    with pytest.raises(StopAsyncIteration):  # its iterator ends
        async with asyncio.timeout(1):
            await anext(on_b)
    # What it had not taken, and what comes for its chargers now, go to the placement node.
    await bus.publish(message(3, "dep-2"))
    assert (bus.pending("node-a"), bus.pending("node-b")) == (2, 0)
    on_a = aiter(bus.consume("node-a"))
    async with asyncio.timeout(1):
        assert [(await anext(on_a)).command_id for _ in range(2)] == ["c2", "c3"]
    # The last node gone, messages wait for the next node to come.
    await bus.leave("node-a")
    await bus.publish(message(4, "dep-1"))
    seen: list[tuple[str, tuple[str, ...]]] = []
    server = asyncio.create_task(_serve(bus, "node-c", seen))
    async with asyncio.timeout(1):
        answer = await bus.request(RuntimeRequest("r1", "org-1", "status", ("dep-1",)))
        assert (await anext(aiter(bus.consume("node-c")))).command_id == "c4"
    assert answer == RuntimeAnswer("r1", True, {"dep-1": "node-c"})
    await bus.close()
    async with asyncio.timeout(1):
        await server
