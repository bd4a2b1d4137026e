"""Whose a station is, remembered (``_station_owners.py``): for a few seconds when read, while
connected when the listener holds it, and forgotten at once when the station is deleted or
registered again in this process."""

from __future__ import annotations

from chargeyard.store import Store
from chargeyard.store.repositories._station_owners import OWNER_TTL, StationOwners


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_what_was_read_is_kept_for_the_ttl_and_a_held_station_until_forgotten() -> None:
    clock = Clock()
    owners = StationOwners(ttl=OWNER_TTL, clock=clock)
    owners.add("CP-1", "org-a")
    owners.hold("CP-2", "org-b")
    clock.now = OWNER_TTL - 0.1
    assert (owners.get("CP-1"), owners.get("CP-2")) == ("org-a", "org-b")
    clock.now = OWNER_TTL * 1000
    assert (owners.get("CP-1"), owners.get("CP-2")) == (None, "org-b")
    owners.forget("CP-2")
    assert owners.get("CP-2") is None


async def test_a_station_deleted_and_registered_again_is_read_again(store: Store) -> None:
    await store.organizations.ensure("org-b")
    await store.stations.register("CP-1")
    assert await store.stations.organization_of("CP-1") == "default"
    await store.stations.delete("CP-1")
    assert await store.stations.organization_of("CP-1") is None
    await store.stations.register("CP-1", organization_id="org-b")
    assert await store.stations.organization_of("CP-1") == "org-b"


async def test_a_held_station_is_answered_without_a_read_until_it_disconnects(
    store: Store,
) -> None:
    await store.stations.register("CP-1")
    store.stations.connected("CP-1", "default")
    async with store.engine.begin() as connection:  # behind the repository's back
        await connection.exec_driver_sql("UPDATE stations SET organization_id = 'elsewhere'")
    assert await store.stations.organization_of("CP-1") == "default"
    store.stations.disconnected("CP-1")
    assert await store.stations.organization_of("CP-1") == "elsewhere"
