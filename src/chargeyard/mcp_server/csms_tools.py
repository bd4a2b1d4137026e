"""The tools over the central system's API (``/api/v1``, the API key): the chargers it knows,
commands to connected stations (each dedicated endpoint, and the raw call), its frame log and
transactions. Each tool is one route of docs/api.md ("The CSMS API")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from chargeyard.mcp_server.api import LabApi
from chargeyard.mcp_server.paths import segment

ChargeBoxId = Annotated[
    str,
    Field(
        min_length=1,
        description="The station's OCPP identity (chargeBoxId); a simulated charger's `identity`",
    ),
]
CsmsCommand = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)?$",
        description="The command's path under the charger, as docs/api.md names it: reset,"
        " unlock, trigger, availability, remote-start, configuration/get,"
        " configuration/change, data-transfer, reservation, local-list, charging-profile,"
        " composite-schedule, firmware/update, diagnostics, certificates/install, and the"
        " 2.0.1 operations (variables/get, report/base, display-messages, ...)",
    ),
]


def register(server: MCPServer[Any], api: LabApi) -> None:
    """Add the central system's tools to ``server``, each calling ``api``."""

    @server.tool()
    async def csms_list_chargers(
        status: Annotated[
            Literal["online", "offline"] | None, Field(description="Only these")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
        offset: Annotated[int, Field(ge=0)] = 0,
    ) -> dict[str, Any]:
        """List the stations the central system knows in your organization, with their
        connectors, whether they are online and their `connectionUrl`."""
        params = {"status": status, "limit": limit, "offset": offset}
        return dict(await api.csms("GET", "/chargers", params=params))

    @server.tool()
    async def csms_get_charger(charge_box_id: ChargeBoxId) -> dict[str, Any]:
        """Read one station as the central system knows it: vendor, model, firmware, last
        heartbeat, `isOnline`, registration, connectors with their status and error code."""
        return dict(await api.csms("GET", f"/chargers/{segment(charge_box_id)}"))

    @server.tool()
    async def csms_send_command(
        charge_box_id: ChargeBoxId,
        command: CsmsCommand,
        body: Annotated[
            dict[str, Any] | None,
            Field(
                description='The command\'s JSON body in camelCase, e.g. {"type": "Soft"}'
                ' for reset, {"connectorId": 1, "idTag": "04A1B2C3D4"} for'
                ' remote-start, {"key": ["HeartbeatInterval"]} for configuration/get'
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Send a command to a connected station through the central system: it sends the
        OCPP call that means it in the station's version and returns the station's answer
        (e.g. remote-start: 1.6 RemoteStartTransaction, 2.0.1 RequestStartTransaction)."""
        path = f"/chargers/{segment(charge_box_id)}/{command}"
        return dict(await api.csms("POST", path, body=body if body is not None else {}))

    @server.tool()
    async def csms_call(
        charge_box_id: ChargeBoxId,
        action: Annotated[
            str,
            Field(
                pattern=r"^[A-Za-z0-9]+$",
                description="Any OCPP action the central system sends in the station's"
                " version, e.g. GetLocalListVersion, TriggerMessage",
            ),
        ],
        payload: Annotated[
            dict[str, Any] | None,
            Field(description="The request payload as OCPP writes it (checked by its schema)"),
        ] = None,
    ) -> dict[str, Any]:
        """Send a raw OCPP call to a connected station (for what no command endpoint says);
        returns `{"chargeBoxId", "ocppVersion", "action", "response"}`, `response` being the
        station's CALLRESULT payload."""
        body = {"action": action, "payload": payload if payload is not None else {}}
        return dict(await api.csms("POST", f"/chargers/{segment(charge_box_id)}/call", body=body))

    @server.tool()
    async def csms_frames(
        charge_box_id: ChargeBoxId,
        action: Annotated[
            str | None,
            Field(pattern=r"^[A-Za-z0-9]+$", description="Only this action's CALLs and answers"),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=1000)] = 50,
    ) -> dict[str, Any]:
        """The OCPP frames the central system exchanged with the station, newest first (its
        direction, action, raw OCPP-J text and time); committed within about 0.25 s."""
        params = {"action": action, "limit": limit}
        return dict(
            await api.csms("GET", f"/chargers/{segment(charge_box_id)}/frames", params=params)
        )

    @server.tool()
    async def csms_list_transactions(
        charge_box_id: Annotated[str | None, Field(description="Only this station's")] = None,
        status: Annotated[
            Literal["active", "completed"] | None, Field(description="Only these")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """List transactions, newest first: id tag, meter start and stop, energy (Wh),
        power, duration, stop reason, whether it was remotely started."""
        params = {"chargeBoxId": charge_box_id, "status": status, "limit": limit}
        return dict(await api.csms("GET", "/transactions", params=params))

    @server.tool()
    async def csms_stop_transaction(
        transaction_id: Annotated[str, Field(min_length=1, description="The transaction's id")],
        charge_box_id: Annotated[
            str | None, Field(description="Needed when two stations use the same id")
        ] = None,
    ) -> dict[str, Any]:
        """Ask the transaction's station to stop it (1.6 RemoteStopTransaction, 2.0.1
        RequestStopTransaction); returns the station's answer."""
        path = f"/transactions/{segment(transaction_id)}/stop"
        return dict(await api.csms("POST", path, params={"chargeBoxId": charge_box_id}))
