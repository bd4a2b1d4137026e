"""Which central system each charger is relayed to: rules from a TOML file, tried in order,
and the default upstream after them.

```toml
[[route]]
match = "ACME-*"                      # a glob on the charger's identity (case-sensitive)
upstream = "wss://csms.acme.example/ocpp"

[[route]]
match = "CP-7"
upstream = "ws://127.0.0.1:9000/ocpp"
password = "its-basic-password"       # presented upstream for this charger instead of its own
```

A charger no rule matches goes to the default upstream (``--upstream``); without one it is
refused. An upstream is a ``ws://`` or ``wss://`` URL without the identity and without
credentials: a password belongs in ``password``, never in a URL that is shown in log lines.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from websockets.exceptions import InvalidURI
from websockets.uri import parse_uri

__all__ = ["Route", "RouteError", "Routes", "load_routes", "upstream_problem"]


class RouteError(ValueError):
    """A route, or a routes file, the proxy cannot use."""


@dataclass(frozen=True, slots=True)
class Route:
    """Chargers whose identity matches ``match`` go to ``upstream``; ``password`` (None: the
    charger's own credentials pass through) is the HTTP Basic password presented for them."""

    match: str
    upstream: str
    password: str | None = field(default=None, repr=False)

    def matches(self, identity: str) -> bool:
        return fnmatch.fnmatchcase(identity, self.match)

    def upstream_url(self, identity: str) -> str:
        """The URL the charger is relayed to: the upstream's, with the identity last (OCPP-J
        1.6 section 3.1.1, 2.0.1 part 4 section 3.2), percent-encoded where a path needs it
        (of an identity's characters, ``|`` only)."""
        return f"{self.upstream.rstrip('/')}/{quote(identity, safe='*=+@')}"


@dataclass(frozen=True, slots=True)
class Routes:
    """The rules in order, the first that matches wins; ``default`` (None: none) takes the
    rest."""

    rules: tuple[Route, ...] = ()
    default: Route | None = None

    def route_for(self, identity: str) -> Route | None:
        for rule in self.rules:
            if rule.matches(identity):
                return rule
        return self.default

    @property
    def upstreams(self) -> Sequence[str]:
        """Every upstream the proxy may forward to: the only ones it ever dials."""
        every = [rule.upstream for rule in self.rules]
        if self.default is not None:
            every.append(self.default.upstream)
        return every


def upstream_problem(url: str) -> str | None:
    """Why ``url`` cannot be an upstream, or None when it can."""
    try:
        parsed = parse_uri(url)
    except InvalidURI:
        return "not a ws:// or wss:// URL"
    if parsed.user_info is not None:
        return "an upstream URL carries no credentials (a route's password does)"
    if "?" in url or "#" in url:
        return "an upstream URL has no query or fragment: the identity goes last in its path"
    return None


def load_routes(path: Path | None, default_upstream: str | None) -> Routes:
    """The routes of the TOML file at ``path`` (None: none), then ``default_upstream``.

    Raises:
        RouteError: the file cannot be read, or a rule or the default is not usable.
    """
    default = None
    if default_upstream is not None:
        default = _route({"match": "*", "upstream": default_upstream}, "--upstream")
    if path is None:
        return Routes((), default)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RouteError(f"{path}: {error}") from None
    unknown = set(document) - {"route"}
    if unknown:
        raise RouteError(f"{path}: unknown keys {sorted(unknown)} (routes are [[route]] tables)")
    tables = document.get("route", [])
    if not isinstance(tables, list):
        raise RouteError(f"{path}: route must be an array of tables ([[route]])")
    rules = tuple(_route(table, f"{path}: route {n}") for n, table in enumerate(tables, 1))
    return Routes(rules, default)


def _route(table: Any, where: str) -> Route:
    if not isinstance(table, dict):
        raise RouteError(f"{where}: not a table")
    unknown = set(table) - {"match", "upstream", "password"}
    if unknown:
        raise RouteError(f"{where}: unknown keys {sorted(unknown)}")
    match, upstream, password = table.get("match"), table.get("upstream"), table.get("password")
    if not isinstance(match, str) or not match:
        raise RouteError(f'{where}: match must be a glob on the identity, such as "CP-*"')
    if not isinstance(upstream, str):
        raise RouteError(f"{where}: upstream must be a ws:// or wss:// URL")
    problem = upstream_problem(upstream)
    if problem is not None:
        raise RouteError(f"{where}: {problem}")
    if password is not None and not isinstance(password, str):
        raise RouteError(f"{where}: password must be a string")
    return Route(match, upstream, password)
