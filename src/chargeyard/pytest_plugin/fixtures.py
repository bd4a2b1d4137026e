"""The pytest plugin (the ``pytest11`` entry point ``chargeyard``): the fixtures
``ocpp_station``, ``ocpp_fleet`` and ``ocpp_csms``, and ``ocpp_clock``, the clock they run on.

The only module of chargeyard that imports pytest; pytest imports it when a project that
installed chargeyard runs its tests.

Theory of operation
-------------------
Each fixture is an async generator that yields a factory and stops what the factory started
when the test ends, on the test's own event loop. Who runs an async fixture depends on the
project's plugin:

* pytest-asyncio in auto mode runs every async fixture;
* pytest-asyncio in strict mode runs those marked with ``pytest_asyncio.fixture``: ours are
  marked when pytest-asyncio is installed;
* anyio's plugin runs the async fixtures of a test that uses ``anyio_backend``; for such a
  test, :func:`pytest_fixture_setup` hands it the unmarked function instead, so that
  pytest-asyncio (strict) leaves it to anyio and the fixture runs on the test's loop rather
  than on a second one. Only anyio's asyncio backend runs chargeyard.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Callable, Generator
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from chargeyard.pytest_plugin.speed import SPEED_MARK, SPEED_MARK_HELP

if TYPE_CHECKING:
    from chargeyard.pytest_plugin.csms import CsmsFactory
    from chargeyard.pytest_plugin.fleet import FleetFactory
    from chargeyard.pytest_plugin.station import StationFactory
    from chargeyard.station.clock import Clock

_pytest_asyncio: ModuleType | None
try:
    import pytest_asyncio as _pytest_asyncio
except ImportError:  # (anyio alone, or the project's own runner)
    _pytest_asyncio = None


@pytest.fixture
def ocpp_clock() -> Clock | None:
    """The clock of the stations ``ocpp_station`` and ``ocpp_fleet`` build (None: the system
    clock). Override it to run them on another."""
    return None


@pytest.fixture
def ocpp_seed(request: pytest.FixtureRequest) -> int | None:
    """What seeds the stations ``ocpp_station`` and ``ocpp_fleet`` build: the ``seed`` of the
    test's ``ocpp_speed`` mark (None: unseeded). Override it to seed them otherwise."""
    marker = request.node.get_closest_marker(SPEED_MARK)
    seed = None if marker is None else marker.kwargs.get("seed")
    return None if seed is None else int(seed)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", SPEED_MARK_HELP)


async def _station_factory(
    ocpp_clock: Clock | None, ocpp_seed: int | None
) -> AsyncIterator[StationFactory]:
    from chargeyard.pytest_plugin.station import (
        StationFactory,
    )  # (imported when used: see __init__.py)

    factory = StationFactory(clock=ocpp_clock, seed=ocpp_seed)
    try:
        yield factory
    finally:
        await factory.aclose()


async def _fleet_factory(
    ocpp_clock: Clock | None, ocpp_seed: int | None
) -> AsyncIterator[FleetFactory]:
    from chargeyard.pytest_plugin.fleet import FleetFactory  # (imported when used: see __init__.py)

    factory = FleetFactory(clock=ocpp_clock, seed=ocpp_seed)
    try:
        yield factory
    finally:
        await factory.aclose()


async def _csms_factory() -> AsyncIterator[CsmsFactory]:
    from chargeyard.pytest_plugin.csms import CsmsFactory  # (imported when used: see __init__.py)

    factory = CsmsFactory()
    try:
        yield factory
    finally:
        await factory.aclose()


def _copy(function: Callable[..., Any]) -> Callable[..., Any]:
    """Another function object with the same code: the unmarked twin anyio is handed."""
    twin = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    twin.__annotations__ = function.__annotations__
    return twin


_PLAIN: dict[str, Callable[..., Any]] = {}


def _fixture(function: Callable[..., Any], name: str, doc: str) -> Any:
    _PLAIN[name] = _copy(function)
    function.__doc__ = doc
    if _pytest_asyncio is not None:
        return _pytest_asyncio.fixture(function, name=name)
    return pytest.fixture(function, name=name)


ocpp_station = _fixture(
    _station_factory,
    "ocpp_station",
    """Simulated stations for this test: ``await ocpp_station(csms_url, version="1.6",
    template=..., identity=..., password=...)`` returns a started
    :class:`~chargeyard.pytest_plugin.station.SimStation`, stopped when the test ends.""",
)
ocpp_fleet = _fixture(
    _fleet_factory,
    "ocpp_fleet",
    """Many stations at once: ``await ocpp_fleet(csms_url, count=100, version="1.6")`` returns
    a :class:`~chargeyard.pytest_plugin.fleet.SimFleet` once all booted.""",
)
ocpp_csms = _fixture(
    _csms_factory,
    "ocpp_csms",
    """Central systems a charger under test connects to: ``csms = await ocpp_csms("1.6")``;
    the station connects to ``csms.url + "/" + identity``
    (:class:`~chargeyard.pytest_plugin.csms.LabCsms`).""",
)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    """An anyio test gets the unmarked twin of our fixture (see the module docstring)."""
    plain = _PLAIN.get(fixturedef.argname)
    ours = plain is not None and getattr(fixturedef.func, "__code__", None) is plain.__code__
    if plain is None or not ours or "anyio_backend" not in request.fixturenames:
        return (yield)
    # (pytest-asyncio itself hands pytest its own function the same way, for as long as the
    # setup lasts.)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fixturedef, "func", plain)
        return (yield)
