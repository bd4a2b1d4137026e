"""Suite-wide: the event loops the asynchronous tests run on.

``chargeyard csms`` runs on uvloop (``chargeyard/event_loop.py``); the rest of chargeyard on
asyncio's own loop unless told otherwise. So every asynchronous test runs on asyncio's loop,
and those of the listener, the command API, the stations' runtime and the transport
(:data:`ON_BOTH_LOOPS`) run again on uvloop, as ``[asyncio]`` and ``[uvloop]``. With
``CHARGEYARD_EVENT_LOOP=uvloop`` in the environment every asynchronous test runs on uvloop
alone: ``CHARGEYARD_EVENT_LOOP=uvloop scripts/test``. A test marked ``virtual_time`` runs on
``tests/virtual_time.py``'s loop, whose clock jumps over idle waits, instead of asyncio's (and
one of :data:`ON_BOTH_LOOPS` again on uvloop, in real time).
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import pytest
from _pytest.terminal import TerminalReporter

from chargeyard.event_loop import ENVIRONMENT_VARIABLE, LoopFactory, loop_factory
from chargeyard.store import hashing
from tests import durations_table
from tests.bus.own_redis import OwnRedis
from tests.virtual_time import VirtualTimeLoop

TESTS = Path(__file__).resolve().parent

# What chargeyard hashes secrets at, before :func:`cheap_secret_hashes` lowers it for the tests.
PRODUCT_HASH_COSTS = {"PASSWORD_COST": hashing.PASSWORD_COST, "TOKEN_COST": hashing.TOKEN_COST}

# pytester: tests/pytest_plugin runs the plugin on a user's project of its own; browser_loop:
# browser tests and asynchronous ones in one worker, in any order; cpu_report: ``--cpu-report``,
# the CPU each test file and folder cost the run; hang_report: where a test past its timeout
# waits, before pytest-timeout ends it; shared_compilation: the engines of a test process
# compile each statement once.
pytest_plugins = [
    "pytester",
    "tests.browser_loop",
    "tests.cpu_report",
    "tests.hang_report",
    "tests.shared_compilation",
]

# Every chargeyard process and command a test starts serves no metrics port of its own unless
# the test gives --metrics-port: their defaults (one per kind, METRICS_PORTS) would collide
# between tests running at once (tests/processes.py passes this on to the processes).
os.environ.setdefault("CHARGEYARD_METRICS_PORT", "0")

# What a CSMS node runs: its tests pass on both loops.
ON_BOTH_LOOPS = tuple(
    TESTS / name
    for name in (
        "csms",
        "transport",
        "fleet/test_runtime.py",
        "fleet/test_fleet_faults.py",
        "test_event_loop.py",
        "api/test_commands_v16.py",
        "api/test_commands_v201.py",
        "api/test_errors.py",
        "api/test_ocpp_library_commands.py",
        "api/test_ocpp_library_stations.py",
    )
)

_ASYNCIO: Mapping[str, LoopFactory] = {"asyncio": asyncio.new_event_loop}
try:
    _UVLOOP: Mapping[str, LoopFactory] = dict([loop_factory("uvloop")])
except ValueError:  # uvloop is not installed (it does not build on Windows)
    _UVLOOP = {}
_EVERY_TEST_ON_UVLOOP = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() == "uvloop"
if _EVERY_TEST_ON_UVLOOP and not _UVLOOP:
    raise pytest.UsageError(f"{ENVIRONMENT_VARIABLE}=uvloop, but uvloop is not installed")


_VIRTUAL_TIME: Mapping[str, LoopFactory] = {"virtual_time": VirtualTimeLoop}


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, LoopFactory]:
    path = Path(item.path)
    on_both = any(path == place or place in path.parents for place in ON_BOTH_LOOPS)
    if item.get_closest_marker("virtual_time") is not None:
        # What a CSMS node runs keeps its run on uvloop, in real time (marked slow, below).
        return (
            {**_VIRTUAL_TIME, **_UVLOOP} if on_both and not _EVERY_TEST_ON_UVLOOP else _VIRTUAL_TIME
        )
    if _EVERY_TEST_ON_UVLOOP:
        return _UVLOOP
    if on_both:
        return {**_ASYNCIO, **_UVLOOP}
    return _ASYNCIO


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--write-durations",
        action="store_true",
        help="write tests/durations.json: each file's seconds in this run, by tier",
    )


def pytest_configure(config: pytest.Config) -> None:
    # The controller gets every worker's reports; a worker (``workerinput``) records nothing.
    if config.getoption("write_durations") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(durations_table.Recorder(), "chargeyard-durations")


@pytest.hookimpl(tryfirst=True)  # before -m deselects: the marks added here count
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks ``slow`` the second run on uvloop of an :data:`ON_BOTH_LOOPS` test (the inner
    loop, ``-m "not slow"``, runs each test once, the whole suite on both loops) and every test
    that starts a redis-server of its own (``own_redis``: a process, and outages waited out in
    real time), then orders the files for ``scripts/test``'s workers
    (:func:`_order_for_workers`)."""
    for item in items:
        if "own_redis" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        if _EVERY_TEST_ON_UVLOOP:
            continue
        callspec = getattr(item, "callspec", None)
        factory = callspec.params.get("_asyncio_loop_factory") if callspec else None
        if factory is not None and factory in _UVLOOP.values():
            item.add_marker(pytest.mark.slow)
    # (``-m`` is evaluated after this hook: its expression is read, not applied)
    slow_left_out = "not slow" in (config.getoption("markexpr", "") or "")
    items[:] = _order_for_workers(items, slow_left_out=slow_left_out)


def _order_for_workers(items: list[pytest.Item], *, slow_left_out: bool) -> list[pytest.Item]:
    """The workers take one file at a time (``--dist loadfile``), the longest first
    (``tests/durations.json``, as a run measured them: ``scripts/test --write-durations``
    refreshes it), so that no long file starts last and keeps one worker busy while the others
    idle; a file it does not name is taken as short. A file's time is that of the tests the run
    keeps: its slow tests' seconds count only when the run does not leave them out
    (``-m "not slow"``), so that the inner loop's order is that of its own files' times.
    Browser files come in that order among the others (``tests/browser_loop.py``): their
    waits on the pages are filled by the other workers' tests.

    Within a file, tests keep their order (a stable sort)."""
    files: dict[Path, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(Path(item.path), []).append(item)
    root = Path(__file__).resolve().parents[1]
    durations = durations_table.read()

    def rank(path: Path) -> float:
        try:
            name = path.resolve().relative_to(root).as_posix()
        except ValueError:  # (a file outside the checkout: pytester's projects)
            name = path.as_posix()
        return -durations_table.seconds_kept(durations, name, slow_left_out=slow_left_out)

    return [item for path in sorted(files, key=rank) for item in files[path]]


@pytest.fixture(scope="session", autouse=True)
def cheap_secret_hashes() -> Iterator[None]:
    """Passwords and API keys hashed at a token scrypt cost (N = 16) in the test processes:
    thousands of tests create keys and stations with passwords, and none of them is about the
    hash's strength (at the product's cost they spent about a twentieth of the inner loop's
    CPU).
    ``tests/store/test_api_keys.py`` checks the product's costs with :func:`product_hash_costs`;
    the processes a test starts hash at the product's."""
    token = hashing.ScryptCost(n=2**4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hashing, "PASSWORD_COST", token)
        patch.setattr(hashing, "TOKEN_COST", token)
        yield


@pytest.fixture
def product_hash_costs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's scrypt costs for this test (:func:`cheap_secret_hashes` lowers them)."""
    for name, cost in PRODUCT_HASH_COSTS.items():
        monkeypatch.setattr(hashing, name, cost)


@pytest.fixture
def cluster_database() -> Iterator[str]:
    """A PostgreSQL database of the test's own on ``CHARGEYARD_TEST_POSTGRES_URL``'s server,
    for processes of a cluster to share; dropped after the test."""
    from tests.store.conftest import PostgresDatabases, postgres_admin_url

    databases = PostgresDatabases(postgres_admin_url())
    try:
        yield databases.create()
    finally:
        databases.drop_all()


@pytest.fixture
def cluster_redis(worker_id: str) -> str:
    """A Redis database of the test's own on ``CHARGEYARD_TEST_REDIS_URL``'s server, empty,
    for processes of a cluster to share: the workers' bus keeps its node set under one key, so
    two tests running workers at once (``pytest -n``) on one database would route each
    other's chargers. Database 1 + the xdist worker's number (one test at a time each)."""
    from redis import Redis
    from sqlalchemy import make_url

    from tests.bus.buses import redis_url

    number = 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))
    if number >= 15:  # Redis has databases 0 to 15; 0 is the other Redis tests'
        pytest.fail(f"worker {worker_id}: run the cluster tests with at most 15 workers (-n 15)")
    url = make_url(redis_url()).set(database=str(1 + number)).render_as_string()
    client: Redis = Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url


@pytest.fixture
async def own_redis(tmp_path: Path) -> AsyncIterator[OwnRedis]:
    """A redis-server of the test's own on a free port (``tests/bus/own_redis.py``), for the
    tests of the bus and of the central system's Redis seams (``tests/csms/cluster/``)."""
    server = OwnRedis(tmp_path)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: TerminalReporter) -> Iterator[None]:
    """After pytest's own summary (and just before its count line), one line when tests were
    skipped: how many, and what would run them, grouped by the reason each skip gave. A run
    that skips the PostgreSQL, Redis or browser halves must not pass for a whole run."""
    yield
    line = skipped_summary(terminalreporter.stats.get("skipped", []))
    if line:
        terminalreporter.write_line(line, yellow=True, bold=True)


def skipped_summary(reports: list[pytest.TestReport]) -> str | None:
    """``"chargeyard: 313 tests skipped: 200 needs PostgreSQL: set ...; 113 ..."``, or ``None``
    when nothing was skipped. A reason is the skip's message, without pytest's location."""
    reasons: Counter[str] = Counter()
    for report in reports:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if not reasons:
        return None
    total = sum(reasons.values())
    parts = "; ".join(f"{count} {reason}" for reason, count in reasons.most_common())
    return f"chargeyard: {total} test{'s' if total != 1 else ''} skipped: {parts}"


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> object:
    """Collect with the garbage collector off, then move what collection built (every module,
    test and fixture definition, alive for the whole run) to its permanent generation: nothing
    built there is garbage, and each full collection after it walks only what the tests make,
    not the millions of objects imported to collect them (a second of a worker's CPU each)."""
    gc.disable()
    try:
        return (yield)
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()
