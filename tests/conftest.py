"""Suite-wide: the event loop the asynchronous tests run on.

By default asyncio's own. With ``CHARGEYARD_EVENT_LOOP=uvloop`` in the environment, every
asynchronous test runs on uvloop instead, as ``chargeyard csms`` does
(``chargeyard/event_loop.py``): ``CHARGEYARD_EVENT_LOOP=uvloop scripts/test``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pytest

from chargeyard.event_loop import ENVIRONMENT_VARIABLE, LoopFactory, loop_factory

if os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() == "uvloop":
    _NAME, _FACTORY = loop_factory("uvloop")

    def pytest_asyncio_loop_factories(
        config: pytest.Config, item: pytest.Item
    ) -> Mapping[str, LoopFactory]:
        return {_NAME: _FACTORY}
