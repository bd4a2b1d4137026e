"""Payload validation against the official OCPP JSON schemas, compiled.

The schemas are the ones OCA publishes, as shipped in the ``ocpp`` package (``ocpp/v16/schemas``,
``ocpp/v201/schemas``, ``ocpp/v21/schemas``); we read the JSON files only and never type a
payload shape by hand. Each schema is compiled once, on first use, by jsonschema-rs (a Rust
validator: about 1,000,000 MeterValues payloads/s here, against about 11,000/s for
``jsonschema``, which the ``ocpp`` library runs in a thread pool).

A violation is mapped to the CALLERROR kind whose definition fits it (OCPP-J 1.6 section 4.2.3
table 7, OCPP 2.0.1 part 4 section 4.3):

* a value of the wrong JSON type, or a string longer or shorter than its CiString/identifier
  type allows -> TypeConstraintViolation (the length is part of the OCPP data type);
* a value outside its enumeration, range, pattern or format -> PropertyConstraintViolation;
* a required field missing, or too few or too many array items -> OccurrenceConstraintViolation;
* anything that breaks the PDU's structure (a field the schema does not allow, ...) ->
  FormatViolation (1.6: FormationViolation).

Integers. The schemas say ``"type": "integer"`` and no width, and JSON has none either: a
decoder reads 18446744073709551616 as the float 1.8e19, which JSON Schema still counts as an
integer. OCPP 2.0.1 part 2 section 2.1 defines its integer as 32 bit (31 bit resolution, 1 sign
bit); OCPP 1.6 names no width, and the CSMS keeps EVSE, connector and transaction numbers in
32-bit columns, so every version's integers are held to that range: each integer of a schema is
compiled with :data:`INT32_MIN` and :data:`INT32_MAX` as its bounds (a tighter bound of the
schema stays), and a value beyond them is a TypeConstraintViolation, the data type's, not the
property's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import jsonschema_rs

from chargeyard.protocol.errors import ErrorKind, OcppError

_KIND_BY_KEYWORD: dict[str, ErrorKind] = {
    "type": ErrorKind.TYPE_CONSTRAINT_VIOLATION,
    "maxLength": ErrorKind.TYPE_CONSTRAINT_VIOLATION,
    "minLength": ErrorKind.TYPE_CONSTRAINT_VIOLATION,
    "enum": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "const": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "minimum": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "maximum": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "exclusiveMinimum": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "exclusiveMaximum": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "multipleOf": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "pattern": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "format": ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
    "required": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
    "minItems": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
    "maxItems": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
    "uniqueItems": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
    "minProperties": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
    "maxProperties": ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
}

Validator = Callable[[Mapping[str, object]], None]

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


def violation_kind(keyword: str) -> ErrorKind:
    """The CALLERROR kind for a violated JSON-schema keyword (see the module docstring)."""
    return _KIND_BY_KEYWORD.get(keyword, ErrorKind.FORMAT_VIOLATION)


class SchemaSet:
    """The request and response schemas of one OCPP version, compiled lazily.

    Args:
        directory: the folder holding the version's schema files.
        request_suffix: what follows the action in a request schema's file name
            ("" for 1.6's ``Authorize.json``, "Request" for 2.x's ``AuthorizeRequest.json``).
        validate_formats: check ``format`` keywords such as ``date-time`` (on by default: a
            timestamp without its zone is not RFC 3339, which every version requires).
    """

    def __init__(
        self, directory: Traversable, request_suffix: str, *, validate_formats: bool = True
    ) -> None:
        self._directory = directory
        self._validate_formats = validate_formats
        self._request_files: dict[str, str] = {}
        self._response_files: dict[str, str] = {}
        self._requests: dict[str, Validator] = {}
        self._responses: dict[str, Validator] = {}
        for entry in directory.iterdir():
            name = entry.name.removesuffix(".json")
            if name == entry.name:
                continue
            if name.endswith("Response"):
                self._response_files[name.removesuffix("Response")] = entry.name
            else:
                # OCPP 2.1's NotifyPeriodicEventStream (sent in a SEND) has no "Request" suffix.
                self._request_files[name.removesuffix(request_suffix)] = entry.name

    @property
    def actions(self) -> frozenset[str]:
        """Every action this version defines."""
        return frozenset(self._request_files)

    def is_action(self, action: str) -> bool:
        return action in self._request_files

    def has_response(self, action: str) -> bool:
        """False for actions that are never answered (2.1 SEND messages)."""
        return action in self._response_files

    def check_request(self, action: str, payload: Mapping[str, object]) -> None:
        """Validate a request (CALL or SEND) payload.

        Raises:
            OcppError: NotSupported for an action outside this version, else the kind of the
                first violation found.
        """
        validator = self._requests.get(action)
        if validator is None:
            validator = self._requests[action] = self._compile(self._request_files, action)
        validator(payload)

    def check_response(self, action: str, payload: dict[str, Any]) -> None:
        """Validate the CALLRESULT payload answering ``action``.

        Raises:
            OcppError: as :meth:`check_request`.
        """
        validator = self._responses.get(action)
        if validator is None:
            validator = self._responses[action] = self._compile(self._response_files, action)
        validator(payload)

    def request_schema(self, action: str) -> dict[str, Any]:
        """The request schema of ``action`` as JSON (a fresh copy; ``fields.py`` reads it).

        Raises:
            OcppError: NotSupported for an action outside this version.
        """
        return self._load(self._request_files, action)

    def response_schema(self, action: str) -> dict[str, Any]:
        """The schema of the CALLRESULT answering ``action`` as JSON (a fresh copy).

        Raises:
            OcppError: NotSupported for an action this version never answers.
        """
        return self._load(self._response_files, action)

    def _load(self, files: dict[str, str], action: str) -> dict[str, Any]:
        file_name = files.get(action)
        if file_name is None:
            raise OcppError(ErrorKind.NOT_SUPPORTED, f"{action} is not an action of this version")
        schema: dict[str, Any] = json.loads((self._directory / file_name).read_text("utf-8"))
        # The 2.1 schemas carry "$id"s such as urn:OCPP:Cp:2:2025:1:...; every "$ref" in them is
        # local ("#/definitions/..."), so dropping the id keeps resolution inside the file.
        schema.pop("$id", None)
        return schema

    def _compile(self, files: dict[str, str], action: str) -> Validator:
        schema = self._load(files, action)
        file_name = files[action]
        _bound_integers(schema)
        compiled = jsonschema_rs.validator_for(schema, validate_formats=self._validate_formats)
        label = file_name.removesuffix(".json")

        def validate(payload: Mapping[str, object]) -> None:
            try:
                compiled.validate(payload)
            except jsonschema_rs.ValidationError as error:
                path = "".join(f"/{part}" for part in error.instance_path)
                kind, message = violation_kind(error.kind.name), error.message
                if error.kind.name in ("minimum", "maximum") and _beyond_int32(error.instance):
                    kind = ErrorKind.TYPE_CONSTRAINT_VIOLATION
                    message = f"{error.instance!r} does not fit a 32-bit integer"
                raise OcppError(
                    kind,
                    f"{label}: {message}" + (f" at {path}" if path else ""),
                    {"path": path or "/", "keyword": error.kind.name},
                ) from None

        return validate


def _bound_integers(node: Any) -> None:
    """Give every ``"type": "integer"`` of a schema the 32-bit bounds (see the module
    docstring), keeping a tighter bound it already has."""
    if isinstance(node, list):
        for item in node:
            _bound_integers(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
        node["minimum"] = max(node.get("minimum", INT32_MIN), INT32_MIN)
        node["maximum"] = min(node.get("maximum", INT32_MAX), INT32_MAX)
    for value in node.values():
        _bound_integers(value)


def _beyond_int32(value: Any) -> bool:
    # bool is an int to Python but a boolean to JSON; a float counts when integral (1.8e19).
    if type(value) is int or (type(value) is float and value.is_integer()):
        return not INT32_MIN <= value <= INT32_MAX
    return False


def packaged_schemas(package: str, request_suffix: str) -> SchemaSet:
    """The schema set shipped in ``<package>/schemas`` (e.g. ``ocpp.v16``)."""
    # Found from the top-level package alone: importing ``ocpp.v16`` itself would run the
    # ``ocpp`` library's message classes, enums and client code at every process's start, of
    # which chargeyard uses nothing but these JSON files.
    top, *inner = package.split(".")
    return SchemaSet(resources.files(top).joinpath(*inner, "schemas"), request_suffix)
