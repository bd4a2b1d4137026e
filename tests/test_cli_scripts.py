"""``scripts/chargeyard``: every command of the README runs as written from a checkout, next to
the lab ``scripts/run`` started, without ``chargeyard`` on the PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.processes import ROOT, UpProcess

pytestmark = pytest.mark.slow

WRAPPER = ROOT / "scripts" / "chargeyard"


def _env() -> dict[str, str]:
    """A new user's environment: no chargeyard settings; the interpreter the checkout's
    virtual environment is made with, if it has to be made."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEYARD_")}
    return {**env, "PYTHON": sys.executable}


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env or _env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_wrapper_runs_any_command_from_any_directory_and_through_a_symlink(
    tmp_path: Path,
) -> None:
    assert _run([str(WRAPPER), "version"], tmp_path).startswith("chargeyard 0.1.0\n")
    # Linked into a directory of the PATH, `chargeyard` works as the README writes it.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "chargeyard").symlink_to(WRAPPER)
    env = {**_env(), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    assert "Commands:" in _run(["chargeyard", "--help"], tmp_path, env)


async def test_readme_commands_work_next_to_the_lab_scripts_run_started(tmp_path: Path) -> None:
    # The user's directory: scripts/run keeps the lab in ./data, where the other commands
    # look by default.
    lab = UpProcess(tmp_path / "data", "--chargers", "2", script=True)
    try:
        await lab.start(within=60)
        token = _run(
            [str(WRAPPER), "token", "create", "--org", "demo", "--role", "admin"], tmp_path
        )
        key = _run([str(WRAPPER), "apikey", "create", "--name", "me", "--org", "demo"], tmp_path)
        async with httpx.AsyncClient(base_url=lab.api_url) as api:
            sites = await api.get(
                "/ocpp/locations", headers={"Authorization": f"Bearer {token.strip()}"}
            )
            stations = await api.get("/api/v1/chargers", headers={"X-API-Key": key.strip()})
    finally:
        assert await lab.stop() == 0, lab.stderr
    assert sites.status_code == 200, sites.text
    assert [site["id"] for site in sites.json()["data"]] == ["loc-demo"]
    assert stations.status_code == 200, stations.text
    # The key names the demo's organization, so it sees the demo's two chargers.
    assert stations.json()["total"] == 2, stations.text
    # scripts/run says how to reach the other commands when `chargeyard` is not on the PATH.
    ours = str(Path(os.environ.get("CHARGEYARD_VENV", ROOT / ".venv")) / "bin" / "chargeyard")
    hint = f"run as {ROOT}/scripts/chargeyard COMMAND"
    assert (hint in lab.stderr) == (shutil.which("chargeyard") != ours), lab.stderr


async def test_a_lab_started_again_suggests_commands_that_start_as_the_wrapper(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    for _ in ("first start", "again"):
        lab = UpProcess(data_dir, "--chargers", "1", script=True)
        try:
            await lab.start(within=60)
        finally:
            assert await lab.stop() == 0, lab.stderr
    assert f"  {_program()} apikey create --name me --org demo --data-dir {data_dir}\n" in (
        lab.stdout
    )
    assert f"  {_program()} token create --org demo --role admin --data-dir {data_dir}\n" in (
        lab.stdout
    )


def _program() -> str:
    """How a lab that scripts/run started (by its path) names chargeyard: by the wrapper's
    path, unless the PATH leads to this checkout's chargeyard."""
    ours = {
        Path(os.environ.get("CHARGEYARD_VENV", ROOT / ".venv")) / "bin" / "chargeyard",
        WRAPPER.resolve(),
    }
    on_path = shutil.which("chargeyard")
    return "chargeyard" if on_path and Path(on_path).resolve() in ours else str(WRAPPER)
