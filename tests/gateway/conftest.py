"""The gateway's lab: the one lab with a real listener (``tests/stack_lab.py``) with its
simulator gateway running, chargeyard's CSMS letting any station in, and one organization
(``ORG``) whose chargers the helpers create and command the way the API does
(:func:`~chargeyard.gateway.dispatch.dispatch`, prechecked over the bus by a
:class:`~chargeyard.gateway.runtime_client.RuntimeClient`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.protocol import V16, V201
from tests.stack_lab import StackLab, stack_lab

ORG = "org-acme"


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with stack_lab(tmp_path, gateway=True, org=ORG) as lab:
        await lab.store.organizations.create("Acme", organization_id=ORG)
        yield lab


VERSIONS = pytest.mark.parametrize("version", [V16, V201], ids=["ocpp1.6", "ocpp2.0.1"])
