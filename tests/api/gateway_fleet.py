"""The whole simulator gateway under test over HTTP: the one lab with a real listener
(``tests/stack_lab.py``) with its gateway running and the API's ``/ocpp`` routes, its
``client`` carrying an operator's token of ``ORG``. Use it with
``async with fleet_lab(tmp_path) as lab:``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from tests.api.gateway_lab import gateway_settings
from tests.stack_lab import OPERATOR_ORG, StackLab, stack_lab

ORG = OPERATOR_ORG


@contextlib.asynccontextmanager
async def fleet_lab(directory: Path, **settings: Any) -> AsyncIterator[StackLab]:
    """The lab with ``gateway_settings(**settings)``."""
    async with stack_lab(
        directory, settings=gateway_settings(**settings), gateway=True, credentials="operator"
    ) as lab:
        yield lab
