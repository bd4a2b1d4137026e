"""Runtimes of durable chargers: start, stop, restart, resume after a process restart, and the
answers in the gateway API reference's shape ("Stop charger runtime")."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chargeyard.bus import InMemoryBus
from chargeyard.gateway.host import ChargerRuntimeError
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.store import NotFoundError, Store
from tests.gateway.conftest import ORG, VERSIONS
from tests.migrated import migrated_sqlite_url
from tests.polling import eventually, until
from tests.stack_lab import StackLab, new_host
from tests.station.wire_csms import our_csms


async def test_start_charger_connects_boots_and_stores_running(lab: StackLab) -> None:
    charger = await lab.charger("CP-1")
    report = await lab.host.start_charger(ORG, charger.id)
    assert report.as_response() == {
        "id": charger.id,
        "event_type": "start_charger",
        "ocpp_version": "OCPP1.6",
        "payload": {
            "provider": "local",
            "runtime_kind": "asyncio_task",
            "service_name": charger.id,
            "desired_count": 1,
            "status": "ACTIVE",
        },
    }
    await until(lambda: lab.booted(charger.id))
    stored = await lab.store.chargers.get(ORG, charger.id)
    assert stored is not None
    assert (stored.desired_state, stored.status) == ("running", "running")
    await eventually(lambda: lab.has_status("CP-1", "Available"))
    station = await lab.csms.store.stations.get("CP-1")
    assert station is not None
    assert station.ocpp_version is V16
    assert lab.host.is_running(charger.id)


async def test_stop_charger_takes_it_offline_and_keeps_its_state(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    report = await lab.host.stop_charger(ORG, charger.id)
    assert report.as_response()["event_type"] == "stop_charger"
    # The API reference: a stopped service is still ACTIVE, with no task wanted.
    assert report.as_response()["payload"]["desired_count"] == 0
    assert report.as_response()["payload"]["status"] == "ACTIVE"
    assert not lab.host.is_running(charger.id)
    await until(lambda: "CP-1" not in lab.csms.registry)
    stored = await lab.store.chargers.get(ORG, charger.id)
    assert stored is not None
    assert (stored.desired_state, stored.status) == ("stopped", "stopped")
    assert await lab.refused(charger, "plug") == "charger is not running"

    await lab.host.start_charger(ORG, charger.id)
    await until(lambda: "CP-1" in lab.csms.registry and lab.booted(charger.id))


async def test_restart_charger_power_cycles_and_boots_again(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    boots_before = lab.hosted(charger.id).registration
    report = await lab.host.restart_charger(ORG, charger.id)
    assert report.as_response()["event_type"] == "restart_charger"
    assert report.as_response()["payload"]["desired_count"] == 1
    await until(lambda: not lab.booted(charger.id))  # powered off...
    await until(lambda: lab.booted(charger.id))  # ...and registered again
    assert boots_before.value == "Accepted"

    async def booted_twice() -> bool:
        frames = await lab.csms.store.frames.list("CP-1", limit=1000)
        calls = [f for f in frames if f.action == "BootNotification" and f.direction == "incoming"]
        return len(calls) == 2

    await eventually(booted_twice)


async def test_restart_rebuilds_a_charger_whose_row_changed(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    await lab.store.chargers.update(ORG, charger.id, ocpp_version=V201)
    await lab.host.restart_charger(ORG, charger.id)
    await until(lambda: lab.booted(charger.id))
    assert lab.hosted(charger.id).version is V201


@VERSIONS
async def test_a_changed_version_restarts_the_running_station_with_it(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    old = lab.hosted(charger.id)
    old.plug(1, 1)
    old.present_id_token("TAG-1", 1)

    async def charging() -> bool:
        return bool(await lab.csms.store.transactions.list(charge_box_id="CP-1"))

    await eventually(charging)
    other = V201 if version is V16 else V16
    changed = await lab.store.chargers.update(ORG, charger.id, ocpp_version=other)
    assert await lab.host.apply_changes(changed) == "restarted"
    # The old station ended its session, said so, and went down before the new one came.
    assert not old.powered
    assert len(old.transaction_queue) == 0
    [ended] = await lab.csms.store.transactions.list(charge_box_id="CP-1")
    assert (ended.status, ended.stop_reason) == ("completed", "Reboot")
    await until(lambda: lab.booted(charger.id))
    assert lab.hosted(charger.id).version is other
    assert await lab.host.apply_changes(changed) == "unchanged"
    stored = await lab.store.chargers.get(ORG, charger.id)
    assert stored is not None
    assert stored.status == "running"


async def test_a_change_to_a_charger_not_running_waits_for_its_start(lab: StackLab) -> None:
    charger = await lab.charger("CP-1")
    changed = await lab.store.chargers.update(ORG, charger.id, ocpp_version=V201)
    assert await lab.host.apply_changes(changed) == "next_start"
    assert lab.host.station(charger.id) is None


async def test_a_charger_that_cannot_be_built_fails_with_the_reason(lab: StackLab) -> None:
    nowhere = await lab.charger("CP-1", csms_url=None)
    with pytest.raises(ChargerRuntimeError, match="no ws_url"):
        await lab.host.start_charger(ORG, nowhere.id)
    unknown = await lab.charger("CP-2", template="acme/nothing")
    with pytest.raises(ChargerRuntimeError, match=r"unknown brand .acme."):
        await lab.host.start_charger(ORG, unknown.id)
    stored = await lab.store.chargers.get(ORG, nowhere.id)
    assert stored is not None
    assert (stored.desired_state, stored.status) == ("running", "failed")
    async with asyncio.timeout(5):
        await lab.host.wait_idle()
    logs = await lab.store.charger_logs.list(ORG, nowhere.id)
    assert [(log.level, log.message) for log in logs] == [
        ("error", f"runtime failed: charger {nowhere.id} has no ws_url to connect to")
    ]


async def test_runtimes_of_another_organization_are_not_found(lab: StackLab) -> None:
    charger = await lab.charger("CP-1")
    await lab.store.organizations.create("Other", organization_id="org-other")
    for act in (lab.host.start_charger, lab.host.stop_charger, lab.host.restart_charger):
        with pytest.raises(NotFoundError):
            await act("org-other", charger.id)
    assert not lab.host.is_running(charger.id)
    assert lab.host.precheck("org-other", charger.id, "plug", {}) == "charger is not running"


async def test_the_same_identity_runs_in_two_organizations(lab: StackLab) -> None:
    await lab.store.organizations.create("Other", organization_id="org-other")
    ours = await lab.charger("CP-1")
    theirs = await lab.store.chargers.create(
        "org-other",
        identity="CP-1",
        ocpp_version=V16,
        csms_url="ws://127.0.0.1:9/ocpp",  # their own CSMS (unreachable here)
        template="alfen/eve-single-pro-line",
    )
    await lab.host.start_charger(ORG, ours.id)
    await lab.host.start_charger("org-other", theirs.id)
    await until(lambda: lab.booted(ours.id))
    assert lab.host.is_running(theirs.id)
    assert not lab.booted(theirs.id)
    assert lab.hosted(ours.id) is not lab.hosted(theirs.id)
    assert lab.host.precheck("org-other", ours.id, "plug", {}) == "charger is not running"


async def test_resume_after_a_process_restart(tmp_path: Path) -> None:
    async with our_csms(tmp_path, heartbeat_interval=60) as csms:
        url = f"ws://127.0.0.1:{csms.port}/ocpp"
        async with await Store.open(migrated_sqlite_url(tmp_path, "gateway.db")) as store:
            await store.organizations.create("Acme", organization_id=ORG)
            wanted = await store.chargers.create(
                ORG,
                identity="CP-1",
                ocpp_version=V16,
                csms_url=url,
                template="alfen-eve-single-pro-line",
            )
            parked = await store.chargers.create(
                ORG,
                identity="CP-2",
                ocpp_version=V201,
                csms_url=url,
                template="alfen-eve-single-pro-line",
            )
            bus = InMemoryBus()
            async with new_host(store, bus) as first:
                await first.start_charger(ORG, wanted.id)
                await first.start_charger(ORG, parked.id)
                await until(lambda: "CP-2" in csms.registry)
                await first.stop_charger(ORG, parked.id)
                await until(lambda: "CP-1" in csms.registry)
            # The process is gone: its sockets closed, the rows still say what was wanted.
            await until(lambda: "CP-1" not in csms.registry)
            async with new_host(store, InMemoryBus()) as second:
                assert await second.resume() == [wanted.id]
                assert second.is_running(wanted.id)
                assert not second.is_running(parked.id)
                await until(lambda: "CP-1" in csms.registry)
                stored = await store.chargers.get(ORG, wanted.id)
                assert stored is not None
                assert stored.status == "running"
                other = await store.chargers.get(ORG, parked.id)
                assert other is not None
                assert (other.desired_state, other.status) == (
                    "stopped",
                    "stopped",
                )
                assert "CP-2" not in csms.registry


async def test_remove_charger_stops_and_forgets_it(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    await lab.host.remove_charger(ORG, charger.id)
    assert lab.host.station(charger.id) is None
    await until(lambda: "CP-1" not in lab.csms.registry)
    await lab.host.remove_charger(ORG, charger.id)  # idempotent
