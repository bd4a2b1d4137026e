"""The OCPP version at the API's edge: text in any spelling in, a :class:`VersionSpec` inside,
each field's own spelling out.

Both APIs take every spelling :func:`~chargeyard.protocol.parse_version` reads ("1.6",
"ocpp1.6", "OCPP1.6", "OCPP 2.0.1", "v201"); nothing behind a route meets a version as text.
What an answer writes follows the API reference of each field, so that a client comparing
strings sees what it always saw:

- :data:`OcppVersion`: the WebSocket subprotocol, ``ocpp1.6`` (``/ocpp``'s chargers, queued
  commands and templates: the gateway reference's QueuedCommandResponse);
- :data:`OcppVersionName`: the version's name, ``1.6`` (``/api/v1``, the catalog);
- :data:`OcppRuntimeVersion`: the subprotocol in capitals, ``OCPP1.6`` (the gateway
  reference's runtime answers, "Stop charger runtime").

:data:`StationOcppVersion` is :data:`OcppVersion` held to the versions a simulated station
speaks (``/ocpp``'s requests that build or drive one).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from chargeyard.protocol import VERSIONS, UnknownVersion, VersionSpec, parse_version
from chargeyard.station.station_classes import STATION_CLASSES


def _reader(among: Collection[VersionSpec], refusal: str | None) -> Callable[[Any], VersionSpec]:
    def read(value: Any) -> VersionSpec:
        if isinstance(value, VersionSpec):  # a row or a domain object, already read
            version = value
        elif isinstance(value, str):
            try:
                version = parse_version(value)
            except UnknownVersion as error:
                raise ValueError(refusal or str(error)) from None
        else:
            raise ValueError(refusal or "must be a string naming an OCPP version")
        if version not in among:
            names = ", ".join(spec.name for spec in among)
            raise ValueError(refusal or f"OCPP {version.name} is not one of {names}")
        return version

    return read


def _schema(example: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "maxLength": 16, "examples": [example]})


def _one_of(versions: Collection[VersionSpec]) -> str:
    """The versions' subprotocols, oldest first ("ocpp1.6, ocpp2.0.1 or ocpp2.1")."""
    names = [spec.subprotocol for spec in list(VERSIONS.values())[::-1] if spec in versions]
    return " or ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} or {names[-1]}"


def _subprotocol(version: VersionSpec) -> str:
    return version.subprotocol


def _name(version: VersionSpec) -> str:
    return version.name


def _runtime(version: VersionSpec) -> str:
    return version.subprotocol.upper()


read_version = _reader(tuple(VERSIONS.values()), None)
"""The version text from a request names, where a route reads it itself (a query parameter
whose error it words); raises ValueError."""

_ANY = BeforeValidator(read_version)

OcppVersion = Annotated[
    VersionSpec, _ANY, PlainSerializer(_subprotocol, return_type=str), _schema("ocpp1.6")
]
OcppVersionName = Annotated[
    VersionSpec, _ANY, PlainSerializer(_name, return_type=str), _schema("1.6")
]
OcppRuntimeVersion = Annotated[
    VersionSpec, _ANY, PlainSerializer(_runtime, return_type=str), _schema("OCPP1.6")
]
StationOcppVersion = Annotated[
    VersionSpec,
    BeforeValidator(
        _reader(
            tuple(STATION_CLASSES),
            f"must be {_one_of(STATION_CLASSES)} (OCPP1.6, 1.6 ... are accepted)",
        )
    ),
    PlainSerializer(_subprotocol, return_type=str),
    _schema("ocpp1.6"),
]
