"""``POST /ocpp/chargers/{charger_id}/start-charger``, ``/stop-charger``, ``/restart-charger``
(the gateway API reference's runtime endpoints): the runtime answers in the reference's
shape, the station follows,
and nobody outside the organization or below operator acts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargeyard.api.tokens import Role
from chargeyard.protocol import V16
from chargeyard.station.model.states import Registration
from tests.api.gateway_chargers_lab import (
    CHARGERS,
    OTHER_ORG,
    accepted_by_csms,
    charger_lab,
    create_charger,
)
from tests.api.gateway_fleet import ORG
from tests.polling import until
from tests.stack_lab import StackLab

# The API reference's example (Stop charger runtime), with this process as the provider.
SEED_STOP: dict[str, Any] = {
    "id": "dep-123",
    "event_type": "stop_charger",
    "ocpp_version": "OCPP1.6",
    "payload": {
        "provider": "aws",
        "runtime_kind": "ecs_service",
        "service_name": "dep-123",
        "desired_count": 0,
        "status": "ACTIVE",
    },
}


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with charger_lab(tmp_path) as lab:
        yield lab


def _shape(value: Any) -> Any:
    """A JSON value with every leaf replaced by its type: what "the same shape" compares."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


async def _post(lab: StackLab, charger_id: str, action: str, status: int = 200, **kw: Any) -> Any:
    response = await lab.client.post(f"{CHARGERS}/{charger_id}/{action}", **kw)
    assert response.status_code == status, response.text
    return response.json()


async def test_stop_answers_the_seeds_shape_and_takes_the_station_offline(
    lab: StackLab,
) -> None:
    charger_id = (await create_charger(lab, "CP-1"))["charger_id"]
    await accepted_by_csms(lab, charger_id)

    answer = await _post(lab, charger_id, "stop-charger")
    assert _shape(answer) == _shape(SEED_STOP)
    assert answer == {
        "id": charger_id,
        "event_type": "stop_charger",
        "ocpp_version": "OCPP1.6",
        "payload": {
            "provider": "local",
            "runtime_kind": "asyncio_task",
            "service_name": charger_id,
            "desired_count": 0,
            "status": "ACTIVE",
        },
    }
    assert not lab.host.is_running(charger_id)
    stored = await lab.store.chargers.get(ORG, charger_id)
    assert stored is not None
    assert (stored.desired_state, stored.status) == ("stopped", "stopped")


async def test_start_and_restart_bring_it_back(lab: StackLab) -> None:
    charger_id = (await create_charger(lab, "CP-1", start=False))["charger_id"]
    answer = await _post(lab, charger_id, "start-charger")
    assert (answer["event_type"], answer["payload"]["desired_count"]) == ("start_charger", 1)
    assert answer["payload"]["status"] == "ACTIVE"
    await accepted_by_csms(lab, charger_id)

    station: Any = lab.host.station(charger_id)
    answer = await _post(lab, charger_id, "restart-charger")
    assert (answer["event_type"], answer["payload"]["desired_count"]) == ("restart_charger", 1)
    # A power cycle: the same station boots again.
    await until(lambda: station.registration is not Registration.ACCEPTED)
    await accepted_by_csms(lab, charger_id)
    listed = (await lab.client.get(f"{CHARGERS}/{charger_id}")).json()
    assert (listed["desired_state"], listed["runtime_status"]) == ("running", "running")


async def test_a_201_charger_answers_with_its_version(lab: StackLab) -> None:
    charger_id = (await create_charger(lab, "CP-2", ocpp_version="ocpp2.0.1", start=False))[
        "charger_id"
    ]
    answer = await _post(lab, charger_id, "start-charger")
    assert answer["ocpp_version"] == "OCPP2.0.1"
    await accepted_by_csms(lab, charger_id)


async def test_a_charger_that_cannot_run_is_409_with_the_reason(lab: StackLab) -> None:
    # Made without a ws_url (not through the API, which requires one).
    charger = await lab.store.chargers.create(
        ORG, identity="CP-NOWHERE", ocpp_version=V16, template="alfen/eve-single-pro-line"
    )
    for action in ("start-charger", "restart-charger"):
        body = await _post(lab, charger.id, action, 409)
        assert (
            body["detail"]
            == f"the charger cannot run: charger {charger.id} has no ws_url to connect to"
        )
    # Stopping what cannot run is harmless.
    assert (await _post(lab, charger.id, "stop-charger"))["payload"]["status"] == "INACTIVE"


async def test_other_organizations_and_viewers_cannot_act(lab: StackLab) -> None:
    charger_id = (await create_charger(lab, "CP-1"))["charger_id"]
    await until(lambda: lab.host.is_running(charger_id))
    for action in ("start-charger", "stop-charger", "restart-charger"):
        body = await _post(lab, charger_id, action, 404, headers=lab.headers(Role.ADMIN, OTHER_ORG))
        assert charger_id in body["detail"]
        await _post(lab, charger_id, action, 403, headers=lab.headers(Role.VIEWER))
        await _post(lab, charger_id, action, 401, headers={"Authorization": ""})
        await _post(lab, "dep-000000000000", action, 404)
    assert lab.host.is_running(charger_id)
    stored = await lab.store.chargers.get(ORG, charger_id)
    assert stored is not None
    assert stored.desired_state == "running"
