"""Fixtures of the protocol tests, built fresh for every test."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from chargeyard.protocol import Handler, Role, Session, VersionSpec

from .support import FakeClock, SessionPair, counting_ids, make_link


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_session(clock: FakeClock) -> Callable[..., Session]:
    """Build a session on the test's clock whose outgoing ids are "cs-1", "cs-2", ...

    Keyword options other than ``role`` and ``prefix`` go to :class:`Session`.
    """

    def make(
        version: VersionSpec,
        handlers: Mapping[str, Handler] | None = None,
        *,
        role: Role = Role.CENTRAL_SYSTEM,
        prefix: str = "cs",
        **options: Any,
    ) -> Session:
        return Session(version, role, handlers, clock=clock, new_id=counting_ids(prefix), **options)

    return make


@pytest.fixture
def link(clock: FakeClock) -> Callable[..., SessionPair]:
    """Build a station/central-system pair on the test's clock (ids "st-n" and "cs-n")."""

    def make(
        version: VersionSpec,
        station_handlers: dict[str, Any] | None = None,
        central_handlers: dict[str, Any] | None = None,
    ) -> SessionPair:
        return make_link(version, clock, station_handlers, central_handlers)

    return make
