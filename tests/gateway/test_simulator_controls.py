"""The simulator's controls (gateway/controls/) through the gateway, on running 1.6 and 2.0.1
chargers of the built-in CSMS: each command's outcome, and its effect where the CSMS sees one
(a status, a MeterValues, a transaction ended PowerLoss, an UnlockConnector refused...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pytest

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.store.models import CommandStatus, SimulatedCharger
from tests.gateway.conftest import VERSIONS
from tests.polling import eventually, polled
from tests.stack_lab import StackLab

# Every wait is on the loop's clock or on SQLite (tests/virtual_time.py): idle waits pass at once.
pytestmark = pytest.mark.virtual_time


async def _ok(lab: StackLab, charger: SimulatedCharger, event_type: str, payload: Any) -> Any:
    command = await lab.run(charger, event_type, payload)
    assert (command.status, command.error) == (CommandStatus.SUCCEEDED, None), command.error
    return command.result


async def _frames(lab: StackLab, identity: str, action: str) -> list[Any]:
    """The payloads of ``action`` the CSMS received from the station, oldest first."""
    rows, _ = await lab.store.frames.matching(identity, action=action)
    calls = [orjson.loads(row.text) for row in rows if row.direction == "incoming"]
    return [call[3] for call in calls if call[0] == 2]


async def _incoming(lab: StackLab, identity: str, action: str) -> list[int]:
    """The frame ids of the CALLs of ``action`` the CSMS received, in order."""
    rows, _ = await lab.store.frames.matching(identity, action=action)
    return [row.id for row in rows if row.direction == "incoming" and row.text.startswith("[2,")]


async def _session(lab: StackLab, charger: SimulatedCharger) -> None:
    """A session started, its transaction active at the CSMS."""
    await _ok(lab, charger, "start_session", {"id_tag": "TAG-1"})
    await polled(
        lambda: _transactions(lab, charger.identity),
        lambda rows: bool(rows) and rows[0].status == "active",
    )


async def _transactions(lab: StackLab, identity: str) -> Sequence[Any]:
    return await lab.store.transactions.list(charge_box_id=identity)


@VERSIONS
async def test_the_ev_chosen_is_the_session_s_and_reads_back(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    chosen = await _ok(
        lab, charger, "set_ev", {"ev": {"model": "phev-12", "soc": 40, "target_soc": 90}}
    )
    assert chosen["next_ev"]["model"] == "phev-12"
    await _ok(lab, charger, "plug", {})
    state = await _ok(lab, charger, "ev_state", {})
    assert (state["ev_connected"], state["soc"], state["next_ev"]) == (True, 40.0, None)
    assert state["ev"]["battery_capacity_wh"] == 12_000
    updated = await _ok(lab, charger, "update_soc", {"soc": 90})
    assert (updated["soc"], updated["suspended_by_ev"]) == (90.0, True)


@VERSIONS
async def test_start_session_brings_its_own_ev(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    ev = {"model": "suv-77", "soc": 55, "max_ac_power_w": 3_700}
    await _ok(lab, charger, "start_session", {"id_tag": "TAG-1", "ev": ev})
    state = await _ok(lab, charger, "ev_state", {})
    assert (state["ev"]["model"], state["ev"]["max_ac_power_w"]) == ("suv-77-custom", 3_700)
    # The cable is in: a second car cannot come with it.
    assert await lab.refused(charger, "start_session", {"id_tag": "TAG-2", "ev": ev}) == (
        "a transaction is already running on EVSE 1"
    )


async def test_the_evse_suspended_is_seen_at_the_csms_1_6(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    await _session(lab, charger)
    suspended = await _ok(lab, charger, "suspend_evse", {})
    assert suspended == {
        "evse_id": 1,
        "connector_id": 1,
        "suspended_by_evse": True,
        "status": "SuspendedEVSE",
    }
    await eventually(lambda: lab.has_status("CP-1", "SuspendedEVSE"))
    await _ok(lab, charger, "resume_evse", {})
    await eventually(lambda: lab.has_status("CP-1", "Charging"))
    await _ok(lab, charger, "suspend_ev", {})
    await eventually(lambda: lab.has_status("CP-1", "SuspendedEV"))
    await _ok(lab, charger, "resume_ev", {})
    await eventually(lambda: lab.has_status("CP-1", "Charging"))


async def test_the_evse_suspended_is_a_charging_state_at_the_csms_2_0_1(lab: StackLab) -> None:
    charger = await lab.running("CP-1", V201)
    await _session(lab, charger)
    await _ok(lab, charger, "suspend_evse", {})
    rows = await polled(
        lambda: _transactions(lab, "CP-1"), lambda rows: rows[0].charging_state == "SuspendedEVSE"
    )
    assert rows[0].status == "active"


@VERSIONS
async def test_the_register_set_reaches_the_csms_at_once(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    await _session(lab, charger)
    result = await _ok(lab, charger, "update_meter_values", {"energy_wh": 900_000})
    sent = {V16: "MeterValues", V201: "TransactionEvent"}[version]
    assert (result["energy_wh"], result["sent"]) == (900_000.0, sent)

    def carries_the_register(payloads: list[Any]) -> bool:
        return any(
            float(value["value"]) == 900_000.0
            for payload in payloads
            for meter_value in payload.get("meterValue", [])
            for value in meter_value["sampledValue"]
            if value.get("context") == "Trigger"
        )

    await polled(lambda: _frames(lab, "CP-1", sent), carries_the_register)
    assert await lab.refused(charger, "update_meter_values", {"energy_wh": 5}) == (
        "the energy register reads 900000 Wh and never runs backwards: 5 Wh cannot be set"
    )


@VERSIONS
async def test_a_fault_with_its_text_reads_back_per_connector(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    fault = {"error_code": "OverTemperature", "info": "cabinet at 71 C"}
    injected = await _ok(lab, charger, "inject_fault", fault)
    assert (injected["error_code"], injected["info"]) == ("OverTemperature", "cabinet at 71 C")
    await eventually(lambda: lab.has_status("CP-1", "Faulted"))
    status = await _ok(lab, charger, "fault_status", {})
    assert status["connectors"] == [
        {
            "evse_id": 1,
            "connector_id": 1,
            "status": "Faulted",
            "faulted": True,
            "error_code": "HighTemperature",
            "info": "cabinet at 71 C",
            "vendor_error_code": None,
            "lock_jammed": False,
        }
    ]
    if version is V16:  # 1.6 StatusNotification carries the code and the text
        reported = await polled(
            lambda: _frames(lab, "CP-1", "StatusNotification"),
            lambda rows: bool(rows) and rows[-1]["status"] == "Faulted",
        )
        assert (reported[-1]["errorCode"], reported[-1]["info"]) == (
            "HighTemperature",
            "cabinet at 71 C",
        )


@VERSIONS
async def test_a_jammed_lock_fails_the_csms_s_unlock(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    assert await _ok(lab, charger, "jam_lock", {}) == {
        "evse_id": 1,
        "connector_id": 1,
        "jammed": True,
    }
    request = {V16: {"connectorId": 1}, V201: {"evseId": 1, "connectorId": 1}}
    answer = await lab.registry.call("CP-1", "UnlockConnector", request[version])
    assert answer["status"] == "UnlockFailed"
    failed = await lab.run(charger, "unlock")
    assert failed.status == CommandStatus.REJECTED  # the station refused it
    await _ok(lab, charger, "jam_lock", {"jammed": False})
    answer = await lab.registry.call("CP-1", "UnlockConnector", request[version])
    assert answer["status"] == "Unlocked"


@VERSIONS
async def test_a_power_cut_ends_the_transaction_power_loss_after_the_boot(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    await _session(lab, charger)
    [started] = await _transactions(lab, "CP-1")
    cut = await _ok(lab, charger, "power_cut", {"off_seconds": 0.2})
    assert cut["stop_reason"] == "PowerLoss"
    assert await lab.refused(charger, "power_cut", {}) in (
        "the station is off (rebooting or without power)",
        "the station is shutting down",
    )
    ended = await polled(
        lambda: _transactions(lab, "CP-1"),
        lambda rows: rows[0].stop_reason == "PowerLoss",
        within=10,
    )
    assert ended[0].transaction_id == started.transaction_id
    assert ended[0].csms_close_reason is None  # the station's own stop, not the CSMS's guess
    await polled(lambda: _frames(lab, "CP-1", "BootNotification"), lambda rows: len(rows) == 2)


@VERSIONS
async def test_a_station_with_the_energy_to_stops_before_the_power_goes(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    await _session(lab, charger)
    cut = await _ok(lab, charger, "power_cut", {"stop_transactions_first": True})
    assert cut["reported"] == "before the power went"
    ended = await polled(
        lambda: _transactions(lab, "CP-1"),
        lambda rows: rows[0].stop_reason == "PowerLoss",
        within=10,
    )
    assert ended[0].csms_close_reason is None
    # Reported before the power went: between the boot before the cut and the boot after.
    boots = await polled(
        lambda: _incoming(lab, "CP-1", "BootNotification"),
        lambda rows: len(rows) == 2,
        within=15,  # the drain, then the station's restart time
    )
    ending = {V16: "StopTransaction", V201: "TransactionEvent"}[version]
    stop = (await _incoming(lab, "CP-1", ending))[-1]  # 2.0.1: its last event, Ended
    assert boots[0] < stop < boots[1]


async def test_a_hard_reboot_ends_the_transaction_hard_reset_1_6(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    await _session(lab, charger)
    result = await _ok(lab, charger, "reboot", {"type": "Hard"})
    assert result == {"type": "Hard", "evse_id": None, "status": "Accepted"}
    await polled(
        lambda: _transactions(lab, "CP-1"),
        lambda rows: rows[0].stop_reason == "HardReset",
        within=10,
    )
    assert await lab.refused(charger, "reboot", {"type": "Soft", "evse_id": 1}) in (
        "OCPP 1.6: evse_id: an OCPP 1.6 Reset restarts the whole charge point (it has no"
        " connectorId)",
        "the station is off (rebooting or without power)",
        "the station is shutting down",
    )


async def test_a_reboot_of_one_evse_leaves_the_station_connected_2_0_1(lab: StackLab) -> None:
    charger = await lab.running("CP-1", V201)
    await _session(lab, charger)
    result = await _ok(lab, charger, "reboot", {"type": "Immediate", "evse_id": 1})
    assert result["status"] == "Accepted"
    ended = await polled(
        lambda: _transactions(lab, "CP-1"), lambda rows: rows[0].stop_reason == "ImmediateReset"
    )
    assert ended[0].status != "active"
    # An EVSE restarts in no time (B12): the station stays connected, never booting again.
    boots = await polled(lambda: _frames(lab, "CP-1", "BootNotification"), bool)
    assert len(boots) == 1
    assert lab.booted(charger.id)


@VERSIONS
async def test_the_station_s_memory_reads_back(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    key = {V16: "HeartbeatInterval", V201: "OCPPCommCtrlr.HeartbeatInterval"}
    config = await _ok(lab, charger, "get_configuration", {"keys": [key[version], "Nope"]})
    assert [item["key"] for item in config["configuration"]] == [key[version]]
    assert config["unknown_keys"] == ["Nope"]
    await _session(lab, charger)  # TAG-1 is authorized by the CSMS: into the cache
    cache = await _ok(lab, charger, "get_authorization_cache", {})
    assert [(e["id_tag"], e["status"]) for e in cache["entries"]] == [("TAG-1", "Accepted")]
    certificates = await _ok(lab, charger, "get_certificates", {})
    assert certificates == {"installed": [], "own_certificate": None}


@VERSIONS
async def test_one_local_list_entry_added_and_removed(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    entry = {"id_tag": "TAG-9", "status": "Blocked", "parent_id_tag": "FLEET"}
    added = await _ok(lab, charger, "add_local_list_entry", entry)
    assert (added["list_version"], added["entries"]) == (1, 1)
    assert added["entry"]["parent_id_tag"] == "FLEET"
    local = await _ok(lab, charger, "get_local_list", {})
    assert local["list_version"] == 1
    assert [(e["id_tag"], e["status"], e["parent_id_tag"]) for e in local["entries"]] == [
        ("TAG-9", "Blocked", "FLEET")
    ]
    asked = {V16: "listVersion", V201: "versionNumber"}[version]
    version_at_csms = await lab.registry.call("CP-1", "GetLocalListVersion", {})
    assert version_at_csms == {asked: 1}
    await _ok(lab, charger, "remove_local_list_entry", {"id_tag": "tag-9"})
    assert (await _ok(lab, charger, "get_local_list", {}))["entries"] == []
    assert await lab.refused(charger, "remove_local_list_entry", {"id_tag": "TAG-9"}) == (
        "id tag 'TAG-9' is not in the local list"
    )


@VERSIONS
async def test_local_auth_list_sends_differential_updates(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    full = {"list_version": 1, "entries": [{"id_tag": "A"}, {"id_tag": "B"}]}
    await _ok(lab, charger, "local_auth_list", full)
    differential = {
        "list_version": 2,
        "update_type": "Differential",
        "entries": [{"id_tag": "A", "status": None}, {"id_tag": "C", "parent_id_tag": "B"}],
    }
    result = await _ok(lab, charger, "local_auth_list", differential)
    assert result == {"list_version": 2, "entries": 2}
    local = await _ok(lab, charger, "get_local_list", {})
    assert {(e["id_tag"], e["parent_id_tag"]) for e in local["entries"]} == {
        ("B", None),
        ("C", "B"),
    }
    removal_in_full = {"list_version": 3, "entries": [{"id_tag": "A", "status": None}]}
    reason = await lab.refused(charger, "local_auth_list", removal_in_full)
    assert "every entry of a Full update has a status" in reason


@VERSIONS
async def test_a_message_sent_now_reaches_the_csms(lab: StackLab, version: VersionSpec) -> None:
    charger = await lab.running("CP-1", version)
    before = len(await _frames(lab, "CP-1", "StatusNotification"))
    sent = await _ok(lab, charger, "trigger_message", {"message": "StatusNotification"})
    assert sent["status"] == "Accepted"
    await polled(
        lambda: _frames(lab, "CP-1", "StatusNotification"), lambda rows: len(rows) > before
    )
    heartbeat = await _ok(lab, charger, "trigger_message", {"message": "Heartbeat"})
    assert heartbeat["message"] == "Heartbeat"
    refused = await lab.refused(charger, "trigger_message", {"message": "Reset"})
    assert refused.startswith(f"OCPP {version.name}: message 'Reset' is not one")


async def test_a_2_0_1_boot_notification_once_accepted_fails_with_the_answer(
    lab: StackLab,
) -> None:
    charger = await lab.running("CP-1", V201)
    command = await lab.run(charger, "trigger_message", {"message": "BootNotification"})
    assert (command.status, command.error) == (
        CommandStatus.REJECTED,
        "the station answered Rejected",
    )
