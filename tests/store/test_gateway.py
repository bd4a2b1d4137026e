"""The simulator gateway's rows: tenants, locations, durable chargers, commands, logs, and
the rule that one organization never reaches another's rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.protocol import V16, V201
from chargeyard.store import ConflictError, NotFoundError, Store
from chargeyard.store.models import CommandStatus, DesiredState

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def test_organizations_and_locations(store: Store) -> None:
    acme = await store.organizations.create("Acme", organization_id="org-acme")
    other = await store.organizations.create("Other")
    assert other.id.startswith("org-")
    # The default organization is there from the start (revision 0013).
    listed = [o.id for o in await store.organizations.list()]
    assert listed == sorted(["default", acme.id, other.id])

    depot = await store.locations.create("org-acme", "Depot", address="1 Main St")
    assert depot.id.startswith("loc-")
    await store.locations.create("org-acme", "Airport", location_id="loc-456")
    assert [loc.name for loc in await store.locations.list("org-acme")] == ["Airport", "Depot"]
    assert await store.locations.list(other.id) == []
    assert await store.locations.get(other.id, depot.id) is None

    moved = await store.locations.update("org-acme", depot.id, address=None, name="Depot 2")
    assert (moved.name, moved.address) == ("Depot 2", None)
    with pytest.raises(NotFoundError):
        await store.locations.update(other.id, depot.id, name="stolen")
    with pytest.raises(NotFoundError):
        await store.locations.delete(other.id, depot.id)
    with pytest.raises(ConflictError):
        await store.locations.create("org-missing", "Nowhere")
    with pytest.raises(ConflictError):
        await store.organizations.create("Again", organization_id="org-acme")


async def test_durable_chargers(store: Store) -> None:
    await store.organizations.create("Acme", organization_id="org-1")
    await store.organizations.create("Other", organization_id="org-2")
    location = await store.locations.create("org-1", "Depot", location_id="loc-1")
    await store.locations.create("org-2", "Theirs", location_id="loc-2")

    charger = await store.chargers.create(
        "org-1",
        identity="CP-CHARGER-789",
        ocpp_version=V16,
        csms_url="ws://csms.example/ocpp",
        location_id=location.id,
        template="alfen/eve-single",
        config={"connectors": 2},
        charger_id="dep-789",
    )
    assert (charger.desired_state, charger.status, charger.config) == (
        "stopped",
        "created",
        {"connectors": 2},
    )
    second = await store.chargers.create("org-1", identity="CP-2", ocpp_version=V201)
    assert second.id.startswith("dep-")
    assert second.location_id is None

    with pytest.raises(ConflictError):  # identities are unique per organization
        await store.chargers.create("org-1", identity="CP-CHARGER-789", ocpp_version=V16)
    await store.chargers.create("org-2", identity="CP-CHARGER-789", ocpp_version=V16)
    with pytest.raises(NotFoundError):  # another tenant's location
        await store.chargers.create("org-1", identity="CP-3", ocpp_version=V16, location_id="loc-2")

    assert [c.id for c in await store.chargers.list("org-1")] == sorted(["dep-789", second.id])
    assert [c.id for c in await store.chargers.list("org-1", location_id="loc-1")] == ["dep-789"]
    subset = await store.chargers.list("org-1", charger_ids=[second.id, "dep-unknown"])
    assert [c.id for c in subset] == [second.id]
    found = await store.chargers.get_by_identity("org-1", "CP-CHARGER-789")
    assert found is not None
    assert found.id == "dep-789"

    running = await store.chargers.set_desired_state("org-1", "dep-789", DesiredState.RUNNING)
    assert running.desired_state == "running"
    assert (await store.chargers.set_status("org-1", "dep-789", "running")).status == "running"
    assert [c.id for c in await store.chargers.all_desired(DesiredState.RUNNING)] == ["dep-789"]

    updated = await store.chargers.update(
        "org-1", "dep-789", location_id=None, config={"connectors": 1}
    )
    assert (updated.location_id, updated.config, updated.template) == (
        None,
        {"connectors": 1},
        "alfen/eve-single",
    )
    with pytest.raises(NotFoundError):
        await store.chargers.update("org-1", "dep-789", location_id="loc-2")

    # Deleting a location leaves its chargers, without a location.
    await store.chargers.update("org-1", second.id, location_id="loc-1")
    await store.locations.delete("org-1", "loc-1")
    orphan = await store.chargers.get("org-1", second.id)
    assert orphan is not None
    assert orphan.location_id is None


async def test_one_tenant_never_reaches_another_tenants_chargers(store: Store) -> None:
    await store.organizations.create("Acme", organization_id="org-1")
    await store.organizations.create("Other", organization_id="org-2")
    await store.chargers.create("org-1", identity="CP-1", ocpp_version=V16, charger_id="dep-1")

    assert await store.chargers.get("org-2", "dep-1") is None
    assert await store.chargers.list("org-2") == []
    for attempt in (
        store.chargers.set_desired_state("org-2", "dep-1", DesiredState.RUNNING),
        store.chargers.set_status("org-2", "dep-1", "running"),
        store.chargers.update("org-2", "dep-1", csms_url="ws://evil"),
        store.chargers.delete("org-2", "dep-1"),
        store.commands.enqueue("org-2", "dep-1", event_type="x", ocpp_version=V16, payload={}),
        store.charger_logs.append("org-2", "dep-1", "hello"),
    ):
        with pytest.raises(NotFoundError):
            await attempt
    charger = await store.chargers.get("org-1", "dep-1")
    assert charger is not None
    assert charger.desired_state == "stopped"


async def test_commands_and_logs(store: Store) -> None:
    await store.organizations.create("Acme", organization_id="org-1")
    await store.chargers.create("org-1", identity="CP-1", ocpp_version=V16, charger_id="dep-1")

    unplug = await store.commands.enqueue(
        "org-1",
        "dep-1",
        event_type="unplug",
        ocpp_version=V16,
        payload={"evse_id": 2, "connector_id": 1},
    )
    assert len(unplug.id) == 12
    assert unplug.status == CommandStatus.QUEUED
    stop = await store.commands.enqueue(
        "org-1", "dep-1", event_type="stop_charger", ocpp_version=V16, payload={},
        command_id="cmd-stop",
    )  # fmt: skip
    done = await store.commands.set_status(
        "org-1", unplug.id, CommandStatus.SUCCEEDED, result={"status": "Available"}
    )
    assert (done.status, done.result, done.error) == ("succeeded", {"status": "Available"}, None)
    fetched = await store.commands.get("org-1", unplug.id)
    assert fetched is not None
    assert fetched.payload == {"evse_id": 2, "connector_id": 1}
    assert await store.commands.get("org-2", unplug.id) is None
    queued = await store.commands.list("org-1", status=CommandStatus.QUEUED)
    assert [c.id for c in queued] == [stop.id]
    assert {c.id for c in await store.commands.list("org-1", charger_id="dep-1")} == {
        unplug.id,
        stop.id,
    }
    with pytest.raises(NotFoundError):
        await store.commands.set_status("org-2", unplug.id, CommandStatus.FAILED)

    await store.charger_logs.append("org-1", "dep-1", "booted", at=T0)
    await store.charger_logs.append(
        "org-1", "dep-1", "unplugged", level="warning", command_id=unplug.id,
        data={"connector": 1}, at=T0 + timedelta(seconds=1),
    )  # fmt: skip
    logs = await store.charger_logs.list("org-1", "dep-1")
    assert [(log.message, log.level) for log in logs] == [
        ("unplugged", "warning"),
        ("booted", "info"),
    ]
    for_command = await store.charger_logs.list("org-1", "dep-1", command_id=unplug.id)
    assert [(log.message, log.data) for log in for_command] == [("unplugged", {"connector": 1})]
    assert await store.charger_logs.list("org-2", "dep-1") == []

    # A charger's commands and logs go with it.
    await store.chargers.delete("org-1", "dep-1")
    assert await store.commands.list("org-1") == []
    assert await store.charger_logs.list("org-1", "dep-1") == []


async def test_deleting_an_organization_removes_everything_it_owns(store: Store) -> None:
    await store.organizations.create("Acme", organization_id="org-1")
    await store.locations.create("org-1", "Depot", location_id="loc-1")
    await store.chargers.create("org-1", identity="CP-1", ocpp_version=V16, charger_id="dep-1")
    await store.commands.enqueue("org-1", "dep-1", event_type="x", ocpp_version=V16, payload={})
    await store.organizations.delete("org-1")
    assert await store.organizations.get("org-1") is None
    assert await store.chargers.all_desired(DesiredState.STOPPED) == []
    with pytest.raises(NotFoundError):
        await store.organizations.delete("org-1")


async def test_an_identity_is_one_organization_s_at_each_central_system(store: Store) -> None:
    # A central system knows a station by its identity alone: two organizations' chargers of
    # one identity dialing it would replace each other there.
    csms, other = "ws://csms.example/ocpp", "ws://other.example/ocpp"
    await store.organizations.create("Acme", organization_id="org-1")
    await store.organizations.create("Other", organization_id="org-2")
    await store.chargers.create("org-1", identity="CP-1", ocpp_version=V16, csms_url=csms)

    for url in (csms, csms + "/"):
        with pytest.raises(ConflictError, match="another organization's charger"):
            await store.chargers.create("org-2", identity="CP-1", ocpp_version=V16, csms_url=url)
    elsewhere = await store.chargers.create(
        "org-2", identity="CP-1", ocpp_version=V16, csms_url=other, charger_id="dep-2"
    )
    second = await store.chargers.create(
        "org-2", identity="CP-2", ocpp_version=V16, csms_url=csms, charger_id="dep-3"
    )
    with pytest.raises(ConflictError):  # moved to the central system where CP-1 is taken
        await store.chargers.update("org-2", elsewhere.id, csms_url=csms)
    with pytest.raises(ConflictError):  # renamed to the identity taken there
        await store.chargers.update("org-2", second.id, identity="CP-1")
    unchanged = await store.chargers.get("org-2", second.id)
    assert unchanged is not None
    assert (unchanged.identity, unchanged.csms_url) == ("CP-2", csms)

    await store.chargers.create("org-1", identity="CP-9", ocpp_version=V16, csms_url=csms)
    created, taken, used_elsewhere = await store.chargers.create_many(
        "org-2",
        [
            {"identity": "CP-9", "ocpp_version": V16, "csms_url": csms},
            {"identity": "CP-2", "ocpp_version": V16, "csms_url": csms},
            {"identity": "CP-3", "ocpp_version": V16, "csms_url": csms},
        ],
    )
    assert ([c.identity for c in created], taken, used_elsewhere) == (["CP-3"], ["CP-2"], ["CP-9"])
