"""The trace tests' labs: the stack of ``tests/stack_lab.py`` with its gateway (a simulated
charger whose frames both frame logs keep), and a CSMS written with the `ocpp` library that
answers a different heartbeat interval than chargeyard's (``library_csms.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.api.gateway_lab import gateway_settings
from tests.stack_lab import OPERATOR_ORG, StackLab, stack_lab


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with stack_lab(
        tmp_path, gateway=True, settings=gateway_settings(command_timeout=5.0)
    ) as lab:
        await lab.store.organizations.create("Trace", organization_id=OPERATOR_ORG)
        yield lab
