"""The message types of ``protocol/messages``: generated from the official schemas the sessions
validate against, checked in exactly as the generator writes them, and meaning what the
schemas say (keys, which of them are required, enumerations, arrays, numbers)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pytest

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.protocol.messages import generate as generator
from chargeyard.protocol.messages import v16, v201
from chargeyard.protocol.schemas import SchemaSet

from .support import each_version

ROOT = Path(__file__).resolve().parents[2]
SCALARS = {"string": str, "integer": int, "number": float, "boolean": bool}


def module(version: VersionSpec) -> ModuleType:
    return importlib.import_module(f"chargeyard.protocol.messages.{generator.MODULES[version]}")


@each_version
def test_the_checked_in_module_is_what_the_generator_writes(version: VersionSpec) -> None:
    written = generator.module_path(version).read_text("utf-8")
    assert written == generator.generate(version), (
        "stale: run python -m chargeyard.protocol.messages.generate"
    )


def test_the_modules_are_as_ruff_formats_and_checks_them() -> None:
    paths = [str(generator.module_path(version)) for version in generator.MODULES]
    for command in (["format", "--check", "--diff"], ["check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *paths],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def assert_typed(schema: dict[str, Any], hint: Any, definitions: dict[str, Any], at: str) -> None:
    """``hint`` (resolved, NotRequired stripped) is the type ``schema`` describes."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/definitions/")
        schema = definitions[name]
        if "enum" not in schema:
            assert hint.__name__ == name, at
    if "enum" in schema:
        assert typing.get_origin(hint) is Literal, at
        # As sets: typing caches Literal["W", "A"] as the equal Literal["A", "W"] made before.
        assert set(typing.get_args(hint)) == set(schema["enum"]), at
    elif "type" not in schema:
        assert hint is object, at
    elif schema["type"] == "object":
        assert typing.is_typeddict(hint), at
        # @final: no keys but its own (the type checker then narrows a union with "in").
        closed = schema.get("additionalProperties", True) is False
        assert getattr(hint, "__final__", False) is closed, at
        properties = schema.get("properties", {})
        hints = typing.get_type_hints(hint)
        assert list(hints) == list(properties), at
        assert hint.__required_keys__ == frozenset(schema.get("required", ())), at
        assert hint.__optional_keys__ == frozenset(properties) - hint.__required_keys__, at
        for key, value in properties.items():
            assert_typed(value, hints[key], definitions, f"{at}.{key}")
    elif schema["type"] == "array":
        assert typing.get_origin(hint) is list, at
        [item] = typing.get_args(hint)
        assert_typed(schema["items"], item, definitions, f"{at}[]")
    else:
        assert hint is SCALARS[schema["type"]], at


@each_version
def test_every_message_is_typed_as_its_schema_says(version: VersionSpec) -> None:
    schemas, types = version.schemas, module(version)
    expected: set[str] = set()
    for action in sorted(schemas.actions):
        answered = schemas.has_response(action)
        for name, schema in [
            (f"{action}Request", schemas.request_schema(action)),
            *([(f"{action}Response", schemas.response_schema(action))] if answered else []),
        ]:
            expected.add(name)
            assert_typed(schema, getattr(types, name), schema.get("definitions", {}), name)
    messages = {name for name in vars(types) if name.endswith(("Request", "Response"))}
    assert messages == expected


def test_1_6_requests_are_named_as_in_2_0_1() -> None:
    # 1.6's files are Reset.json and ResetResponse.json.
    assert typing.get_type_hints(v16.ResetRequest) == {"type": Literal["Hard", "Soft"]}
    assert v16.ResetResponse.__required_keys__ == {"status"}
    assert v201.ResetRequest.__required_keys__ == {"type"}


def test_a_definition_the_schemas_repeat_is_one_type() -> None:
    # IdTokenType is written out in AuthorizeRequest.json, TransactionEventRequest.json, ...
    authorize = typing.get_type_hints(v201.AuthorizeRequest)["idToken"]
    event = typing.get_type_hints(v201.TransactionEventRequest)["idToken"]
    assert authorize is event is v201.IdTokenType


def test_inline_schemas_are_named_after_their_property_and_their_holder_when_they_differ() -> None:
    # 1.6 StopTransaction's samples may not be in Hertz, MeterValues' may: two types.
    assert not hasattr(v16, "SampledValue")
    metered = typing.get_type_hints(v16.MeterValueSampledValue)
    stopped = typing.get_type_hints(v16.TransactionDataSampledValue)
    assert metered["unit"] is v16.MeterValueSampledValueUnit
    assert stopped["unit"] is v16.TransactionDataSampledValueUnit
    assert set(typing.get_args(metered["unit"])) - set(typing.get_args(stopped["unit"])) == {
        "Hertz"
    }
    assert metered["measurand"] is stopped["measurand"] is v16.Measurand
    assert typing.get_type_hints(v16.MeterValue)["sampledValue"] == list[v16.MeterValueSampledValue]
    # One IdTagInfo for all the messages that carry it; every status is its holder's.
    assert typing.get_type_hints(v16.AuthorizeResponse)["idTagInfo"] is v16.IdTagInfo
    assert typing.get_type_hints(v16.StartTransactionResponse)["idTagInfo"] is v16.IdTagInfo
    assert typing.get_type_hints(v16.IdTagInfo)["status"] is v16.IdTagInfoStatus
    assert not hasattr(v16, "Status")


def write_schema(directory: Path, name: str, token: dict[str, Any]) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-06/schema#",
        "definitions": {"IdTokenType": token},
        "type": "object",
        "additionalProperties": False,
        "properties": {"idToken": {"$ref": "#/definitions/IdTokenType"}},
        "required": ["idToken"],
    }
    (directory / f"{name}.json").write_text(json.dumps(schema), "utf-8")


TOKEN = {
    "description": "Contains a case insensitive identifier.",
    "javaType": "IdToken",
    "type": "object",
    "additionalProperties": False,
    "properties": {"idToken": {"type": "string", "maxLength": 36}},
    "required": ["idToken"],
}


def test_copies_of_a_definition_that_differ_in_prose_only_are_one_type(tmp_path: Path) -> None:
    write_schema(tmp_path, "AuthorizeRequest", TOKEN)
    write_schema(tmp_path, "AuthorizeResponse", {**TOKEN, "description": "Another text."})
    source = generator.generate(V201, SchemaSet(tmp_path, "Request"))
    assert source.count("class IdTokenType(TypedDict):\n    idToken: str\n") == 1


def test_two_different_definitions_under_one_name_stop_the_generation(tmp_path: Path) -> None:
    write_schema(tmp_path, "AuthorizeRequest", TOKEN)
    write_schema(tmp_path, "AuthorizeResponse", {**TOKEN, "required": []})
    with pytest.raises(
        generator.SchemaConflict,
        match=re.escape(
            "two different schemas are named IdTokenType: "
            "in AuthorizeRequest.json and in AuthorizeResponse.json"
        ),
    ):
        generator.generate(V201, SchemaSet(tmp_path, "Request"))


def test_check_names_a_stale_module_and_writing_makes_it_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        generator, "module_path", lambda spec: tmp_path / f"{generator.MODULES[spec]}.py"
    )
    (tmp_path / "v16.py").write_text(generator.generate(V16), "utf-8")
    assert generator.main(["--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'v21.py'} is stale",
        f"{tmp_path / 'v201.py'} is stale",
    ]
    assert generator.main([]) == 0
    assert generator.main(["--check"]) == 0
    assert (tmp_path / "v201.py").read_text("utf-8") == generator.generate(V201)
