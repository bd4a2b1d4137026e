"""The one table that knows how OCPP versions differ at the RPC layer.

A session is built for a :class:`VersionSpec`, chosen from the WebSocket subprotocol
(``ocpp1.6``, ``ocpp2.0.1``, ``ocpp2.1``: OCPP-J 1.6 section 3.1.2, OCPP 2.0.1 part 4 section
3.1.2). Everything version-specific that the RPC framework needs lives in the spec: the message
types it knows, the spelling of its CALLERROR codes and its schemas. Code outside this module
never branches on a version string.

The rest of chargeyard keys whatever it does per version by the :class:`VersionSpec` object, in
a :class:`VersionTable`: each table names every version in :data:`VERSIONS`, either with what
it does for that version or with why it has nothing for it yet, and
``tests/test_version_tables.py`` fails when a version is added here and a table is not told.
Text from a person, an API or a database row becomes a version in one place,
:func:`parse_version`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Generic, TypeVar

from chargeyard.protocol.errors import ErrorKind
from chargeyard.protocol.frames import MessageType
from chargeyard.protocol.schemas import SchemaSet, packaged_schemas


class Role(StrEnum):
    """Which end of the connection a session speaks for."""

    STATION = "station"
    CENTRAL_SYSTEM = "central_system"


_SAME_SPELLING = {kind: kind.value for kind in ErrorKind}

# OCPP-J 1.6 section 4.2.3, table 7. 1.6 has no RpcFrameworkError and no
# MessageTypeNotSupported: text that is no RPC frame at all is "syntactically incorrect"
# (FormationViolation); a CALL that lacks its action or payload is "incomplete" (ProtocolError).
_V16_CODES = {
    **_SAME_SPELLING,
    ErrorKind.FORMAT_VIOLATION: "FormationViolation",
    ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION: "OccurenceConstraintViolation",
    ErrorKind.RPC_FRAMEWORK_ERROR: "FormationViolation",
    ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED: "FormationViolation",
    ErrorKind.INCOMPLETE_CALL: "ProtocolError",
}

# OCPP 2.0.1 part 4 section 4.3 (2.1 keeps the same list). A CALL without its action or payload
# is "not a valid RPC request": RpcFrameworkError.
_V2_CODES = {**_SAME_SPELLING, ErrorKind.INCOMPLETE_CALL: "RpcFrameworkError"}


@dataclass(frozen=True)
class VersionSpec:
    """What the RPC framework of one OCPP version looks like.

    Attributes:
        name: the version as people write it ("1.6", "2.0.1", "2.1").
        subprotocol: the WebSocket subprotocol that selects it.
        schema_package: the package whose ``schemas`` folder holds the official schemas.
        request_suffix: see :class:`~chargeyard.protocol.schemas.SchemaSet`.
        message_types: the message type ids of its RPC framework.
        error_codes: the wire spelling of each :class:`ErrorKind`.
    """

    name: str
    subprotocol: str
    schema_package: str
    request_suffix: str
    message_types: frozenset[int]
    # Not compared: a mapping is not hashable, and the name and subprotocol already tell versions
    # apart (a spec is a key of every VersionTable).
    error_codes: Mapping[ErrorKind, str] = field(repr=False, compare=False)

    @cached_property
    def schemas(self) -> SchemaSet:
        """The version's schemas; loaded on first use and shared by every session."""
        return packaged_schemas(self.schema_package, self.request_suffix)

    def error_code(self, kind: ErrorKind) -> str:
        return self.error_codes[kind]

    @property
    def supports_send(self) -> bool:
        return MessageType.SEND in self.message_types

    @property
    def supports_call_result_error(self) -> bool:
        return MessageType.CALL_RESULT_ERROR in self.message_types


_CORE_TYPES = frozenset({MessageType.CALL, MessageType.CALL_RESULT, MessageType.CALL_ERROR})

V16 = VersionSpec(
    name="1.6",
    subprotocol="ocpp1.6",
    schema_package="ocpp.v16",
    request_suffix="",
    message_types=_CORE_TYPES,
    error_codes=MappingProxyType(_V16_CODES),
)
V201 = VersionSpec(
    name="2.0.1",
    subprotocol="ocpp2.0.1",
    schema_package="ocpp.v201",
    request_suffix="Request",
    message_types=_CORE_TYPES,
    error_codes=MappingProxyType(_V2_CODES),
)
# OCPP 2.1 part 4 section 4.2 adds CALLRESULTERROR [5] and SEND [6].
V21 = VersionSpec(
    name="2.1",
    subprotocol="ocpp2.1",
    schema_package="ocpp.v21",
    request_suffix="Request",
    message_types=_CORE_TYPES | {MessageType.CALL_RESULT_ERROR, MessageType.SEND},
    error_codes=MappingProxyType(_V2_CODES),
)

# Keyed by WebSocket subprotocol, newest first: the order of preference in negotiation.
VERSIONS: Mapping[str, VersionSpec] = MappingProxyType(
    {spec.subprotocol: spec for spec in (V21, V201, V16)}
)


def version_for(subprotocol: str) -> VersionSpec:
    """The version a subprotocol selects.

    Raises:
        KeyError: the subprotocol is not an OCPP version we speak.
    """
    try:
        return VERSIONS[subprotocol]
    except KeyError:
        known = ", ".join(VERSIONS)
        raise KeyError(f"unknown OCPP subprotocol {subprotocol!r} (known: {known})") from None


def negotiate(offered: Iterable[str], accepted: Iterable[str] = VERSIONS) -> VersionSpec | None:
    """Choose the newest version both sides speak, or None if there is none.

    Args:
        offered: the subprotocols the client listed in Sec-WebSocket-Protocol.
        accepted: the subprotocols this side is willing to speak.
    """
    both = set(offered) & set(accepted)
    for subprotocol, spec in VERSIONS.items():
        if subprotocol in both:
            return spec
    return None


class UnknownVersion(ValueError):
    """Text that names no OCPP version chargeyard knows, or a version a table has nothing for."""


# "OCPP 1.6", "ocpp-1.6", "v1.6", "V16", "1.6J": the prefix and separators people put around
# the number, and OCPP-J's "J" suffix.
_SPELLING = re.compile(r"^(?:ocpp)?[\s_-]*v?(?P<number>[0-9][0-9.]*)j?$")


def parse_version(text: str) -> VersionSpec:
    """The version any spelling the APIs, the command line and stored rows use names: the
    version's name ("1.6", "2.0.1"), its subprotocol ("ocpp1.6"), either in capitals
    ("OCPP1.6", the API reference's runtime answers), with a space or "v" ("OCPP 1.6", "v16"),
    or its digits alone ("16", "201").

    Raises:
        UnknownVersion: the text names no version in :data:`VERSIONS`.
    """
    match = _SPELLING.match(text.strip().lower())
    if match is not None:
        number = match["number"]
        for spec in VERSIONS.values():
            if number in (spec.name, spec.name.replace(".", "")):
                return spec
    known = ", ".join(spec.name for spec in VERSIONS.values())
    raise UnknownVersion(f"unknown OCPP version {text!r} (known: {known})")


T = TypeVar("T", covariant=True)


class VersionTable(Mapping[VersionSpec, T], Generic[T]):
    """What one part of chargeyard has for each OCPP version, keyed by the :class:`VersionSpec`.

    Every version in :data:`VERSIONS` is named: in ``entries`` with what the part does for it,
    or in ``lacking`` with why the part has nothing for it yet (so that a reader sees what is
    missing, and a lookup says why). :attr:`forgotten` names the versions it forgets; a table
    lives at module level, where ``tests/test_version_tables.py`` finds every one.
    """

    def __init__(
        self,
        purpose: str,
        entries: Mapping[VersionSpec, T],
        *,
        lacking: Mapping[VersionSpec, str] | None = None,
    ) -> None:
        self.purpose = purpose
        self._entries: Mapping[VersionSpec, T] = MappingProxyType(dict(entries))
        self.lacking: Mapping[VersionSpec, str] = MappingProxyType(dict(lacking or {}))
        both = set(self._entries) & set(self.lacking)
        if both:
            names = ", ".join(spec.name for spec in both)
            raise ValueError(f"{purpose}: {names} both given and lacking")

    def __getitem__(self, version: VersionSpec) -> T:
        try:
            return self._entries[version]
        except KeyError:
            why = self.lacking.get(version, "not in the table")
            raise UnknownVersion(
                f"{self.purpose}: nothing for OCPP {version.name} ({why})"
            ) from None

    def __contains__(self, version: object) -> bool:
        return version in self._entries

    def get(self, version: VersionSpec, default: T | None = None) -> T | None:  # type: ignore[override]
        return self._entries.get(version, default)

    def __iter__(self) -> Iterator[VersionSpec]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"VersionTable({self.purpose!r}, {[spec.name for spec in self._entries]})"

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the versions it has, newest first ("2.0.1", "1.6")."""
        return tuple(spec.name for spec in VERSIONS.values() if spec in self._entries)

    def named(self, text: str) -> T:
        """The entry of the version ``text`` names (:func:`parse_version`'s spellings).

        Raises:
            UnknownVersion: no such version, or this table has nothing for it.
        """
        return self[parse_version(text)]

    @property
    def forgotten(self) -> tuple[VersionSpec, ...]:
        """The versions of :data:`VERSIONS` the table neither has nor says it lacks."""
        return tuple(
            spec
            for spec in VERSIONS.values()
            if spec not in self._entries and spec not in self.lacking
        )
