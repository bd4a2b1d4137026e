"""``--cpu-report``: where a run's CPU goes, by test file and by folder.

On two cores the suite is bound by CPU, so a test's wall time says little about what it costs
the run: a test that waits on a socket costs nothing, one that starts three processes costs
seconds the other workers wait for. With ``scripts/test --cpu-report`` every test counts the
CPU its worker spent from its setup to its teardown, and that of the child processes it ended
and waited for (``RUSAGE_CHILDREN``: a ``chargeyard up``, a cluster's nodes, a benchmark). The
run ends with the files and folders that cost most (``--cpu-report 40``: forty of each).

What no test waits for is not counted: the browser, ended with the session; the PostgreSQL and
Redis servers; each worker's collection. Compare a report with the run's whole CPU
(``time scripts/test ...``) to see their share.
"""

from __future__ import annotations

import resource
from collections import Counter, defaultdict
from collections.abc import Generator, Mapping
from pathlib import PurePosixPath
from typing import cast

import pytest
from _pytest.terminal import TerminalReporter

SHOWN = 25
"""How many files and folders the report shows when ``--cpu-report`` names no number."""

_PROPERTY = "cpu_s"
_STARTED = pytest.StashKey[tuple[float, float]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-report",
        type=int,
        nargs="?",
        const=SHOWN,
        default=None,
        metavar="N",
        help=f"end with the N test files and folders that cost most CPU ({SHOWN} if not given)",
    )


def pytest_configure(config: pytest.Config) -> None:
    shown: int | None = config.getoption("cpu_report", None)
    if shown is not None:
        config.pluginmanager.register(CpuReport(shown), "chargeyard-cpu-report")


def _cpu() -> tuple[float, float]:
    """This process's CPU and that of the children it waited for, in seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


class CpuReport:
    """Measures each test where it runs (a worker), and sums and prints the measures where
    the run's summary is printed (pytest-xdist sends a report's ``user_properties`` from the
    worker to that process; without workers, both are this one)."""

    def __init__(self, shown: int) -> None:
        self.shown = shown
        self.own: defaultdict[str, float] = defaultdict(float)
        self.children: defaultdict[str, float] = defaultdict(float)
        self.tests: Counter[str] = Counter()

    @pytest.hookimpl(tryfirst=True)  # before the fixtures are set up: they count too
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        item.stash[_STARTED] = _cpu()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        started = item.stash.get(_STARTED, None)
        if call.when == "teardown" and started is not None:
            own, children = _cpu()
            report.user_properties.append((_PROPERTY, (own - started[0], children - started[1])))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == _PROPERTY:
                own, children = cast(tuple[float, float], value)
                path = report.nodeid.split("::", 1)[0]
                self.own[path] += own
                self.children[path] += children
                self.tests[path] += 1

    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        if self.tests:
            terminalreporter.section("CPU by test file and folder")
            for line in self.lines():
                terminalreporter.write_line(line)

    def lines(self) -> list[str]:
        """The report: the whole, then the costliest files, then the costliest folders."""
        cost = {path: self.own[path] + self.children[path] for path in self.tests}
        folders: defaultdict[str, float] = defaultdict(float)
        folder_tests: Counter[str] = Counter()
        for path, seconds in cost.items():
            folder = str(PurePosixPath(path).parent)
            folders[folder] += seconds
            folder_tests[folder] += self.tests[path]
        lines = [
            f"{sum(cost.values()):.1f} s of CPU in {self.tests.total()} tests:"
            f" {sum(self.own.values()):.1f} s in the test processes,"
            f" {sum(self.children.values()):.1f} s in the child processes they waited for",
            f"{'CPU s':>8} {'own':>8} {'children':>8} {'tests':>6}  file",
        ]
        lines += [
            f"{seconds:8.1f} {self.own[path]:8.1f} {self.children[path]:8.1f}"
            f" {self.tests[path]:6d}  {path}"
            for path, seconds in _costliest(cost, self.shown)
        ]
        lines.append(f"{'CPU s':>8} {'tests':>6}  folder")
        lines += [
            f"{seconds:8.1f} {folder_tests[folder]:6d}  {folder}"
            for folder, seconds in _costliest(folders, self.shown)
        ]
        return lines


def _costliest(seconds: Mapping[str, float], shown: int) -> list[tuple[str, float]]:
    return sorted(seconds.items(), key=lambda item: item[1], reverse=True)[:shown]
