"""The ``chargeyard`` command. Every option also reads an environment variable (shown in
``--help``), so a deployment can be configured without flags.

Each sub-command lives in a module of its own (``cli_*.py``), imported only when that command
runs or shows its help: ``chargeyard --help`` and ``chargeyard version`` load none of the
server's libraries (the API framework, the database toolkit, the station models), which take
a second or more to import."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperGroup

from chargeyard import __version__
from chargeyard.collector import paused_for_imports
from chargeyard.quick_exit import exit_now


@dataclass(frozen=True, slots=True)
class _Lazy:
    """A sub-command found at ``module:attribute``: a function (one command) or a
    ``typer.Typer`` (a group of them); ``summary`` is its line in ``chargeyard --help``."""

    module: str
    attribute: str
    summary: str


_COMMANDS = {
    "csms": _Lazy(
        "chargeyard.cli_csms",
        "csms",
        "Only the central system: the OCPP listener and the REST API.",
    ),
    "up": _Lazy(
        "chargeyard.cli_up", "up", "The whole lab: CSMS, simulated chargers, API and dashboard."
    ),
    "sim": _Lazy(
        "chargeyard.cli_sim", "sim", "A fleet of simulated stations against any central system."
    ),
    "version": _Lazy(
        "chargeyard.cli", "version", "Chargeyard's version and the OCPP versions it accepts."
    ),
    "api": _Lazy(
        "chargeyard.cli_cluster",
        "api",
        "An API node of a cluster: the REST API, no listener of its own.",
    ),
    "worker": _Lazy(
        "chargeyard.cli_cluster",
        "worker",
        "A worker of a cluster: a share of the gateway's chargers.",
    ),
    "apikey": _Lazy(
        "chargeyard.cli_credentials",
        "apikey_app",
        "API keys for the REST API (X-API-Key), stored hashed.",
    ),
    "conformance": _Lazy(
        "chargeyard.cli_conformance",
        "conformance_app",
        "Judge a CSMS or a charging station by the OCPP test cases.",
    ),
    "probe": _Lazy(
        "chargeyard.cli_probe",
        "probe",
        "Negative tests: malformed and hostile input against a CSMS, judged by OCPP-J.",
    ),
    "proxy": _Lazy(
        "chargeyard.cli_proxy",
        "proxy",
        "Relay real chargers to a real CSMS and record every frame as a trace.",
    ),
    "trace": _Lazy(
        "chargeyard.cli_trace",
        "trace_app",
        "Traces of a charger's OCPP frames: export from the lab, import a plain log.",
    ),
    "replay": _Lazy(
        "chargeyard.cli_trace",
        "replay",
        "Play a trace against any CSMS and diff its answers with the recorded ones.",
    ),
    "station": _Lazy(
        "chargeyard.cli_stations", "station_app", "Stations the CSMS lets in: add, list, remove."
    ),
    "mcp": _Lazy(
        "chargeyard.cli_mcp",
        "mcp",
        "The lab as MCP tools for an AI agent, over its REST API.",
    ),
    "token": _Lazy(
        "chargeyard.cli_credentials",
        "token_app",
        "Bearer tokens (JWT) for the simulator gateway under /ocpp.",
    ),
}


def _load(name: str, lazy: _Lazy) -> Any:
    """The Click command ``name`` (Typer's own copy of Click), its module imported now (with
    the collector held off: ``collector.py``)."""
    with paused_for_imports():
        target = getattr(importlib.import_module(lazy.module), lazy.attribute)
    # A group of one sub-command, so that Typer keeps the command's name (it runs a lone
    # command as the program itself); help as plain Click text, as the app's.
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    holder.callback()(lambda: None)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name, short_help=lazy.summary)
    else:
        holder.command(name, short_help=lazy.summary)(target)
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


class _Commands(MutableMapping[str, Any]):
    """The app's sub-commands by name, each loaded the first time it is looked up."""

    def __init__(self) -> None:
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            self._loaded[name] = _load(name, _COMMANDS[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        raise TypeError("chargeyard's sub-commands are listed in cli._COMMANDS")

    def __delitem__(self, name: str) -> None:
        raise TypeError("chargeyard's sub-commands are listed in cli._COMMANDS")

    def __iter__(self) -> Iterator[str]:
        return iter(_COMMANDS)

    def __len__(self) -> int:
        return len(_COMMANDS)

    def __contains__(self, name: object) -> bool:
        return name in _COMMANDS


class _LazyGroup(TyperGroup):
    """The app's group: sub-commands from :data:`_COMMANDS`, listed in ``--help`` by their
    summaries without importing them."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands()

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, lazy.summary) for name, lazy in _COMMANDS.items()])


app = typer.Typer(
    name="chargeyard",
    cls=_LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    # Click's plain help, not Rich's tables: it wraps every column at the terminal's width
    # (80 in a pipe) and never cuts an option name, an environment variable or a URL short.
    rich_markup_mode=None,
)


@app.callback()
def _chargeyard() -> None:
    """An OCPP lab: simulated charge stations and a central system (CSMS)."""


def version() -> None:
    """Chargeyard's version and the OCPP versions it accepts.

    The simulated stations speak 1.6 and 2.0.1; the protocol core and the central system also
    accept 2.1 (with the 2.0.1 handlers)."""
    from chargeyard.protocol import VERSIONS

    typer.echo(f"chargeyard {__version__}")
    typer.echo(
        "OCPP: " + ", ".join(f"{spec.name} ({spec.subprotocol})" for spec in VERSIONS.values())
    )


def main() -> None:
    """The ``chargeyard`` program: the command the arguments name, then an exit that leaves
    the interpreter's teardown to the operating system (``quick_exit.py``). An exception that
    escapes the command ends the process the usual way, with its traceback."""
    try:
        app()
    except SystemExit as done:
        exit_now(done.code)
    exit_now(0)


if __name__ == "__main__":  # pragma: no cover
    main()
