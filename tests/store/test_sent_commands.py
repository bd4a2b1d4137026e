"""The command history's store, on both databases: kept, listed newest first with the total,
filtered by charger, action, status, outcome and a time window, capped like every payload."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import CallOutcome
from chargeyard.store.payload_cap import stored_extent
from chargeyard.store.repositories import CommandQuery, NewSentCommand
from tests.migrated import migrated_sqlite_url

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


async def _keep(
    store: Store,
    charge_box_id: str,
    action: str,
    at: datetime,
    outcome: CallOutcome = CallOutcome.ANSWERED,
    status: str | None = "Accepted",
) -> str:
    return await store.sent_commands.record(
        NewSentCommand(
            charge_box_id,
            endpoint="POST /api/v1/chargers/{chargeBoxId}/call",
            action=action,
            request="{}",
            response=None
            if outcome is not CallOutcome.ANSWERED
            else json.dumps({"status": status}),
            outcome=outcome,
            status=status,
            sent_at=at,
            duration_ms=12.5,
            api_key_id="key_1",
            api_key_name="ops",
        )
    )


async def test_kept_and_listed_newest_first_with_the_total(store: Store) -> None:
    await store.stations.register("CP-1")
    await store.stations.register("CP-2")
    first = await _keep(store, "CP-1", "Reset", T0)
    await _keep(store, "CP-2", "ClearCache", T0 + MINUTE)
    last = await _keep(store, "CP-1", "UnlockConnector", T0 + 2 * MINUTE)

    rows, total = await store.sent_commands.listing(CommandQuery(), limit=2)
    assert [row.action for row in rows] == ["UnlockConnector", "ClearCache"]
    assert total == 3
    rows, total = await store.sent_commands.listing(CommandQuery(charge_box_id="CP-1"))
    assert ([row.id for row in rows], total) == ([last, first], 2)
    row = await store.sent_commands.get(first)
    assert row is not None
    assert (row.charge_box_id, row.api_key_name, row.sent_at, row.duration_ms) == (
        "CP-1",
        "ops",
        T0,
        12.5,
    )
    assert await store.sent_commands.get("cmd_nope") is None


async def test_filters(store: Store) -> None:
    await store.stations.register("CP-1")
    await _keep(store, "CP-1", "Reset", T0)
    await _keep(store, "CP-1", "Reset", T0 + MINUTE, status="Rejected")
    await _keep(store, "CP-1", "ClearCache", T0 + 2 * MINUTE, CallOutcome.CALL_ERROR, "Busy")

    async def actions(**fields: object) -> list[str]:
        rows, _ = await store.sent_commands.listing(CommandQuery(**fields))  # type: ignore[arg-type]
        return [f"{row.action}/{row.status}" for row in rows]

    assert await actions(action="Reset") == ["Reset/Rejected", "Reset/Accepted"]
    assert await actions(status="Busy") == ["ClearCache/Busy"]
    assert await actions(outcome=CallOutcome.ANSWERED) == ["Reset/Rejected", "Reset/Accepted"]
    # since is inclusive, until exclusive
    assert await actions(since=T0 + MINUTE) == ["ClearCache/Busy", "Reset/Rejected"]
    assert await actions(until=T0 + MINUTE) == ["Reset/Accepted"]


async def test_an_unknown_station(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await _keep(store, "NOPE", "Reset", T0)
    with pytest.raises(NotFoundError):
        await store.sent_commands.listing(CommandQuery(charge_box_id="NOPE"))


async def test_a_payload_over_the_cap_is_stored_cut_and_says_so(tmp_path: Path) -> None:
    store = await Store.open(migrated_sqlite_url(tmp_path, "db.sqlite"), max_payload_chars=1024)
    try:
        await store.stations.register("CP-1")
        big = json.dumps({"data": "x" * 5000})
        command_id = await store.sent_commands.record(
            NewSentCommand(
                "CP-1",
                endpoint="POST /x",
                action="DataTransfer",
                request=big,
                outcome=CallOutcome.TIMEOUT,
                sent_at=T0,
                duration_ms=1.0,
            )
        )
        row = await store.sent_commands.get(command_id)
        assert row is not None
        assert stored_extent(row.request) == (True, len(big))
    finally:
        await store.close()


async def test_answers_naming_a_text_are_the_newest_answered_of_an_action(store: Store) -> None:
    await store.stations.register("CP-1")
    for minute, (action, outcome, status) in enumerate(
        (
            ("GetVariables", CallOutcome.ANSWERED, "100%_PerMessage"),
            ("GetVariables", CallOutcome.ANSWERED, "other"),
            ("SetVariables", CallOutcome.ANSWERED, "100%_PerMessage"),
            ("GetVariables", CallOutcome.TIMEOUT, None),
            ("GetVariables", CallOutcome.ANSWERED, "200%_PerMessage"),
        )
    ):
        await _keep(store, "CP-1", action, T0 + minute * MINUTE, outcome, status)
    found = await store.sent_commands.answers_naming("CP-1", "GetVariables", "%_PerMessage", 5)
    assert found == [
        (T0 + 4 * MINUTE, '{"status": "200%_PerMessage"}'),
        (T0, '{"status": "100%_PerMessage"}'),
    ]
    assert await store.sent_commands.answers_naming("CP-1", "GetVariables", "PerMessage", 1) == [
        (T0 + 4 * MINUTE, '{"status": "200%_PerMessage"}')
    ]
    with pytest.raises(NotFoundError):
        await store.sent_commands.answers_naming("CP-404", "GetVariables", "PerMessage", 5)


async def test_accepted_requests_are_the_newest_answered_accepted_of_the_actions(
    store: Store,
) -> None:
    # The profiles set on a station (2.1 PullDynamicScheduleUpdate reads them).
    await store.stations.register("CP-1")
    await store.stations.register("CP-2")
    kept = (
        ("CP-1", "SetChargingProfile", CallOutcome.ANSWERED, "Accepted"),
        ("CP-1", "SetChargingProfile", CallOutcome.ANSWERED, "Rejected"),
        ("CP-1", "ClearChargingProfile", CallOutcome.ANSWERED, "Accepted"),
        ("CP-1", "UpdateDynamicSchedule", CallOutcome.TIMEOUT, None),
        ("CP-1", "Reset", CallOutcome.ANSWERED, "Accepted"),
        ("CP-2", "SetChargingProfile", CallOutcome.ANSWERED, "Accepted"),
        ("CP-1", "UpdateDynamicSchedule", CallOutcome.ANSWERED, "Accepted"),
    )
    for minute, (identity, action, outcome, status) in enumerate(kept):
        await _keep(store, identity, action, T0 + minute * MINUTE, outcome, status)
    actions = ("SetChargingProfile", "UpdateDynamicSchedule", "ClearChargingProfile")
    assert await store.sent_commands.accepted_requests("CP-1", actions, 10) == [
        ("UpdateDynamicSchedule", "{}"),
        ("ClearChargingProfile", "{}"),
        ("SetChargingProfile", "{}"),
    ]
    assert await store.sent_commands.accepted_requests("CP-1", actions, 1) == [
        ("UpdateDynamicSchedule", "{}")
    ]
    with pytest.raises(NotFoundError):
        await store.sent_commands.accepted_requests("CP-404", actions, 5)
