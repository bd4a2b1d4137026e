"""OCPPLab's published client of its per-charger simulator API (``ocpplab-simulator``
0.0.11, pinned in the dev extra) driving chargeyard's simulated chargers, as published: its
``base_url`` set to ``/ocpp/simulator/{charger_id}`` of a running chargeyard (real HTTP) and a
bearer token in its headers, nothing else changed. Every control of its client is called
against 1.6 and 2.0.1 chargers of the built-in CSMS, answers 2xx (its landing page aside), and
has its effect on the station, seen where the CSMS sees it."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from ocpplab_simulator import AsyncOcpplabSimulator, OcpplabSimulator
from ocpplab_simulator.core.api_error import ApiError
from ocpplab_simulator.errors import UnprocessableEntityError

from chargeyard.api.gateway.routes.simulator import CALLS
from chargeyard.api.tokens import Role
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.store.models import SimulatedCharger
from tests.api.gateway_lab import gateway_settings
from tests.gateway.conftest import VERSIONS
from tests.polling import eventually, polled
from tests.stack_lab import OPERATOR_ORG, StackLab, stack_lab

# Every wait is on the loop's clock or on SQLite (tests/virtual_time.py): idle waits pass at once.
pytestmark = pytest.mark.virtual_time

# Each method of the client's modules and the path it calls (its raw clients' requests):
# every one is served (test_every_control_of_the_client_is_served).
CLIENT_METHODS: dict[tuple[str, str], tuple[str, str]] = {
    ("cache", "get_authorization_cache"): ("GET", "cache"),
    ("cache", "reset_authorization_cache"): ("POST", "cache/reset"),
    ("car", "ev_requests_energy"): ("POST", "ev-requests-energy"),
    ("car", "ev_stops_energy"): ("POST", "ev-stops-energy"),
    ("car", "power_update"): ("POST", "power-update"),
    ("car", "get_ev_state"): ("GET", "ev-state"),
    ("car", "update_soc"): ("POST", "update-soc"),
    ("car", "update_meter_values"): ("POST", "update-meter-values"),
    ("charging_control", "suspend_ev"): ("POST", "suspend-ev"),
    ("charging_control", "resume_ev"): ("POST", "resume-ev"),
    ("charging_control", "suspend_evse"): ("POST", "suspend-evse"),
    ("charging_control", "resume_evse"): ("POST", "resume-evse"),
    ("configuration", "get_configuration"): ("GET", "configuration"),
    ("configuration", "update_configuration"): ("POST", "configuration"),
    ("connector", "plug_connector"): ("POST", "plug-connector"),
    ("connector", "unplug_connector"): ("POST", "unplug-connector"),
    ("fault_simulation", "simulate_fault"): ("POST", "simulate-fault"),
    ("fault_simulation", "clear_fault"): ("POST", "clear-fault"),
    ("fault_simulation", "get_fault_status"): ("GET", "fault-status"),
    ("fault_simulation", "trigger_quick_fault"): ("POST", "fault"),
    ("fault_simulation", "clear_quick_fault"): ("POST", "fault/clear"),
    ("id_tag", "authorize_id_tag"): ("POST", "authorize-id-tag"),
    ("local_auth_list", "get_local_auth_list"): ("GET", "local-auth-list"),
    ("local_auth_list", "send_local_list"): ("POST", "local-auth-list"),
    ("local_auth_list", "get_local_auth_list_version"): ("GET", "local-auth-list/version"),
    ("local_auth_list", "add_local_auth_list_entry"): ("POST", "local-auth-list/entry"),
    ("local_auth_list", "delete_local_auth_list_entry"): ("DELETE", "local-auth-list/entry"),
    ("provisioning", "trigger_message"): ("POST", "provisioning/trigger-message"),
    ("provisioning", "reboot_charger"): ("POST", "provisioning/reboot"),
    ("system", "health_check"): ("GET", "health"),
    ("transaction", "start_transaction"): ("POST", "start-transaction"),
    ("transaction", "stop_transaction"): ("POST", "stop-transaction"),
    ("transaction", "authorize_and_start"): ("POST", "authorize-and-start"),
}
MODULES = (
    *("cache", "car", "charging_control", "common", "configuration", "connector"),
    *("fault_simulation", "id_tag", "local_auth_list", "provisioning", "system", "transaction"),
)
"""The client's modules (``OcpplabSimulator``'s properties)."""
# Its landing page (common.root) is an HTML page of its own server, not a control.
NOT_SERVED = {("common", "root"): "the simulator server's own landing page, not a control"}


def test_every_control_of_the_client_is_served() -> None:
    client = OcpplabSimulator(base_url="http://unused")
    methods = {
        (module, name)
        for module in MODULES
        for name, _ in inspect.getmembers(getattr(client, module), inspect.ismethod)
        if not name.startswith("_")
    }
    assert methods == set(CLIENT_METHODS) | set(NOT_SERVED)
    assert len(CLIENT_METHODS) == 33  # the controls the issue counts
    served = {(call.method, call.path) for call in CALLS} | {("GET", "health")}
    assert set(CLIENT_METHODS.values()) == served


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    settings = gateway_settings(command_timeout=5.0)
    async with stack_lab(tmp_path, gateway=True, serve=True, settings=settings) as running:
        await running.store.organizations.create("Acme", organization_id=OPERATOR_ORG)
        yield running


def _base_url(lab: StackLab, charger: SimulatedCharger) -> str:
    return f"http://127.0.0.1:{lab.stack.api_port}/ocpp/simulator/{charger.id}"


def simulator(lab: StackLab, charger: SimulatedCharger) -> AsyncOcpplabSimulator:
    """The published async client, pointed at the charger (its base_url and a token only)."""
    return AsyncOcpplabSimulator(
        base_url=_base_url(lab, charger), headers=lab.headers(Role.OPERATOR), timeout=30
    )


async def _transactions(lab: StackLab, identity: str) -> Any:
    return await lab.store.transactions.list(charge_box_id=identity)


@VERSIONS
async def test_a_session_driven_through_the_car_and_charging_controls(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    client = simulator(lab, charger)
    plugged = await client.connector.plug_connector(evse_id=1, connector_id=1)
    assert plugged["result"] == {"evse_id": 1, "connector_id": 1}
    started = await client.id_tag.authorize_id_tag(id_tag="TAG-1", connector_id=1)
    assert started["result"]["authorization"]["status"] == "Accepted"
    [transaction] = await polled(lambda: _transactions(lab, "CP-1"), lambda rows: len(rows) == 1)

    async def charging_state(expected: str) -> None:
        if version == V16:
            await eventually(lambda: lab.has_status("CP-1", expected))
        else:
            await polled(
                lambda: _transactions(lab, "CP-1"),
                lambda rows: rows[0].charging_state == expected,
            )

    await client.car.ev_stops_energy(evse_id=1, connector_id=1)
    await charging_state("SuspendedEV")
    await client.car.ev_requests_energy(evse_id=1, connector_id=1)
    await charging_state("Charging")
    await client.charging_control.suspend_evse(evse_id=1, connector_id=1)
    await charging_state("SuspendedEVSE")
    await client.charging_control.resume_evse(evse_id=1, connector_id=1)
    await client.charging_control.suspend_ev(evse_id=1, connector_id=1)
    await charging_state("SuspendedEV")
    await client.charging_control.resume_ev(evse_id=1, connector_id=1)
    await charging_state("Charging")
    limited = await client.car.power_update(evse_id=1, connector_id=1, power_w=1_500)
    assert limited["result"]["power_w"] == 1_500
    soc = await client.car.update_soc(evse_id=1, connector_id=1, soc=64)
    assert soc["result"]["soc"] == 64.0
    state = await client.car.get_ev_state(evse_id=1, connector_id=1)
    assert (state["result"]["ev_connected"], state["result"]["soc"]) == (True, 64.0)
    meter = await client.car.update_meter_values(evse_id=1, connector_id=1, energy_wh=750_000)
    assert meter["result"]["energy_wh"] == 750_000.0
    stopped = await client.transaction.stop_transaction(
        transaction_id=transaction.transaction_id, connector_id=1
    )
    assert stopped["result"]["reason"] == "Remote"
    ended = await polled(
        lambda: _transactions(lab, "CP-1"), lambda rows: rows[0].stop_reason == "Remote"
    )
    assert ended[0].meter_stop_wh >= 750_000  # the register the meter was set to
    await client.connector.unplug_connector(evse_id=1, connector_id=1)
    await eventually(lambda: lab.has_status("CP-1", "Available"))


@VERSIONS
async def test_faults_through_the_fault_simulation_controls(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    client = simulator(lab, charger)
    await client.fault_simulation.simulate_fault(
        fault_type="OverTemperature", info="inverter at 80 C", evse_id=1, connector_id=1
    )
    await eventually(lambda: lab.has_status("CP-1", "Faulted"))
    status = await client.fault_simulation.get_fault_status(evse_id=1, connector_id=1)
    [connector] = status["result"]["connectors"]
    assert (connector["error_code"], connector["info"]) == ("HighTemperature", "inverter at 80 C")
    await client.fault_simulation.clear_fault(evse_id=1, connector_id=1)
    await eventually(lambda: lab.has_status("CP-1", "Available"))
    await client.fault_simulation.trigger_quick_fault(evse_id=1, connector_id=1)
    await eventually(lambda: lab.has_status("CP-1", "Faulted"))
    await client.fault_simulation.clear_quick_fault(evse_id=1, connector_id=1)
    await eventually(lambda: lab.has_status("CP-1", "Available"))


@VERSIONS
async def test_configuration_cache_and_local_list_read_back(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    client = simulator(lab, charger)
    key = {V16: "HeartbeatInterval", V201: "OCPPCommCtrlr.HeartbeatInterval"}
    changed = await client.configuration.update_configuration(key=key[version], value="123")
    assert changed["result"]["results"] == {key[version]: "Accepted"}
    read = await client.configuration.get_configuration(key=key[version])
    assert read["result"]["configuration"][0]["value"] == "123"

    await client.transaction.authorize_and_start(id_tag="TAG-1", evse_id=1, connector_id=1)
    cache = await client.cache.get_authorization_cache()
    assert [entry["id_tag"] for entry in cache["result"]["entries"]] == ["TAG-1"]
    await client.cache.reset_authorization_cache()
    assert (await client.cache.get_authorization_cache())["result"]["entries"] == []

    await client.local_auth_list.send_local_list(
        list_version=1, update_type="Full", id_tags=["TAG-A", "TAG-B"]
    )
    await client.local_auth_list.send_local_list(
        list_version=2, update_type="Differential", id_tags=["TAG-C"]
    )
    await client.local_auth_list.add_local_auth_list_entry(
        id_tag="TAG-D", status="Blocked", parent_id_tag="TAG-A"
    )
    await client.local_auth_list.delete_local_auth_list_entry(id_tag="TAG-B")
    listed = await client.local_auth_list.get_local_auth_list()
    assert {(e["id_tag"], e["status"]) for e in listed["result"]["entries"]} == {
        ("TAG-A", "Accepted"),
        ("TAG-C", "Accepted"),
        ("TAG-D", "Blocked"),
    }
    version_read = await client.local_auth_list.get_local_auth_list_version()
    assert version_read["result"]["list_version"] == 4
    asked = {V16: "listVersion", V201: "versionNumber"}[version]
    assert await lab.registry.call("CP-1", "GetLocalListVersion", {}) == {asked: 4}


@VERSIONS
async def test_provisioning_system_and_a_start_on_the_station_s_authority(
    lab: StackLab, version: VersionSpec
) -> None:
    charger = await lab.running("CP-1", version)
    client = simulator(lab, charger)
    health = await client.system.health_check()
    assert (health["status"], health["identity"]) == ("ok", "CP-1")
    triggered = await client.provisioning.trigger_message(message="Heartbeat")
    assert triggered["result"]["status"] == "Accepted"

    await client.connector.plug_connector(evse_id=1, connector_id=1)
    await client.transaction.start_transaction(id_tag="TAG-1", evse_id=1, connector_id=1)
    await polled(lambda: _transactions(lab, "CP-1"), lambda rows: len(rows) == 1)
    kind = {V16: "Hard", V201: "Immediate"}[version]
    rebooted = await client.provisioning.reboot_charger(type=kind)
    assert rebooted["result"]["status"] == "Accepted"
    stop = {V16: "HardReset", V201: "ImmediateReset"}[version]
    await polled(
        lambda: _transactions(lab, "CP-1"),
        lambda rows: rows[0].stop_reason == stop,
        within=10,
    )


async def test_refusals_and_bad_parameters_are_the_client_s_errors(lab: StackLab) -> None:
    charger = await lab.running("CP-1")
    client = simulator(lab, charger)
    with pytest.raises(ApiError) as refused:
        await client.connector.unplug_connector(evse_id=1, connector_id=1)
    assert refused.value.status_code == 409
    assert refused.value.body == {"detail": "no cable is plugged in EVSE 1 connector 1"}
    with pytest.raises(UnprocessableEntityError) as invalid:
        await client.car.update_soc(evse_id=1, connector_id=1, soc=150)
    [problem] = invalid.value.body.detail or []
    assert (problem.loc, problem.type) == (["query", "soc"], "less_than_equal")
    with pytest.raises(UnprocessableEntityError):
        await client.id_tag.authorize_id_tag(id_tag="TAG-1", token_type="eMAID")
    other = AsyncOcpplabSimulator(
        base_url=f"http://127.0.0.1:{lab.stack.api_port}/ocpp/simulator/dep-nobody",
        headers=lab.headers(Role.OPERATOR),
    )
    with pytest.raises(ApiError) as unknown:
        await other.system.health_check()
    assert unknown.value.status_code == 404
    viewer = AsyncOcpplabSimulator(
        base_url=_base_url(lab, charger), headers=lab.headers(Role.VIEWER)
    )
    with pytest.raises(ApiError) as forbidden:
        await viewer.car.get_ev_state()
    assert forbidden.value.status_code == 403


async def test_the_sync_client_works_the_same(lab: StackLab) -> None:
    charger = await lab.running("CP-1", V201)
    client = OcpplabSimulator(base_url=_base_url(lab, charger), headers=lab.headers())
    # The sync client blocks: in a thread, while the served lab runs in this loop.
    answer = await asyncio.to_thread(client.connector.plug_connector, evse_id=1, connector_id=1)
    assert answer["result"] == {"evse_id": 1, "connector_id": 1}
    await eventually(lambda: lab.has_status("CP-1", "Occupied"))
