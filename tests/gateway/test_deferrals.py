"""A command applied while the charger's station is offline is deferred: the station did it and
keeps what it reports until it is online again, when the command is applied
(``gateway/deferrals.py``); a station no longer followed leaves it expired."""

from __future__ import annotations

from typing import Any

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.store.models import Command, CommandStatus, SimulatedCharger
from tests.gateway.conftest import ORG, VERSIONS
from tests.polling import eventually, until
from tests.stack_lab import StackLab

PLUGGED = {V16: "Preparing", V201: "Occupied"}


async def _offline(
    lab: StackLab, identity: str, version: VersionSpec = V16
) -> tuple[SimulatedCharger, Any]:
    """A charger whose station runs, booted, then lost its network; and the station."""
    charger = await lab.running(identity, version)
    station = lab.hosted(charger.id)
    station.go_offline()  # the connection drops and stays down
    await until(lambda: not station.connected)
    return charger, station


async def _stored(lab: StackLab, command_id: str) -> Command:
    command = await lab.store.commands.get(ORG, command_id)
    assert command is not None
    return command


@VERSIONS
async def test_a_plug_while_offline_is_deferred_then_applied_once_the_station_is_back(
    lab: StackLab, version: VersionSpec
) -> None:
    charger, station = await _offline(lab, "CP-1", version)

    plugged = await lab.run(charger, "plug")

    assert (plugged.status, plugged.result, plugged.error) == (
        CommandStatus.DEFERRED,
        {"evse_id": 1, "connector_id": 1},
        None,
    )
    assert not await lab.has_status("CP-1", PLUGGED[version])  # the CSMS has not heard yet
    station.come_online()

    async def applied() -> bool:
        return (await _stored(lab, plugged.id)).status == CommandStatus.SUCCEEDED

    await eventually(applied)
    await eventually(lambda: lab.has_status("CP-1", PLUGGED[version]))
    assert (await _stored(lab, plugged.id)).result == {"evse_id": 1, "connector_id": 1}


async def test_what_stays_in_the_station_is_applied_offline_at_once(lab: StackLab) -> None:
    charger, _ = await _offline(lab, "CP-1")

    configured = await lab.run(
        charger,
        "set_configuration",
        {"configuration": [{"key": "HeartbeatInterval", "value": "90"}]},
    )
    cleared = await lab.run(charger, "reset_cache")

    assert (configured.status, cleared.status) == (CommandStatus.SUCCEEDED, CommandStatus.SUCCEEDED)


async def test_a_deferred_command_expires_when_its_station_is_no_longer_followed(
    lab: StackLab,
) -> None:
    charger, _ = await _offline(lab, "CP-1")
    plugged = await lab.run(charger, "plug")
    assert plugged.status == CommandStatus.DEFERRED

    await lab.host.remove_charger(ORG, charger.id)  # (as a DELETE does, before the row goes)
    await lab.host.wait_idle()

    expired = await _stored(lab, plugged.id)
    assert (expired.status, expired.result) == (
        CommandStatus.EXPIRED,
        {"evse_id": 1, "connector_id": 1},
    )
    logs = await lab.store.charger_logs.list(ORG, charger.id, command_id=plugged.id)
    assert [(log.level, log.message) for log in logs] == [
        ("warning", "deferred plug expired: the charger's station was not online again")
    ]
