"""Every command endpoint answers each error status it documents, with a ``detail``.

The matrix: the endpoints that send one OCPP call to one station (those under
``/chargers/{chargeBoxId}/``, and ``/transactions/{transactionId}/stop``) x the statuses of
``app.py``'s table: 401 no key, 404 unknown, 422 invalid request, 503 registered but not
connected, 504 no answer, 502 a CALLERROR (OCPP-J 1.6 section 4.2.3; 2.0.1 part 4 4.2.3), 409
a station whose boot was answered Rejected (1.6 section 4.2, 2.0.1 B03).

One test per endpoint asks for every status of its row in one lab (a lab per cell would take
most of a minute) and compares the whole row, so a failure names each wrong cell. The stations
are bare sockets (``ApiLab.raw_peer``), one per cell that needs a station: they never answer (504)
or answer every CALL with a CALLERROR (502), each in 1.6 and in 2.0.1, whose calls differ (the
detail names the action). The traffic is compared whole too: 401, 404, 422 and 503 are decided
before any call goes out. The 2.0.1 operations without a 1.6 counterpart have a row each of
their own, where a 1.6 station is a 422.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from chargeyard.api import ApiSettings
from chargeyard.api.v1.schemas.certificates import EXAMPLE_HASH_DATA, EXAMPLE_ROOT
from chargeyard.csms.commands.device_model import OPERATIONS, Operation
from chargeyard.csms.commands.operations_21 import OPERATIONS_21
from chargeyard.csms.registration import RegistrationGate
from tests.api.conftest import ApiLab

# The whole matrix is the full run's; the inner loop has each status's own tests.
pytestmark = pytest.mark.slow
TIMEOUT = 0.2  # seconds; the detail of a 504 writes it with "%g"
VERSIONS = ("1.6", "2.0.1")
SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
# The stations of a row: connected, never called (401, 404 beside it, 422); registered only
# (503); and per version one that never answers (504) and one that refuses (502).
ID = "CP-1"
OFFLINE = "CP-OFF"
MUTE = {"1.6": "CP-MUTE", "2.0.1": "CS-MUTE", "2.1": "CS21-MUTE"}
# A station whose boot was answered Rejected: connected, and sent nothing (409).
REJECTED = {"1.6": "CP-REJ", "2.0.1": "CS-REJ", "2.1": "CS21-REJ"}
REFUSING = {"1.6": "CP-ERR", "2.0.1": "CS-ERR", "2.1": "CS21-ERR"}
# What the API's own request validation writes for a control character in a looked-up id.
CONTROL = "String should match pattern '^[^\\x00-\\x1f\\x7f]*$'"

Cell = tuple[int, Any]  # (HTTP status, JSON body)


@pytest.fixture
def settings() -> ApiSettings:
    return ApiSettings(command_timeout=TIMEOUT)


@dataclass(frozen=True)
class Endpoint:
    """A command endpoint: a valid request, the OCPP action it sends per version, and an
    invalid request with the problems its 422 must name.

    Paths are under ``/api/v1``: ``{id}`` is the chargeBoxId, ``{tx}`` the id of an active
    transaction of that station in the store.
    """

    path: str
    body: Mapping[str, Any] | None
    actions: Mapping[str, str]
    invalid_body: Any
    problems: list[dict[str, Any]]
    invalid_path: str | None = None
    body_201: Mapping[str, Any] | None = None
    # The 404 for an unknown chargeBoxId: where to ask, and the detail.
    unknown_path: str | None = None
    not_found: str = "charger {id} not found"
    # Per version, a call tried first that a CALLERROR falls back from to ``actions`` (2.0.1
    # configuration/get asks for a GetReport, then with GetVariables): a mute station is
    # waited for on it, a refusing one is asked both.
    tried_first: Mapping[str, str] = field(default_factory=dict)

    def first_action(self, version: str) -> str:
        return self.tried_first.get(version, self.actions[version])

    def sent_to_refusing(self, version: str) -> list[str]:
        first = [self.tried_first[version]] if version in self.tried_first else []
        return [*first, self.actions[version]]

    def body_for(self, version: str) -> Mapping[str, Any] | None:
        return self.body_201 if version != "1.6" and self.body_201 is not None else self.body


def _problem(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


_AT_LEAST_1 = "Input should be greater than or equal to 1"


def _same(action: str) -> dict[str, str]:
    return {"1.6": action, "2.0.1": action}


ENDPOINTS: dict[str, Endpoint] = {
    "reset": Endpoint(
        "/chargers/{id}/reset",
        {"type": "Soft"},
        _same("Reset"),
        {"type": "Medium"},
        [_problem(["body", "type"], "Input should be 'Soft' or 'Hard'", "literal_error")],
    ),
    "unlock": Endpoint(
        "/chargers/{id}/unlock",
        {"connectorId": 1},
        _same("UnlockConnector"),
        {"connectorId": 0},  # connectors count from 1; 0 is the whole charger
        [
            _problem(
                ["body", "connectorId"],
                "Input should be greater than or equal to 1",
                "greater_than_equal",
            )
        ],
    ),
    "cache/clear": Endpoint(
        "/chargers/{id}/cache/clear",
        None,
        _same("ClearCache"),
        None,  # no body to get wrong: the chargeBoxId is
        [_problem(["path", "chargeBoxId"], CONTROL, "string_pattern_mismatch")],
        invalid_path="/chargers/CP%001/cache/clear",
    ),
    "trigger": Endpoint(
        "/chargers/{id}/trigger",
        {"requestedMessage": "StatusNotification", "connectorId": 1},
        _same("TriggerMessage"),
        {"requestedMessage": "Reboot"},
        [
            _problem(
                ["body", "requestedMessage"],
                "Input should be 'BootNotification', 'Heartbeat', 'MeterValues', "
                "'StatusNotification', 'DiagnosticsStatusNotification', "
                "'FirmwareStatusNotification', 'LogStatusNotification', 'TransactionEvent', "
                "'PublishFirmwareStatusNotification', 'SignChargePointCertificate' or "
                "'SignChargingStationCertificate'",
                "literal_error",
            )
        ],
    ),
    "availability": Endpoint(
        "/chargers/{id}/availability",
        {"connectorId": 0, "type": "Inoperative"},
        _same("ChangeAvailability"),
        {"connectorId": 1, "type": "Broken"},
        [
            _problem(
                ["body", "type"], "Input should be 'Operative' or 'Inoperative'", "literal_error"
            )
        ],
    ),
    "configuration/get": Endpoint(
        "/chargers/{id}/configuration/get",
        {"key": ["HeartbeatInterval"]},
        {"1.6": "GetConfiguration", "2.0.1": "GetVariables"},
        {"key": "HeartbeatInterval"},  # one key, not a list of them
        [_problem(["body", "key"], "Input should be a valid list", "list_type")],
        body_201={"key": ["OCPPCommCtrlr.HeartbeatInterval"]},
        tried_first={"2.0.1": "GetReport"},
    ),
    "configuration/change": Endpoint(
        "/chargers/{id}/configuration/change",
        {"key": "HeartbeatInterval", "value": "60"},
        {"1.6": "ChangeConfiguration", "2.0.1": "SetVariables"},
        {"key": "K" * 51, "value": "60"},  # CiString50Type (1.6 section 5.3)
        [_problem(["body", "key"], "String should have at most 50 characters", "string_too_long")],
        body_201={"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "60"},
    ),
    "firmware/update": Endpoint(
        "/chargers/{id}/firmware/update",
        {"location": "https://fw.example.com/a.bin", "retrieveDate": "2026-02-10T14:00:00Z"},
        _same("UpdateFirmware"),
        {"location": "https://fw.example.com/a.bin"},
        [_problem(["body", "retrieveDate"], "Field required", "missing")],
    ),
    "diagnostics": Endpoint(
        "/chargers/{id}/diagnostics",
        {"location": "https://logs.example.com/upload"},
        {"1.6": "GetDiagnostics", "2.0.1": "GetLog"},
        {"location": "https://logs.example.com/upload", "retries": -1},
        [
            _problem(
                ["body", "retries"],
                "Input should be greater than or equal to 0",
                "greater_than_equal",
            )
        ],
    ),
    "data-transfer": Endpoint(
        "/chargers/{id}/data-transfer",
        {"vendorId": "com.example", "messageId": "Ping", "data": "{}"},
        _same("DataTransfer"),
        {"messageId": "Ping"},
        [_problem(["body", "vendorId"], "Field required", "missing")],
    ),
    "remote-start": Endpoint(
        "/chargers/{id}/remote-start",
        {"connectorId": 1, "idTag": "TAG-1"},
        {"1.6": "RemoteStartTransaction", "2.0.1": "RequestStartTransaction"},
        {"connectorId": 1, "idTag": "T" * 37},  # IdTokenType is at most 36 (2.0.1)
        [
            _problem(
                ["body", "idTag"], "String should have at most 36 characters", "string_too_long"
            )
        ],
    ),
    "call": Endpoint(
        "/chargers/{id}/call",
        {"action": "ClearCache", "payload": {}},
        _same("ClearCache"),
        {"action": "Clear Cache"},  # an action is one word
        [
            _problem(
                ["body", "action"],
                "String should match pattern '^[A-Za-z0-9]+$'",
                "string_pattern_mismatch",
            )
        ],
    ),
    "reservation": Endpoint(
        "/chargers/{id}/reservation",
        {"connectorId": 1, "idTag": "TAG-1", "expiryDate": "2099-01-01T00:00:00Z"},
        _same("ReserveNow"),
        {"connectorId": 1, "idTag": "TAG-1"},
        [_problem(["body", "expiryDate"], "Field required", "missing")],
    ),
    "reservation/cancel": Endpoint(
        "/chargers/{id}/reservation/cancel",
        {"reservationId": 7},
        _same("CancelReservation"),
        {"reservationId": 0},
        [_problem(["body", "reservationId"], _AT_LEAST_1, "greater_than_equal")],
    ),
    "local-list": Endpoint(
        "/chargers/{id}/local-list",
        {"listVersion": 1, "updateType": "Full", "entries": []},
        _same("SendLocalList"),
        {"listVersion": 0, "updateType": "Full"},  # 0 is what an empty list reports
        [_problem(["body", "listVersion"], _AT_LEAST_1, "greater_than_equal")],
    ),
    "local-list/version": Endpoint(
        "/chargers/{id}/local-list/version",
        None,
        _same("GetLocalListVersion"),
        None,
        [_problem(["path", "chargeBoxId"], CONTROL, "string_pattern_mismatch")],
        invalid_path="/chargers/CP%001/local-list/version",
    ),
    "charging-profile": Endpoint(
        "/chargers/{id}/charging-profile",
        {
            "connectorId": 1,
            "chargingProfile": {
                "id": 1,
                "stackLevel": 0,
                "purpose": "TxDefaultProfile",
                "kind": "Relative",
                "schedule": {"chargingRateUnit": "A", "periods": [{"startPeriod": 0, "limit": 6}]},
            },
        },
        _same("SetChargingProfile"),
        {"connectorId": 1},
        [_problem(["body", "chargingProfile"], "Field required", "missing")],
    ),
    "charging-profile/clear": Endpoint(
        "/chargers/{id}/charging-profile/clear",
        {"id": 1},
        _same("ClearChargingProfile"),
        {"id": 0},
        [_problem(["body", "id"], _AT_LEAST_1, "greater_than_equal")],
    ),
    "composite-schedule": Endpoint(
        "/chargers/{id}/composite-schedule",
        {"connectorId": 1, "duration": 60},
        _same("GetCompositeSchedule"),
        {"connectorId": 1},
        [_problem(["body", "duration"], "Field required", "missing")],
    ),
    "certificates/install": Endpoint(
        "/chargers/{id}/certificates/install",
        {"certificateType": "CSMSRootCertificate", "certificate": EXAMPLE_ROOT},
        _same("InstallCertificate"),
        {"certificateType": "CSMSRootCertificate"},
        [_problem(["body", "certificate"], "Field required", "missing")],
    ),
    "certificates/installed": Endpoint(
        "/chargers/{id}/certificates/installed",
        {"certificateTypes": ["ManufacturerRootCertificate"]},
        _same("GetInstalledCertificateIds"),
        {"certificateTypes": "ManufacturerRootCertificate"},  # a list of uses
        [_problem(["body", "certificateTypes"], "Input should be a valid list", "list_type")],
    ),
    "certificates/delete": Endpoint(
        "/chargers/{id}/certificates/delete",
        {"certificateHashData": EXAMPLE_HASH_DATA},
        _same("DeleteCertificate"),
        {"certificateHashData": {**EXAMPLE_HASH_DATA, "serialNumber": ""}},
        [
            _problem(
                ["body", "certificateHashData", "serialNumber"],
                "String should have at least 1 character",
                "string_too_short",
            )
        ],
    ),
    "transactions/stop": Endpoint(
        "/transactions/{tx}/stop",
        None,
        {"1.6": "RemoteStopTransaction", "2.0.1": "RequestStopTransaction"},
        None,  # no body: the transaction id carries a control character
        [_problem(["path", "transactionId"], CONTROL, "string_pattern_mismatch")],
        invalid_path="/transactions/{tx}%00/stop",
        # The transaction is known, the charger it is asked on is not.
        unknown_path="/transactions/{tx}/stop?chargeBoxId={id}",
        not_found="transaction '{tx}' not found on charger {id}",
    ),
}


def _mute(call: list[Any]) -> None:
    return None


def _refusing(call: list[Any]) -> list[Any]:
    return [4, call[1], "NotSupported", "not on this firmware", {}]


def _rejected_detail(identity: str) -> str:
    return (
        f"charger {identity} was rejected at boot (BootNotification answered Rejected): no"
        " command is sent to it until a boot is accepted"
    )


def _on_the_wire(lab: ApiLab) -> list[tuple[str, str]]:
    """The calls that went out: the registry refuses a rejected station's before sending."""
    rejected = set(REJECTED.values())
    return sorted(
        (identity, action) for identity, action, _ in lab.registry.sent if identity not in rejected
    )


async def _transaction(lab: ApiLab, identity: str, transaction_id: str | None = None) -> str:
    """The id of a new active transaction of ``identity``; ``None``: an integer the central
    system allocates, as for a 1.6 station."""
    transaction = await lab.store.transactions.start(
        identity,
        connector_id=1,
        meter_start_wh=0.0,
        started_at=datetime.now(UTC),
        transaction_id=transaction_id,
    )
    return transaction.transaction_id


async def _post(
    lab: ApiLab, path: str, body: Any, headers: Mapping[str, str] | None = None
) -> Cell:
    response = await lab.client.post("/api/v1" + path, json=body, headers=headers)
    return response.status_code, response.json()


# -- the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", list(ENDPOINTS.values()), ids=list(ENDPOINTS))
async def test_each_error_status(lab: ApiLab, endpoint: Endpoint) -> None:
    await lab.raw_peer(ID, _mute)
    await lab.store.stations.register(OFFLINE)
    for version in VERSIONS:
        await lab.raw_peer(MUTE[version], _mute, SUBPROTOCOL[version])
        await lab.raw_peer(REFUSING[version], _refusing, SUBPROTOCOL[version])
        await lab.raw_peer(REJECTED[version], _mute, SUBPROTOCOL[version])
        # as a boot answered Rejected leaves it
        lab.registry.gates[REJECTED[version]] = RegistrationGate(REJECTED[version], "Rejected")
    # The stop endpoint names a transaction: one active on each station (2.0.1: its own id).
    tx: dict[str, str] = {}
    if "{tx}" in endpoint.path:
        for identity in (ID, OFFLINE, MUTE["1.6"], REFUSING["1.6"], REJECTED["1.6"]):
            tx[identity] = await _transaction(lab, identity)
        for identity in (MUTE["2.0.1"], REFUSING["2.0.1"], REJECTED["2.0.1"]):
            tx[identity] = await _transaction(lab, identity, f"TX-{identity}")

    def path(template: str, identity: str, owner: str | None = None) -> str:
        return template.format(id=identity, tx=tx.get(owner or identity, ""))

    requests = {
        "401 no key": _post(lab, path(endpoint.path, ID), endpoint.body, headers={"X-API-Key": ""}),
        "404 unknown chargeBoxId": _post(
            lab, path(endpoint.unknown_path or endpoint.path, "NOPE", owner=ID), endpoint.body
        ),
        "422 invalid request": _post(
            lab, path(endpoint.invalid_path or endpoint.path, ID), endpoint.invalid_body
        ),
        "503 not connected": _post(lab, path(endpoint.path, OFFLINE), endpoint.body),
        **{
            f"504 {version}": _post(
                lab, path(endpoint.path, MUTE[version]), endpoint.body_for(version)
            )
            for version in VERSIONS
        },
        **{
            f"502 {version}": _post(
                lab, path(endpoint.path, REFUSING[version]), endpoint.body_for(version)
            )
            for version in VERSIONS
        },
        **{
            f"409 {version}": _post(
                lab, path(endpoint.path, REJECTED[version]), endpoint.body_for(version)
            )
            for version in VERSIONS
        },
    }
    # At once: the two 504s wait out the timeout side by side.
    row = dict(zip(requests, await asyncio.gather(*requests.values()), strict=True))

    assert row == {
        "401 no key": (401, {"detail": "missing or invalid API key"}),
        "404 unknown chargeBoxId": (
            404,
            {"detail": endpoint.not_found.format(id="NOPE", tx=tx.get(ID, ""))},
        ),
        "422 invalid request": (422, {"detail": endpoint.problems}),
        "503 not connected": (503, {"detail": f"charger {OFFLINE} is not connected"}),
        **{
            f"504 {version}": (
                504,
                {
                    "detail": f"charger {MUTE[version]} did not answer "
                    f"{endpoint.first_action(version)} within {TIMEOUT:g} s"
                },
            )
            for version in VERSIONS
        },
        **{
            f"502 {version}": (
                502,
                {
                    "detail": f"charger {REFUSING[version]} answered "
                    f"{endpoint.actions[version]} with NotSupported: not on this firmware",
                    "errorCode": "NotSupported",
                    "errorDescription": "not on this firmware",
                },
            )
            for version in VERSIONS
        },
        **{
            f"409 {version}": (409, {"detail": _rejected_detail(REJECTED[version])})
            for version in VERSIONS
        },
    }
    assert _on_the_wire(lab) == sorted(
        [(MUTE[version], endpoint.first_action(version)) for version in VERSIONS]
        + [
            (REFUSING[version], action)
            for version in VERSIONS
            for action in endpoint.sent_to_refusing(version)
        ]
    )


# -- beyond the matrix ------------------------------------------------------------------------


async def test_404_for_an_unknown_transaction_id(lab: ApiLab) -> None:
    await lab.raw_peer(ID, _mute)
    await _transaction(lab, ID)  # "1"
    assert await _post(lab, "/transactions/99/stop", None) == (
        404,
        {"detail": "transaction '99' not found"},
    )
    assert lab.registry.sent == []


async def test_a_key_2_0_1_has_no_name_for_is_not_supported_and_nothing_is_sent(
    lab: ApiLab,
) -> None:
    # Neither Component.Variable nor a 1.6 key with a 2.0.1 counterpart: not an error of the
    # request, a key the station's version does not know (configuration/get lists it unknown).
    await lab.raw_peer(ID, _mute, SUBPROTOCOL["2.0.1"])
    body = {"key": "NumberOfConnectors", "value": "2"}
    status, answer = await _post(lab, f"/chargers/{ID}/configuration/change", body)
    assert (status, answer["status"]) == (200, "NotSupported")
    assert lab.registry.sent == []


# A 1.6 transactionId is an integer (1.6 section 6.46). The route looks the id up first
# (routes/transactions.py: 404 "Unknown transaction"), so an id that names no transaction is
# 404 whatever it looks like; only a stored transaction the 1.6 call cannot name is 422
# (app.py: "a request the station's OCPP version cannot express").


@pytest.mark.parametrize("query", ["", f"?chargeBoxId={ID}"])
async def test_404_for_a_non_integer_id_on_a_1_6_station(lab: ApiLab, query: str) -> None:
    await lab.raw_peer(ID, _mute)
    await _transaction(lab, ID)
    where = f" on charger {ID}" if query else ""
    assert await _post(lab, f"/transactions/abc/stop{query}", None) == (
        404,
        {"detail": f"transaction 'abc' not found{where}"},
    )
    assert lab.registry.sent == []


@pytest.mark.parametrize(
    "transaction_id",
    [
        "abc",
        "-1",
        "1.5",
        "²",  # str.isdigit() is true of these two: int() refuses the first
        "٣",  # and reads the second as 3, another transaction
    ],
)
async def test_422_for_a_stored_non_integer_id_on_a_1_6_station(
    lab: ApiLab, transaction_id: str
) -> None:
    """A transaction the station began while it spoke 2.0.1 (its own string id), stopped
    after it came back speaking 1.6: RemoteStopTransaction cannot name it."""
    await lab.raw_peer(ID, _mute)
    await _transaction(lab, ID, transaction_id)
    assert await _post(lab, f"/transactions/{transaction_id}/stop", None) == (
        422,
        {"detail": f"a 1.6 transactionId is an integer, not {transaction_id!r}"},
    )
    assert lab.registry.sent == []


# -- the 2.0.1 operations without a 1.6 counterpart -----------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.path)
async def test_each_error_status_of_a_2_0_1_operation(lab: ApiLab, operation: Operation) -> None:
    await lab.raw_peer(ID, _mute)  # a 1.6 station
    await lab.store.stations.register(OFFLINE)
    await lab.raw_peer(MUTE["2.0.1"], _mute, SUBPROTOCOL["2.0.1"])
    await lab.raw_peer(REFUSING["2.0.1"], _refusing, SUBPROTOCOL["2.0.1"])
    await lab.raw_peer(REJECTED["2.0.1"], _mute, SUBPROTOCOL["2.0.1"])
    lab.registry.gates[REJECTED["2.0.1"]] = RegistrationGate(REJECTED["2.0.1"], "Rejected")
    path = f"/chargers/{{}}/{operation.path}"
    body = operation.example
    requests = {
        "401 no key": _post(lab, path.format(MUTE["2.0.1"]), body, headers={"X-API-Key": ""}),
        "404 unknown chargeBoxId": _post(lab, path.format("NOPE"), body),
        "422 a 1.6 station": _post(lab, path.format(ID), body),
        "422 invalid body": _post(lab, path.format(REFUSING["2.0.1"]), {**body, "notAField": 1}),
        "503 not connected": _post(lab, path.format(OFFLINE), body),
        "504": _post(lab, path.format(MUTE["2.0.1"]), body),
        "502": _post(lab, path.format(REFUSING["2.0.1"]), body),
        "409": _post(lab, path.format(REJECTED["2.0.1"]), body),
    }
    row = dict(zip(requests, await asyncio.gather(*requests.values()), strict=True))

    action = operation.action
    invalid_status, invalid = row.pop("422 invalid body")
    assert invalid_status == 422
    assert invalid["detail"].startswith(
        f"not valid for the charger's OCPP version: {action}Request:"
    )
    assert row == {
        "401 no key": (401, {"detail": "missing or invalid API key"}),
        "404 unknown chargeBoxId": (404, {"detail": "charger NOPE not found"}),
        "422 a 1.6 station": (
            422,
            {
                "detail": f"{action} is an OCPP 2.0.1 operation ({operation.use_case});"
                f" charger {ID} speaks OCPP 1.6"
            },
        ),
        "503 not connected": (503, {"detail": f"charger {OFFLINE} is not connected"}),
        "504": (
            504,
            {"detail": f"charger {MUTE['2.0.1']} did not answer {action} within {TIMEOUT:g} s"},
        ),
        "502": (
            502,
            {
                "detail": f"charger {REFUSING['2.0.1']} answered {action} with NotSupported:"
                " not on this firmware",
                "errorCode": "NotSupported",
                "errorDescription": "not on this firmware",
            },
        ),
        "409": (409, {"detail": _rejected_detail(REJECTED["2.0.1"])}),
    }
    # Only the 504 and the 502 went out; nothing was left waiting for a report.
    assert [identity for identity, _ in _on_the_wire(lab)] == sorted(
        [MUTE["2.0.1"], REFUSING["2.0.1"]]
    )
    assert len(lab.registry.reports) == 0


# -- the 2.1 operations ---------------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS_21, ids=lambda operation: operation.path)
async def test_each_error_status_of_a_2_1_operation(lab: ApiLab, operation: Operation) -> None:
    await lab.raw_peer(ID, _mute)  # a 1.6 station
    await lab.raw_peer(MUTE["2.0.1"], _mute, SUBPROTOCOL["2.0.1"])
    await lab.store.stations.register(OFFLINE)
    await lab.raw_peer(MUTE["2.1"], _mute, "ocpp2.1")
    await lab.raw_peer(REFUSING["2.1"], _refusing, "ocpp2.1")
    await lab.raw_peer(REJECTED["2.1"], _mute, "ocpp2.1")
    lab.registry.gates[REJECTED["2.1"]] = RegistrationGate(REJECTED["2.1"], "Rejected")
    path = f"/chargers/{{}}/{operation.path}"
    body = operation.example
    requests = {
        "401 no key": _post(lab, path.format(MUTE["2.1"]), body, headers={"X-API-Key": ""}),
        "404 unknown chargeBoxId": _post(lab, path.format("NOPE"), body),
        "422 a 1.6 station": _post(lab, path.format(ID), body),
        "422 a 2.0.1 station": _post(lab, path.format(MUTE["2.0.1"]), body),
        "422 invalid body": _post(lab, path.format(REFUSING["2.1"]), {**body, "notAField": 1}),
        "503 not connected": _post(lab, path.format(OFFLINE), body),
        "504": _post(lab, path.format(MUTE["2.1"]), body),
        "502": _post(lab, path.format(REFUSING["2.1"]), body),
        "409": _post(lab, path.format(REJECTED["2.1"]), body),
    }
    row = dict(zip(requests, await asyncio.gather(*requests.values()), strict=True))

    action = operation.action
    invalid_status, invalid = row.pop("422 invalid body")
    assert invalid_status == 422
    assert invalid["detail"].startswith(
        f"not valid for the charger's OCPP version: {action}Request:"
    )
    wrong_version = f"{action} is an OCPP 2.1 operation ({operation.use_case}); charger"
    assert row == {
        "401 no key": (401, {"detail": "missing or invalid API key"}),
        "404 unknown chargeBoxId": (404, {"detail": "charger NOPE not found"}),
        "422 a 1.6 station": (422, {"detail": f"{wrong_version} {ID} speaks OCPP 1.6"}),
        "422 a 2.0.1 station": (
            422,
            {"detail": f"{wrong_version} {MUTE['2.0.1']} speaks OCPP 2.0.1"},
        ),
        "503 not connected": (503, {"detail": f"charger {OFFLINE} is not connected"}),
        "504": (
            504,
            {"detail": f"charger {MUTE['2.1']} did not answer {action} within {TIMEOUT:g} s"},
        ),
        "502": (
            502,
            {
                "detail": f"charger {REFUSING['2.1']} answered {action} with NotSupported:"
                " not on this firmware",
                "errorCode": "NotSupported",
                "errorDescription": "not on this firmware",
            },
        ),
        "409": (409, {"detail": _rejected_detail(REJECTED["2.1"])}),
    }
    # Only the 504 and the 502 went out.
    assert [identity for identity, _ in _on_the_wire(lab)] == sorted([MUTE["2.1"], REFUSING["2.1"]])
