"""``deploy/compose.yaml`` runs commands this CLI has: every chargeyard service's command and
each of its options exist, the variables the services share are ones those commands read,
HAProxy's backends are services of the file, the API nodes share one secret and point chargers
at the balancer, Prometheus scrapes every process. Nothing here starts a container: the last
test runs the services' commands as processes of this machine, with the same flags and
environment, on the test's own PostgreSQL database and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import typer
import yaml
from prometheus_client.parser import text_string_to_metric_families

from chargeyard.cli import app
from tests.cluster import chargers_accepted, command_succeeded, create_charger, shared_out
from tests.polling import eventually
from tests.ports import free_port
from tests.processes import chargeyard, environment

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return document


def _cli() -> Any:
    """The CLI's command group (typer's own click: only its attributes are read)."""
    return typer.main.get_command(app)


def _chargeyard_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in _compose()["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def test_the_cluster_has_its_servers_and_two_of_each_node() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "haproxy"} <= set(services)
    commands = sorted(service["command"][0] for service in _chargeyard_services().values())
    assert commands == ["api", "api", "csms", "csms", "worker", "worker"]


def test_every_service_s_command_and_options_exist_in_the_cli() -> None:
    cli = _cli()
    for name, service in _chargeyard_services().items():
        command_name, *arguments = service["command"]
        command = cli.commands.get(command_name)
        assert command is not None, f"{name}: chargeyard has no command {command_name!r}"
        options = {flag for parameter in command.params for flag in parameter.opts}
        given = [argument for argument in arguments if argument.startswith("--")]
        assert set(given) <= options, f"{name}: unknown options {set(given) - options}"
        read = {variable for parameter in command.params for variable in _envvars(parameter)}
        shared = set(service["environment"])
        assert shared <= read, f"{name}: {command_name} reads none of {shared - read}"


def test_haproxy_sends_to_services_of_the_file() -> None:
    config = (DEPLOY / "haproxy.cfg").read_text()
    servers = set(re.findall(r"^\s*server \S+ ([\w-]+):\d+", config, re.MULTILINE))
    listeners = {
        name
        for name, service in _chargeyard_services().items()
        if service["command"][0] in {"csms", "api"}
    }
    assert servers == listeners
    volumes = _compose()["services"]["haproxy"]["volumes"]
    assert any(volume.startswith("./haproxy.cfg:") for volume in volumes)


def _envvars(parameter: Any) -> list[str]:
    envvar = getattr(parameter, "envvar", None)
    if envvar is None:
        return []
    return [envvar] if isinstance(envvar, str) else list(envvar)


def test_the_api_nodes_send_chargers_to_the_balancer_in_front_of_the_csms_nodes() -> None:
    """A worker's charger dials the API nodes' --ocpp-url from the worker's own container:
    the balancer's service and OCPP port, never 127.0.0.1 (the worker itself)."""
    services = _compose()["services"]
    config = (DEPLOY / "haproxy.cfg").read_text()
    ocpp_frontend = re.search(r"frontend ocpp\n(?:\s+.*\n)*?\s+bind :(\d+)", config)
    assert ocpp_frontend is not None
    for name, service in _chargeyard_services().items():
        if service["command"][0] != "api":
            continue
        url = urlsplit(_option(service["command"], "--ocpp-url"))
        assert url.hostname in services, name
        assert "haproxy" in services[url.hostname]["image"], name
        assert str(url.port) == ocpp_frontend.group(1), name
        assert url.path == "/ocpp", name


def test_every_api_node_reads_the_one_secret_file_of_the_cluster() -> None:
    compose = _compose()
    secret_files = {
        name: service["environment"].get("CHARGEYARD_JWT_SECRET_FILE")
        for name, service in _chargeyard_services().items()
        if service["command"][0] == "api"
    }
    assert set(secret_files.values()) == {"/run/secrets/jwt-secret"}, secret_files
    assert compose["secrets"]["jwt-secret"]["file"] == "./jwt-secret"
    for name in secret_files:
        assert compose["services"][name]["secrets"] == ["jwt-secret"]


def test_prometheus_scrapes_every_process_s_metrics_port() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    expected = {
        f"{name}:{_option(service['command'], '--metrics-port')}"
        for name, service in _chargeyard_services().items()
    }
    assert targets == expected
    prometheus = _compose()["services"]["prometheus"]
    assert any(volume.startswith("./prometheus.yml:") for volume in prometheus["volumes"])


def _option(command: list[str], option: str) -> str:
    assert option in command, f"{command[0]} is not given {option}"
    return command[command.index(option) + 1]


# The compose file's commands run as processes here, with the same flags and environment: the
# servers' names (postgres, redis, haproxy, the services) become this machine's, the ports
# free ones, the Docker secret a file of the test's.


@dataclass
class ServiceProcess:
    """One service of the compose file as a process of this machine, in a directory of its
    own (a container's fresh working directory: no ./data of another)."""

    name: str
    arguments: list[str]
    env: dict[str, str]
    directory: Path
    process: asyncio.subprocess.Process | None = None

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{_option(self.arguments, '--metrics-port')}/metrics"

    @property
    def log(self) -> Path:
        return self.directory / "log"

    async def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = await asyncio.create_subprocess_exec(
                *chargeyard(*self.arguments),
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                env=self.env,
                start_new_session=True,
            )

    async def ready(self, client: httpx.AsyncClient) -> bool:
        assert self.process is not None
        assert self.process.returncode is None, f"{self.name} ended:\n{self.log.read_text()}"
        try:
            return (await client.get(self.metrics_url)).status_code == 200
        except httpx.TransportError:
            return False

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()


@dataclass
class LocalCluster:
    """The compose file's services as processes; ``ports`` maps (service, port in the
    file) to the port of this machine."""

    services: dict[str, ServiceProcess]
    ports: dict[tuple[str, int], int]
    haproxy_config: str
    secrets: Path
    """Where the Docker secrets are (``/run/secrets`` in a container)."""

    def env_of(self, service: dict[str, Any], database: str, redis: str) -> dict[str, str]:
        given = {str(name): str(value) for name, value in service["environment"].items()}
        replaced = {
            "CHARGEYARD_DATABASE_URL": database,
            "CHARGEYARD_REDIS_URL": redis,
            **{
                name: str(self.secrets / value.removeprefix("/run/secrets/"))
                for name, value in given.items()
                if value.startswith("/run/secrets/")
            },
        }
        unknown = set(given) - set(replaced)
        assert not unknown, f"the test does not know how to run with {unknown}"
        return {**environment(), **replaced}


def local_cluster(tmp_path: Path, database: str, redis: str, secret: str) -> LocalCluster:
    compose = _compose()
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, source in compose["secrets"].items():
        assert source["file"] == f"./{name}"
        (secrets / name).write_text(f"{secret}\n")
    ports: dict[tuple[str, int], int] = {}
    config = (DEPLOY / "haproxy.cfg").read_text()
    for port in re.findall(r"^\s*bind :(\d+)", config, re.MULTILINE):
        ports["haproxy", int(port)] = free_port()
    cluster = LocalCluster({}, ports, config, secrets)
    for name, service in _chargeyard_services().items():
        command = [str(argument) for argument in service["command"]]
        for option in ("--port", "--metrics-port"):
            if option in command:
                at = command.index(option) + 1
                ports[name, int(command[at])] = free_port()
                command[at] = str(ports[name, int(command[at])])
        cluster.services[name] = ServiceProcess(
            name, command, cluster.env_of(service, database, redis), tmp_path / name
        )
    for process in cluster.services.values():  # addresses: this machine's
        command = process.arguments
        for at, argument in enumerate(command):
            if argument == "0.0.0.0":
                command[at] = "127.0.0.1"
            elif command[at - 1] == "--ocpp-url":
                url = urlsplit(argument)
                assert url.hostname is not None
                assert url.port is not None
                local = ports[url.hostname, url.port]
                command[at] = url._replace(netloc=f"127.0.0.1:{local}").geturl()

    def server(match: re.Match[str]) -> str:
        return f"{match[1]}127.0.0.1:{ports[match[2], int(match[3])]}"

    config = re.sub(r"^(\s*server \S+ )([\w-]+):(\d+)", server, config, flags=re.MULTILINE)
    config = re.sub(
        r"^(\s*bind ):(\d+)",
        lambda match: f"{match[1]}127.0.0.1:{ports['haproxy', int(match[2])]}",
        config,
        flags=re.MULTILINE,
    )
    cluster.haproxy_config = config
    (tmp_path / "haproxy.cfg").write_text(config)
    for directory in ("run-apikey", "run-token", *cluster.services):
        (tmp_path / directory).mkdir()
    return cluster


def haproxy_binary() -> str:
    """Debian's haproxy (CI installs it, ``.ci/run``); the test is skipped without it."""
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(binary).exists():
        if os.environ.get("CHARGEYARD_TEST_HAPROXY") == "required":
            raise AssertionError("haproxy is not installed (CI installs it: .ci/run)")
        pytest.skip("needs haproxy: apt-get install haproxy")
    return binary


async def compose_run(service: ServiceProcess, directory: Path, *arguments: str) -> str:
    """``docker compose run --rm SERVICE ARGUMENTS``: a one-off command with the service's
    environment, in a fresh container (``directory``, empty); its output."""
    process = await asyncio.create_subprocess_exec(
        *chargeyard(*arguments),
        cwd=directory,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=service.env,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode().strip()


async def created_stopped(
    client: httpx.AsyncClient, base_url: str, identity: str, ws_url: str
) -> str:
    """A durable simulated 1.6 charger created stopped through the gateway API; its id."""
    created = await client.post(
        f"{base_url}/ocpp/chargers",
        json={
            "identity": identity,
            "brand_slug": "alfen",
            "model_slug": "eve-single-pro-line",
            "connector_type": "Type2",
            "ws_url": ws_url,
            "ocpp_version": "ocpp1.6",
            "start": False,
        },
    )
    assert created.status_code == 202, created.text
    charger_id: str = created.json()["charger_id"]
    return charger_id


def node_labels(text: str) -> set[str | None]:
    return {
        sample.labels.get("node")
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def gauge(text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                return float(sample.value)
    return None


@pytest.mark.slow
async def test_the_compose_file_s_commands_run_as_one_cluster(
    tmp_path: Path, cluster_database: str, cluster_redis: str
) -> None:
    """Its services' commands as processes with the same flags: a token `token create` makes
    in a fresh container is accepted by every API node, through the balancer every time;
    chargers made through the API reach the CSMS nodes at the API's --ocpp-url, one made
    stopped starts at the first ask and one made to run takes a command at once; every process
    serves its own metrics labelled with its node, the API node counting the stations online
    at the CSMS nodes rather than reporting 0."""
    haproxy = haproxy_binary()
    cluster = local_cluster(tmp_path, cluster_database, cluster_redis, secret="c" * 48)
    services = cluster.services
    api_1 = services["api-1"]
    # The compose file's first steps: an API key (this also migrates the database, once).
    api_key = await compose_run(api_1, tmp_path / "run-apikey", "apikey", "create", "--name", "me")
    balancer = await asyncio.create_subprocess_exec(
        haproxy,
        "-db",
        "-f",
        str(tmp_path / "haproxy.cfg"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            await asyncio.gather(*(service.start() for service in services.values()))
            for service in services.values():
                await eventually(functools.partial(service.ready, client), within=60, every=0.2)
            token = await compose_run(
                api_1,
                tmp_path / "run-token",
                *("token", "create", "--org", "deploy", "--role", "operator"),
            )
            bearer = {"Authorization": f"Bearer {token}"}
            for name in ("api-1", "api-2"):
                port = _option(services[name].arguments, "--port")
                answer = await client.get(f"http://127.0.0.1:{port}/ocpp/chargers", headers=bearer)
                assert answer.status_code == 200, (name, answer.text)
            through = f"http://127.0.0.1:{cluster.ports['haproxy', 8000]}"

            async def balanced() -> bool:
                try:
                    answer = await client.get(f"{through}/ocpp/chargers", headers=bearer)
                except httpx.TransportError:
                    return False
                return answer.status_code != 503  # the balancer's first health checks

            await eventually(balanced, within=15, every=0.2)
            statuses = [
                (await client.get(f"{through}/ocpp/chargers", headers=bearer)).status_code
                for _ in range(4)
            ]
            assert statuses == [200] * 4

            # Chargers made with the URL the API gives stations reach the CSMS nodes. One made
            # stopped is started at the first ask, through either API node; one made to run
            # takes a command sent at once (it waits for its worker to start it).
            ocpp_url = _option(api_1.arguments, "--ocpp-url")
            client.headers.update(bearer)
            stopped = await created_stopped(client, through, "DEPLOY-1", ocpp_url)
            started = await client.post(f"{through}/ocpp/chargers/{stopped}/start-charger")
            assert started.status_code == 200, started.text
            to_run = await create_charger(client, through, "DEPLOY-2", ocpp_url)
            sent = await client.post(
                f"{through}/ocpp/commands/plug-connector",
                json={"target": {"charger_id": to_run}, "event": {}},
            )
            assert sent.status_code == 202, sent.text
            assert sent.json()["queued_count"] == 1, sent.text
            command_id = sent.json()["results"][0]["command"]["id"]
            await eventually(
                functools.partial(command_succeeded, client, through, command_id), within=30
            )
            chargers = [stopped, to_run]
            # (both started on the worker that took the requests: one is handed to the other)
            await eventually(
                functools.partial(shared_out, cluster_database, chargers, 2), within=30
            )
            try:
                await eventually(
                    lambda: chargers_accepted(client, through, chargers), within=30, every=0.3
                )
            except TimeoutError:
                shown = [(await client.get(f"{through}/ocpp/chargers/{c}")).text for c in chargers]
                raise AssertionError(f"not accepted: {shown}") from None

            scraped = {
                name: (await client.get(service.metrics_url)).text
                for name, service in services.items()
            }
            for name, text in scraped.items():
                assert node_labels(text) == {name}, name
            connected = sum(
                gauge(scraped[name], "chargeyard_csms_stations_connected", ocpp_version="1.6") or 0
                for name in ("csms-1", "csms-2")
            )
            assert connected == len(chargers)
            for name in ("api-1", "api-2"):
                assert gauge(scraped[name], "chargeyard_csms_stations_connected") is None
                online = gauge(scraped[name], "chargeyard_stations_online", ocpp_version="1.6")
                assert online == len(chargers), name
            fleets = sum(
                gauge(scraped[name], "chargeyard_fleet_stations") or 0
                for name in ("worker-1", "worker-2")
            )
            assert fleets == len(chargers)
            assert api_key.startswith("cy_")
    finally:
        await asyncio.gather(*(service.stop() for service in services.values()))
        if balancer.returncode is None:
            balancer.terminate()
            await balancer.wait()
