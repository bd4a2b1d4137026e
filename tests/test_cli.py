"""The chargeyard command, and the README's run command as a new user runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import orjson
import pytest
import typer
from redis.backoff import NoBackoff
from typer.testing import CliRunner
from websockets.asyncio.client import connect

from chargeyard import cli_cluster, cli_csms
from chargeyard.api import ApiSettings
from chargeyard.api.tokens import verify_token
from chargeyard.bus import redis_connection
from chargeyard.cli import app
from chargeyard.conformance.tls_chain import CertificateAuthority
from chargeyard.csms.server import CsmsSettings
from chargeyard.outbound import OutboundPolicy
from chargeyard.protocol import V16
from chargeyard.stack import ClusterOptions, StartupFailure
from chargeyard.store import Store
from chargeyard.store.retention import RetentionLimits
from tests.ports import free_port
from tests.processes import chargeyard, environment

UNREACHABLE_DB = "postgresql://chargeyard@127.0.0.1:1/x"  # nothing listens on port 1
DEAD_REDIS = "redis://127.0.0.1:1/0"

ROOT = Path(__file__).resolve().parents[1]


def test_help_lists_the_sub_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("csms", "version"):
        assert command in result.output


def test_version_names_the_ocpp_versions() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert "OCPP: 2.1 (ocpp2.1), 2.0.1 (ocpp2.0.1), 1.6 (ocpp1.6)" in result.output


# What the servers need and a command's help does not: each takes a large part of a second or
# more to import.
_SERVER_LIBRARIES = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "pydantic_settings", "rich")
_SERVER_PACKAGES = ("api", "csms", "gateway", "lab", "station", "store", "stack")


def _imported_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules), file=sys.stderr)\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(done.stderr.split())


def _imported_by(*arguments: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``chargeyard ARGUMENTS``."""
    return _imported_after(
        "from chargeyard.cli import app\n"
        "try:\n"
        f"    app({list(arguments)!r})\n"
        "except SystemExit:\n"
        "    pass"
    )


@pytest.mark.slow
@pytest.mark.parametrize("arguments", [["--help"], [], ["version"]])
def test_help_and_version_import_none_of_the_servers_libraries(arguments: list[str]) -> None:
    imported = _imported_by(*arguments)
    assert "typer" in imported  # the probe saw the command run
    heavy = {
        name
        for name in imported
        if name.split(".")[0] in _SERVER_LIBRARIES
        or name.split(".")[:2] in (["chargeyard", package] for package in _SERVER_PACKAGES)
    }
    assert heavy == set()


@pytest.mark.slow
def test_a_command_s_help_imports_its_own_module_only() -> None:
    imported = _imported_by("apikey", "--help")
    assert "chargeyard.cli_credentials" in imported
    assert "chargeyard.cli_csms" not in imported
    assert "chargeyard.cli_conformance" not in imported


@pytest.mark.slow
def test_the_api_s_routes_load_only_in_a_process_that_serves_them() -> None:
    # A worker, or a CSMS node with --api-port 0, imports the commands and the stack that
    # assembles it but never the app: its routes, models and dashboard cost a second of CPU.
    imported = _imported_after(
        "import chargeyard.cli_cluster, chargeyard.cli_csms, chargeyard.cli_up, chargeyard.stack"
    )
    assert "chargeyard.stack" in imported
    assert {"chargeyard.api.app", "chargeyard.api.v1.routes"} & imported == set()
    # Nor FastAPI itself, about a sixth of its start-up: its metrics port is plain Starlette.
    assert "fastapi" not in imported


@pytest.mark.slow
def test_a_station_fleet_loads_no_database_library() -> None:
    # `chargeyard sim` reads the command line's caps from the store's package, not its engine.
    imported = _imported_after("import chargeyard.cli_sim, chargeyard.cli_options")
    assert "chargeyard.cli_sim" in imported
    assert {"sqlalchemy", "alembic", "fastapi"} & {name.split(".")[0] for name in imported} == set()


@pytest.fixture
def served_api() -> list[ApiSettings]:
    """The API settings ``chargeyard csms`` would serve with (see ``served``)."""
    return []


@pytest.fixture
def stored_payload_caps() -> list[int]:
    """The store's payload cap ``chargeyard csms`` would open it with (see ``served``)."""
    return []


@pytest.fixture
def served_outbound() -> list[OutboundPolicy | None]:
    """The outbound policy ``chargeyard csms`` would deliver webhooks under (see ``served``)."""
    return []


@pytest.fixture
def served_cluster() -> list[ClusterOptions | None]:
    """The cluster ``chargeyard csms`` would join (see ``served``)."""
    return []


@pytest.fixture
def served_metrics() -> list[tuple[str, int]]:
    """The node name and metrics port ``chargeyard csms`` would serve its metrics with."""
    return []


@pytest.fixture
def served(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    served_api: list[ApiSettings],
    stored_payload_caps: list[int],
    served_outbound: list[OutboundPolicy | None],
    served_cluster: list[ClusterOptions | None],
    served_metrics: list[tuple[str, int]],
) -> list[CsmsSettings]:
    """``chargeyard csms`` up to its listener: the settings it would serve with are recorded
    instead (and the test's logging is left alone); the API's in ``served_api``. Its data
    directory (the CA, the token secret) is the test's own unless the command names one, not
    ``./data`` in the checkout."""
    seen: list[CsmsSettings] = []
    monkeypatch.setenv("CHARGEYARD_DATA_DIR", str(tmp_path / "data"))
    for variable in (
        "CHARGEYARD_BOOT_STATUS",
        "CHARGEYARD_HEARTBEAT_INTERVAL",
        "CHARGEYARD_RETENTION_DAYS",
        "CHARGEYARD_RETENTION_MAX_ROWS",
        "CHARGEYARD_MAX_STORED_PAYLOAD_CHARS",
        "CHARGEYARD_OUTBOUND_NETWORKS",
        "CHARGEYARD_REDIS_URL",
        "CHARGEYARD_NODE_NAME",
    ):
        monkeypatch.delenv(variable, raising=False)

    async def record(
        url: str,
        settings: CsmsSettings,
        api_port: int,
        api_settings: ApiSettings,
        max_payload_chars: int,
        outbound: OutboundPolicy | None,
        cluster: ClusterOptions | None,
        metrics: tuple[str, int],
    ) -> None:
        seen.append(settings)
        served_metrics.append(metrics)
        served_api.append(api_settings)
        stored_payload_caps.append(max_payload_chars)
        served_outbound.append(outbound)
        served_cluster.append(cluster)

    monkeypatch.setattr(cli_csms, "_serve_until_signalled", record)
    monkeypatch.setattr(cli_csms, "configure_logging", lambda level: None)
    return seen


def test_csms_serves_its_metrics_on_a_port_of_its_own_labelled_with_its_node(
    served: list[CsmsSettings],
    served_metrics: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CHARGEYARD_METRICS_PORT")  # the tests' own default: off
    arguments = ["csms", "--api-port", "0", "--node-name", "csms-1"]
    assert CliRunner().invoke(app, arguments).exit_code == 0
    assert CliRunner().invoke(app, [*arguments, "--metrics-port", "29181"]).exit_code == 0
    assert CliRunner().invoke(app, [*arguments, "--metrics-port", "0"]).exit_code == 0
    assert served_metrics == [("csms-1", 9181), ("csms-1", 29181), ("csms-1", 0)]


def test_cluster_nodes_read_the_one_secret_from_a_file_or_the_environment(
    served: list[CsmsSettings],
    served_api: list[ApiSettings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CHARGEYARD_JWT_SECRET_FILE (a Docker secret) or CHARGEYARD_JWT_SECRET: the same secret
    on every node, whatever each one's data directory holds."""
    for variable in ("CHARGEYARD_API_JWT_SECRET", "CHARGEYARD_JWT_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    secret_file = tmp_path / "jwt-secret"
    secret_file.write_text("f" * 40 + "\n")
    data_dir = ["--data-dir", str(tmp_path / "data")]
    from_file = {"CHARGEYARD_JWT_SECRET_FILE": str(secret_file)}
    assert CliRunner().invoke(app, ["csms", *data_dir], env=from_file).exit_code == 0
    from_value = {"CHARGEYARD_JWT_SECRET": "v" * 40}
    assert CliRunner().invoke(app, ["csms", *data_dir], env=from_value).exit_code == 0
    secrets = [api.jwt_secret.get_secret_value() for api in served_api if api.jwt_secret]
    assert secrets == ["f" * 40, "v" * 40]
    both = CliRunner().invoke(app, ["csms", *data_dir], env={**from_file, **from_value})
    assert both.exit_code == 2
    assert "not both" in both.output
    secret_file.write_text("short")
    short = CliRunner().invoke(app, ["csms", *data_dir], env=from_file)
    assert short.exit_code == 2
    assert "32 bytes at least" in short.output


@pytest.mark.parametrize(
    ("arguments", "policy"),
    [
        ([], "any"),
        (["--host", "0.0.0.0"], "public"),
        (["--host", "0.0.0.0", "--outbound-networks", "public,10.0.0.0/8"], "public,10.0.0.0/8"),
    ],
)
def test_csms_limits_where_webhooks_go_unless_it_listens_on_loopback(
    served: list[CsmsSettings],
    served_outbound: list[OutboundPolicy | None],
    tmp_path: Path,
    arguments: list[str],
    policy: str,
) -> None:
    result = CliRunner().invoke(app, ["csms", "--data-dir", str(tmp_path), *arguments])
    assert result.exit_code == 0, result.output
    [outbound] = served_outbound
    assert outbound is not None
    assert outbound.describe() == policy


def test_csms_refuses_an_outbound_network_it_cannot_read(
    served: list[CsmsSettings], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["csms", "--data-dir", str(tmp_path), "--outbound-networks", "intranet"]
    )
    assert result.exit_code == 2
    assert "'intranet' is not 'public' or a network" in result.output


def test_csms_relays_the_proxy_api_it_is_given_with_its_token(
    served: list[CsmsSettings],
    served_api: list[ApiSettings],
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(
        app,
        ["csms", "--data-dir", str(tmp_path), "--proxy-api", "http://127.0.0.1:9101/"],
        env={"CHARGEYARD_PROXY_API_TOKEN": "proxy-token"},
    )
    assert result.exit_code == 0, result.output
    [api_settings] = served_api
    assert api_settings.proxy_api == "http://127.0.0.1:9101"
    assert api_settings.proxy_api_token is not None
    assert api_settings.proxy_api_token.get_secret_value() == "proxy-token"


def test_csms_refuses_a_proxy_api_with_a_path(served: list[CsmsSettings], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["csms", "--data-dir", str(tmp_path), "--proxy-api", "http://127.0.0.1:9101/api/v1"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 2
    assert "a URL with a path, query or fragment" in result.output


def test_csms_api_accepts_the_tokens_token_create_signs_for_its_data_dir(
    served: list[CsmsSettings],
    served_api: list[ApiSettings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without a key of its own the API verifies /ocpp tokens with the lab's secret in
    # DATA_DIR (generated on the first start, as `chargeyard up` does).
    for variable in ("CHARGEYARD_API_JWT_SECRET", "CHARGEYARD_API_JWT_PUBLIC_KEY"):
        monkeypatch.delenv(variable, raising=False)
    data_dir = str(tmp_path / "data")
    result = CliRunner().invoke(app, ["csms", "--data-dir", data_dir])
    assert result.exit_code == 0, result.output
    [api_settings] = served_api
    token = CliRunner().invoke(
        app,
        ["token", "create", "--org", "org-1", "--role", "viewer", "--data-dir", data_dir],
        env={"CHARGEYARD_JWT_SECRET": None, "CHARGEYARD_API_JWT_SECRET": None},
    )
    assert token.exit_code == 0, token.output
    assert verify_token(token.stdout.strip(), api_settings).organization_id == "org-1"

    # A key the API was given stays the only one.
    served_api.clear()
    monkeypatch.setenv("CHARGEYARD_API_JWT_SECRET", "configured-" + "s" * 32)
    assert CliRunner().invoke(app, ["csms", "--data-dir", data_dir]).exit_code == 0
    assert served_api[0].jwt_secret is not None
    assert served_api[0].jwt_secret.get_secret_value() == "configured-" + "s" * 32


@pytest.mark.parametrize(
    ("arguments", "env", "policy"),
    [
        ([], {}, ("Accepted", 300)),
        (["--boot-status", "Rejected", "--heartbeat-interval", "45"], {}, ("Rejected", 45)),
        (
            [],
            {"CHARGEYARD_BOOT_STATUS": "Pending", "CHARGEYARD_HEARTBEAT_INTERVAL": "0"},
            ("Pending", 0),
        ),
        (["--boot-status", "Accepted"], {"CHARGEYARD_BOOT_STATUS": "Rejected"}, ("Accepted", 300)),
    ],
)
def test_csms_boot_policy_options_reach_the_listener_settings(
    served: list[CsmsSettings],
    tmp_path: Path,
    arguments: list[str],
    env: dict[str, str],
    policy: tuple[str, int],
) -> None:
    # The BootNotification answer (OCPP 1.6 section 4.2, 2.0.1 B01-B03): a flag, else its
    # environment variable, else Accepted every 300 s.
    result = CliRunner().invoke(
        app, ["csms", *arguments, "--data-dir", str(tmp_path)], env=env | {"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    [settings] = served
    assert (settings.boot_status, settings.heartbeat_interval) == policy
    assert type(settings.boot_status) is str  # the wire's spelling, not an enum member


@pytest.mark.parametrize(
    ("arguments", "env", "complaint"),
    [
        (
            ["--boot-status", "Refused"],
            {},
            "'--boot-status' (env var: 'CHARGEYARD_BOOT_STATUS'): Value error, 'Refused' is not"
            " one of 'Accepted', 'Pending', 'Rejected'.",
        ),
        (  # OCPP's spelling: the enumeration is case-sensitive on the wire
            [],
            {"CHARGEYARD_BOOT_STATUS": "rejected"},
            "'--boot-status' (env var: 'CHARGEYARD_BOOT_STATUS'): Value error, 'rejected' is not"
            " one of 'Accepted', 'Pending', 'Rejected'.",
        ),
        (
            ["--heartbeat-interval", "-1"],
            {},
            "'--heartbeat-interval' (env var: 'CHARGEYARD_HEARTBEAT_INTERVAL'): Input should be"
            " greater than or equal to 0",
        ),
    ],
)
def test_csms_refuses_a_boot_policy_that_is_not_one(
    served: list[CsmsSettings],
    tmp_path: Path,
    arguments: list[str],
    env: dict[str, str],
    complaint: str,
) -> None:
    result = CliRunner().invoke(
        app, ["csms", *arguments, "--data-dir", str(tmp_path)], env=env | {"COLUMNS": "200"}
    )
    assert result.exit_code == 2
    assert f"Invalid value for {complaint}" in " ".join(result.output.split())
    assert served == []


def test_csms_help_lists_the_boot_policy_options_and_their_environment_variables() -> None:
    result = CliRunner().invoke(app, ["csms", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    output = " ".join(result.output.split())
    for text in (
        "--boot-status",
        "<Accepted|Pending|Rejected>",
        "CHARGEYARD_BOOT_STATUS",
        "--heartbeat-interval",
        "CHARGEYARD_HEARTBEAT_INTERVAL",
    ):
        assert text in output, text


@pytest.mark.slow
async def test_readme_run_command_serves_stations_and_the_api_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    # As the README has a new user do it: start the lab, create an API key, point a station at
    # the lab (any identity gets in), and command it over REST.
    data_dir = str(tmp_path / "data")
    port, api_port = free_port(), free_port()
    env = {
        **os.environ,
        "CHARGEYARD_CSMS_PORT": str(port),
        "CHARGEYARD_API_PORT": str(api_port),
        "CHARGEYARD_DATA_DIR": data_dir,
        "PYTHON": sys.executable,
    }
    process = await asyncio.create_subprocess_exec(
        str(ROOT / "scripts" / "run"), env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    assert process.stderr is not None
    try:
        while True:
            line = await asyncio.wait_for(process.stderr.readline(), 120)
            assert line, "scripts/run ended before it was ready"
            if b"chargeyard REST API" in line:
                break
        created = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "chargeyard.cli",
            "apikey",
            "create",
            "--name",
            "readme",
            "--org",
            "demo",  # the organization the lab's unannounced stations join, as the README says
            "--data-dir",
            data_dir,
            stdout=subprocess.PIPE,
        )
        out, _ = await created.communicate()
        key = out.decode().split()[0]
        async with connect(
            f"ws://127.0.0.1:{port}/ocpp/CP-README",
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        ) as websocket:
            boot = {"chargePointVendor": "chargeyard", "chargePointModel": "README"}
            await websocket.send(orjson.dumps([2, "1", "BootNotification", boot]).decode())
            answer = orjson.loads(await asyncio.wait_for(websocket.recv(), 10))
            assert answer[:2] == [3, "1"]
            assert answer[2]["status"] == "Accepted"

            async def station_answers_clear_cache() -> None:
                call = orjson.loads(await asyncio.wait_for(websocket.recv(), 10))
                assert call[0:4:2] == [2, "ClearCache"]
                await websocket.send(orjson.dumps([3, call[1], {"status": "Accepted"}]).decode())

            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api_port}") as api:
                answering = asyncio.create_task(station_answers_clear_cache())
                response = await api.post(
                    "/api/v1/chargers/CP-README/cache/clear", headers={"X-API-Key": key}
                )
                await answering
                refused = await api.post("/api/v1/chargers/CP-README/cache/clear")
        assert response.status_code == 200
        assert response.json() == {
            "message": "Cache cleared successfully",
            "chargeBoxId": "CP-README",
            "status": "accepted",
        }
        assert (refused.status_code, refused.json()) == (
            401,
            {"detail": "missing or invalid API key"},
        )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    rest = await asyncio.wait_for(process.stderr.read(), 20)
    assert await process.wait() == 0
    assert b"chargeyard CSMS stopped" in rest


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """A lab's data directory, as `chargeyard up` or `csms` leaves it: its database made."""

    async def make() -> None:
        async with await Store.open(f"sqlite:///{tmp_path / 'chargeyard.db'}"):
            pass

    asyncio.run(make())
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [
        ["apikey", "create", "--name", "me"],
        ["apikey", "list"],
        ["apikey", "revoke", "some-id"],
        ["station", "add", "CP-1"],
        ["station", "list"],
        ["station", "remove", "CP-1"],
    ],
    ids=" ".join,
)
def test_a_command_on_the_lab_s_data_refuses_a_directory_without_a_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    # Run where the user is, with the default ./data, which holds no lab: nothing is made.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, command, env={"CHARGEYARD_DATA_DIR": None})
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"chargeyard {' '.join(command[:2])}: no lab in ./data (chargeyard.db is not there: run"
        " this where you ran `chargeyard up` or `chargeyard csms`, or give --data-dir or"
        " --database-url)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_database_url_given_is_used_as_it_is(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    created = CliRunner().invoke(app, ["apikey", "create", "--name", "me", "--database-url", url])
    assert created.exit_code == 0, created.output
    assert f"created in {tmp_path / 'elsewhere.db'}" in created.stderr


def test_station_add_registers_a_station_with_a_hashed_password(lab: Path) -> None:
    data_dir = str(lab)
    # A long password: a short one can turn up by chance in the hash's random base64 salt.
    password = "correct-horse-battery-staple"
    arguments = ["station", "add", "CP-9", "--password", password, "--data-dir", data_dir]
    added = CliRunner().invoke(app, arguments)
    assert added.exit_code == 0
    database = lab / "chargeyard.db"
    assert added.stderr == (
        f"station 'CP-9' registered with an HTTP Basic password in {database}\n"
    )
    again = CliRunner().invoke(app, arguments)
    assert again.exit_code == 1
    assert again.stderr == f"station 'CP-9' is already registered in {database}\n"

    async def check() -> None:
        async with await Store.open(f"sqlite:///{lab / 'chargeyard.db'}") as store:
            station = await store.stations.get("CP-9")
            assert station is not None
            assert station.password_hash is not None
            assert password not in station.password_hash
            assert await store.stations.verify_password("CP-9", password)

    asyncio.run(check())


def test_station_list_shows_each_station_and_remove_takes_one_out(lab: Path) -> None:
    where = ["--data-dir", str(lab)]
    for arguments in (["CP-2", "--org", "acme"], ["CP-10", "--password", "a-long-password"]):
        assert CliRunner().invoke(app, ["station", "add", *arguments, *where]).exit_code == 0

    async def online(identity: str) -> None:
        async with await Store.open(f"sqlite:///{lab / 'chargeyard.db'}") as store:
            await store.stations.set_online(identity, ocpp_version=V16)

    asyncio.run(online("CP-2"))
    listed = CliRunner().invoke(app, ["station", "list", *where])
    assert listed.stdout.splitlines() == [
        "CP-10  default  offline  password     -    never booted",
        "CP-2   acme     online   no password  1.6  never booted",
    ]
    only = CliRunner().invoke(app, ["station", "list", "--org", "acme", *where])
    assert [line.split()[0] for line in only.stdout.splitlines()] == ["CP-2"]

    other = CliRunner().invoke(app, ["station", "remove", "CP-10", "--org", "acme", *where])
    assert (other.exit_code, other.stderr) == (
        1,
        f"no station 'CP-10' of organization 'acme' in {lab / 'chargeyard.db'}\n",
    )
    connected = CliRunner().invoke(app, ["station", "remove", "CP-2", *where])
    assert connected.exit_code == 1
    assert "remove it with DELETE /api/v1/chargers/CP-2 on the running CSMS" in connected.stderr
    removed = CliRunner().invoke(app, ["station", "remove", "CP-10", *where])
    assert (removed.exit_code, removed.stderr) == (
        0,
        f"station 'CP-10' removed from {lab / 'chargeyard.db'}\n",
    )
    after = CliRunner().invoke(app, ["station", "list", *where])
    assert [line.split()[0] for line in after.stdout.splitlines()] == ["CP-2"]
    again = CliRunner().invoke(app, ["station", "remove", "CP-10", *where])
    assert (again.exit_code, again.stderr) == (
        1,
        f"no station 'CP-10' in {lab / 'chargeyard.db'}\n",
    )


def test_apikey_create_prints_a_key_that_verifies_once_stored_hashed(lab: Path) -> None:
    result = CliRunner().invoke(app, ["apikey", "create", "--name", "ci", "--data-dir", str(lab)])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("cy_")
    # Where it went: a key in another directory's database than the lab's would not work.
    assert result.stderr == (
        f"admin API key 'ci' of organization 'default' created in {lab / 'chargeyard.db'};"
        " it cannot be shown again.\n"
    )

    async def check() -> None:
        async with await Store.open(f"sqlite:///{lab / 'chargeyard.db'}") as store:
            verified = await store.api_keys.verify(key)
            assert verified is not None
            assert (verified.name, verified.role, verified.organization_id) == (
                "ci",
                "admin",
                "default",
            )
            assert key not in verified.key_hash

    asyncio.run(check())


def test_apikey_list_and_revoke(lab: Path) -> None:
    where = ["--data-dir", str(lab)]
    created = CliRunner().invoke(
        app, ["apikey", "create", "--name", "screens", "--role", "viewer", *where]
    )
    assert created.exit_code == 0, created.output
    prefix = created.stdout.strip().split("_")[1]
    listed = CliRunner().invoke(app, ["apikey", "list", *where])
    [line] = listed.stdout.splitlines()
    key_id, shown_prefix, organization, role, name = line.split()[:5]
    assert (shown_prefix, organization, role, name) == (
        f"cy_{prefix}_...",
        "default",
        "viewer",
        "screens",
    )
    assert line.endswith("last used never")

    revoked = CliRunner().invoke(app, ["apikey", "revoke", key_id, *where])
    assert (revoked.exit_code, revoked.stderr) == (0, f"API key {key_id} revoked\n")
    assert CliRunner().invoke(app, ["apikey", "list", *where]).stdout == ""
    again = CliRunner().invoke(app, ["apikey", "revoke", key_id, *where])
    assert (again.exit_code, again.stderr) == (1, f"no API key with id {key_id!r}\n")


def test_apikey_create_refuses_an_unknown_role(lab: Path) -> None:
    result = CliRunner().invoke(
        app, ["apikey", "create", "--name", "x", "--role", "root", "--data-dir", str(lab)]
    )
    assert result.exit_code == 2
    assert "'root' is not one of 'platform', 'admin', 'operator', 'viewer'" in result.output


def test_apikey_create_in_an_organization_makes_it(lab: Path) -> None:
    where = ["--data-dir", str(lab)]
    created = CliRunner().invoke(
        app,
        ["apikey", "create", "--name", "acme ops", "--org", "acme", "--role", "operator", *where],
    )
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()

    async def check() -> None:
        async with await Store.open(f"sqlite:///{lab / 'chargeyard.db'}") as store:
            verified = await store.api_keys.verify(key)
            assert verified is not None
            assert (verified.organization_id, verified.role) == ("acme", "operator")
            assert await store.organizations.get("acme") is not None

    asyncio.run(check())
    too_long = CliRunner().invoke(
        app, ["apikey", "create", "--name", "x", "--org", "o" * 65, *where]
    )
    assert too_long.exit_code == 2
    assert "an organization id has 1 to 64 characters" in too_long.output


def test_csms_keeps_a_bounded_history_by_default(served: list[CsmsSettings]) -> None:
    result = CliRunner().invoke(app, ["csms"])
    assert result.exit_code == 0, result.output
    [settings] = served
    assert settings.retention == RetentionLimits()


def test_csms_is_one_process_unless_given_redis(
    served: list[CsmsSettings], served_cluster: list[ClusterOptions | None]
) -> None:
    assert CliRunner().invoke(app, ["csms"]).exit_code == 0
    named = ["csms", "--redis-url", "redis://10.0.0.5:6379/2", "--node-name", "csms-1"]
    assert CliRunner().invoke(app, named).exit_code == 0
    by_env = {"CHARGEYARD_REDIS_URL": "redis://10.0.0.5:6379/2"}
    assert CliRunner().invoke(app, ["csms"], env=by_env).exit_code == 0
    apart = {**by_env, "CHARGEYARD_REDIS_PREFIX": "lab-2:"}
    assert CliRunner().invoke(app, ["csms"], env=apart).exit_code == 0

    alone, node, unnamed, prefixed = served_cluster
    assert alone is None
    assert node == ClusterOptions("redis://10.0.0.5:6379/2", "csms-1")
    assert node.redis_prefix == "chargeyard:"
    assert unnamed is not None
    assert unnamed.redis_url == "redis://10.0.0.5:6379/2"
    assert unnamed.node  # a name of its own, never empty
    assert prefixed is not None
    assert prefixed.redis_prefix == "lab-2:"


def test_a_csms_node_s_presence_ttl_is_15_s_unless_given(
    served: list[CsmsSettings], served_cluster: list[ClusterOptions | None]
) -> None:
    node = ["csms", "--redis-url", "redis://10.0.0.5:6379/2"]
    assert CliRunner().invoke(app, node).exit_code == 0
    assert CliRunner().invoke(app, [*node, "--presence-ttl", "4"]).exit_code == 0
    by_env = {"CHARGEYARD_PRESENCE_TTL": "30"}
    assert CliRunner().invoke(app, node, env=by_env).exit_code == 0
    assert [c.presence_ttl_s for c in served_cluster if c is not None] == [15, 4, 30]

    too_short = CliRunner().invoke(app, [*node, "--presence-ttl", "2"])
    assert too_short.exit_code == 2
    assert "--presence-ttl" in too_short.output


def test_a_worker_s_presence_ttl_reaches_its_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    given: list[ClusterOptions] = []

    async def record(
        running: object, *, database_url: str, cluster: ClusterOptions, gateway: object = None
    ) -> None:
        given.append(cluster)
        raise StartupFailure("recorded")

    monkeypatch.setattr(cli_cluster, "assemble_worker", record)
    monkeypatch.setattr(cli_cluster, "configure_logging", lambda level: None)
    worker = ["worker", "--redis-url", "redis://10.0.0.5:6379/2", "--metrics-port", "0"]
    for extra in ([], ["--presence-ttl", "5"]):
        result = CliRunner().invoke(app, [*worker, *extra, "--database-url", "sqlite://"])
        assert "chargeyard worker: recorded" in result.output, result.output
    assert [cluster.presence_ttl_s for cluster in given] == [15, 5]


def test_csms_retention_and_payload_cap_are_configurable(
    served: list[CsmsSettings], stored_payload_caps: list[int]
) -> None:
    result = CliRunner().invoke(
        app,
        ["csms", "--retention-days", "7", "--max-stored-payload-chars", "4096"],
        env={"CHARGEYARD_RETENTION_MAX_ROWS": "1000"},
    )
    assert result.exit_code == 0, result.output
    [settings] = served
    assert settings.retention == RetentionLimits(max_age=timedelta(days=7), max_rows=1000)
    assert stored_payload_caps == [4096]
    result = CliRunner().invoke(app, ["csms", "--retention-days", "0", "--retention-max-rows", "0"])
    assert result.exit_code == 0, result.output
    assert served[-1].retention is None


def test_an_api_node_needs_the_cluster_s_redis() -> None:
    result = CliRunner().invoke(app, ["api"], env={"CHARGEYARD_REDIS_URL": ""})
    assert result.exit_code == 2
    assert "an API node serves a cluster" in result.output


def test_an_api_node_refuses_a_proxy_api_with_a_path_before_it_starts() -> None:
    result = CliRunner().invoke(
        app,
        ["api", "--redis-url", DEAD_REDIS, "--proxy-api", "http://127.0.0.1:9101/api/v1"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 2
    assert "a URL with a path, query or fragment" in result.output
    assert "Redis" not in result.output  # refused before it reached for anything


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            ["csms", "--port", "0", "--api-port", "0", "--database-url", UNREACHABLE_DB],
            "chargeyard csms: cannot open the database at postgresql://chargeyard@127.0.0.1:1/x:",
        ),
        (
            ["api", "--port", "0", "--database-url", UNREACHABLE_DB, "--redis-url", DEAD_REDIS],
            "chargeyard api: cannot open the database at postgresql://chargeyard@127.0.0.1:1/x:",
        ),
        (
            ["csms", "--port", "0", "--api-port", "0", "--redis-url", DEAD_REDIS],
            "chargeyard csms: Redis at 127.0.0.1:1 cannot be reached",
        ),
        (
            ["api", "--port", "0", "--redis-url", DEAD_REDIS],
            "chargeyard api: Redis at 127.0.0.1:1 cannot be reached",
        ),
        (
            ["worker", "--database-url", UNREACHABLE_DB, "--redis-url", DEAD_REDIS],
            "chargeyard worker: cannot open the database at postgresql://chargeyard@127.0.0.1:1/x:",
        ),
        (
            ["worker", "--redis-url", DEAD_REDIS],
            "chargeyard worker: Redis at 127.0.0.1:1 cannot be reached",
        ),
    ],
    ids=["csms-database", "api-database", "csms-redis", "api-redis", "worker-db", "worker-redis"],
)
def test_a_node_that_cannot_reach_a_server_it_needs_says_which_in_one_line(
    tmp_path: Path, arguments: list[str], said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The process's logging is left as it is (the command would configure it for a process).
    monkeypatch.setattr(cli_csms, "configure_logging", lambda level: None)
    monkeypatch.setattr(cli_cluster, "configure_logging", lambda level: None)
    # Each Redis client still makes its attempts (bus/redis_connection.py) and fails as it
    # would, only without the back-off between them (0.7 s of real time a client: the command
    # runs on a loop of its own), which the one line does not depend on.
    monkeypatch.setattr(redis_connection, "ExponentialBackoff", lambda **_: NoBackoff())
    result = CliRunner().invoke(
        app, [*arguments, "--data-dir", str(tmp_path)], env={"CHARGEYARD_REDIS_URL": ""}
    )
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("chargeyard ")]
    assert line.startswith(said), result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "said"),
    [
        (
            ["csms", "--ocpp-port", "{free}", "--api-port", "{taken}"],
            "chargeyard csms: the REST API cannot listen on 127.0.0.1:{taken}: the port is in use"
            "; give another with --api-port (or CHARGEYARD_API_PORT)",
        ),
        (
            ["csms", "--ocpp-port", "{taken}", "--api-port", "{free}"],
            "chargeyard csms: the OCPP listener cannot listen on 127.0.0.1:{taken}: the port is in"
            " use; give another with --ocpp-port (or CHARGEYARD_OCPP_PORT)",
        ),
        (
            # Before the cluster's Redis is even tried.
            ["api", "--api-port", "{taken}", "--redis-url", DEAD_REDIS],
            "chargeyard api: the REST API cannot listen on 127.0.0.1:{taken}: the port is in use"
            "; give another with --api-port (or CHARGEYARD_API_PORT)",
        ),
        (
            ["csms", "--ocpp-port", "{free}", "--api-port", "0", "--metrics-port", "{taken}"],
            "chargeyard csms: the metrics endpoint cannot listen on 127.0.0.1:{taken}: the port is"
            " in use; give another with --metrics-port (or CHARGEYARD_METRICS_PORT)",
        ),
        (
            ["api", "--api-port", "{free}", "--metrics-port", "{taken}", "--redis-url", DEAD_REDIS],
            "chargeyard api: the metrics endpoint cannot listen on 127.0.0.1:{taken}: the port is"
            " in use; give another with --metrics-port (or CHARGEYARD_METRICS_PORT)",
        ),
        (
            ["worker", "--metrics-port", "{taken}", "--redis-url", DEAD_REDIS],
            "chargeyard worker: the metrics endpoint cannot listen on 127.0.0.1:{taken}: the port"
            " is in use; give another with --metrics-port (or CHARGEYARD_METRICS_PORT)",
        ),
    ],
    ids=["csms-api", "csms-ocpp", "api-node", "csms-metrics", "api-metrics", "worker-metrics"],
)
def test_a_taken_port_stops_a_server_before_anything_starts_with_one_line(
    tmp_path: Path, command: list[str], said: str
) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        ports = {"free": free_port(), "taken": other.getsockname()[1]}
        done = subprocess.run(
            chargeyard(*(word.format(**ports) for word in command), "--data-dir", str(tmp_path)),
            capture_output=True,
            text=True,
            env=environment(),
            timeout=60,
        )
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [said.format(**ports)]
    assert not (tmp_path / "chargeyard.db").exists()  # nothing was started


@pytest.mark.parametrize(
    ("arguments", "env"),
    [
        (["--ocpp-port", "9100"], {}),
        (["--port", "9100"], {}),  # the older name
        ([], {"CHARGEYARD_OCPP_PORT": "9100"}),  # as for `chargeyard up`
        ([], {"CHARGEYARD_CSMS_PORT": "9100"}),
    ],
)
def test_csms_takes_its_ocpp_port_by_the_name_up_gives_it_and_by_the_older_one(
    served: list[CsmsSettings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    env: dict[str, str],
) -> None:
    for variable in ("CHARGEYARD_OCPP_PORT", "CHARGEYARD_CSMS_PORT"):
        monkeypatch.delenv(variable, raising=False)
    result = CliRunner().invoke(app, ["csms", *arguments, "--data-dir", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    assert served[-1].port == 9100


def test_the_servers_name_their_ports_alike() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    options = {
        name: {option for parameter in commands[name].params for option in parameter.opts}
        for name in ("up", "csms", "api")
    }
    assert {"--ocpp-port", "--api-port"} <= options["up"]
    assert {"--ocpp-port", "--port", "--api-port"} <= options["csms"]
    assert {"--api-port", "--port"} <= options["api"]


def test_csms_listens_on_wss_with_its_certificate_and_client_ca(
    served: list[CsmsSettings], tmp_path: Path
) -> None:
    ca = CertificateAuthority(tmp_path / "ca")
    server = ca.server("127.0.0.1")
    tls = ["--tls-cert", str(server.cert_file), "--tls-key", str(server.key_file)]
    result = CliRunner().invoke(
        app,
        ["csms", "--data-dir", str(tmp_path), *tls, "--tls-client-ca", str(ca.root_file)],
    )
    assert result.exit_code == 0, result.output
    [settings] = served
    assert settings.tls is not None
    assert settings.tls.security_profile == 3


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--tls-cert", "server.pem"], "--tls-cert needs --tls-key"),
        (["--tls-client-ca", "ca.pem"], "--tls-client-ca need --tls-cert"),
        (["--tls-cert", "missing.pem", "--tls-key", "missing.pem"], "cannot use missing.pem"),
    ],
)
def test_csms_refuses_tls_options_it_cannot_use(
    served: list[CsmsSettings], tmp_path: Path, arguments: list[str], complaint: str
) -> None:
    result = CliRunner().invoke(app, ["csms", "--data-dir", str(tmp_path), *arguments])
    assert result.exit_code == 2
    assert complaint in " ".join(result.output.split())
    assert served == []
