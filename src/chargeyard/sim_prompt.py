"""``chargeyard sim --console``: the simulator's controls at a prompt, for the stations the
fleet runs in this process.

Each line is ``IDENTITY COMMAND [FIELD=VALUE ...]`` (or ``IDENTITY COMMAND {JSON event}``):
``COMMAND`` one of the gateway's commands by its path (``plug-connector``, ``start-session``,
``power-cut``, ``jam-lock``, ``ev-state``, ``trigger-message``...; ``docs/api.md`` lists their
events), ``IDENTITY`` a station of the fleet or ``*`` for every one. A value is read as JSON
when it is one (``soc=80``, ``jammed=false``, ``evse_id=null``), else as text
(``message=Heartbeat``); a dotted field fills a nested one (``ev.model=suv-77 ev.soc=30``).
The gateway's executor checks and applies it to the station, exactly as the fleet host applies
a command that came through ``POST /ocpp/commands/...``, and the outcome is printed as one
line: ``CP-0001 ev-state: ok {...}`` or ``CP-0001 unplug-connector: failed: no cable is
plugged in EVSE 1 connector 1``. ``help`` lists the commands.

The prompt reads standard input without blocking the event loop (``loop.add_reader``): it is
an object with :meth:`SimPrompt.start` and :meth:`SimPrompt.stop`, and each command a task it
owns until its outcome is printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
from collections.abc import Callable
from typing import Any

import orjson

from chargeyard.fleet.fleet import Fleet
from chargeyard.gateway.commands import COMMANDS_BY_PATH
from chargeyard.gateway.executor import Executor, Outcome
from chargeyard.station.core import SimulatedStation

__all__ = ["PromptError", "SimPrompt", "parse_line"]

HELP = (
    "IDENTITY COMMAND [FIELD=VALUE ...] or IDENTITY COMMAND {JSON}; IDENTITY * for every"
    " station. Commands: " + ", ".join(COMMANDS_BY_PATH)
)


class PromptError(ValueError):
    """A line that names no command, or whose fields cannot be read."""


def parse_line(line: str) -> tuple[str, str, dict[str, Any]] | None:
    """(identity, command path, event) of a line; None for an empty one.

    Raises:
        PromptError: no such command, or a field that is not ``NAME=VALUE``.
    """
    text = line.strip()
    if not text:
        return None
    parts = text.split(None, 2)
    if len(parts) < 2:
        raise PromptError(f"a line is IDENTITY COMMAND [FIELD=VALUE ...] ({HELP})")
    identity, command = parts[:2]
    if command not in COMMANDS_BY_PATH:
        raise PromptError(f"no command {command!r} (known: {', '.join(COMMANDS_BY_PATH)})")
    rest_text = parts[2] if len(parts) == 3 else ""
    if rest_text.startswith("{"):
        try:
            given = orjson.loads(rest_text)
        except orjson.JSONDecodeError as error:
            raise PromptError(f"the event is not JSON: {error}") from None
        if not isinstance(given, dict):
            raise PromptError("the event is a JSON object")
        return identity, command, given
    try:
        rest = shlex.split(rest_text)
    except ValueError as error:
        raise PromptError(f"cannot read the line: {error}") from None
    event: dict[str, Any] = {}
    for field in rest:
        name, equals, value = field.partition("=")
        if not equals or not name:
            raise PromptError(f"{field!r} is not FIELD=VALUE")
        *parents, leaf = name.split(".")
        target = event
        for parent in parents:
            nested = target.setdefault(parent, {})
            if not isinstance(nested, dict):
                raise PromptError(f"{parent} is both a value and a group of fields")
            target = nested
        target[leaf] = _value(value)
    return identity, command, event


def _value(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


class SimPrompt:
    """Reads command lines from the file descriptor ``fd`` (standard input) and applies them
    to ``fleet``'s stations; ``say`` prints each answer (see the module docstring)."""

    def __init__(
        self,
        fleet: Fleet,
        say: Callable[[str], None],
        *,
        fd: int = 0,
        executor: Executor | None = None,
    ) -> None:
        self.fleet = fleet
        self.say = say
        self.fd = fd
        self.executor = executor or Executor()
        self._buffer = b""
        self._tasks: set[asyncio.Task[None]] = set()
        self._reading = False

    def start(self) -> None:
        asyncio.get_running_loop().add_reader(self.fd, self._readable)
        self._reading = True
        self.say(f"chargeyard sim console: {HELP}")

    async def stop(self) -> None:
        if self._reading:
            asyncio.get_running_loop().remove_reader(self.fd)
            self._reading = False
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _readable(self) -> None:
        chunk = os.read(self.fd, 65536)
        if not chunk:  # end of input: the stations run on, without a prompt
            asyncio.get_running_loop().remove_reader(self.fd)
            self._reading = False
            return
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self.submit(line.decode(errors="replace"))

    def submit(self, line: str) -> None:
        """Apply one line (as typed), its answers printed when they come."""
        if line.strip() == "help":
            self.say(HELP)
            return
        try:
            parsed = parse_line(line)
        except PromptError as error:
            self.say(f"? {error}")
            return
        if parsed is None:
            return
        identity, command, event = parsed
        stations = self._stations(identity)
        if not stations:
            self.say(f"? no station {identity!r} in this fleet")
            return
        for station in stations:
            task = asyncio.get_running_loop().create_task(self._apply(station, command, event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _stations(self, identity: str) -> list[SimulatedStation]:
        if identity == "*":
            return self.fleet.stations()
        with contextlib.suppress(KeyError):
            return [self.fleet.station(identity)]
        return []

    async def _apply(self, station: SimulatedStation, command: str, event: dict[str, Any]) -> None:
        event_type = COMMANDS_BY_PATH[command].event_type
        outcome = await self.executor.apply(station, event_type, event)
        self.say(f"{station.identity} {command}: {_said(outcome)}")


def _said(outcome: Outcome) -> str:
    if outcome.ok:
        return "ok " + orjson.dumps(outcome.result).decode()
    return f"failed: {outcome.error}"
