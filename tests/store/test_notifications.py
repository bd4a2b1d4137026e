"""Station notifications: kept in order, filtered by kind, capped, and a firmware or
diagnostics status becomes the station's current one in the same write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import NotificationKind
from chargeyard.store.repositories import MAX_NOTIFICATIONS, NewNotification


async def test_history_is_newest_first_and_filtered_by_kind(store: Store) -> None:
    await store.stations.register("CP-1")
    start = datetime(2026, 11, 22, 6, tzinfo=UTC)
    kinds = (
        (NotificationKind.FIRMWARE, "FirmwareStatusNotification", "Downloading"),
        (
            NotificationKind.SECURITY,
            "SecurityEventNotification",
            "ReconfigurationOfSecurityParameters",
        ),
        (NotificationKind.FIRMWARE, "FirmwareStatusNotification", "Downloaded"),
        (NotificationKind.DIAGNOSTICS, "LogStatusNotification", "Uploading"),
    )
    for minute, (kind, action, status) in enumerate(kinds):
        await store.notifications.record(
            "CP-1", kind, action, status=status, at=start + timedelta(minutes=minute)
        )
    everything = await store.notifications.history("CP-1")
    assert [n.status for n in everything] == [
        "Uploading",
        "Downloaded",
        "ReconfigurationOfSecurityParameters",
        "Downloading",
    ]
    firmware = await store.notifications.history("CP-1", kind=NotificationKind.FIRMWARE)
    assert [n.status for n in firmware] == ["Downloaded", "Downloading"]
    assert len(await store.notifications.history("CP-1", limit=1)) == 1


async def test_the_current_status_is_the_newest_of_each_kind(store: Store) -> None:
    for identity in ("CP-1", "CP-2", "CP-3"):
        await store.stations.register(identity)
    statuses = (
        ("CP-1", NotificationKind.FIRMWARE, "Downloading"),
        ("CP-2", NotificationKind.DIAGNOSTICS, "Uploading"),
        ("CP-1", NotificationKind.FIRMWARE, "Downloaded"),
        ("CP-1", NotificationKind.DIAGNOSTICS, "Uploaded"),
        ("CP-3", NotificationKind.SECURITY, "FirmwareUpdated"),
    )
    for identity, kind, status in statuses:
        await store.notifications.record(identity, kind, kind.name, status=status)
    current = await store.notifications.current(["CP-1", "CP-2", "CP-3", "NOPE"])
    assert {
        identity: {kind: row.status for kind, row in kinds.items()}
        for identity, kinds in current.items()
    } == {
        "CP-1": {NotificationKind.FIRMWARE: "Downloaded", NotificationKind.DIAGNOSTICS: "Uploaded"},
        "CP-2": {NotificationKind.DIAGNOSTICS: "Uploading"},
    }
    assert await store.notifications.current([]) == {}


async def test_history_is_capped(store: Store) -> None:
    await store.stations.register("CP-1")
    for n in range(MAX_NOTIFICATIONS + 1):
        await store.notifications.record(
            "CP-1", NotificationKind.SECURITY, "SecurityEventNotification", status=f"e{n}"
        )
    assert len(await store.notifications.history("CP-1", limit=1000)) == MAX_NOTIFICATIONS


async def test_an_unknown_station_is_not_found_and_nothing_is_kept(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.notifications.record(
            "NOPE", NotificationKind.FIRMWARE, "FirmwareStatusNotification", status="Installed"
        )
    with pytest.raises(NotFoundError):
        await store.notifications.history("NOPE")


async def test_the_notifications_of_one_message_are_kept_together_with_their_evse(
    store: Store,
) -> None:
    await store.stations.register("CP-1")
    at = datetime(2026, 11, 22, 6, tzinfo=UTC)
    kept = await store.notifications.record_all(
        "CP-1",
        [
            NewNotification(NotificationKind.EVENT, "NotifyEvent", "Delta", evse_id=2, at=at),
            NewNotification(NotificationKind.EVENT, "NotifyEvent", "Alerting", at=at),
        ],
    )
    assert [n.id is not None for n in kept] == [True, True]
    events = await store.notifications.history("CP-1", kind=NotificationKind.EVENT)
    assert sorted((n.status, n.evse_id) for n in events) == [("Alerting", None), ("Delta", 2)]
    on_evse_2 = await store.notifications.history("CP-1", evse_id=2)
    assert [n.status for n in on_evse_2] == ["Delta"]
    assert await store.notifications.record_all("CP-1", []) == []
    with pytest.raises(NotFoundError):
        await store.notifications.record_all(
            "NOPE", [NewNotification(NotificationKind.EVENT, "NotifyEvent")]
        )


async def test_naming_a_text_are_the_newest_of_a_kind_whose_detail_holds_it(
    store: Store,
) -> None:
    await store.stations.register("CP-1")
    start = datetime(2026, 11, 22, 6, tzinfo=UTC)
    for minute, (kind, detail) in enumerate(
        (
            (NotificationKind.REPORT, '[{"variable": {"name": "ItemsPerMessage"}}]'),
            (NotificationKind.REPORT, '[{"variable": {"name": "HeartbeatInterval"}}]'),
            (NotificationKind.MONITORING, '[{"variable": {"name": "ItemsPerMessage"}}]'),
            (NotificationKind.REPORT, '[{"variable": {"name": "BytesPerMessage"}}]'),
            (NotificationKind.REPORT, None),
        )
    ):
        await store.notifications.record(
            "CP-1", kind, "NotifyReport", detail=detail, at=start + timedelta(minutes=minute)
        )
    found = await store.notifications.naming("CP-1", NotificationKind.REPORT, "PerMessage", 5)
    assert found == [
        (start + timedelta(minutes=3), '[{"variable": {"name": "BytesPerMessage"}}]'),
        (start, '[{"variable": {"name": "ItemsPerMessage"}}]'),
    ]
    assert await store.notifications.naming("CP-1", NotificationKind.REPORT, "%", 5) == []
    with pytest.raises(NotFoundError):
        await store.notifications.naming("CP-404", NotificationKind.REPORT, "PerMessage", 5)


async def test_every_kind_is_kept_and_read_back(store: Store) -> None:
    # The column holds the longest kind's name (dynamic_schedule: 16 characters) on both
    # databases; no migration adds a kind.
    await store.stations.register("CP-1")
    await store.notifications.record_all(
        "CP-1", [NewNotification(kind, "Action", kind.value) for kind in NotificationKind]
    )
    kept = await store.notifications.history("CP-1", limit=len(NotificationKind))
    assert sorted(n.kind for n in kept) == sorted(kind.value for kind in NotificationKind)
