"""The tools over the simulator gateway (``/ocpp``, the bearer token): simulated chargers,
the commands a person at the station gives, their frame log, network chaos. Each tool is one
route of docs/api.md ("The simulator gateway"), but for ``gateway_send_command``, which also
reads the command's outcome until it is final."""

from __future__ import annotations

import tomllib
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from chargeyard.mcp_server.api import LabApi
from chargeyard.mcp_server.paths import segment

# The outcomes a tool stops waiting at (docs/api.md, "Commands"): the final ones, and
# `deferred`, applied at a station that is offline, which may stay so for long.
SETTLED = frozenset({"applied", "deferred", "rejected", "expired", "failed"})
# How often a command's outcome is read while the tool waits for it: the gateway has no
# long poll, and most commands are applied within a few tenths of a second.
OUTCOME_EVERY_S = 0.1

ChargerId = Annotated[
    str,
    Field(
        min_length=1,
        description="The simulated charger's id (`dep-...`, the `id` of gateway_list_chargers),"
        " not its OCPP identity",
    ),
]
CommandName = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)?$",
        description="The command as the gateway's route names it: plug-connector,"
        " unplug-connector, start-session, stop-session, authorize, start-transaction,"
        " stop-transaction, inject-fault, clear-fault, power-cut, reboot, set-configuration,"
        " ... (gateway_command_catalog lists them all with the schema of their event)",
    ),
]
Target = dict[str, Any]


def _target(
    charger_id: str | None, location_id: str | None, charger_ids: list[str] | None
) -> Target:
    if (charger_id is None) == (location_id is None):
        raise ToolError("name either charger_id or location_id (with charger_ids for a subset)")
    if charger_id is not None:
        if charger_ids:
            raise ToolError("charger_ids selects chargers of a location: give location_id")
        return {"charger_id": charger_id}
    return {"location_id": location_id, "charger_ids": charger_ids}


def register(server: MCPServer[Any], api: LabApi) -> None:
    """Add the gateway's tools to ``server``, each calling ``api``."""

    @server.tool()
    async def gateway_list_chargers(
        location_id: Annotated[
            str | None, Field(description="Only the chargers of this location")
        ] = None,
        page: Annotated[int, Field(ge=1)] = 1,
        limit: Annotated[int, Field(ge=1, le=100)] = 50,
    ) -> dict[str, Any]:
        """List the simulated chargers of your organization (the gateway's durable chargers).

        Returns `{"data": [...], "total", "page", "limit"}`; each charger has its `id`
        (dep-..., what the other gateway tools take), `identity` (its OCPP name, what the CSMS
        tools take as chargeBoxId), model, OCPP version, `ws_url`, desired state and runtime
        status.
        """
        return dict(
            await api.gateway(
                "GET",
                "/chargers",
                params={"location_id": location_id, "page": page, "limit": limit},
            )
        )

    @server.tool()
    async def gateway_get_charger(charger_id: ChargerId) -> dict[str, Any]:
        """Read one simulated charger with its live runtime: connector statuses, each EVSE's
        meter and running transaction, active chaos faults (`runtime.faults`)."""
        return dict(await api.gateway("GET", f"/chargers/{segment(charger_id)}"))

    @server.tool()
    async def gateway_create_charger(
        identity: Annotated[
            str, Field(description="Its OCPP identity (chargeBoxId), unique in the organization")
        ],
        brand_slug: Annotated[
            str, Field(description="A catalog brand, e.g. `abb`, `alfen` (gateway_catalog)")
        ],
        model_slug: Annotated[
            str, Field(description="A model of that brand, e.g. `terra-ac-w22` (gateway_catalog)")
        ],
        ocpp_version: Annotated[
            Literal["1.6", "2.0.1"], Field(description="The OCPP version its station speaks")
        ] = "1.6",
        connector_type: Annotated[str, Field(description="e.g. Type2, CCS2, CHAdeMO")] = "Type2",
        ws_url: Annotated[
            str | None,
            Field(
                description="The central system it dials (ws:// or wss://, without the"
                " identity); left out: the lab's own CSMS"
            ),
        ] = None,
        start: Annotated[bool, Field(description="Run it at once (false: created stopped)")] = True,
        drivers: Annotated[
            Literal["none", "app"],
            Field(
                description="`app`: after each remote start the station accepts, a driver"
                " plugs in within seconds and charges; `none`: only commands act"
            ),
        ] = "none",
        location_id: Annotated[str | None, Field(description="The location it belongs to")] = None,
    ) -> dict[str, Any]:
        """Create a durable simulated charger (POST /ocpp/chargers). It is provisioned in the
        background and takes commands at once; returns its provisioning status with its `id`."""
        if ws_url is None:
            ws_url = await _built_in_csms(api)
        body = {
            "identity": identity,
            "brand_slug": brand_slug,
            "model_slug": model_slug,
            "connector_type": connector_type,
            "ws_url": ws_url,
            "ocpp_version": ocpp_version,
            "start": start,
            "drivers": drivers,
            "location_id": location_id,
        }
        return dict(await api.gateway("POST", "/chargers", body=body))

    @server.tool()
    async def gateway_catalog() -> dict[str, Any]:
        """The station models a simulated charger can be made of: brands and their models
        (slugs for gateway_create_charger), with power, connectors and OCPP versions."""
        return dict(await api.gateway("GET", "/catalog"))

    @server.tool()
    async def gateway_charger_runtime(
        charger_id: ChargerId,
        action: Annotated[
            Literal["start", "stop", "restart"],
            Field(description="start or stop the charger's station, or reconnect it cleanly"),
        ],
    ) -> dict[str, Any]:
        """Start, stop or restart a simulated charger's runtime (its station process)."""
        path = f"/chargers/{segment(charger_id)}/{action}-charger"
        return dict(await api.gateway("POST", path))

    @server.tool()
    async def gateway_command_catalog() -> dict[str, Any]:
        """Every gateway command with the JSON schema of its `event` and an example body:
        what gateway_send_command accepts."""
        return dict(await api.gateway("GET", "/commands/catalog"))

    @server.tool()
    async def gateway_send_command(
        command: CommandName,
        charger_id: ChargerId,
        event: Annotated[
            dict[str, Any] | None,
            Field(
                description='The command\'s fields, e.g. {"evse_id": 1, "connector_id": 1}'
                ' for plug-connector, {"evse_id": 1, "connector_id": 1, "id_tag":'
                ' "04A1B2C3D4"} for start-session; left out: the command\'s defaults'
            ),
        ] = None,
        wait_s: Annotated[
            float,
            Field(
                ge=0,
                le=120,
                description="Seconds to wait for the outcome (0: return once queued)",
            ),
        ] = 15.0,
    ) -> dict[str, Any]:
        """Act on a simulated charger as a person at the station would: plug or unplug a
        cable, present a card, start or stop a session, inject a fault, cut the power...

        Returns the command as the gateway reads it back: `status` (`applied`, `deferred`,
        `rejected` with the station's reason in `detail`, `failed`, `expired`, or `received`
        when `wait_s` passed first) and `result` (what the station did). A charger that cannot
        take the command (not running, no cable to unplug...) is an error with the reason.
        """
        body: dict[str, Any] = {"target": {"charger_id": charger_id}}
        if event is not None:
            body["event"] = event
        queued = await api.gateway("POST", f"/commands/{command}", body=body)
        if not queued.get("results"):
            reasons = "; ".join(
                f"{failure.get('identity') or charger_id}: {failure.get('error')}"
                for failure in queued.get("failed", [])
            )
            raise ToolError(f"{command} was not queued: {reasons or queued}")
        command_id = queued["results"][0]["command"]["id"]
        return await _outcome(api, command_id, wait_s)

    @server.tool()
    async def gateway_get_command(
        command_id: Annotated[str, Field(min_length=1, description="The command's id")],
    ) -> dict[str, Any]:
        """What became of a gateway command sent before (its `status`, `result`, `detail`)."""
        return dict(await api.gateway("GET", f"/commands/{segment(command_id)}"))

    @server.tool()
    async def gateway_frames(
        charger_id: ChargerId,
        action: Annotated[
            str | None,
            Field(
                pattern=r"^[A-Za-z0-9]+$",
                description="Only this OCPP action (a reply carries its CALL's action)",
            ),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=1000)] = 50,
    ) -> dict[str, Any]:
        """The OCPP frames the simulated charger's station sent (`cp_to_csms`) and received
        (`csms_to_cp`), newest first, as the gateway logged them; frames that chaos faults
        dropped, duplicated or held are marked in `fault`."""
        params = {"event": action, "limit": limit, "order": "desc"}
        return dict(
            await api.gateway("GET", f"/chargers/{segment(charger_id)}/logs", params=params)
        )

    @server.tool()
    async def gateway_start_chaos(
        faults: Annotated[
            list[dict[str, Any]] | None,
            Field(
                description="The faults, each a `kind` and its fields (docs/chaos.md). The"
                " network's: latency (up_ms, down_ms, jitter_ms), bandwidth, disconnect"
                " (every_s or per_minute, offline_s), half_open, refuse_connect,"
                " drop_frames / duplicate_frames (share, actions), delay_frames (share,"
                " delay_s), reorder_frames, delay_answers, withhold_answers. The station's:"
                " clock (offset_s, drift_ppm, jump_to), status_for_unknown_connector,"
                " unknown_transaction_id, meter_backwards, boot_in_transaction. Crowds, once"
                " each, best on a location: reconnect_storm (jitter_s, after_s),"
                " rolling_restart (per_minute, off_s), power_cut (off_s). `for_s` ends a"
                " fault, else it lasts until gateway_stop_chaos. Give these or profile_toml",
            ),
        ] = None,
        profile_toml: Annotated[
            str | None,
            Field(
                description="A chaos profile as `chargeyard sim --chaos FILE.toml` reads it"
                " (a `seed` and `[[faults]]` tables, e.g. examples/chaos/flaky-network.toml),"
                " instead of faults and seed",
            ),
        ] = None,
        charger_id: Annotated[str | None, Field(description="One charger (dep-...)")] = None,
        location_id: Annotated[str | None, Field(description="Every charger of a location")] = None,
        charger_ids: Annotated[
            list[str] | None, Field(description="With location_id: only these chargers")
        ] = None,
        seed: Annotated[
            int | None, Field(description="Replays the same faults; left out: one is chosen")
        ] = None,
    ) -> dict[str, Any]:
        """Give running simulated chargers a bad network day: faults added to what is active,
        drawn reproducibly from `seed`. Returns `seed` (chosen when left out) and each
        charger's active faults (chargers that are not running are listed in `failed`)."""
        body = _profile(faults, profile_toml, seed)
        body["target"] = _target(charger_id, location_id, charger_ids)
        return dict(await api.gateway("POST", "/chaos", body=body))

    @server.tool()
    async def gateway_stop_chaos(
        charger_id: Annotated[str | None, Field(description="One charger (dep-...)")] = None,
        location_id: Annotated[str | None, Field(description="Every charger of a location")] = None,
        charger_ids: Annotated[
            list[str] | None, Field(description="With location_id: only these chargers")
        ] = None,
    ) -> dict[str, Any]:
        """Clear every chaos fault of the chargers: held frames are sent, a refused station
        dials again at its next attempt."""
        target = _target(charger_id, location_id, charger_ids)
        return dict(await api.gateway("DELETE", "/chaos", params=target))


def _profile(
    faults: list[dict[str, Any]] | None, profile_toml: str | None, seed: int | None
) -> dict[str, Any]:
    """The body of ``POST /ocpp/chaos`` but its target: the faults and seed given, or a TOML
    profile's, which has that body's shape (docs/chaos.md); the API judges the faults."""
    if (faults is None) == (profile_toml is None):
        raise ToolError("give either faults or profile_toml")
    if profile_toml is None:
        return {"faults": faults, **({} if seed is None else {"seed": seed})}
    if seed is not None:
        raise ToolError("a profile says its own seed: give it in profile_toml")
    try:
        return dict(tomllib.loads(profile_toml))
    except tomllib.TOMLDecodeError as error:
        raise ToolError(f"profile_toml is not TOML: {error}") from None


async def _built_in_csms(api: LabApi) -> str:
    """The lab's own CSMS as the gateway names it to its chargers: the ``ws_url`` of the
    location templates, which dial the built-in central system (docs/api.md)."""
    answer = await api.gateway("GET", "/templates/locations", params={"limit": 1})
    for template in answer.get("templates", []):
        for charger in template.get("body", {}).get("chargers", []):
            return str(charger["ws_url"])
    raise ToolError("the gateway names no central system of its own: give ws_url")


async def _outcome(api: LabApi, command_id: str, wait_s: float) -> dict[str, Any]:
    """The command as the gateway reads it, once final or when ``wait_s`` has passed."""
    path = f"/commands/{segment(command_id)}"
    answer: dict[str, Any] = await api.gateway("GET", path)
    with anyio.move_on_after(wait_s):
        while answer.get("status") not in SETTLED:
            await anyio.sleep(OUTCOME_EVERY_S)
            answer = await api.gateway("GET", path)
    return answer
