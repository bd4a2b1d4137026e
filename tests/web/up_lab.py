"""``chargeyard up`` as a user runs it, for the browser: a subprocess on a fresh data directory
with free ports (``--ocpp-port 0 --api-port 0``), ready once it says so on stderr, where it
also says the dashboard's address and its one-time sign-in link. Each browser signs in with
the newest link the terminal shows (each use prints the next); the test itself signs in once
the same way to get the demo's API key and a token, and sets the stage over the API with
them, as a user with the printed curl examples would.

The demo's automatic sessions are slowed to next to never (``--sessions-per-hour``), so that
a test's connector is the test's; every other part is the real lab.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

STARTUP_S = 90.0
"""How long ``chargeyard up`` may take to be ready: a few seconds alone, but with two other
test workers busy on a 2-core machine its imports and first migration took up to 48 s."""
STOP_S = 15.0
READY = "chargeyard up: ready"
DASHBOARD = re.compile(r"chargeyard dashboard (http://\S+/dashboard/)")
SIGN_IN = re.compile(r"(http://\S+/dashboard/#signin=[\w-]+)")


def chargeyard_command() -> list[str]:
    """The installed ``chargeyard`` script beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("chargeyard")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from chargeyard.cli import main; main()"]


class UpLab:
    """Start with :meth:`open`, stop with :meth:`close` (SIGTERM, as Ctrl-C would)."""

    def __init__(self, data_dir: Path, chargers: int = 8) -> None:
        self.data_dir = data_dir
        self.chargers = chargers
        self.url = ""
        self.token = ""
        self.api_key = ""
        self._used: set[str] = set()
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr = data_dir / "stderr.log"
        self._stdout = data_dir / "stdout.log"

    @property
    def base(self) -> str:
        return self.url.removesuffix("/dashboard/")

    def open(self) -> UpLab:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            *chargeyard_command(),
            "up",
            "--data-dir",
            str(self.data_dir / "data"),
            "--ocpp-port",
            "0",
            "--api-port",
            "0",
            "--metrics-port",
            "0",
            "--chargers",
            str(self.chargers),
            "--sessions-per-hour",
            "0.0001",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEYARD_")}
        with self._stdout.open("wb") as out, self._stderr.open("wb") as err:
            self._process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        self._wait_ready()
        link = self.sign_in_url()
        answer = httpx.post(f"{self.url}sign-in", json={"secret": link.split("#signin=")[1]})
        answer.raise_for_status()
        self.token, self.api_key = answer.json()["token"], answer.json()["apiKey"]
        return self

    def sign_in_url(self) -> str:
        """The newest sign-in link on the terminal, once it is one nobody used yet (after a
        sign-in the lab prints the next); it counts as used from now on."""
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            links = SIGN_IN.findall(self._stderr.read_text(errors="replace"))
            if links and links[-1] not in self._used:
                self._used.add(links[-1])
                return str(links[-1])
            time.sleep(0.05)  # polling a log file for a line; not a synchronisation
        raise TimeoutError("chargeyard up printed no new sign-in link")

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            text = self._stderr.read_text(errors="replace")
            found = DASHBOARD.search(text)
            if found and READY in text:
                self.url = found.group(1)
                return
            if self._process.poll() is not None:
                raise RuntimeError(f"chargeyard up exited {self._process.returncode}:\n{text}")
            time.sleep(0.05)  # polling a log file for a line; not a synchronisation
        raise TimeoutError(f"chargeyard up was not ready in {STARTUP_S} s")

    def close(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(STOP_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def gateway(self, method: str, path: str, **options: Any) -> Any:
        """A call to ``/ocpp`` with the demo's token; the answer's JSON (raises on an error)."""
        answer = httpx.request(
            method,
            f"{self.base}/ocpp{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10.0,
            **options,
        )
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def chargers_by_identity(self) -> dict[str, dict[str, Any]]:
        rows = self.gateway("GET", "/chargers", params={"limit": 100})["data"]
        return {row["identity"]: row for row in rows}

    def command(self, name: str, charger_id: str, event: dict[str, Any]) -> str:
        """Queue a gateway command for one charger; its id."""
        answer = self.gateway(
            "POST", f"/commands/{name}", json={"target": {"charger_id": charger_id}, "event": event}
        )
        assert answer["queued_count"] == 1, answer
        command_id: str = answer["results"][0]["command"]["id"]
        return command_id

    def outcome(self, command_id: str) -> dict[str, Any]:
        """The command's outcome once it is final (no longer received or deferred)."""
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            outcome: dict[str, Any] = self.gateway("GET", f"/commands/{command_id}")
            if outcome["status"] not in ("received", "deferred"):
                return outcome
            time.sleep(0.05)  # polling the API for an outcome
        raise TimeoutError(f"command {command_id} has no outcome")

    def sample_every_second(self, charger: dict[str, Any]) -> None:
        """Meter values every second (the demo samples every 10 s), so that a test sees
        energy grow within its time."""
        key = (
            "MeterValueSampleInterval"
            if charger["ocpp_version"] == "ocpp1.6"
            else "SampledDataCtrlr.TxUpdatedInterval"
        )
        done = self.outcome(
            self.command(
                "set-configuration", charger["id"], {"configuration": [{"key": key, "value": "1"}]}
            )
        )
        assert done["status"] == "applied", done
