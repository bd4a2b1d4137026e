"""The demo of ``chargeyard up``: made once, and what the user does to it stays done."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.lab import demo
from chargeyard.protocol import V16
from chargeyard.store import Store
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID
from tests.migrated import migrated_sqlite_url

LAB = "ws://127.0.0.1:9000/ocpp"
SECRET = "s" * 32


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(migrated_sqlite_url(tmp_path, "lab.db")) as store:
        yield store


async def _seed(store: Store, count: int = 3, csms_url: str = LAB) -> demo.DemoSite:
    return await demo.seed(store, count=count, csms_url=csms_url, jwt_secret=SECRET)


async def _identities(store: Store) -> list[str]:
    chargers = await store.chargers.list(demo.ORGANIZATION_ID, limit=100)
    return sorted(charger.identity for charger in chargers)


async def test_the_first_start_makes_the_site_and_drives_all_of_it(store: Store) -> None:
    site = await _seed(store)
    assert site.credentials is not None
    assert site.driven == ("DEMO-01", "DEMO-02", "DEMO-03")
    assert site.created == site.charger_ids
    assert await _identities(store) == ["DEMO-01", "DEMO-02", "DEMO-03"]
    again = await _seed(store)
    assert (again.credentials, again.created) == (None, ())
    assert again.charger_ids == site.charger_ids


async def test_a_deleted_demo_charger_stays_deleted(store: Store) -> None:
    site = await _seed(store)
    await store.chargers.delete(demo.ORGANIZATION_ID, site.charger_ids[1])  # DEMO-02
    again = await _seed(store)
    assert again.created == ()
    assert again.driven == ("DEMO-01", "DEMO-03")
    assert await _identities(store) == ["DEMO-01", "DEMO-03"]
    # A larger site adds the identities never made, not the one deleted.
    larger = await _seed(store, count=5)
    assert len(larger.created) == 2
    assert await _identities(store) == ["DEMO-01", "DEMO-03", "DEMO-04", "DEMO-05"]
    job = await store.jobs.get(demo.ORGANIZATION_ID, demo.DEMO_JOB_ID)
    assert job is not None
    assert job.results["identities"] == [f"DEMO-0{n}" for n in range(1, 6)]
    assert job.results["created"] == 5


async def test_the_users_own_chargers_are_not_the_demos(store: Store) -> None:
    await _seed(store)
    mine = await store.chargers.create(
        demo.ORGANIZATION_ID,
        identity="MY-CHARGER",
        ocpp_version=V16,
        csms_url="ws://csms.example.com/ocpp",
        location_id=demo.LOCATION_ID,
        template="abb/terra-ac-w22",
    )
    site = await _seed(store)
    assert mine.id not in site.charger_ids
    assert site.driven == ("DEMO-01", "DEMO-02", "DEMO-03")


async def test_the_demo_follows_the_listener_except_where_the_user_pointed_it(
    store: Store,
) -> None:
    site = await _seed(store)
    elsewhere = "wss://csms.example.com/ocpp"
    await store.chargers.update(demo.ORGANIZATION_ID, site.charger_ids[0], csms_url=elsewhere)
    moved = await _seed(store, csms_url="ws://127.0.0.1:9100/ocpp")  # another --ocpp-port
    assert moved.driven == ("DEMO-02", "DEMO-03")
    urls = {
        c.identity: c.csms_url for c in await store.chargers.list(demo.ORGANIZATION_ID, limit=10)
    }
    assert urls == {
        "DEMO-01": elsewhere,
        "DEMO-02": "ws://127.0.0.1:9100/ocpp",
        "DEMO-03": "ws://127.0.0.1:9100/ocpp",
    }


async def test_a_demo_made_before_its_record_keeps_what_the_user_deleted(store: Store) -> None:
    site = await _seed(store, count=4)
    # As a demo made before the record existed left things: no job, DEMO-02 deleted.
    await store.chargers.delete(demo.ORGANIZATION_ID, site.charger_ids[1])
    async with store.engine.begin() as connection:  # (no repository deletes a job)
        await connection.exec_driver_sql(
            "DELETE FROM gateway_jobs WHERE id = ?", (demo.DEMO_JOB_ID,)
        )
    again = await _seed(store, count=4)
    assert again.created == ()
    assert await _identities(store) == ["DEMO-01", "DEMO-03", "DEMO-04"]


async def _owners(store: Store, *identities: str) -> list[str | None]:
    stations = [await store.stations.get(identity) for identity in identities]
    return [None if station is None else station.organization_id for station in stations]


async def test_the_demo_s_key_and_stations_are_the_demo_organization_s(store: Store) -> None:
    # The lab's central system makes the organization its unannounced stations join first.
    await store.organizations.ensure(demo.ORGANIZATION_ID)
    site = await _seed(store)
    assert site.credentials is not None
    [key] = await store.api_keys.list()
    assert (key.name, key.organization_id) == (demo.KEY_NAME, demo.ORGANIZATION_ID)
    # Registered at the lab's central system before they dial it, as the demo's.
    assert await _owners(store, *site.driven) == [demo.ORGANIZATION_ID] * 3


async def test_a_demo_made_before_gives_its_key_and_stations_to_the_demo_organization(
    store: Store,
) -> None:
    site = await _seed(store)
    # As a start before the demo had them left things: its key and its stations, registered
    # as they connected, in the default organization; a station of the user's there too.
    [key] = await store.api_keys.list()
    await store.api_keys.move(key.id, DEFAULT_ORGANIZATION_ID)
    await store.stations.move(
        site.driven, from_organization=demo.ORGANIZATION_ID, to_organization=DEFAULT_ORGANIZATION_ID
    )
    await store.stations.register("MY-CHARGER")
    await store.chargers.update(
        demo.ORGANIZATION_ID, site.charger_ids[2], csms_url="wss://csms.example.com/ocpp"
    )
    # Another --ocpp-port: the demo's chargers follow the listener, their stations with them.
    again = await _seed(store, csms_url="ws://127.0.0.1:9100/ocpp")
    assert again.credentials is None
    moved = await store.api_keys.get(key.id)
    assert moved is not None
    assert moved.organization_id == demo.ORGANIZATION_ID
    assert await _owners(store, "DEMO-01", "DEMO-02", "DEMO-03", "MY-CHARGER") == [
        demo.ORGANIZATION_ID,
        demo.ORGANIZATION_ID,
        "default",  # pointed elsewhere by the user: not the lab's any more
        "default",
    ]
