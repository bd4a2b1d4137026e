"""Sessions and transactions through the gateway: start-session ending on time and on energy,
stop-session, the raw authorize / start / stop, power updates and faults; each seen in the
CSMS's own records (transactions with their energy, status notifications)."""

from __future__ import annotations

import asyncio

import pytest

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.store.models import CommandStatus
from chargeyard.store.models import Transaction as CsmsTransaction
from tests.gateway.conftest import ORG, VERSIONS
from tests.polling import eventually, until
from tests.stack_lab import StackLab

# Every wait is on the loop's clock or on SQLite: the stack lab, its gateway and its chargers
# run on the test's loop (tests/virtual_time.py), so idle waits pass at once.
pytestmark = pytest.mark.virtual_time

STOP_ON_TIME = {V16: "Local", V201: "TimeLimitReached"}
STOP_ON_ENERGY = {V16: "Local", V201: "EnergyLimitReached"}


async def completed(lab: StackLab, identity: str = "CP-1") -> list[CsmsTransaction]:
    return list(await lab.csms.store.transactions.list(charge_box_id=identity, status="completed"))


async def one_completed(lab: StackLab) -> CsmsTransaction:
    async def done() -> bool:
        return len(await completed(lab)) == 1

    await eventually(done)
    return (await completed(lab))[0]


@VERSIONS
async def test_start_session_plugs_authorizes_charges_and_stops_on_time(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    command = await lab.run(charger, "start_session", {"id_tag": "TAG1", "duration_seconds": 1.0})
    assert (command.status, command.error) == (CommandStatus.SUCCEEDED, None)
    transaction = await one_completed(lab)
    # The outcome names the transaction as the central system knows it.
    assert command.result == {
        "evse_id": 1,
        "connector_id": 1,
        "id_tag": "TAG1",
        "plugged": True,
        "authorization": {"status": "Accepted", "source": "CentralSystem"},
        "transaction_id": transaction.transaction_id,
        "duration_seconds": 1.0,
        "target_energy_kwh": None,
    }
    assert transaction.id_tag == "TAG1"
    assert transaction.stop_reason == STOP_ON_TIME[version]
    assert transaction.energy_wh is not None
    assert transaction.energy_wh > 0
    # The session plugged the cable, so it unplugged it: back to Available.
    await eventually(lambda: lab.has_status("CP-1", "Available"))
    statuses = await lab.statuses("CP-1")
    if version is V16:
        assert statuses[-4:] == ["Preparing", "Charging", "Finishing", "Available"]
    else:
        assert statuses[-2:] == ["Occupied", "Available"]
    async with asyncio.timeout(5):
        await lab.host.wait_idle()
    logs = await lab.store.charger_logs.list(ORG, charger.id, command_id=command.id)
    assert [log.message for log in logs] == ["session ended: time"]
    assert logs[0].data is not None
    assert logs[0].data["energy_wh"] > 0


@VERSIONS
async def test_start_session_stops_once_the_target_energy_is_delivered(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    await lab.run(charger, "plug")  # the cable is in before: the session leaves it in
    command = await lab.run(
        charger,
        "start_session",
        {"id_tag": "TAG1", "target_energy_kwh": 0.001, "duration_seconds": 30},
    )
    assert command.result is not None
    assert command.result["plugged"] is False
    transaction = await one_completed(lab)
    assert transaction.stop_reason == STOP_ON_ENERGY[version]
    assert transaction.energy_wh is not None
    assert transaction.energy_wh >= 1
    station = lab.hosted(charger.id)
    assert station.model.evses[1].connectors[1].cable_plugged
    await lab.host.wait_idle()
    logs = await lab.store.charger_logs.list(ORG, charger.id, command_id=command.id)
    assert [log.message for log in logs] == ["session ended: energy"]
    assert logs[0].data is not None
    assert logs[0].data["energy_wh"] >= 1.0
    unplugged = await lab.run(charger, "unplug")
    assert unplugged.result is not None
    assert unplugged.result["transaction_ended"] is False
    await eventually(lambda: lab.has_status("CP-1", "Available"))


@VERSIONS
async def test_stop_session_stops_then_unplugs(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    await lab.run(charger, "start_session", {"id_tag": "TAG1"})
    station = lab.hosted(charger.id)
    await until(lambda: station.model.evses[1].transaction is not None)
    assert await lab.refused(charger, "start_session", {"id_tag": "TAG2"}) == (
        "a transaction is already running on EVSE 1"
    )
    stopped = await lab.run(charger, "stop_session")
    assert stopped.result == {
        "evse_id": 1,
        "connector_id": 1,
        "transaction_stopped": True,
        "unplugged": True,
    }
    transaction = await one_completed(lab)
    assert transaction.stop_reason == "Local"
    await eventually(lambda: lab.has_status("CP-1", "Available"))
    assert await lab.refused(charger, "stop_session") == (
        "no session on EVSE 1 connector 1: nothing to stop"
    )


@VERSIONS
async def test_raw_authorize_start_and_stop_transaction(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    assert await lab.refused(charger, "stop_transaction") == "no transaction is running on EVSE 1"
    await lab.run(charger, "plug")
    started = await lab.run(charger, "start_transaction", {"id_tag": "LOCAL1"})
    active = await lab.csms.store.transactions.list(charge_box_id="CP-1", status="active")
    assert len(active) == 1
    # The station's own authority; the central system's answer accepted it.
    assert started.result == {
        "evse_id": 1,
        "connector_id": 1,
        "id_tag": "LOCAL1",
        "authorization": {"status": "Accepted", "source": "Station"},
        "transaction_id": active[0].transaction_id,
    }
    stopped = await lab.run(charger, "stop_transaction", {"reason": "Local"})
    assert stopped.result == {"evse_id": 1, "connector_id": 1, "reason": "Local"}
    transaction = await one_completed(lab)
    assert transaction.id_tag == "LOCAL1"

    # The cable is still in: the tag starts a new transaction, which the outcome names.
    authorized = await lab.run(charger, "authorize", {"id_tag": "TAG9", "evse_id": 1})
    active = await lab.csms.store.transactions.list(charge_box_id="CP-1", status="active")
    assert authorized.result == {
        "id_tag": "TAG9",
        "evse_id": 1,
        "authorization": {"status": "Accepted", "source": "CentralSystem"},
        "transaction_id": active[0].transaction_id,
    }


@VERSIONS
async def test_power_update_limits_what_flows(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    await lab.run(charger, "start_session", {"id_tag": "TAG1"})
    station = lab.hosted(charger.id)
    await until(lambda: station.model.evses[1].transaction is not None)
    limited = await lab.run(charger, "power_update", {"power_w": 0})
    assert limited.result == {"evse_id": 1, "connector_id": 1, "power_w": 0.0}
    assert station.model.evses[1].connectors[1].status.value == "SuspendedEVSE"
    back = await lab.run(charger, "power_update", {"power_w": None})
    assert back.status == CommandStatus.SUCCEEDED
    assert station.model.evses[1].connectors[1].status.value == "Charging"
    if version is V16:
        await eventually(lambda: lab.has_status("CP-1", "Charging"))
        assert "SuspendedEVSE" in await lab.statuses("CP-1")


@VERSIONS
async def test_inject_and_clear_a_fault(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    assert await lab.refused(charger, "clear_fault") == "the connector is not Faulted"
    faulted = await lab.run(charger, "inject_fault", {"error_code": "GroundFailure"})
    assert faulted.result == {"evse_id": 1, "connector_id": 1, "error_code": "GroundFailure"}
    await eventually(lambda: lab.has_status("CP-1", "Faulted"))
    assert await lab.refused(charger, "inject_fault") == "the connector is already Faulted"
    assert await lab.refused(charger, "plug") == "the connector is Faulted"
    cleared = await lab.run(charger, "clear_fault")
    assert cleared.result == {"evse_id": 1, "connector_id": 1, "status": "Available"}
    await eventually(lambda: lab.has_status("CP-1", "Available"))


async def test_a_fault_code_that_is_no_fault_is_refused_before_queuing(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    assert await lab.refused(charger, "inject_fault", {"error_code": "NoError"}) == (
        "OCPP 1.6: error_code 'NoError' is not allowed: one of ConnectorLockFailure, "
        "EVCommunicationError, GroundFailure, HighTemperature, InternalError, "
        "LocalListConflict, OtherError, OverCurrentFailure, OverVoltage, PowerMeterFailure, "
        "PowerSwitchFailure, ReaderFailure, ResetFailure, UnderVoltage, WeakSignal,"
        " GroundFault, OverCurrent, OverTemperature"
    )
    assert not lab.hosted(charger.id).model.evses[1].connectors[1].faulted


async def test_an_offline_session_for_an_unknown_tag_is_rejected_and_gives_the_cable_back(
    lab: StackLab,
) -> None:
    # Offline (its CSMS unreachable), the station refuses an unknown tag by its own rules
    # (1.6 section 3.5.4: AllowOfflineTxForUnknownId is false), so no transaction starts.
    charger = await lab.charger("CP-1", csms_url="ws://127.0.0.1:9/ocpp")
    await lab.host.start_charger(ORG, charger.id)
    command = await lab.run(charger, "start_session", {"id_tag": "NOBODY", "duration_seconds": 5})
    assert (command.status, command.error) == (
        CommandStatus.REJECTED,
        "offline and the tag is unknown: the station's AllowOfflineTxForUnknownId is false",
    )
    assert command.result is not None
    assert command.result["authorization"] == {"status": "Unknown", "source": "OfflineUnknownId"}
    assert command.result["transaction_id"] is None
    station = lab.hosted(charger.id)
    assert not station.model.evses[1].connectors[1].cable_plugged
    assert station.model.evses[1].transaction is None
