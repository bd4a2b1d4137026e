"""Payloads checked against the official OCPP schemas, and violations mapped to the CALLERROR
kinds of OCPP-J 1.6 section 4.2.3 table 7 and OCPP 2.0.1 part 4 section 4.3."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from typing import Any

import pytest

from chargeyard.protocol import V16, V21, V201, ErrorKind, OcppError, VersionSpec
from chargeyard.protocol.schemas import SchemaSet, violation_kind

from .support import BOOT_ACCEPTED, BOOT_REQUEST, PERIODIC_EVENT_STREAM, each_version

FORMAT = ErrorKind.FORMAT_VIOLATION
PROPERTY = ErrorKind.PROPERTY_CONSTRAINT_VIOLATION
OCCURRENCE = ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION
TYPE = ErrorKind.TYPE_CONSTRAINT_VIOLATION


def violation(check: Any, action: str, payload: dict[str, Any]) -> tuple[object, ...]:
    with pytest.raises(OcppError) as raised:
        check(action, payload)
    error = raised.value
    return (error.kind, error.description, error.details)


@pytest.mark.parametrize(
    ("keyword", "kind"),
    [
        ("type", TYPE),
        ("maxLength", TYPE),
        ("minLength", TYPE),
        ("enum", PROPERTY),
        ("const", PROPERTY),
        ("minimum", PROPERTY),
        ("maximum", PROPERTY),
        ("exclusiveMinimum", PROPERTY),
        ("exclusiveMaximum", PROPERTY),
        ("multipleOf", PROPERTY),
        ("pattern", PROPERTY),
        ("format", PROPERTY),
        ("required", OCCURRENCE),
        ("minItems", OCCURRENCE),
        ("maxItems", OCCURRENCE),
        ("uniqueItems", OCCURRENCE),
        ("minProperties", OCCURRENCE),
        ("maxProperties", OCCURRENCE),
        ("additionalProperties", FORMAT),
        ("oneOf", FORMAT),
        ("somethingNew", FORMAT),
    ],
)
def test_violation_kind_per_schema_keyword(keyword: str, kind: ErrorKind) -> None:
    assert violation_kind(keyword) is kind


_LOAD_WITHOUT_THE_LIBRARY = """
import sys
from chargeyard.protocol import VERSIONS
from chargeyard.station.catalog._ocpp import connector_types, measurands
for spec in VERSIONS.values():
    spec.schemas.request_schema("BootNotification"), spec.schemas.response_schema("Heartbeat")
connector_types(), measurands()
print(sorted(name for name in sys.modules if name.startswith("ocpp.")))
"""


def test_the_schemas_are_read_without_importing_the_ocpp_library_s_version_packages() -> None:
    # Their message classes, enums and client code would run at every process's start, for
    # nothing chargeyard uses (protocol/schemas.py: packaged_schemas).
    printed = subprocess.run(
        [sys.executable, "-c", _LOAD_WITHOUT_THE_LIBRARY],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert printed.strip() == "[]"


def test_actions_of_each_version() -> None:
    assert {"BootNotification", "StartTransaction", "Heartbeat"} <= V16.schemas.actions
    assert "TransactionEvent" not in V16.schemas.actions
    assert {"BootNotification", "TransactionEvent"} <= V201.schemas.actions
    assert "StartTransaction" not in V201.schemas.actions
    assert "NotifyPeriodicEventStream" not in V201.schemas.actions
    assert "NotifyPeriodicEventStream" in V21.schemas.actions
    assert (len(V16.schemas.actions), len(V201.schemas.actions), len(V21.schemas.actions)) == (
        39,
        64,
        91,
    )


def test_send_only_action_has_no_response_21() -> None:
    assert V21.schemas.is_action("NotifyPeriodicEventStream")
    assert not V21.schemas.has_response("NotifyPeriodicEventStream")
    assert V21.schemas.has_response("BootNotification")


@each_version
def test_valid_boot_notification_passes_both_ways(version: VersionSpec) -> None:
    version.schemas.check_request("BootNotification", BOOT_REQUEST[version.name])
    version.schemas.check_response("BootNotification", BOOT_ACCEPTED)


def test_valid_send_payload_passes_21() -> None:
    V21.schemas.check_request("NotifyPeriodicEventStream", PERIODIC_EVENT_STREAM)


@each_version
def test_action_outside_the_version_is_not_supported(version: VersionSpec) -> None:
    for check in (version.schemas.check_request, version.schemas.check_response):
        assert violation(check, "FlyToTheMoon", {}) == (
            ErrorKind.NOT_SUPPORTED,
            "FlyToTheMoon is not an action of this version",
            {},
        )


def test_additional_property_is_a_format_violation() -> None:
    payload = {**BOOT_REQUEST["1.6"], "colour": "red"}
    assert violation(V16.schemas.check_request, "BootNotification", payload) == (
        FORMAT,
        "BootNotification: Additional properties are not allowed ('colour' was unexpected)",
        {"path": "/", "keyword": "additionalProperties"},
    )


def test_missing_required_field_is_an_occurrence_violation() -> None:
    assert violation(
        V201.schemas.check_request,
        "BootNotification",
        {"reason": "PowerUp", "chargingStation": {"model": "Yard-2"}},
    ) == (
        OCCURRENCE,
        'BootNotificationRequest: "vendorName" is a required property at /chargingStation',
        {"path": "/chargingStation", "keyword": "required"},
    )


def test_too_few_array_items_is_an_occurrence_violation_21() -> None:
    payload = {**PERIODIC_EVENT_STREAM, "data": []}
    assert violation(V21.schemas.check_request, "NotifyPeriodicEventStream", payload) == (
        OCCURRENCE,
        "NotifyPeriodicEventStream: [] has less than 1 item at /data",
        {"path": "/data", "keyword": "minItems"},
    )


def test_value_outside_enumeration_is_a_property_violation() -> None:
    payload = {"connectorId": 1, "errorCode": "NoError", "status": "Sleeping"}
    assert violation(V16.schemas.check_request, "StatusNotification", payload) == (
        PROPERTY,
        'StatusNotification: "Sleeping" is not one of "Available", "Preparing" or 7 other '
        "candidates at /status",
        {"path": "/status", "keyword": "enum"},
    )


def test_date_time_without_zone_is_a_property_violation() -> None:
    payload = {"connectorId": 1, "idTag": "ABC", "meterStart": 0, "timestamp": "2025-01-01T12:00"}
    assert violation(V16.schemas.check_request, "StartTransaction", payload) == (
        PROPERTY,
        'StartTransaction: "2025-01-01T12:00" is not a "date-time" at /timestamp',
        {"path": "/timestamp", "keyword": "format"},
    )


def test_value_below_minimum_is_a_property_violation_21() -> None:
    payload = {**PERIODIC_EVENT_STREAM, "id": -1}
    assert violation(V21.schemas.check_request, "NotifyPeriodicEventStream", payload) == (
        PROPERTY,
        "NotifyPeriodicEventStream: -1 is less than the minimum of 0.0 at /id",
        {"path": "/id", "keyword": "minimum"},
    )


def test_string_too_long_is_a_type_violation() -> None:
    payload = {"chargePointVendor": "V" * 21, "chargePointModel": "Yard-1"}
    assert violation(V16.schemas.check_request, "BootNotification", payload) == (
        TYPE,
        f'BootNotification: "{"V" * 21}" is longer than 20 characters at /chargePointVendor',
        {"path": "/chargePointVendor", "keyword": "maxLength"},
    )


def test_wrong_json_type_is_a_type_violation() -> None:
    payload = {
        "eventType": "Started",
        "timestamp": "2025-01-01T12:00:00Z",
        "triggerReason": "Authorized",
        "seqNo": "0",
        "transactionInfo": {"transactionId": "tx-1"},
    }
    assert violation(V201.schemas.check_request, "TransactionEvent", payload) == (
        TYPE,
        'TransactionEventRequest: "0" is not of type "integer" at /seqNo',
        {"path": "/seqNo", "keyword": "type"},
    )


def test_response_is_checked_against_the_response_schema() -> None:
    answer = {**BOOT_ACCEPTED, "interval": "300"}
    assert violation(V16.schemas.check_response, "BootNotification", answer) == (
        TYPE,
        'BootNotificationResponse: "300" is not of type "integer" at /interval',
        {"path": "/interval", "keyword": "type"},
    )


def test_formats_can_be_left_unchecked() -> None:
    schemas = SchemaSet(resources.files("ocpp.v16") / "schemas", "", validate_formats=False)
    payload = {"connectorId": 1, "idTag": "ABC", "meterStart": 0, "timestamp": "yesterday"}
    schemas.check_request("StartTransaction", payload)
    with pytest.raises(OcppError):
        schemas.check_request("StartTransaction", {**payload, "meterStart": "0"})
