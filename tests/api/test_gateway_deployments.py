"""``POST /ocpp/deployment`` (``api/gateway/routes/deployments.py``): the power a charger is set
up at (``power_kwh``, at most its model's rating)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargeyard.gateway.definitions import definition_of
from chargeyard.station.catalog import load_catalog
from tests.api.gateway_fleet import ORG, fleet_lab
from tests.polling import until
from tests.stack_lab import StackLab

MODEL = "alfen-eve-double-pro-line"  # two AC EVSEs, 22.08 kW between them (3 x 32 A)


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with fleet_lab(tmp_path) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        yield lab


def _body(lab: StackLab, identity: str, **fields: Any) -> dict[str, Any]:
    return {"identity": identity, "model": MODEL, "ws_url": lab.csms_url, **fields}


async def test_a_power_below_the_rating_sets_the_charger_up_at_it(lab: StackLab) -> None:
    response = await lab.client.post("/ocpp/deployment", json=_body(lab, "CP-11", power_kwh=11))

    assert response.status_code == 202, response.text
    charger_id = response.json()["deployment_id"]
    await until(lambda: lab.booted(charger_id), within=15)
    station = lab.hosted(charger_id)
    # The station, each EVSE and each connector deliver 11 kW at most (16 A on 3 x 230 V).
    assert station.template.max_power_w == 11_000
    assert [evse.max_power_w for evse in station.model.evses.values()] == [11_000, 11_000]
    connectors = [c for evse in station.template.evses for c in evse.connectors]
    assert [(c.max_power_w, c.max_current_a) for c in connectors] == [(11_000, 16), (11_000, 16)]
    charger = await lab.store.chargers.get(ORG, charger_id)
    assert charger is not None
    assert charger.config["power_kw"] == 11


async def test_the_rated_power_or_none_is_the_model_as_it_is(lab: StackLab) -> None:
    rated = load_catalog().template(MODEL)
    for identity, fields in (("CP-RATED", {"power_kwh": 22.08}), ("CP-NONE", {})):
        response = await lab.client.post("/ocpp/deployment", json=_body(lab, identity, **fields))
        assert response.status_code == 202, response.text
        charger = await lab.store.chargers.get(ORG, response.json()["deployment_id"])
        assert charger is not None
        assert "power_kw" not in charger.config
        assert definition_of(charger).template == rated


async def test_a_power_above_the_rating_is_refused_saying_the_rating(lab: StackLab) -> None:
    response = await lab.client.post("/ocpp/deployment", json=_body(lab, "CP-50", power_kwh=50))

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "power_kwh"]
    assert error["msg"] == (
        "50 kW is above the Alfen Eve Double Pro-line's rated power of 22.08 kW (the model "
        "simulated): give at most 22.08, or leave power_kwh out for 22.08 kW"
    )
    assert await lab.store.chargers.list(ORG) == []
