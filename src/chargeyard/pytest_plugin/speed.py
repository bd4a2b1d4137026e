"""A test's stations and central system on a virtual clock: the ``ocpp_speed`` mark.

``@pytest.mark.ocpp_speed("max", seed=7)`` (or a number: ``ocpp_speed(60)``) asks that the
test run on chargeyard's fast-forward loop (``chargeyard/fast_forward.py``), on which every
timer of the stations ``ocpp_station`` and ``ocpp_fleet`` build, of the central systems
``ocpp_csms`` starts, and of the test itself follows one clock; ``seed`` seeds the stations
(``ocpp_seed``). Which loop a test runs on is pytest-asyncio's to choose, through its
``pytest_asyncio_loop_factories`` hook, which a project implements once in its
``conftest.py``; :func:`ocpp_loop_factories` is what it returns for a marked test::

    def pytest_asyncio_loop_factories(config, item):
        return ocpp_loop_factories(item) or {"asyncio": asyncio.new_event_loop}

(Not implemented by the plugin itself: the hook takes the first answer, and the plugin's would
hide the project's own.) At ``max`` the clock stands still while the test works and jumps to
the next timer when nothing else is ready; a seeded test's clock starts at 2026-01-01T00:00Z.
Only peers in the test's process may run with it: a server elsewhere keeps wall time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from chargeyard.fast_forward import FastForwardLoop, loop_factory, parse_speed

SPEED_MARK = "ocpp_speed"
SPEED_MARK_HELP = (
    f"{SPEED_MARK}(speed='max', seed=None): run the test on chargeyard's fast-forward loop,"
    " N times wall time or 'max' (chargeyard.pytest_plugin.speed)"
)
SEEDED_START = datetime(2026, 1, 1, tzinfo=UTC)
"""Where a seeded test's clock starts (the same as a seeded ``chargeyard up --speed``)."""


class _Mark(Protocol):
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]


class _Item(Protocol):
    def get_closest_marker(self, name: str) -> _Mark | None: ...


def ocpp_loop_factories(item: _Item) -> dict[str, Callable[[], FastForwardLoop]] | None:
    """The loop of a test marked ``ocpp_speed``, for ``pytest_asyncio_loop_factories``
    (None: the test is not marked).

    Raises:
        ValueError: the mark's speed is neither a positive number nor ``max``.
    """
    marker = item.get_closest_marker(SPEED_MARK)
    if marker is None:
        return None
    given = marker.args[0] if marker.args else marker.kwargs.get("speed", "max")
    speed = parse_speed(given)
    seeded = marker.kwargs.get("seed") is not None
    factory = loop_factory(
        speed, start=SEEDED_START if seeded else None, frozen=speed is None, answer_s=0.0
    )
    return {f"{SPEED_MARK}_{given}": factory}
