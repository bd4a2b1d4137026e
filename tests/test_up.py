"""``chargeyard up`` as a new user meets it: the README's run command on a fresh data
directory, the credentials it prints once, and the curl examples that work as printed."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import shlex
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.ports import free_port
from tests.processes import UpProcess, chargeyard, environment

pytestmark = pytest.mark.slow


def _curl(command: str) -> tuple[int, object]:
    """Run a printed curl line as printed (plus -w to see its HTTP status)."""
    arguments = [*shlex.split(command), "-w", "\n%{http_code}"]
    done = subprocess.run(arguments, capture_output=True, text=True, timeout=15, check=True)
    body, _, code = done.stdout.rpartition("\n")
    return int(code), orjson.loads(body)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


_SIGN_IN = re.compile(r"chargeyard dashboard sign-in \(one browser, once\): (http://\S+)")
_NEXT = re.compile(r"chargeyard dashboard: a browser signed in; the next one signs in with (\S+)")


def _secret(link: str) -> str:
    return link.split("#signin=")[1]


def _banner(stderr: str) -> list[str]:
    """The block of lines from "CSMS ready" to "up: ready", as printed."""
    lines = stderr.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("chargeyard CSMS ready"))
    last = next(n for n, line in enumerate(lines) if line.startswith("chargeyard up: ready"))
    return lines[first : last + 1]


async def test_readme_run_command_prints_credentials_once_and_its_curl_examples_work(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    lab = UpProcess(data_dir, script=True)
    try:
        await lab.start(within=50)
        token, api_key = lab.credentials()
        commands = lab.curl_commands()
        answers = {command: _curl(command) for command in commands}
        async with httpx.AsyncClient(base_url=lab.api_url) as api:
            config = (await api.get("/dashboard/config.json")).json()
            [link] = _SIGN_IN.findall(lab.stderr)
            signed_in = await api.post("/dashboard/sign-in", json={"secret": _secret(link)})
            used = await api.post("/dashboard/sign-in", json={"secret": _secret(link)})
            async with asyncio.timeout(10):
                while not _NEXT.search(lab.stderr):  # noqa: ASYNC110 - the child's output
                    await asyncio.sleep(0.05)
            [following] = _NEXT.findall(lab.stderr)
            another = await api.post("/dashboard/sign-in", json={"secret": _secret(following)})
    finally:
        code = await lab.stop()
    assert code == 0, lab.stderr
    assert "chargeyard CSMS stopped" in lab.stderr

    assert len(commands) == 5
    assert all(lab.api_url in command for command in commands)
    assert all(token in command or api_key in command for command in commands)
    for command, (status, _) in answers.items():
        assert status == 200, (command, answers[command])
    by_path = {
        command.split(lab.api_url)[1].split('"')[0]: body for command, (_, body) in answers.items()
    }
    locations = by_path["/ocpp/locations"]
    assert isinstance(locations, dict)
    assert [site["id"] for site in locations["data"]] == ["loc-demo"]
    chargers = by_path["/ocpp/chargers?location_id=loc-demo"]
    assert isinstance(chargers, dict)
    assert chargers["total"] == 10
    assert {charger["identity"] for charger in chargers["data"]} == {
        f"DEMO-{n:02d}" for n in range(1, 11)
    }
    stations = by_path["/api/v1/chargers"]
    assert isinstance(stations, dict)
    assert stations["total"] == 10  # the demo site, every charger registered by booting
    assert all(station["isOnline"] for station in stations["data"])
    assert by_path["/api/v1/chargers/DEMO-01/cache/clear"] == {
        "message": "Cache cleared successfully",
        "chargeBoxId": "DEMO-01",
        "status": "accepted",
    }
    # Nothing secret is served to an anonymous request: the dashboard signs in with the
    # one-time link of the terminal, and gets the demo's key and a token of its own.
    assert config == {"signIn": True, "proxy": False}
    assert link.startswith(f"{lab.api_url}/dashboard/#signin=")
    assert link not in lab.stdout
    assert signed_in.status_code == 200
    assert signed_in.json()["apiKey"] == api_key
    assert signed_in.json()["token"] not in (token, "")
    assert used.status_code == 403
    assert following != link
    assert another.status_code == 200
    # The banner is one block, with the link in it, written once the boot reports are: every
    # demo charger's connectors reported before it, none after.
    banner = _banner(lab.stderr)
    assert [line.split(" ")[1] for line in banner] == [
        "CSMS",
        "REST",
        "dashboard",
        "dashboard",
        "up:",
    ]
    assert banner[3] == f"chargeyard dashboard sign-in (one browser, once): {link}"
    before, _, after = lab.stderr.partition(banner[0])
    for n in range(1, 11):
        assert re.search(rf"DEMO-{n:02d} (connector|EVSE) \S+( connector \d+)?: Available", before)
        assert not re.search(
            rf"DEMO-{n:02d} (connector|EVSE) \S+( connector \d+)?: Available", after
        )
    # The secrets on disk are the user's only.
    assert _mode(data_dir / "jwt-secret") == 0o600
    assert _mode(data_dir / "demo-credentials.json") == 0o600
    assert _mode(data_dir / "ca-key.pem") == 0o600  # the CA that signs stations' certificates
    with lab.database() as database:
        mix = database.execute(
            "SELECT ocpp_version, template FROM simulated_chargers ORDER BY identity"
        ).fetchall()
    assert {version for version, _ in mix} == {"ocpp1.6", "ocpp2.0.1"}  # subprotocols (rev 0015)
    assert len({template for _, template in mix}) == 10  # AC and DC models of the catalog


def _suggested(stdout: str) -> list[str]:
    """The commands a later start suggests for new credentials (token, then API key)."""
    lines = stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.endswith("New ones:"))
    return [line.strip() for line in lines[start + 1 : start + 3]]


def _run_printed(command: str) -> str:
    done = subprocess.run(
        shlex.split(command), capture_output=True, text=True, env=environment(), timeout=60
    )
    assert done.returncode == 0, (command, done.stderr)
    return done.stdout


async def test_a_second_start_reuses_the_demo_and_prints_no_new_secret(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = UpProcess(data_dir, "--chargers", "3")
    try:
        await first.start()
    finally:
        assert await first.stop() == 0
    token, api_key = first.credentials()

    again = UpProcess(data_dir, "--chargers", "3")
    try:
        await again.start()
        async with httpx.AsyncClient(base_url=again.api_url) as api:
            # The first start's token still works: the JWT secret was kept in the data dir.
            sites = await api.get("/ocpp/locations", headers={"Authorization": f"Bearer {token}"})
            stations = await api.get("/api/v1/chargers", headers={"X-API-Key": api_key})
            # Each start prints a link of its own; the first start's signs nothing in.
            [old_link], [new_link] = _SIGN_IN.findall(first.stderr), _SIGN_IN.findall(again.stderr)
            old = await api.post("/dashboard/sign-in", json={"secret": _secret(old_link)})
            new = await api.post("/dashboard/sign-in", json={"secret": _secret(new_link)})
            # The new credentials it suggests, made by its commands as printed, see the demo.
            made_token, made_key = [
                (await asyncio.to_thread(_run_printed, command)).strip()
                for command in _suggested(again.stdout)
            ]
            demo_sites = await api.get(
                "/ocpp/locations", headers={"Authorization": f"Bearer {made_token}"}
            )
            demo_stations = await api.get("/api/v1/chargers", headers={"X-API-Key": made_key})
    finally:
        assert await again.stop() == 0
    assert demo_sites.json()["total"] == 1, demo_sites.text
    assert demo_stations.json()["total"] == 3, demo_stations.text
    assert old.status_code == 403
    assert new.status_code == 200
    assert new.json()["apiKey"] == api_key  # the dashboard signs in without the first banner
    assert token not in again.stdout
    assert api_key not in again.stdout
    assert "demo-credentials.json" in again.stdout  # where the first ones are
    assert sites.status_code == 200
    assert sites.json()["total"] == 1
    assert stations.status_code == 200
    assert stations.json()["total"] == 3
    assert "3 chargers running" in again.stderr  # resumed, not created again
    with again.database() as database:
        counts = [
            database.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("organizations", "locations", "simulated_chargers", "api_keys")
        ]
    # The demo's organization beside the default one; the demo's key and the one made here.
    assert counts == [2, 1, 3, 2]


async def test_no_demo_starts_empty(tmp_path: Path) -> None:
    lab = UpProcess(tmp_path / "data", "--no-demo")
    try:
        await lab.start()
        async with httpx.AsyncClient(base_url=lab.api_url) as api:
            config = (await api.get("/dashboard/config.json")).json()
    finally:
        assert await lab.stop() == 0
    assert lab.stdout == ""  # no credentials: nothing was created
    assert config == {"signIn": False, "proxy": False}
    # Commands for the organization unannounced stations join without the demo.
    program = f"{shlex.quote(sys.executable)} -m chargeyard.cli"
    data = shlex.quote(str(lab.data_dir))
    assert (
        "chargeyard dashboard sign-in: no link (no demo); type an API key"
        f" ({program} apikey create --name me --org default --data-dir {data}) and a token"
        f" ({program} token create --org default --role admin --data-dir {data}) in its"
        " Settings"
    ) in lab.stderr
    assert "0 chargers running, no demo" in lab.stderr
    with lab.database() as database:
        for table in ("simulated_chargers", "api_keys", "stations"):
            assert database.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table
        # The one organization a new database has (revision 0013), and no other.
        organizations = database.execute("SELECT id FROM organizations").fetchall()
        assert organizations == [("default",)]


def test_help_documents_every_setting() -> None:
    from typer.testing import CliRunner

    from chargeyard.cli import app
    from chargeyard.lab.settings import LabSettings

    result = CliRunner().invoke(app, ["up", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for field in LabSettings.model_fields:
        assert f"--{field.replace('_', '-')}" in result.output, field
        assert LabSettings.env_name(field) in result.output, field
    assert "--no-demo" in result.output


@pytest.mark.parametrize(
    ("arguments", "env", "policy"),
    [
        ([], {}, ("Accepted", 300)),
        (["--boot-status", "Pending", "--heartbeat-interval", "20"], {}, ("Pending", 20)),
        (
            [],
            {"CHARGEYARD_BOOT_STATUS": "Rejected", "CHARGEYARD_HEARTBEAT_INTERVAL": "0"},
            ("Rejected", 0),
        ),
    ],
)
def test_boot_policy_options_reach_the_lab_csms(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    arguments: list[str],
    env: dict[str, str],
    policy: tuple[str, int],
) -> None:
    from typer.testing import CliRunner

    from chargeyard.cli import app
    from chargeyard.lab import run
    from chargeyard.lab.settings import LabSettings

    seen: list[LabSettings] = []

    async def record(settings: LabSettings, out: object, err: object) -> None:
        seen.append(settings)

    for variable in ("CHARGEYARD_BOOT_STATUS", "CHARGEYARD_HEARTBEAT_INTERVAL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(run, "run_until_signalled", record)
    monkeypatch.setattr(run, "configure_logging", lambda level: None)
    # (its own data directory: the lab's settings make the CA there, not in ./data)
    result = CliRunner().invoke(app, ["up", *arguments, "--data-dir", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    [settings] = seen
    csms = run.csms_settings(settings)
    assert (csms.boot_status, csms.heartbeat_interval) == policy
    assert (csms.auto_register, csms.accept_unknown_tags) == (True, True)  # still a lab


def test_retention_options_reach_the_lab_csms(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from datetime import timedelta

    from typer.testing import CliRunner

    from chargeyard.cli import app
    from chargeyard.lab import run
    from chargeyard.lab.settings import LabSettings
    from chargeyard.store.retention import RetentionLimits

    seen: list[LabSettings] = []

    async def record(settings: LabSettings, out: object, err: object) -> None:
        seen.append(settings)

    for variable in ("CHARGEYARD_RETENTION_DAYS", "CHARGEYARD_RETENTION_MAX_ROWS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(run, "run_until_signalled", record)
    monkeypatch.setattr(run, "configure_logging", lambda level: None)
    result = CliRunner().invoke(
        app,
        [
            "up",
            "--retention-days",
            "2",
            "--max-stored-payload-chars",
            "2048",
            "--data-dir",
            str(tmp_path),
        ],
        env={"CHARGEYARD_RETENTION_MAX_ROWS": "500"},
    )
    assert result.exit_code == 0, result.output
    [settings] = seen
    assert run.csms_settings(settings).retention == RetentionLimits(
        max_age=timedelta(days=2), max_rows=500
    )
    assert settings.max_stored_payload_chars == 2048


@pytest.mark.parametrize(
    ("arguments", "env", "complaint"),
    [
        (
            ["--boot-status", "Refused"],
            {},
            "Invalid value for '--boot-status': Value error, 'Refused' is not one of"
            " 'Accepted', 'Pending', 'Rejected'.",
        ),
        (
            [],
            {"CHARGEYARD_BOOT_STATUS": "Refused"},
            "chargeyard up: invalid settings: boot_status: Input should be 'Accepted', 'Pending'"
            " or 'Rejected'",
        ),
        (
            ["--heartbeat-interval", "-1"],
            {},
            "chargeyard up: invalid settings: heartbeat_interval: Input should be greater than or"
            " equal to 0",
        ),
    ],
)
def test_a_boot_policy_that_is_not_one_is_refused(
    arguments: list[str], env: dict[str, str], complaint: str
) -> None:
    from typer.testing import CliRunner

    from chargeyard.cli import app

    result = CliRunner().invoke(app, ["up", *arguments], env=env | {"COLUMNS": "200"})
    assert result.exit_code == 2
    assert complaint in " ".join(result.output.split())


@contextlib.contextmanager
def _taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program listens on while the block runs."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``chargeyard ARGUMENTS`` to its end: a start that cannot listen ends by itself."""
    return subprocess.run(
        chargeyard(*arguments), capture_output=True, text=True, env=environment(), timeout=60
    )


@pytest.mark.parametrize(
    ("taken", "said"),
    [
        (
            "--api-port",
            "chargeyard up: the HTTP API cannot listen on 127.0.0.1:{port}: the port is in use"
            "; give another with --api-port (or CHARGEYARD_API_PORT)",
        ),
        (
            "--ocpp-port",
            "chargeyard up: the OCPP listener cannot listen on 127.0.0.1:{port}: the port is in"
            " use; give another with --ocpp-port (or CHARGEYARD_OCPP_PORT)",
        ),
    ],
)
def test_a_taken_port_stops_up_before_anything_starts_with_one_line(
    tmp_path: Path, taken: str, said: str
) -> None:
    ports = {"--api-port": str(free_port()), "--ocpp-port": str(free_port())}
    with _taken_port() as port:
        ports[taken] = str(port)
        done = _run("up", "--data-dir", str(tmp_path / "data"), *itertools.chain(*ports.items()))
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [said.format(port=port)]
    assert done.stdout == ""
    assert not (tmp_path / "data" / "chargeyard.db").exists()  # nothing was started


async def test_the_lab_serves_its_metrics_on_a_port_of_its_own_labelled_with_its_host(
    tmp_path: Path,
) -> None:
    metrics_port = free_port()
    lab = UpProcess(tmp_path / "data", "--no-demo", "--metrics-port", str(metrics_port))
    try:
        await lab.start()
        async with httpx.AsyncClient() as client:
            own = await client.get(f"http://127.0.0.1:{metrics_port}/metrics")
            on_the_api = await client.get(f"{lab.api_url}/metrics")
    finally:
        assert await lab.stop() == 0
    assert own.status_code == 200, own.text
    assert on_the_api.status_code == 200, on_the_api.text
    for text in (own.text, on_the_api.text):
        samples = [
            sample for family in text_string_to_metric_families(text) for sample in family.samples
        ]
        assert {sample.labels.get("node") for sample in samples} == {socket.gethostname()}
        assert any(sample.name == "chargeyard_csms_stations_connected" for sample in samples)


def test_the_lab_reads_its_token_secret_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from chargeyard.cli import app
    from chargeyard.lab import run
    from chargeyard.lab.settings import LabSettings

    seen: list[LabSettings] = []

    async def record(settings: LabSettings, out: object, err: object) -> None:
        seen.append(settings)

    for variable in ("CHARGEYARD_JWT_SECRET", "CHARGEYARD_API_JWT_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(run, "run_until_signalled", record)
    monkeypatch.setattr(run, "configure_logging", lambda level: None)
    secret_file = tmp_path / "jwt-secret"
    secret_file.write_text("k" * 40 + "\n")
    result = CliRunner().invoke(app, ["up", "--jwt-secret-file", str(secret_file)])
    assert result.exit_code == 0, result.output
    assert seen[0].shared_jwt_secret() == "k" * 40
    missing = CliRunner().invoke(app, ["up", "--jwt-secret-file", str(tmp_path / "absent")])
    assert missing.exit_code == 2
    assert "cannot read the secret file" in missing.output
    assert len(seen) == 1  # nothing started
