"""The in-memory command bus: order, outcomes to whoever waits, and an orderly close."""

from __future__ import annotations

import asyncio

import pytest

from chargeyard.bus import CommandBus, CommandMessage, CommandOutcome, InMemoryBus


def message(n: int) -> CommandMessage:
    return CommandMessage(f"c{n}", "org-1", "dep-1", "plug", "ocpp1.6", {"evse_id": n})


async def test_commands_are_consumed_in_order_and_outcomes_reach_waiters() -> None:
    bus: CommandBus = InMemoryBus()
    await bus.publish(message(1))
    await bus.publish_many([message(2), message(3)])
    seen: list[str] = []

    async def consume() -> None:
        async for item in bus.consume():
            seen.append(item.command_id)
            await bus.report(CommandOutcome(item.command_id, "org-1", "dep-1", ok=True))

    waiting = asyncio.create_task(bus.wait_outcome("c3"))
    await asyncio.sleep(0)  # the waiter is registered before the outcome comes
    consumer = asyncio.create_task(consume())
    async with asyncio.timeout(1):
        outcome = await waiting
    assert outcome == CommandOutcome("c3", "org-1", "dep-1", ok=True)
    assert seen == ["c1", "c2", "c3"]
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
    assert bus._waiters == {}


def test_messages_round_trip_as_plain_data() -> None:
    original = message(7)
    assert CommandMessage.from_dict(original.to_dict()) == original
    outcome = CommandOutcome("c1", "org-1", "dep-1", ok=False, error="charger is not running")
    assert CommandOutcome.from_dict(outcome.to_dict()) == outcome
