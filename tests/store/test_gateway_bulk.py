"""The gateway's bulk paths: commands queued for many chargers in one transaction, outcomes
recorded in batches, and a charger's frames read back per tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.protocol import V16
from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import CommandStatus, Direction

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def _two_tenants(store: Store) -> None:
    await store.organizations.create("Acme", organization_id="org-1")
    await store.organizations.create("Other", organization_id="org-2")
    for n in (1, 2):
        await store.chargers.create(
            "org-1", identity=f"CP-{n}", ocpp_version=V16, charger_id=f"dep-{n}"
        )
    await store.chargers.create("org-2", identity="CP-1", ocpp_version=V16, charger_id="dep-theirs")


async def test_enqueue_many_and_record_outcomes(store: Store) -> None:
    await _two_tenants(store)
    queued = await store.commands.enqueue_many(
        "org-1",
        [
            ("dep-1", "unplug", V16, {"evse_id": 1, "connector_id": 1}),
            ("dep-2", "unplug", V16, {"evse_id": 1, "connector_id": 1}),
        ],
    )
    assert [c.charger_id for c in queued] == ["dep-1", "dep-2"]
    assert len({c.id for c in queued}) == 2
    assert all(len(c.id) == 12 for c in queued)
    listed = await store.commands.list("org-1", status=CommandStatus.QUEUED)
    assert sorted(c.id for c in listed) == sorted(c.id for c in queued)

    updated = await store.commands.record_outcomes(
        [
            ("org-1", queued[0].id, CommandStatus.SUCCEEDED, {"evse_id": 1}, None),
            ("org-1", queued[1].id, CommandStatus.FAILED, None, "no cable is plugged in"),
            ("org-2", queued[0].id, CommandStatus.FAILED, None, "not theirs"),  # skipped
            ("org-1", "nosuchcommand", CommandStatus.FAILED, None, "gone"),  # skipped
        ]
    )
    assert updated == 2
    first = await store.commands.get("org-1", queued[0].id)
    second = await store.commands.get("org-1", queued[1].id)
    assert first is not None
    assert second is not None
    assert (first.status, first.result, first.error) == ("succeeded", {"evse_id": 1}, None)
    assert (second.status, second.result, second.error) == (
        "failed",
        None,
        "no cable is plugged in",
    )


async def test_enqueue_many_refuses_another_tenants_charger_and_queues_nothing(
    store: Store,
) -> None:
    await _two_tenants(store)
    with pytest.raises(NotFoundError):
        await store.commands.enqueue_many(
            "org-1",
            [("dep-1", "plug", V16, {}), ("dep-theirs", "plug", V16, {})],
        )
    assert await store.commands.list("org-1") == []
    assert await store.commands.enqueue_many("org-1", []) == []


async def test_a_chargers_frames_are_read_by_its_tenant_only(store: Store) -> None:
    await _two_tenants(store)
    async with store.frame_log(batch_size=10, interval=0.01) as log:
        log.record("dep-1", Direction.OUTGOING, "Heartbeat", "1", '[2,"1","Heartbeat",{}]', T0)
        log.record("dep-1", Direction.INCOMING, "Heartbeat", "1", '[3,"1",{}]', T0)
        later = T0 + timedelta(seconds=5)
        log.record("dep-1", Direction.OUTGOING, "StatusNotification", "2", "[2]", later)
        log.record("dep-2", Direction.OUTGOING, "Heartbeat", "9", "[2]", T0)
    rows, total = await store.charger_logs.frames("org-1", "dep-1")
    assert total == 3
    assert [(r.direction, r.action) for r in rows] == [
        ("outgoing", "Heartbeat"),
        ("incoming", "Heartbeat"),
        ("outgoing", "StatusNotification"),
    ]
    rows, total = await store.charger_logs.frames("org-1", "dep-1", action="Heartbeat", limit=1)
    assert (len(rows), total) == (1, 2)
    rows, total = await store.charger_logs.frames("org-1", "dep-1", since=T0 + timedelta(seconds=1))
    assert [r.action for r in rows] == ["StatusNotification"]
    assert total == 1
    rows, total = await store.charger_logs.frames("org-1", "dep-1", until=T0 + timedelta(1))
    assert total == 3
    with pytest.raises(NotFoundError):
        await store.charger_logs.frames("org-2", "dep-1")


async def test_config_entries_of_many_chargers_are_set_in_one_call(store: Store) -> None:
    """The power-loss snapshots of a fleet at shutdown: other keys kept, another tenant's
    charger and a deleted one skipped."""
    await _two_tenants(store)
    await store.chargers.update("org-1", "dep-1", config={"password": "secret-1"})
    written = await store.chargers.set_config_entries(
        "power_loss",
        [
            ("org-1", "dep-1", {"meter_wh": 1200}),
            ("org-1", "dep-2", {"meter_wh": 0}),
            ("org-1", "dep-theirs", {"meter_wh": 5}),  # org-2's: skipped
            ("org-1", "dep-gone", {"meter_wh": 7}),  # no such charger: skipped
        ],
    )
    assert written == 2
    first = await store.chargers.get("org-1", "dep-1")
    second = await store.chargers.get("org-1", "dep-2")
    theirs = await store.chargers.get("org-2", "dep-theirs")
    assert first is not None
    assert second is not None
    assert theirs is not None
    assert first.config == {"password": "secret-1", "power_loss": {"meter_wh": 1200}}
    assert second.config == {"power_loss": {"meter_wh": 0}}
    assert "power_loss" not in (theirs.config or {})
