"""``chargeyard csms`` as a child process, as a user runs it: the tests that kill it, restart
it or run several of it as a cluster."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.lab_process import free_port

# The listener prints this line last, once the OCPP listener and the REST API are both open.
READY = "chargeyard REST API http://"


def chargeyard(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "chargeyard.cli", *arguments]


def environment() -> dict[str, str]:
    # Only the flags configure the processes: a CHARGEYARD_DATABASE_URL of the caller's shell
    # would point them at another database. The event loop choice is kept (scripts/test).
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CHARGEYARD_") or name == "CHARGEYARD_EVENT_LOOP"
    }


class CsmsProcess:
    """One run of ``chargeyard csms`` on free 127.0.0.1 ports, in a session (and so a process
    group) of its own, its output in ``log``."""

    def __init__(self, data_dir: Path, log: Path, *arguments: str) -> None:
        self.ocpp_port, self.api_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}/api/v1"
        self.log = log
        self.arguments = [
            "csms",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.ocpp_port),
            "--api-port",
            str(self.api_port),
            "--data-dir",
            str(data_dir),
            "--log-level",
            "INFO",
            *arguments,
        ]
        self.process: asyncio.subprocess.Process | None = None
        self.ready = READY
        self.env: dict[str, str] = {}
        """Variables for the process beside the caller's (``environment()``)."""

    def node_name_in(self, presence: bytes) -> bool:
        """Whether a station's presence value in Redis names this node (``--node-name``)."""
        if "--node-name" not in self.arguments:
            return False
        name = self.arguments[self.arguments.index("--node-name") + 1]
        return f'"node":"{name}"'.encode() in presence

    @property
    def base_url(self) -> str:
        """The REST API's root: ``/ocpp`` and ``/api/v1`` are under it."""
        return self.api_url.removesuffix("/api/v1")

    def ocpp_url(self, identity: str) -> str:
        return f"ws://127.0.0.1:{self.ocpp_port}/ocpp/{identity}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def start(self, within: float = 20.0) -> None:
        with self.log.open("ab") as sink:
            self.process = await asyncio.create_subprocess_exec(
                *chargeyard(*self.arguments),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                env={**environment(), **self.env},
                start_new_session=True,
            )
        async with asyncio.timeout(within):
            while self.ready not in self.output():
                assert self.process.returncode is None, f"chargeyard csms ended:\n{self.output()}"
                await asyncio.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to the whole process group: no signal handler, no shutdown, no checkpoint.
        (``chargeyard csms`` starts no child processes today; the group covers any it would.)"""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)

    async def wait_killed(self) -> None:
        assert self.process is not None
        assert await asyncio.wait_for(self.process.wait(), 10) == -signal.SIGKILL
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, 0)
            raise AssertionError("a process of the killed group is still alive")

    async def stop(self) -> int:
        """SIGTERM (the CLI's graceful stop), then SIGKILL if it does not end in 10 s."""
        if self.process is None:  # never started
            return 0
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                await self.process.wait()
        assert self.process.returncode is not None
        return self.process.returncode


class ApiProcess(CsmsProcess):
    """One run of ``chargeyard api`` (an API node of a cluster) on a free 127.0.0.1 port."""

    def __init__(self, data_dir: Path, log: Path, *arguments: str) -> None:
        super().__init__(data_dir, log)
        self.arguments = [
            "api",
            *("--host", "127.0.0.1", "--port", str(self.api_port)),
            *("--data-dir", str(data_dir), "--log-level", "INFO"),
            *arguments,
        ]
        self.ready = "chargeyard API node "


class WorkerProcess(CsmsProcess):
    """One run of ``chargeyard worker`` (a worker of a cluster)."""

    def __init__(self, data_dir: Path, log: Path, *arguments: str) -> None:
        super().__init__(data_dir, log)
        self.arguments = [
            "worker",
            *("--data-dir", str(data_dir), "--log-level", "INFO"),
            *arguments,
        ]
        self.ready = "chargeyard worker "
