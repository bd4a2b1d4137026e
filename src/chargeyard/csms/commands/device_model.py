"""The OCPP 2.0.1 operations that have no 1.6 counterpart: the device model, monitoring, the
network profile, customer information, display messages, cost, a Local Controller's firmware
publishing and transaction status.

Each is said in 2.0.1's own words: the API body is the request's payload as OCPP writes it
(checked against the official schema before it is sent: a 422 with the schema's complaint),
and the answer is the station's, as it came (a request the station limits, GetVariables,
SetVariables and ClearVariableMonitoring, goes in as many calls as its limits allow, the answers
joined: ``csms/message_limits.py``). An operation whose report follows in requests of
the station's own (GetBaseReport's NotifyReport parts, ...) waits for every part and returns
them with the answer (``awaited.py``); its ``requestId`` is the caller's or one the central
system picks. On a 1.6 station each is a 422: 1.6 has no such message (the raw call,
``POST .../call``, sends 1.6's own).

:data:`OPERATIONS` is the one table: the API's path, the action, the use case of OCPP 2.0.1
part 2 it implements, the message that carries its report, and an example body.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chargeyard.csms.commands.awaited import ask_for_parts, new_request_id
from chargeyard.csms.commands.base import Charger, InvalidCommand, Result, sender
from chargeyard.protocol import V201, Payload, VersionSpec
from chargeyard.protocol.initiators import CSMS_INITIATED


@dataclass(frozen=True, slots=True)
class Operation:
    path: str  # under /chargers/{chargeBoxId}/
    action: str
    summary: str
    use_case: str  # of part 2 of ``since``
    example: Payload
    parts: str | None = None  # the message that carries the report, when one follows
    description: str = field(default="")
    numbered: bool = False  # its request carries a requestId without a report following
    since: VersionSpec = V201  # the version that brought it (2.1's: ``operations_21.py``)


_EVSE_POWER = {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}
_HEARTBEAT = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "variables/get",
        "GetVariables",
        "Get variables",
        "B06",
        {"getVariableData": [_HEARTBEAT, {**_EVSE_POWER, "attributeType": "MaxSet"}]},
        description="Any number of variables in one call, each with its attribute type; sent"
        " in as many requests as the station's ItemsPerMessage and BytesPerMessage allow"
        " (B06.FR.05), the results joined in order.",
    ),
    Operation(
        "variables/set",
        "SetVariables",
        "Set variables",
        "B05",
        {"setVariableData": [{**_HEARTBEAT, "attributeValue": "600"}]},
        description="Any number of variables in one call; each gets its own status. Sent in"
        " as many requests as the station's ItemsPerMessage and BytesPerMessage allow"
        " (B05.FR.11), the results joined in order.",
    ),
    Operation(
        "report/base",
        "GetBaseReport",
        "Get base report",
        "B07",
        {"reportBase": "ConfigurationInventory"},
        parts="NotifyReport",
        description="Returns the report's NotifyReport parts, assembled in seqNo order.",
    ),
    Operation(
        "report",
        "GetReport",
        "Get custom report",
        "B08",
        {
            "componentCriteria": ["Available"],
            "componentVariable": [{"component": {"name": "EVSE"}}],
        },
        parts="NotifyReport",
        description="Returns the report's NotifyReport parts, assembled in seqNo order.",
    ),
    Operation(
        "network-profile",
        "SetNetworkProfile",
        "Set network profile",
        "B09",
        {
            "configurationSlot": 1,
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": "ws://csms.example.com/ocpp",
                "messageTimeout": 30,
                "securityProfile": 1,
                "ocppInterface": "Wired0",
            },
        },
    ),
    Operation(
        "monitoring/set",
        "SetVariableMonitoring",
        "Set variable monitoring",
        "N04",
        {"setMonitoringData": [{**_EVSE_POWER, "value": 1000, "type": "Delta", "severity": 8}]},
    ),
    Operation(
        "monitoring/base",
        "SetMonitoringBase",
        "Set monitoring base",
        "N03",
        {"monitoringBase": "All"},
    ),
    Operation(
        "monitoring/level",
        "SetMonitoringLevel",
        "Set monitoring level",
        "N05",
        {"severity": 5},
    ),
    Operation(
        "monitoring/clear",
        "ClearVariableMonitoring",
        "Clear variable monitoring",
        "N06",
        {"id": [1, 2]},
        description="Sent in as many requests as the station's ItemsPerMessage and"
        " BytesPerMessage allow (N06.FR.04), the results joined in order.",
    ),
    Operation(
        "monitoring/report",
        "GetMonitoringReport",
        "Get monitoring report",
        "N02",
        {"monitoringCriteria": ["ThresholdMonitoring", "DeltaMonitoring"]},
        parts="NotifyMonitoringReport",
        description="Returns the report's NotifyMonitoringReport parts, in seqNo order.",
    ),
    Operation(
        "customer-information",
        "CustomerInformation",
        "Customer information",
        "N09, N10",
        {"report": True, "clear": False, "idToken": {"idToken": "04A1B2C3D4", "type": "ISO14443"}},
        parts="NotifyCustomerInformation",
        description="With report true, returns the NotifyCustomerInformation parts in seqNo"
        " order; with clear true the station forgets what it holds of the customer.",
    ),
    Operation(
        "charging-profiles/get",
        "GetChargingProfiles",
        "Get charging profiles",
        "K09",
        {"evseId": 1, "chargingProfile": {"chargingProfilePurpose": "TxDefaultProfile"}},
        parts="ReportChargingProfiles",
        description="Returns the ReportChargingProfiles parts, in the order they came.",
    ),
    Operation(
        "display-messages",
        "SetDisplayMessage",
        "Set display message",
        "O01",
        {
            "message": {
                "id": 1,
                "priority": "NormalCycle",
                "message": {"format": "UTF8", "content": "Welcome to the lab"},
            }
        },
    ),
    Operation(
        "display-messages/get",
        "GetDisplayMessages",
        "Get display messages",
        "O",
        {"priority": "NormalCycle"},
        parts="NotifyDisplayMessages",
        description="Returns the NotifyDisplayMessages parts, in the order they came.",
    ),
    Operation(
        "display-messages/clear",
        "ClearDisplayMessage",
        "Clear display message",
        "O",
        {"id": 1},
    ),
    Operation(
        "cost-updated",
        "CostUpdated",
        "Cost updated",
        "I",
        {"totalCost": 12.5, "transactionId": "f1c0e7a2-3b4d-4e5f-8a9b-0c1d2e3f4a5b"},
        description="The running total cost of a transaction, for the station to show.",
    ),
    Operation(
        "firmware/publish",
        "PublishFirmware",
        "Publish firmware",
        "L03",
        {
            "location": "https://files.example.com/firmware-2.0.bin",
            "checksum": "9e107d9d372bb6826bd81d3542a419d6",
        },
        description="A Local Controller downloads the image and serves it to the stations"
        " behind it; its progress comes in PublishFirmwareStatusNotification, with the"
        " requestId.",
        numbered=True,
    ),
    Operation(
        "firmware/unpublish",
        "UnpublishFirmware",
        "Unpublish firmware",
        "L04",
        {"checksum": "9e107d9d372bb6826bd81d3542a419d6"},
        description="A Local Controller stops serving the image of this MD5 checksum.",
    ),
    Operation(
        "transaction-status",
        "GetTransactionStatus",
        "Get transaction status",
        "E14",
        {"transactionId": "f1c0e7a2-3b4d-4e5f-8a9b-0c1d2e3f4a5b"},
        description="Whether the station still has messages of the transaction to send.",
    ),
)


async def run(charger: Charger, operation: Operation, payload: Payload) -> Result:
    """Send ``operation`` with ``payload`` and return the answer, with the report's parts when
    one follows.

    Raises:
        InvalidCommand: the station's version has no such operation (1.6; 2.0.1 for one
            that 2.1 brought).
        OcppError: ``payload`` breaks the request's schema (nothing is sent).
        And what every command raises.
    """
    version = await charger.link.version_of(charger.identity)
    action = operation.action
    if action not in CSMS_INITIATED[version]:
        raise InvalidCommand(
            f"{action} is an OCPP {operation.since.name} operation ({operation.use_case});"
            f" charger {charger.identity} speaks OCPP {version.name}"
        )
    if operation.parts is not None or operation.numbered:
        payload = {**payload, "requestId": payload.get("requestId", new_request_id())}
    version.schemas.check_request(action, payload)
    send = sender(charger)
    parts: list[Payload] | None = None
    if operation.parts is None:
        answer = await send(action, payload)
    else:
        # CustomerInformation reports only when asked to (N09); the others always do.
        follows = action != "CustomerInformation" or bool(payload.get("report"))
        answer, parts = await ask_for_parts(
            charger, send, action, payload, operation.parts, parts_follow=follows
        )
    status = answer.get("status")
    return {
        "chargeBoxId": charger.identity,
        "action": action,
        "requestId": payload.get("requestId"),
        "status": status if isinstance(status, str) else None,
        "response": answer,
        "report": parts,
    }
