"""``POST /ocpp/chaos`` and ``DELETE /ocpp/chaos`` over HTTP, against real simulated chargers
connected to chargeyard's own CSMS: faults applied where the station runs (through the bus,
as a cluster's worker gets them), shown on ``GET /ocpp/chargers/{id}``, cleared; the target's
errors (404, 422), a charger that does not run, and roles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargeyard.api.tokens import Role
from chargeyard.fleet.chaos.faults import KINDS
from chargeyard.gateway.chaos_profile import SPECS
from chargeyard.protocol import V16
from chargeyard.station.model.states import Registration
from chargeyard.store.models import SimulatedCharger
from tests.api.gateway_fleet import ORG, fleet_lab
from tests.polling import eventually, until
from tests.stack_lab import TEMPLATE, StackLab

LATENCY = {"kind": "latency", "up_ms": 200, "down_ms": 100, "jitter_ms": 20, "for_s": 600}
CUTS = {"kind": "disconnect", "per_minute": 0.1, "offline_s": 20}


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with fleet_lab(tmp_path) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        yield lab


async def _charger(
    lab: StackLab, identity: str, *, location_id: str | None = None, run: bool = True
) -> SimulatedCharger:
    charger = await lab.store.chargers.create(
        ORG,
        identity=identity,
        ocpp_version=V16,
        csms_url=lab.csms_url,
        template=TEMPLATE,
        location_id=location_id,
    )
    if run:
        await lab.host.start_charger(ORG, charger.id)

        def booted() -> bool:
            station = lab.host.station(charger.id)
            return station is not None and station.registration is Registration.ACCEPTED

        await until(booted)
    return charger


async def test_faults_are_applied_shown_on_the_charger_and_cleared(lab: StackLab) -> None:
    charger = await _charger(lab, "CP-CHAOS-1")
    body = {"target": {"charger_id": charger.id}, "seed": 42, "faults": [LATENCY, CUTS]}

    response = await lab.client.post("/ocpp/chaos", json=body)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["seed"], answer["applied_count"], answer["failed"]) == (42, 1, [])
    [result] = answer["results"]
    assert result["charger_id"] == charger.id
    assert [fault["kind"] for fault in result["faults"]] == ["latency", "disconnect"]
    assert result["faults"][0]["up_ms"] == 200
    assert 0 < result["faults"][0]["remaining_s"] <= 600
    assert result["faults"][1]["remaining_s"] is None  # until cleared
    runtime = lab.host.fleet_of(ORG).runtime("CP-CHAOS-1")  # type: ignore[union-attr]
    assert runtime.chaos is not None
    assert runtime.chaos.seed == 42

    shown = (await lab.client.get(f"/ocpp/chargers/{charger.id}")).json()["runtime"]
    assert [fault["kind"] for fault in shown["faults"]] == ["latency", "disconnect"]
    assert shown["chaos_seed"] == 42

    cleared = await lab.client.delete("/ocpp/chaos", params={"charger_id": charger.id})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["results"] == [
        {"charger_id": charger.id, "identity": "CP-CHAOS-1", "faults": []}
    ]
    assert runtime.chaos is None
    shown = (await lab.client.get(f"/ocpp/chargers/{charger.id}")).json()["runtime"]
    assert shown["faults"] == []


async def test_a_location_and_a_subset_of_it(lab: StackLab) -> None:
    await lab.store.locations.create(ORG, name="Depot", location_id="loc-1")
    one = await _charger(lab, "CP-L1", location_id="loc-1")
    two = await _charger(lab, "CP-L2", location_id="loc-1")
    stopped = await _charger(lab, "CP-L3", location_id="loc-1", run=False)
    body = {"target": {"location_id": "loc-1"}, "seed": 7, "faults": [LATENCY]}

    answer = (await lab.client.post("/ocpp/chaos", json=body)).json()

    assert answer["targeted_count"] == 3
    assert {r["charger_id"] for r in answer["results"]} == {one.id, two.id}
    assert answer["failed"] == [{"identity": "CP-L3", "error": "charger is not running"}]
    del stopped

    subset = {
        "target": {"location_id": "loc-1", "charger_ids": [one.id, "dep-nope"]},
        "faults": [{"kind": "half_open", "for_s": 5}],
    }
    answer = (await lab.client.post("/ocpp/chaos", json=subset)).json()
    assert [r["charger_id"] for r in answer["results"]] == [one.id]
    assert answer["failed"][0]["identity"] is None
    assert "dep-nope" in answer["failed"][0]["error"]
    assert isinstance(answer["seed"], int)  # chosen, and said, so the run can be replayed

    cleared = await lab.client.delete(
        "/ocpp/chaos", params={"location_id": "loc-1", "charger_ids": [two.id]}
    )
    assert [r["charger_id"] for r in cleared.json()["results"]] == [two.id]


async def test_station_and_crowd_faults_are_shown_on_the_charger_with_its_bad_days(
    lab: StackLab,
) -> None:
    await lab.store.locations.create(ORG, name="Depot", location_id="loc-2")
    one = await _charger(lab, "CP-S1", location_id="loc-2")
    two = await _charger(lab, "CP-S2", location_id="loc-2")
    body = {
        "target": {"location_id": "loc-2"},
        "seed": 4,
        "faults": [
            {"kind": "clock", "offset_s": -600, "jump_after_s": 3600},
            {"kind": "meter_backwards", "for_s": 600},
            {"kind": "rolling_restart", "per_minute": 1, "after_s": 3600},
        ],
    }

    response = await lab.client.post("/ocpp/chaos", json=body)

    assert response.status_code == 200, response.text
    results = {r["charger_id"]: r["faults"] for r in response.json()["results"]}
    assert set(results) == {one.id, two.id}
    for faults in results.values():
        assert [f["kind"] for f in faults] == ["clock", "meter_backwards", "rolling_restart"]
        assert faults[0]["jump_to"] is None  # (the default: 1970)
    # One after the other, a minute apart, in the random seed's order.
    assert sorted(faults[2]["after_s"] for faults in results.values()) == [3600, 3660]
    shown = (await lab.client.get(f"/ocpp/chargers/{one.id}")).json()["runtime"]
    assert [f["kind"] for f in shown["faults"]] == ["clock", "meter_backwards", "rolling_restart"]
    assert shown["bad_days"]["misbehaviours"] == ["meter-backwards"]
    assert shown["bad_days"]["clock"]["offset_s"] == -600
    assert shown["bad_days"]["clock"]["jump"]["to"].startswith("1970-01-01")

    await lab.client.delete("/ocpp/chaos", params={"location_id": "loc-2"})
    shown = (await lab.client.get(f"/ocpp/chargers/{two.id}")).json()["runtime"]
    assert (shown["faults"], shown["bad_days"]) == ([], None)


async def test_unknown_chargers_and_locations_are_404(lab: StackLab) -> None:
    for target in ({"charger_id": "dep-unknown"}, {"location_id": "loc-unknown"}):
        response = await lab.client.post(
            "/ocpp/chaos", json={"target": target, "faults": [LATENCY]}
        )
        assert response.status_code == 404, response.text
        assert "detail" in response.json()
    response = await lab.client.delete("/ocpp/chaos", params={"charger_id": "dep-unknown"})
    assert response.status_code == 404


BAD_BODIES: list[dict[str, Any]] = [
    {"target": {"charger_id": "dep-1"}, "faults": []},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "earthquake"}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "latency", "up_ms": -5}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "drop_frames", "share": 1.5}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "bandwidth"}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{**CUTS, "every_s": 10}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{**LATENCY, "colour": "red"}]},
    {"target": {"charger_id": "dep-1", "location_id": "loc-1"}, "faults": [LATENCY]},
    {"target": {"charger_id": "dep-1"}, "faults": [LATENCY], "seed": -1},
    {"faults": [LATENCY]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "clock", "jump_to": "1969-12-31"}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "clock", "drift_ppm": 1e6}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "meter_backwards", "extra": 1}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "power_cut", "for_s": 10}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "rolling_restart", "per_minute": 0}]},
    {"target": {"charger_id": "dep-1"}, "faults": [{"kind": "reconnect_storm", "jitter_s": -1}]},
]


@pytest.mark.parametrize("body", BAD_BODIES)
async def test_a_bad_body_is_422_with_a_detail(lab: StackLab, body: dict[str, Any]) -> None:
    response = await lab.client.post("/ocpp/chaos", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


async def test_a_clear_without_a_target_is_422(lab: StackLab) -> None:
    response = await lab.client.delete("/ocpp/chaos")
    assert response.status_code == 422
    assert response.json()["detail"]


async def test_viewers_may_not_apply_faults(lab: StackLab) -> None:
    charger = await _charger(lab, "CP-VIEW")
    body = {"target": {"charger_id": charger.id}, "faults": [LATENCY]}
    response = await lab.client.post("/ocpp/chaos", json=body, headers=lab.headers(Role.VIEWER))
    assert response.status_code == 403


def test_every_fault_kind_has_its_model_at_the_edge() -> None:
    kinds = {spec.model_fields["kind"].annotation.__args__[0] for spec in SPECS}  # type: ignore[union-attr]
    assert kinds == set(KINDS)
    for spec in SPECS:
        kind = KINDS[spec.model_fields["kind"].annotation.__args__[0]]  # type: ignore[union-attr]
        import dataclasses

        assert set(spec.model_fields) - {"kind"} == {f.name for f in dataclasses.fields(kind)}


async def test_metrics_count_what_the_faults_did(lab: StackLab) -> None:
    charger = await _charger(lab, "CP-METRIC")
    body = {
        "target": {"charger_id": charger.id},
        "seed": 1,
        "faults": [{"kind": "disconnect"}, {"kind": "duplicate_frames", "share": 1.0}],
    }
    assert (await lab.client.post("/ocpp/chaos", json=body)).status_code == 200
    fleet = lab.host.fleet_of(ORG)
    assert fleet is not None
    await until(lambda: fleet.stats.faults.get("connection_dropped") == 1)
    await until(lambda: fleet.runtime("CP-METRIC").connected, within=10)
    fleet.station("CP-METRIC").trigger_here("Heartbeat")  # type: ignore[attr-defined]
    await until(lambda: fleet.stats.faults.get("frame_duplicated", 0) >= 1)

    samples = await lab.scrape()

    faults = "chargeyard_fleet_faults_total"
    assert samples[(faults, frozenset({("effect", "connection_dropped")}))] == 1
    assert samples[(faults, frozenset({("effect", "frame_duplicated")}))] >= 1
    assert samples[(faults, frozenset({("effect", "frame_dropped")}))] == 0  # exported, 0


async def test_the_frame_log_marks_what_the_faults_did_to_frames(lab: StackLab) -> None:
    charger = await _charger(lab, "CP-LOG")
    body = {
        "target": {"charger_id": charger.id},
        "seed": 3,
        "faults": [
            {"kind": "duplicate_frames", "share": 1.0, "actions": ["Heartbeat"]},
            {"kind": "drop_frames", "share": 1.0, "actions": ["DataTransfer"]},
        ],
    }
    assert (await lab.client.post("/ocpp/chaos", json=body)).status_code == 200
    fleet = lab.host.fleet_of(ORG)
    assert fleet is not None
    fleet.station("CP-LOG").trigger_here("Heartbeat")  # type: ignore[attr-defined]

    async def marked() -> list[dict[str, Any]]:
        response = await lab.client.get(f"/ocpp/chargers/{charger.id}/logs", params={"limit": 200})
        return [entry for entry in response.json()["data"] if entry["fault"] is not None]

    await eventually(lambda: _nonempty(marked()))
    [entry] = await marked()
    assert (entry["fault"], entry["action"], entry["direction"]) == (
        "frame_duplicated",
        "Heartbeat",
        "cp_to_csms",
    )
    logs = (await lab.client.get("/ocpp/logs", params={"deployment_id": charger.id})).json()
    assert [e["fault"] for e in logs["data"] if e["fault"]] == ["frame_duplicated"]


async def _nonempty(entries: Any) -> bool:
    return bool(await entries)
