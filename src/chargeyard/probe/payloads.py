"""Payloads from the official JSON schemas: a valid one for any action, and that payload broken
by one schema rule at a time.

Theory of operation
-------------------
:func:`valid_payload` walks an action's request schema (the ``ocpp`` package's, through
``VersionSpec.schemas``) and writes a value for every required property, and, when given a
random generator, for some optional ones too (vendor ``customData`` left out), each value the
least its type allows: the first enumerated word (or a seeded pick), the minimum, a short
string within its length, an RFC 3339 time for a ``date-time``.

:func:`mutations` then breaks that payload by one :class:`Rule` at a time, at a place the
seeded generator picks among those where the rule applies, and keeps a mutation only when the
schema validator refuses it (so every case the probe sends is a real violation, named by the
keyword the validator reports). The same seed gives the same payloads and the same places.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chargeyard.protocol import OcppError, VersionSpec

Path = tuple[str | int, ...]

_TIME = "2026-01-01T00:00:00Z"
_TEXT = "probe"
_DEPTH = 6  # optional properties are written down to this depth; required ones always
_SKIPPED = frozenset({"customData"})  # vendor extensions: no part of a message's shape
EXTRA_FIELD = "probeExtraField"


class Rule(StrEnum):
    """How a mutation breaks a valid payload."""

    MISSING = "missing required field"
    WRONG_TYPE = "wrong type"
    BAD_ENUM = "value outside its enumeration"
    OUT_OF_RANGE = "value out of range"
    TOO_LONG = "string longer than its type allows"
    BAD_FORMAT = "date-time not RFC 3339"
    EXTRA_FIELD = "extra field where additionalProperties is false"

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True, slots=True)
class Mutation:
    """A payload broken by one rule. ``path``: where (a property, or the object a property
    was added to or taken from); ``keyword``: the JSON-schema keyword the validator reports."""

    action: str
    rule: Rule
    path: str
    payload: dict[str, Any]
    keyword: str


class _Schema:
    """One request schema, its ``$ref``s resolved in its ``definitions``."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.root = schema
        self._definitions: dict[str, Any] = schema.get("definitions", {})

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            return self.node(self._definitions[ref.removeprefix("#/definitions/")])
        return node


def valid_payload(
    version: VersionSpec, action: str, rng: random.Random | None = None
) -> dict[str, Any]:
    """A payload of ``action`` the schema accepts: required properties only, or with ``rng``
    some optional ones too, and seeded picks among enumerated words."""
    schema = _Schema(version.schemas.request_schema(action))
    payload = _value(schema, schema.root, rng, 0)
    assert isinstance(payload, dict)
    return payload


def _value(schema: _Schema, raw: dict[str, Any], rng: random.Random | None, depth: int) -> Any:
    node = schema.node(raw)
    if "enum" in node:
        return rng.choice(node["enum"]) if rng is not None else node["enum"][0]
    kind = node.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object" or "properties" in node:
        required = set(node.get("required", ()))
        value: dict[str, Any] = {}
        for name, child in node.get("properties", {}).items():
            wanted = name in required or (
                rng is not None and depth < _DEPTH and name not in _SKIPPED and rng.random() < 0.5
            )
            if wanted:
                value[name] = _value(schema, child, rng, depth + 1)
        return value
    if kind == "array":
        count = max(node.get("minItems", 1), 1)
        return [_value(schema, node.get("items", {}), rng, depth + 1) for _ in range(count)]
    if kind == "integer":
        return _number(node, 1)
    if kind == "number":
        return _number(node, 1)
    if kind == "boolean":
        return rng.random() < 0.5 if rng is not None else False
    if kind == "string":
        if node.get("format") == "date-time":
            return _TIME
        longest = node.get("maxLength", len(_TEXT))
        return (_TEXT * 8)[: max(min(longest, len(_TEXT)), node.get("minLength", 1))]
    return _TEXT  # no type: any value does (2.0.1 DataTransfer's data)


def _number(node: dict[str, Any], default: int) -> int:
    low = node.get("minimum")
    high = node.get("maximum")
    value = default if low is None else max(default, int(low))
    return value if high is None else min(value, int(high))


@dataclass(frozen=True, slots=True)
class _Site:
    """A place in a payload: ``path`` to it, its schema node, and (for a property) the node of
    the object that holds it."""

    path: Path
    node: dict[str, Any]


def _sites(schema: _Schema, raw: dict[str, Any], value: Any, path: Path) -> Iterator[_Site]:
    node = schema.node(raw)
    yield _Site(path, node)
    if isinstance(value, dict):
        for name, child in node.get("properties", {}).items():
            if name in value:
                yield from _sites(schema, child, value[name], (*path, name))
    elif isinstance(value, list) and value:
        yield from _sites(schema, node.get("items", {}), value[0], (*path, 0))


def _kind(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    if isinstance(kind, list):
        return str(kind[0])
    if kind is None and "properties" in node:
        return "object"
    return None if kind is None else str(kind)


_WRONG = {
    "string": 42,
    "integer": "42",
    "number": "4.2",
    "boolean": "true",
    "object": _TEXT,
    "array": _TEXT,
}


def _broken(rule: Rule, site: _Site, rng: random.Random) -> tuple[Path, Any] | None:
    """Where and how ``rule`` breaks the value at ``site`` (None: it does not apply there);
    for MISSING and EXTRA_FIELD the path names the property taken out or put in."""
    node, kind = site.node, _kind(site.node)
    if rule is Rule.MISSING and kind == "object" and node.get("required"):
        return (*site.path, rng.choice(sorted(node["required"]))), None
    if rule is Rule.EXTRA_FIELD and kind == "object" and node.get("additionalProperties") is False:
        return (*site.path, EXTRA_FIELD), _TEXT
    if not site.path:
        return None
    if rule is Rule.WRONG_TYPE and kind in _WRONG and "enum" not in node:
        return site.path, _WRONG[kind]
    if rule is Rule.BAD_ENUM and "enum" in node:
        return site.path, "ProbeNoSuchValue"
    if rule is Rule.OUT_OF_RANGE and kind in ("integer", "number"):
        if "minimum" in node:
            return site.path, node["minimum"] - 1
        if "maximum" in node:
            return site.path, node["maximum"] + 1
    if rule is Rule.TOO_LONG and kind == "string" and "maxLength" in node:
        return site.path, "x" * (node["maxLength"] + 1)
    if rule is Rule.BAD_FORMAT and node.get("format") == "date-time":
        return site.path, "yesterday at noon"
    return None


def _apply(payload: dict[str, Any], rule: Rule, path: Path, value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(payload)
    holder: Any = broken
    for part in path[:-1]:
        holder = holder[part]
    if rule is Rule.MISSING:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return broken


def mutations(version: VersionSpec, action: str, rng: random.Random) -> list[Mutation]:
    """``action``'s payload broken by each :class:`Rule` that applies to it, one place each,
    picked by ``rng``; a mutation the schema still accepts is left out."""
    schema = _Schema(version.schemas.request_schema(action))
    payload = valid_payload(version, action, rng)
    sites = list(_sites(schema, schema.root, payload, ()))
    found: list[Mutation] = []
    for rule in Rule:
        places = [place for site in sites if (place := _broken(rule, site, rng)) is not None]
        rng.shuffle(places)
        for path, value in places:
            broken = _apply(payload, rule, path, value)
            try:
                version.schemas.check_request(action, broken)
            except OcppError as error:
                keyword = str(error.details.get("keyword", ""))
                shown = "/" + "/".join(map(str, path))
                found.append(Mutation(action, rule, shown, broken, keyword))
                break
    return found
