"""chargeyard's commands as child processes, as a user runs them: ``chargeyard up``
(:class:`UpProcess`) for the tests that run the lab as a user would, and ``chargeyard csms``,
``api`` and ``worker`` (:class:`CsmsProcess`, :class:`ApiProcess`, :class:`WorkerProcess`)
for the tests that kill them, restart them or run several of them as a cluster."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

from tests.polling import eventually
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
# ``chargeyard up`` prints this once the lab is ready.
UP_READY = "chargeyard up: ready"
# ``chargeyard csms`` prints this line last, once the OCPP listener and the REST API are open.
CSMS_READY = "chargeyard REST API http://"
CSMS_WITHOUT_API_READY = "chargeyard the REST API is off"


class UpProcess:
    """One run of the lab: start it, wait until its HTTP API answers, stop it with SIGTERM.

    ``stdout`` and ``stderr`` collect everything the process printed so far.
    """

    def __init__(self, data_dir: Path, *arguments: str, script: bool = False) -> None:
        self.data_dir = data_dir
        self.ocpp_port, self.api_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.arguments = [
            "--data-dir",
            str(data_dir),
            "--ocpp-port",
            str(self.ocpp_port),
            "--api-port",
            str(self.api_port),
            *arguments,
        ]
        self.script = script
        self.stdout = ""
        self.stderr = ""
        self.process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []

    async def start(self, within: float = 30.0) -> None:
        """Start and return once the API answers and the lab said it is ready."""
        env = {**os.environ, "PYTHON": sys.executable, "CHARGEYARD_LOG_LEVEL": "INFO"}
        command = (
            [str(ROOT / "scripts" / "run")]
            if self.script
            else [sys.executable, "-m", "chargeyard.cli", "up"]
        )
        self.process = await asyncio.create_subprocess_exec(
            *command,
            *self.arguments,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._readers = [
            asyncio.create_task(self._read(self.process.stdout, "stdout")),
            asyncio.create_task(self._read(self.process.stderr, "stderr")),
        ]
        async with httpx.AsyncClient() as client:

            async def ready() -> bool:  # the API answers (it opens last, see lab/run.py)
                assert self.process is not None
                assert self.process.returncode is None, f"the lab ended:\n{self.stderr}"
                with contextlib.suppress(httpx.TransportError):
                    answer = await client.get(f"{self.api_url}/dashboard/config.json")
                    return answer.status_code == 200 and UP_READY in self.stderr
                return False

            await eventually(ready, within=within, every=0.1)

    async def stop(self, within: float = 30.0) -> int:
        """SIGTERM, then wait for the exit; returns the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(within):
            code = await self.process.wait()
            await asyncio.gather(*self._readers)
        return code

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        for reader in self._readers:
            reader.cancel()

    async def _read(self, stream: asyncio.StreamReader, name: str) -> None:
        while line := await stream.readline():
            setattr(self, name, getattr(self, name) + line.decode())

    def credentials(self) -> tuple[str, str]:
        """(token, API key) as the first start printed them."""
        token = re.search(r"admin token \(/ocpp, Authorization: Bearer\): (\S+)", self.stdout)
        key = re.search(r"API key \(/api/v1, X-API-Key\):\s+(\S+)", self.stdout)
        assert token is not None, self.stdout
        assert key is not None, self.stdout
        return token.group(1), key.group(1)

    def curl_commands(self) -> list[str]:
        return [
            line.strip() for line in self.stdout.splitlines() if line.strip().startswith("curl ")
        ]

    def database(self) -> sqlite3.Connection:
        """The lab's SQLite file, read directly (after a stop), with the frame log's file
        attached as ``log``: the frames are ``log.frames``."""
        connection = sqlite3.connect(self.data_dir / "chargeyard.db")
        connection.execute(
            "ATTACH DATABASE ? AS log", (str(self.data_dir / "chargeyard.frames.db"),)
        )
        return connection


def chargeyard(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "chargeyard.cli", *arguments]


def environment() -> dict[str, str]:
    # Only the flags configure the processes: a CHARGEYARD_DATABASE_URL of the caller's shell
    # would point them at another database. The event loop choice is kept (scripts/test), and
    # the metrics ports are off unless a test gives one (tests/conftest.py).
    return {
        **{
            name: value
            for name, value in os.environ.items()
            if not name.startswith("CHARGEYARD_") or name == "CHARGEYARD_EVENT_LOOP"
        },
        "CHARGEYARD_METRICS_PORT": "0",
    }


class CsmsProcess:
    """One run of ``chargeyard csms`` on free 127.0.0.1 ports, in a session (and so a process
    group) of its own, its output in ``log``. ``api=False`` starts it without the REST API
    (``--api-port 0``), as a cluster's CSMS nodes run behind API nodes: about half of the CPU
    the process takes to start."""

    def __init__(self, data_dir: Path, log: Path, *arguments: str, api: bool = True) -> None:
        self.ocpp_port, self.api_port = free_port(), free_port() if api else 0
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
        self.ready = CSMS_READY if api else CSMS_WITHOUT_API_READY
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
        """Start and return once this run said it is ready (a restart's log goes on after the
        previous run's)."""
        before = len(self.output())
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
            while self.ready not in self.output()[before:]:
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
