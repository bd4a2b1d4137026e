"""The gateway workers' leases: a charger that wants to run goes to one worker at a time; a
lease its holder stops renewing frees the charger for another; a worker's share is what it
asks for; beats tell who is alive."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from chargeyard.protocol import V16
from chargeyard.store import Store
from chargeyard.store.models import DesiredState

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=9)


async def _chargers(store: Store, count: int, *, running: bool = True) -> list[str]:
    organization = await store.organizations.create("Org")
    ids = []
    for n in range(count):
        charger = await store.chargers.create(
            organization.id, identity=f"CP-{n:02d}", ocpp_version=V16
        )
        if running:
            await store.chargers.set_desired_state(
                organization.id, charger.id, DesiredState.RUNNING
            )
        ids.append(charger.id)
    return ids


async def test_workers_taking_at_once_share_the_chargers_without_overlap(store: Store) -> None:
    ids = await _chargers(store, 12)
    await _chargers_stopped(store)

    taken = await asyncio.gather(
        *(store.leases.take(f"w{n}", now=T0, until=T0 + TTL, limit=5) for n in range(3))
    )

    held = [charger.id for chargers in taken for charger in chargers]
    assert len(held) == len(set(held))  # no charger twice
    assert set(held) <= set(ids)  # none stopped
    rest = await store.leases.take("w9", now=T0, until=T0 + TTL, limit=20)
    assert sorted(held + [charger.id for charger in rest]) == sorted(ids)
    assert await store.leases.take("w10", now=T0, until=T0 + TTL, limit=5) == []


async def _chargers_stopped(store: Store) -> None:
    """A stopped charger is nobody's to take."""
    organization = await store.organizations.create("Other")
    await store.chargers.create(organization.id, identity="CP-OFF", ocpp_version=V16)


async def test_a_lease_not_renewed_frees_its_charger_for_another_worker(store: Store) -> None:
    [charger_id] = await _chargers(store, 1)
    [taken] = await store.leases.take("w1", now=T0, until=T0 + TTL, limit=10)
    assert taken.id == charger_id
    assert await store.leases.holder(charger_id, T0) == "w1"

    later = T0 + timedelta(seconds=5)
    assert await store.leases.renew("w1", until=later + TTL, now=later) == {charger_id}
    assert await store.leases.take("w2", now=later, until=later + TTL, limit=10) == []

    # w1 stops renewing: past its lease, w2 takes the charger, and w1 no longer holds it.
    expired = later + TTL
    [adopted] = await store.leases.take("w2", now=expired, until=expired + TTL, limit=10)
    assert adopted.id == charger_id
    assert await store.leases.renew("w1", until=expired + TTL, now=expired) == set()
    assert await store.leases.holder(charger_id, expired) == "w2"


async def test_only_the_chargers_asked_for_and_a_released_one_is_free_at_once(
    store: Store,
) -> None:
    first, second = await _chargers(store, 2)
    [taken] = await store.leases.take("w1", now=T0, until=T0 + TTL, limit=10, charger_ids=[second])
    assert taken.id == second

    await store.leases.release("w1", [second])
    [again] = await store.leases.take("w2", now=T0, until=T0 + TTL, limit=1, charger_ids=[second])
    assert again.id == second
    assert await store.leases.holder(first, T0) is None


async def test_beats_tell_who_is_alive_and_leaving_frees_everything(store: Store) -> None:
    ids = await _chargers(store, 3)
    await store.leases.beat("w1", until=T0 + TTL)
    await store.leases.beat("w2", until=T0 + timedelta(seconds=1))
    assert await store.leases.live_workers(T0) == 2
    assert await store.leases.live_workers(T0 + timedelta(seconds=2)) == 1
    assert await store.leases.running_wanted() == 3

    await store.leases.take("w1", now=T0, until=T0 + TTL, limit=10)
    await store.leases.leave("w1")

    assert await store.leases.live_workers(T0) == 1
    assert len(await store.leases.take("w2", now=T0, until=T0 + TTL, limit=10)) == len(ids)


async def test_a_worker_writes_a_snapshot_only_into_the_rows_of_chargers_it_still_holds(
    store: Store,
) -> None:
    # gateway/memory.py: a worker that renewed too late, and lost its charger to another, may
    # still hold a snapshot to write; the row is its new holder's (restored and cleared).
    [charger_id] = await _chargers(store, 1)
    [charger] = await store.leases.take("w1", now=T0, until=T0 + TTL, limit=1)
    organization_id = charger.organization_id

    async def write(holder: str, value: str) -> int:
        entry = (organization_id, charger_id, {"from": value})
        return await store.chargers.set_config_entries("power_loss", [entry], holder=holder)

    async def kept() -> object:
        row = await store.chargers.get(organization_id, charger_id)
        assert row is not None
        return (row.config or {}).get("power_loss")

    assert await write("w1", "w1, holding") == 1
    assert await write("w2", "w2, holding nothing") == 0
    assert await kept() == {"from": "w1, holding"}

    # Run out but taken by nobody yet: still w1's to write (the next holder reads it after).
    expired = T0 + TTL + timedelta(seconds=1)
    assert await write("w1", "w1, expired") == 1

    # Taken by w2: w1's late write is refused, w2's goes in.
    await store.leases.take("w2", now=expired, until=expired + TTL, limit=1)
    assert await write("w1", "w1, late") == 0
    assert await kept() == {"from": "w1, expired"}
    assert await write("w2", "w2, holding") == 1
    assert await kept() == {"from": "w2, holding"}
