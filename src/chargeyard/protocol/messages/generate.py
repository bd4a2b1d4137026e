"""Writes ``v16.py``, ``v201.py`` and ``v21.py`` beside this file: a TypedDict for every message
payload of each OCPP version, read from the official JSON schemas that
:mod:`chargeyard.protocol.schemas` validates against (``VersionSpec.schemas``)::

    python -m chargeyard.protocol.messages.generate          # write the modules
    python -m chargeyard.protocol.messages.generate --check  # exit 1 when one is stale

How a schema becomes types:

* an action's request is ``<Action>Request`` and its answer ``<Action>Response`` in every
  version (1.6's files are ``Reset.json`` and ``ResetResponse.json``; 2.1's SEND
  NotifyPeriodicEventStream is ``NotifyPeriodicEventStreamRequest`` and has no answer);
* an object is a TypedDict whose keys are its properties, in the schema's order: a key its
  ``required`` names is plain, any other ``NotRequired``. One that allows no other keys
  (``"additionalProperties": false``: all but ``CustomDataType``) is ``@final``, which tells
  the type checker that a key it lacks is absent (``"requestId" in payload`` then tells a
  2.0.1 FirmwareStatusNotification from a 1.6 one);
* an enumeration is an alias of a ``Literal``;
* a definition (``#/definitions/X``) keeps its name. An object or enumeration written inline
  (1.6's) is named after its property in PascalCase (``sampledValue`` -> ``SampledValue``,
  ``measurand`` -> ``Measurand``), preceded by the name of the type that holds it wherever
  inline schemas that differ would share a name: every 1.6 ``status`` (``IdTagInfoStatus``,
  ``BootNotificationResponseStatus``), and the samples of MeterValues and StopTransaction, whose
  units differ by Hertz (``MeterValueSampledValue``, ``TransactionDataSampledValue``);
* string, integer, number and boolean are ``str``, ``int``, ``float`` and ``bool``; an array is
  a ``list``; a value the schema leaves untyped (DataTransfer's ``data`` in 2.x) is ``object``.

A name is one type in a version. The 2.x schemas repeat a shared definition in every file that
uses it (``IdTokenType`` in a dozen), and the copies are one type when they agree in all but
their prose (``description``, ``javaType``, ``comment``); two different schemas under one name
stop the generation with :class:`SchemaConflict`. Types come out sorted (the enumerations by
name, then every TypedDict after the ones it uses) and formatted as ``ruff format`` writes them,
so the output of a set of schemas is always the same text.

What a type cannot say stays with the schema check of every payload (``schemas.py``): string
lengths, ranges, formats, item counts and the vendor keys ``CustomDataType`` allows.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from chargeyard.protocol.schemas import SchemaSet
from chargeyard.protocol.versions import V16, V21, V201, VERSIONS, VersionSpec, VersionTable

# The module each version's types are written to, beside this file.
MODULES: VersionTable[str] = VersionTable(
    "generated message types", {V16: "v16", V201: "v201", V21: "v21"}
)

LINE_LENGTH = 100  # pyproject.toml's [tool.ruff] line-length

# Keywords that document a schema and do not change what it accepts.
_PROSE = frozenset({"$comment", "$id", "$schema", "comment", "description", "javaType", "title"})
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_DEFINITION = "#/definitions/"

# An annotation: a name, or a subscript (``list[X]``, ``Literal["a", "b"]``) with its arguments.
_Annotation = str | tuple[str, tuple["_Annotation", ...]]


class SchemaConflict(ValueError):
    """Two different schemas under one type name in one version, or a schema the generator
    cannot express."""


class _InlineClash(Exception):
    """An inline schema's name is taken by a different schema: it is named again, after the
    type holding it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class _Type:
    name: str
    origin: str  # the schema file that first defined it
    shape: str  # its schema without prose, as canonical JSON: what copies are compared by
    lines: tuple[str, ...]
    uses: tuple[str, ...]  # the types it names, sorted
    is_alias: bool
    inline: str | None  # the name its property gave an inline schema, else None


class _Version:
    """The types of one version, gathered schema by schema.

    Args:
        qualified: the names of inline schemas that are named after their holder too.
    """

    def __init__(self, qualified: frozenset[str]) -> None:
        self.types: dict[str, _Type] = {}
        self._qualified = qualified
        self._pending: set[str] = set()

    def message(self, name: str, schema: Mapping[str, Any], origin: str) -> None:
        self._define(name, schema, schema.get("definitions", {}), origin)

    def _define(
        self,
        name: str,
        schema: Mapping[str, Any],
        definitions: Mapping[str, Any],
        origin: str,
        inline: str | None = None,
    ) -> None:
        shape = json.dumps(_without_prose(schema), sort_keys=True)
        known = self.types.get(name)
        if known is not None:
            if known.shape == shape:
                return
            for clashing in (inline, known.inline):
                if clashing is not None and clashing not in self._qualified:
                    raise _InlineClash(clashing)
            raise SchemaConflict(
                f"two different schemas are named {name}: in {known.origin} and in {origin}"
            )
        if name in self._pending:
            raise SchemaConflict(f"{name} in {origin} contains itself")
        self._pending.add(name)
        uses: set[str] = set()
        if "enum" in schema:
            lines = _statement(f"{name} = ", _literal(schema, name, origin), 0)
            is_alias = True
        elif schema.get("type") == "object":
            lines = [f"class {name}(TypedDict):"]
            if schema.get("additionalProperties", True) is False:
                lines.insert(0, "@final")
            required = set(schema.get("required", ()))
            properties: Mapping[str, Any] = schema.get("properties", {})
            if missing := required - set(properties):
                raise SchemaConflict(f"{name} in {origin} requires unknown keys {sorted(missing)}")
            for key, value in properties.items():
                annotation = self._annotation(name, key, value, definitions, origin, uses)
                if key not in required:
                    annotation = ("NotRequired", (annotation,))
                lines += _statement(f"{key}: ", annotation, 4)
            if not properties:
                lines.append("    pass")
            is_alias = False
        else:
            raise SchemaConflict(f"{name} in {origin} is neither an object nor an enumeration")
        self._pending.discard(name)
        self.types[name] = _Type(
            name, origin, shape, tuple(lines), tuple(sorted(uses)), is_alias, inline
        )

    def _annotation(
        self,
        owner: str,
        key: str,
        schema: Mapping[str, Any],
        definitions: Mapping[str, Any],
        origin: str,
        uses: set[str],
    ) -> _Annotation:
        if "$ref" in schema:
            reference: str = schema["$ref"]
            name = reference.removeprefix(_DEFINITION)
            if name == reference or name not in definitions:
                raise SchemaConflict(f"{origin}: cannot resolve {reference!r}")
            self._define(name, definitions[name], definitions, origin)
            uses.add(name)
            return name
        kind = schema.get("type")
        if kind is None:
            return "object"
        if kind == "object" or "enum" in schema:
            inline = key[:1].upper() + key[1:]
            name = owner + inline if inline in self._qualified else inline
            self._define(name, schema, definitions, origin, inline)
            uses.add(name)
            return name
        if kind == "array":
            items = schema["items"]
            return ("list", (self._annotation(owner, key, items, definitions, origin, uses),))
        if isinstance(kind, str) and kind in _SCALARS:
            return _SCALARS[kind]
        raise SchemaConflict(f"{origin}: {key} has a type the generator does not know: {kind!r}")


def _without_prose(node: Any) -> Any:
    """A schema without the keywords that only document it (not inside ``properties``, whose
    keys are the payload's: a property may be called ``description``)."""
    if isinstance(node, list):
        return [_without_prose(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: (
            {name: _without_prose(value) for name, value in node[key].items()}
            if key in ("properties", "definitions")
            else _without_prose(node[key])
        )
        for key in node
        if key not in _PROSE
    }


def _literal(schema: Mapping[str, Any], name: str, origin: str) -> _Annotation:
    values = schema["enum"]
    if not values or not all(isinstance(value, str) for value in values):
        raise SchemaConflict(f"{origin}: {name} is an enumeration of other values than strings")
    return ("Literal", tuple(json.dumps(value) for value in values))


def _flat(annotation: _Annotation) -> str:
    if isinstance(annotation, str):
        return annotation
    head, arguments = annotation
    return f"{head}[{', '.join(_flat(argument) for argument in arguments)}]"


def _statement(prefix: str, annotation: _Annotation, indent: int, end: str = "") -> list[str]:
    """``prefix`` and the annotation, indented, on one line when it fits; else split as
    ``ruff format`` splits a subscript: one argument a line, a trailing comma after each when
    there are several (a magic trailing comma, which keeps the split)."""
    pad = " " * indent
    line = f"{pad}{prefix}{_flat(annotation)}{end}"
    if len(line) <= LINE_LENGTH or isinstance(annotation, str):
        return [line]
    head, arguments = annotation
    comma = "," if len(arguments) > 1 else ""
    lines = [f"{pad}{prefix}{head}["]
    for argument in arguments:
        lines += _statement("", argument, indent + 4, comma)
    lines.append(f"{pad}]{end}")
    return lines


def _ordered(types: Mapping[str, _Type]) -> list[_Type]:
    """The aliases by name, then the TypedDicts by name, each after the ones it uses (the
    module is evaluated top to bottom, without postponed annotations)."""
    aliases = [types[name] for name in sorted(types) if types[name].is_alias]
    classes: list[_Type] = []
    placed: set[str] = {alias.name for alias in aliases}

    def place(name: str) -> None:
        if name in placed:
            return
        placed.add(name)
        for used in types[name].uses:
            place(used)
        classes.append(types[name])

    for name in sorted(types):
        place(name)
    return aliases + classes


def _gather(spec: VersionSpec, schemas: SchemaSet, qualified: frozenset[str]) -> dict[str, _Type]:
    version = _Version(qualified)
    for action in sorted(schemas.actions):
        request = f"{action}{spec.request_suffix}.json"
        version.message(f"{action}Request", schemas.request_schema(action), request)
        if schemas.has_response(action):
            response = f"{action}Response"
            version.message(response, schemas.response_schema(action), f"{response}.json")
    return version.types


def generate(spec: VersionSpec, schemas: SchemaSet | None = None) -> str:
    """The source of the module holding ``spec``'s message types.

    Args:
        spec: the version.
        schemas: its schemas, if not the ones it validates against (``spec.schemas``).

    Raises:
        SchemaConflict: two different schemas of the version share a name, or a schema uses
            something the generator cannot express.
    """
    qualified: frozenset[str] = frozenset()
    while True:
        try:
            types = _ordered(_gather(spec, schemas or spec.schemas, qualified))
            break
        except _InlineClash as clash:
            qualified |= {clash.name}
    package = spec.schema_package.replace(".", "/")
    typing_names = ["TypedDict"]
    text = "\n".join(line for kind in types for line in kind.lines)
    typing_names += [name for name in ("Literal", "NotRequired") if f"{name}[" in text]
    typing_names += ["final"] if "@final\n" in text else []
    out = [
        f'"""OCPP {spec.name} message payloads, one TypedDict per request and response.',
        "",
        "Generated by ``python -m chargeyard.protocol.messages.generate`` from the JSON schemas",
        f"that the ``ocpp`` package {metadata.version('ocpp')} ships in ``{package}/schemas``: "
        "do not edit.",
        '"""',
        "",
        # As ruff's isort orders them: the classes, then the function.
        f"from typing import {', '.join(sorted(typing_names, key=lambda n: (n.islower(), n)))}",
    ]
    previous_was_class = True  # two blank lines after the imports before a class, else one
    for kind in types:
        if kind.is_alias:
            out += ["", *kind.lines] if previous_was_class else list(kind.lines)
        else:
            out += ["", "", *kind.lines]
        previous_was_class = not kind.is_alias
    return "\n".join(out) + "\n"


def module_path(spec: VersionSpec) -> Path:
    """Where ``spec``'s message types are written."""
    return Path(__file__).with_name(f"{MODULES[spec]}.py")


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check`` compare) every version's module; 1 when one is stale."""
    parser = argparse.ArgumentParser(prog="python -m chargeyard.protocol.messages.generate")
    parser.add_argument("--check", action="store_true", help="only say which files are stale")
    arguments = parser.parse_args(argv)
    # Every module is generated before one is written: a conflict leaves the old ones whole.
    sources = {spec: generate(spec) for spec in VERSIONS.values()}
    return refresh({module_path(spec): source for spec, source in sources.items()}, arguments.check)


def refresh(files: Mapping[Path, str], check: bool) -> int:
    """Write each generated file whose text differs from ``files``' (with ``check``, only say
    which are stale); 1 when ``check`` found one stale. Shared with the conformance suite's
    generator (``conformance/exchanges/generate.py``)."""
    stale = 0
    for path, source in files.items():
        if path.exists() and path.read_text("utf-8") == source:
            continue
        stale += 1
        if check:
            print(f"{path} is stale", file=sys.stderr)
        else:
            path.write_text(source, "utf-8")
            print(f"wrote {path}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
