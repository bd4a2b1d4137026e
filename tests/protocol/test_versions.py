"""The version table: subprotocols (OCPP-J 1.6 section 3.1.2, OCPP 2.0.1 part 4 section 3.1.2)
and the per-version spelling of CALLERROR codes (1.6 section 4.2.3 table 7, 2.0.1 part 4
section 4.3)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from chargeyard.protocol import (
    V16,
    V21,
    V201,
    VERSIONS,
    ErrorKind,
    UnknownVersion,
    VersionSpec,
    negotiate,
    parse_version,
    version_for,
)
from chargeyard.protocol.schemas import SchemaSet

from .support import each_version


def test_versions_are_keyed_by_subprotocol_newest_first() -> None:
    assert list(VERSIONS.items()) == [("ocpp2.1", V21), ("ocpp2.0.1", V201), ("ocpp1.6", V16)]
    assert [(v.name, v.subprotocol) for v in VERSIONS.values()] == [
        ("2.1", "ocpp2.1"),
        ("2.0.1", "ocpp2.0.1"),
        ("1.6", "ocpp1.6"),
    ]


@pytest.mark.parametrize(
    ("subprotocol", "version"), [("ocpp1.6", V16), ("ocpp2.0.1", V201), ("ocpp2.1", V21)]
)
def test_version_for_subprotocol(subprotocol: str, version: VersionSpec) -> None:
    assert version_for(subprotocol) is version


@pytest.mark.parametrize("subprotocol", ["ocpp1.5", "OCPP1.6", "ocpp2.0", "", "1.6"])
def test_version_for_unknown_subprotocol_raises(subprotocol: str) -> None:
    with pytest.raises(KeyError) as raised:
        version_for(subprotocol)
    assert raised.value.args == (
        f"unknown OCPP subprotocol {subprotocol!r} (known: ocpp2.1, ocpp2.0.1, ocpp1.6)",
    )


@pytest.mark.parametrize(
    ("offered", "accepted", "chosen"),
    [
        (["ocpp1.6", "ocpp2.0.1"], VERSIONS, V201),
        (["ocpp2.0.1", "ocpp1.6"], VERSIONS, V201),
        (["ocpp1.6", "ocpp2.1", "ocpp2.0.1"], VERSIONS, V21),
        (["ocpp1.6"], VERSIONS, V16),
        (["ocpp2.1", "ocpp2.0.1", "ocpp1.6"], ["ocpp1.6", "ocpp2.0.1"], V201),
        (["ocpp2.1", "ocpp1.6"], ["ocpp1.6"], V16),
        (["ocpp1.5", "ocpp1.6"], VERSIONS, V16),
    ],
)
def test_negotiate_newest_common_version_wins(
    offered: list[str], accepted: Iterable[str], chosen: VersionSpec
) -> None:
    assert negotiate(offered, accepted) is chosen


@pytest.mark.parametrize(
    ("offered", "accepted"),
    [([], VERSIONS), (["ocpp1.5", "wamp"], VERSIONS), (["ocpp2.1"], ["ocpp1.6", "ocpp2.0.1"])],
)
def test_negotiate_without_common_version_is_none(
    offered: list[str], accepted: Iterable[str]
) -> None:
    assert negotiate(offered, accepted) is None


def test_only_21_supports_send() -> None:
    assert (V16.supports_send, V201.supports_send, V21.supports_send) == (False, False, True)


# Every ErrorKind and its wire code in 1.6 and in 2.0.1/2.1.
SPELLING = [
    (ErrorKind.NOT_IMPLEMENTED, "NotImplemented", "NotImplemented"),
    (ErrorKind.NOT_SUPPORTED, "NotSupported", "NotSupported"),
    (ErrorKind.INTERNAL_ERROR, "InternalError", "InternalError"),
    (ErrorKind.PROTOCOL_ERROR, "ProtocolError", "ProtocolError"),
    (ErrorKind.SECURITY_ERROR, "SecurityError", "SecurityError"),
    (ErrorKind.GENERIC_ERROR, "GenericError", "GenericError"),
    (ErrorKind.FORMAT_VIOLATION, "FormationViolation", "FormatViolation"),
    (
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        "PropertyConstraintViolation",
        "PropertyConstraintViolation",
    ),
    (
        ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
        "OccurenceConstraintViolation",
        "OccurrenceConstraintViolation",
    ),
    (ErrorKind.TYPE_CONSTRAINT_VIOLATION, "TypeConstraintViolation", "TypeConstraintViolation"),
    (ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED, "FormationViolation", "MessageTypeNotSupported"),
    (ErrorKind.RPC_FRAMEWORK_ERROR, "FormationViolation", "RpcFrameworkError"),
    (ErrorKind.INCOMPLETE_CALL, "ProtocolError", "RpcFrameworkError"),
]


def test_spelling_table_covers_every_error_kind() -> None:
    assert [kind for kind, _, _ in SPELLING] == list(ErrorKind)
    for version in (V16, V201, V21):
        assert set(version.error_codes) == set(ErrorKind)


@pytest.mark.parametrize(
    ("kind", "code_16", "code_2"), SPELLING, ids=[k.name for k, *_ in SPELLING]
)
def test_error_code_spelling_per_version(kind: ErrorKind, code_16: str, code_2: str) -> None:
    assert (V16.error_code(kind), V201.error_code(kind), V21.error_code(kind)) == (
        code_16,
        code_2,
        code_2,
    )


def test_occurrence_spelling_16_vs_201() -> None:
    kind = ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION
    assert V16.error_code(kind) == "OccurenceConstraintViolation"  # sic, OCPP-J 1.6 table 7
    assert V201.error_code(kind) == "OccurrenceConstraintViolation"


def test_16_codes_are_all_in_table_7() -> None:
    table_7 = {
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "ProtocolError",
        "SecurityError",
        "FormationViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "TypeConstraintViolation",
        "GenericError",
    }
    assert set(V16.error_codes.values()) == table_7


@each_version
def test_schemas_are_loaded_once_per_version(version: VersionSpec) -> None:
    schemas = version.schemas
    assert isinstance(schemas, SchemaSet)
    assert version.schemas is schemas


@pytest.mark.parametrize(
    ("spelling", "version"),
    [
        ("1.6", V16),
        ("ocpp1.6", V16),
        ("OCPP1.6", V16),
        ("OCPP 1.6", V16),
        (" ocpp-1.6 ", V16),
        ("v16", V16),
        ("16", V16),
        ("1.6J", V16),
        ("2.0.1", V201),
        ("ocpp2.0.1", V201),
        ("OCPP2.0.1", V201),
        ("v2.0.1", V201),
        ("201", V201),
        ("2.1", V21),
        ("ocpp2.1", V21),
    ],
)
def test_parse_version_takes_every_spelling_the_apis_use(
    spelling: str, version: VersionSpec
) -> None:
    assert parse_version(spelling) is version


@pytest.mark.parametrize("text", ["1.5", "2.0", "ocpp", "", "1..6", "2.0.1.1", "ocpp1.6x"])
def test_parse_version_refuses_what_names_no_version(text: str) -> None:
    with pytest.raises(UnknownVersion, match=r"known: 2\.1, 2\.0\.1, 1\.6"):
        parse_version(text)
