"""The bus contract, on every implementation (``bus`` and ``buses``: tests/bus/conftest.py):
order, outcomes to whoever waits, requests to whoever holds a charger, plain data only, a node
that leaves, and an orderly close."""

from __future__ import annotations

import asyncio

import pytest

from chargeyard.bus import CommandBus, CommandMessage, CommandOutcome
from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest
from chargeyard.protocol import V16
from tests.bus.buses import Bus


def message(n: int, charger_id: str = "dep-1") -> CommandMessage:
    return CommandMessage(f"c{n}", "org-1", charger_id, "plug", V16, {"evse_id": n})


async def test_commands_are_consumed_in_order_and_outcomes_reach_waiters(bus: Bus) -> None:
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


async def test_a_wait_without_an_outcome_times_out_and_is_forgotten(bus: Bus) -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await bus.wait_outcome("never")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await bus.request(RuntimeRequest("r1", "org-1", "stop", ("dep-1",)))
    assert bus.waiting() == 0


async def test_what_travels_is_a_copy_not_the_publishers_object(bus: Bus) -> None:
    sent = message(1)
    await bus.publish(sent)
    async with asyncio.timeout(1):
        received = await anext(aiter(bus.consume("node-1")))
    assert received == sent
    assert received is not sent
    assert received.payload is not sent.payload


async def _serve(bus: CommandBus, node: str, seen: list[tuple[str, tuple[str, ...]]]) -> None:
    """A node that answers every request with its own name per charger."""
    async for request in bus.requests(node):
        seen.append((node, request.charger_ids))
        result = {charger_id: node for charger_id in request.charger_ids}
        await bus.answer(RuntimeAnswer(request.request_id, True, result))


async def test_requests_go_to_the_node_holding_each_charger_and_answers_are_merged(
    bus: Bus,
) -> None:
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


async def test_a_split_request_answers_with_the_first_failure(bus: Bus) -> None:
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


async def test_commands_go_to_the_node_holding_their_charger(bus: Bus) -> None:
    await bus.hold("node-a", ["dep-1"])
    await bus.hold("node-b", ["dep-2"])
    await bus.publish_many([message(1, "dep-1"), message(2, "dep-2"), message(3, "dep-9")])
    assert (await bus.pending("node-a"), await bus.pending("node-b")) == (2, 1)
    async with asyncio.timeout(1):
        on_b = await anext(aiter(bus.consume("node-b")))
    assert on_b.charger_id == "dep-2"


async def test_a_node_that_leaves_hands_on_what_it_had_not_taken(bus: Bus) -> None:
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
    assert (await bus.pending("node-a"), await bus.pending("node-b")) == (2, 0)
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
