"""Connector commands (plug, unplug, unlock, the EV's demand) on running 1.6 and 2.0.1 stations,
seen in the CSMS's own records; and the reasons a charger cannot take one."""

from __future__ import annotations

import asyncio

from chargeyard.bus import CommandMessage
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.store.models import CommandStatus
from tests.gateway.conftest import ORG, VERSIONS
from tests.polling import eventually
from tests.stack_lab import StackLab

# The connector status a station reports with a cable in and no transaction.
PLUGGED = {V16: "Preparing", V201: "Occupied"}


@VERSIONS
async def test_plug_then_unplug_goes_back_to_available(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    plugged = await lab.run(charger, "plug", {"evse_id": 1, "connector_id": 1})
    assert (plugged.status, plugged.error) == (CommandStatus.SUCCEEDED, None)
    assert plugged.result == {"evse_id": 1, "connector_id": 1}
    assert plugged.ocpp_version == version
    await eventually(lambda: lab.has_status("CP-1", PLUGGED[version]))

    unplugged = await lab.run(charger, "unplug")
    assert unplugged.status == CommandStatus.SUCCEEDED
    assert unplugged.result == {"evse_id": 1, "connector_id": 1, "transaction_ended": False}
    await eventually(lambda: lab.has_status("CP-1", "Available"))
    assert (await lab.statuses("CP-1"))[-3:] == ["Available", PLUGGED[version], "Available"]


@VERSIONS
async def test_unplug_with_nothing_plugged_is_refused_with_the_reason(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    assert await lab.refused(charger, "unplug") == "no cable is plugged in EVSE 1 connector 1"
    assert await lab.refused(charger, "unplug", {"evse_id": 2}) == ("no EVSE 2 (the station has 1)")
    assert await lab.refused(charger, "plug", {"evse_id": 1, "connector_id": 3}) == (
        "no connector 3 on EVSE 1"
    )
    # A connector number alone, as the version numbers it (test_connector_numbers.py).
    assert (
        await lab.refused(charger, "plug", {"connector_id": 3})
        == {
            V16: "no connector 3 (the station has 1)",
            V201: "no connector 3 on EVSE 1",
        }[version]
    )
    assert await lab.refused(charger, "ev_stops_energy") == (
        "no cable is plugged in EVSE 1 connector 1"
    )
    assert await lab.store.commands.list(ORG) == []


async def test_a_command_refused_when_it_arrives_is_stored_as_rejected(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    # Two plugs pass the API's check (nothing is plugged yet); the second meets a cable.
    # Sent side by side, both are prechecked before either is applied.
    first, second = await asyncio.gather(lab.send(charger, "plug"), lab.send(charger, "plug"))
    assert first.queued
    assert second.queued
    await lab.outcomes(first, second)
    stored = await lab.store.commands.get(ORG, second.queued[0].command.id)
    assert stored is not None
    assert (stored.status, stored.error) == (
        CommandStatus.REJECTED,
        "a cable is already plugged in EVSE 1 connector 1",
    )
    logs = await lab.store.charger_logs.list(ORG, charger.id, command_id=stored.id)
    assert [(log.level, log.message) for log in logs] == [
        ("warning", "plug failed: a cable is already plugged in EVSE 1 connector 1")
    ]


async def test_a_command_for_a_charger_stopped_meanwhile_fails(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    # Queued while it ran (the API's check passed), delivered after it stopped.
    command = await lab.store.commands.enqueue(
        ORG, charger.id, event_type="plug", ocpp_version=V16, payload={}
    )
    await lab.host.stop_charger(ORG, charger.id)
    await lab.bus.publish(CommandMessage(command.id, ORG, charger.id, "plug", V16, {}))
    async with asyncio.timeout(5):
        outcome = await lab.bus.wait_outcome(command.id)
    assert (outcome.ok, outcome.error) == (False, "charger is not running")
    stored = await lab.store.commands.get(ORG, command.id)
    assert stored is not None
    assert (stored.status, stored.error) == (CommandStatus.FAILED, "charger is not running")


@VERSIONS
async def test_the_ev_stops_and_resumes_drawing(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    await lab.run(charger, "start_session", {"id_tag": "TAG1"})
    station = lab.hosted(charger.id)
    await eventually(lambda: _async(station.model.evses[1].transaction is not None))
    stopped = await lab.run(charger, "ev_stops_energy")
    assert stopped.result == {"evse_id": 1, "connector_id": 1, "requesting": False}
    assert station.model.evses[1].connectors[1].status.value == "SuspendedEV"
    resumed = await lab.run(charger, "ev_requests_energy")
    assert resumed.result == {"evse_id": 1, "connector_id": 1, "requesting": True}
    assert station.model.evses[1].connectors[1].status.value == "Charging"
    if version is V16:
        await eventually(lambda: lab.has_status("CP-1", "Charging"))
        assert "SuspendedEV" in await lab.statuses("CP-1")


@VERSIONS
async def test_unlock_releases_the_lock_but_not_during_a_transaction(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    await lab.run(charger, "plug")
    station = lab.hosted(charger.id)
    assert station.model.evses[1].connectors[1].locked
    unlocked = await lab.run(charger, "unlock")
    assert unlocked.result == {"evse_id": 1, "connector_id": 1, "locked": False}
    assert not station.model.evses[1].connectors[1].locked

    await lab.run(charger, "authorize", {"id_tag": "TAG1", "evse_id": 1})
    await eventually(lambda: _async(station.model.evses[1].transaction is not None))
    refused = await lab.run(charger, "unlock")
    assert refused.status == CommandStatus.REJECTED
    assert (
        refused.error
        == {
            V16: "a transaction runs on this connector",
            V201: "cannot unlock: OngoingAuthorizedTransaction",
        }[version]
    )


async def _async(value: bool) -> bool:
    return value


async def test_metrics_count_each_applied_command_and_show_the_host_s_fleets(
    lab: StackLab,
) -> None:
    """/metrics hears the host's two hooks: every command applied, by type and outcome, and
    the stations of every fleet it makes."""
    charger = await lab.running("CP-9")
    # Sent side by side, both pass the precheck; the second meets the cable when applied.
    first, second = await asyncio.gather(lab.send(charger, "plug"), lab.send(charger, "plug"))
    assert first.queued
    assert second.queued
    await lab.outcomes(first, second)

    samples = await lab.scrape()
    commands = "chargeyard_gateway_commands_total"
    assert samples[(commands, frozenset({("event_type", "plug"), ("outcome", "succeeded")}))] == 1
    assert samples[(commands, frozenset({("event_type", "plug"), ("outcome", "failed")}))] == 1
    assert samples[("chargeyard_fleet_stations", frozenset({("registration", "Accepted")}))] == 1
