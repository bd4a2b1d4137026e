"""Helpers of the ``/ocpp/chargers`` tests: a fleet lab with both organizations, a location,
and chargers created through the API and awaited until provisioned."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from chargeyard.api.tokens import Role
from chargeyard.gateway.provisioning import Provisioner
from chargeyard.station.model.states import Registration
from tests.api.gateway_fleet import ORG, fleet_lab
from tests.polling import until
from tests.stack_lab import StackLab

OTHER_ORG = "org-b"
CHARGERS = "/ocpp/chargers"


@asynccontextmanager
async def charger_lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with fleet_lab(tmp_path) as lab:
        await lab.store.organizations.create(ORG, organization_id=ORG)
        await lab.store.organizations.create(OTHER_ORG, organization_id=OTHER_ORG)
        yield lab
        await provisioner_idle(lab)


async def provisioner_idle(lab: StackLab, within: float = 10.0) -> None:
    """Every background provisioning job of the app has finished."""
    transport: Any = lab.client._transport
    provisioner: Provisioner | None = getattr(transport.app.state, "provisioner", None)
    if provisioner is not None:
        async with asyncio.timeout(within):
            await provisioner.wait_idle()


async def location(lab: StackLab, org: str = ORG) -> str:
    response = await lab.client.post(
        "/ocpp/locations", json={"name": "Depot"}, headers=lab.headers(Role.OPERATOR, org)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def charger_body(lab: StackLab, identity: str = "CP-1", **overrides: Any) -> dict[str, Any]:
    return {
        "identity": identity,
        "brand_slug": "alfen",
        "model_slug": "eve-single-pro-line",
        "connector_type": "sType2",
        "ws_url": lab.csms_url,
        "ocpp_version": "ocpp1.6",
        "charge_point_name": "Bay 1",
        **overrides,
    }


async def create_charger(
    lab: StackLab, identity: str = "CP-1", org: str = ORG, **overrides: Any
) -> dict[str, Any]:
    """POST /ocpp/chargers, then wait until its provisioning ended; the 202 body."""
    response = await lab.client.post(
        CHARGERS,
        json=charger_body(lab, identity, **overrides),
        headers=lab.headers(Role.OPERATOR, org),
    )
    assert response.status_code == 202, response.text
    await provisioner_idle(lab)
    accepted: dict[str, Any] = response.json()
    return accepted


async def accepted_by_csms(lab: StackLab, charger_id: str) -> None:
    def booted() -> bool:
        station = lab.host.station(charger_id)
        return station is not None and station.registration is Registration.ACCEPTED

    await until(booted)
