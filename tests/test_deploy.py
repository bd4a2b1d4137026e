"""``deploy/compose.yaml`` runs commands this CLI has: every chargeyard service's command and
each of its options exist, the variables the services share are ones those commands read, and
HAProxy's backends are services of the file. (Nothing here starts a container: the cluster's
processes run for real in ``tests/test_cluster_*.py``.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
import yaml

from chargeyard.cli import app

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
