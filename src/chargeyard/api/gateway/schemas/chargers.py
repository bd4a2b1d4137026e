"""Bodies of ``/ocpp/chargers``: durable simulated chargers, their provisioning status, their
runtimes and their OCPP logs (the gateway API reference's shapes, snake_case).

Rules on what comes in:

- ``identity``: the name the station presents to the CSMS (the last segment of its WebSocket
  URL, OCPP-J section 3.1): 1..48 characters among letters, digits and ``._-:+@*``; unique in
  the organization (409).
- ``brand_slug``/``model_slug``: a catalog model (``GET /ocpp/catalog/brands``); the model must
  have ``connector_type`` and speak ``ocpp_version`` (422 naming what is unknown).
- ``ocpp_version``: ``ocpp1.6`` or ``ocpp2.0.1``, in any of the spellings the hosted product
  uses (``OCPP1.6``, ``1.6``); answers show it as ``ocpp1.6``.
- ``ws_url``: the CSMS endpoint, ``ws://`` or ``wss://``; the station appends its identity.
- ``password``: HTTP Basic password (security profile 1); never shown again.
- ``data_transfer``: how the station answers DataTransfer from its CSMS
  (``vendor_replies.py``); without it, as its catalog model declares.
- ``drivers``: who comes to the station (``gateway/drivers.py``): ``none`` or ``app``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chargeyard.api.gateway.schemas.common import (
    PRINTABLE,
    GatewayPage,
    GatewayRequest,
    Timestamp,
)
from chargeyard.api.gateway.schemas.vendor_replies import VendorReplies, VendorReplyBody
from chargeyard.api.ocpp_version import OcppRuntimeVersion, OcppVersion, StationOcppVersion
from chargeyard.api.shapes import Timestamp as MillisecondTimestamp
from chargeyard.gateway.drivers import DriverKind
from chargeyard.protocol.identity import IDENTITY_CHARACTERS, MAX_IDENTITY_LENGTH, identity_problem


def _ws_url(url: str) -> str:
    if not url.startswith(("ws://", "wss://")) or len(url) <= len("wss://"):
        raise ValueError("must be a ws:// or wss:// URL")
    return url


def _identity(text: str) -> str:
    problem = identity_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


Identity = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_IDENTITY_LENGTH,
        pattern=f"^[{IDENTITY_CHARACTERS}]+$",
        examples=["CP-CHARGER-789"],
    ),
    AfterValidator(_identity),
]
CatalogSlug = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
]
ConnectorType = Annotated[str, Field(min_length=1, max_length=64), PRINTABLE]
WsUrl = Annotated[
    str,
    Field(max_length=2048, examples=["ws://127.0.0.1:9000/ocpp"]),
    PRINTABLE,
    AfterValidator(_ws_url),
]
Name = Annotated[str, Field(min_length=1, max_length=255), PRINTABLE]
Password = Annotated[str, Field(min_length=1, max_length=64), PRINTABLE]
RowId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]

_DRIVERS = (
    "Who comes to its station: `none`, nobody (cables and cards only by commands); `app`, "
    "drivers who start from an app: after each remote start the station accepts (1.6 "
    "RemoteStartTransaction, 2.0.1 RequestStartTransaction) a driver plugs in within a few "
    "seconds, charges, and unplugs when the transaction ends, the EV is full or the stay is up"
)

_CREATE_EXAMPLE: dict[str, Any] = {
    "identity": "CP-CHARGER-789",
    "brand_slug": "abb",
    "model_slug": "terra-ac-w22",
    "connector_type": "Type2",
    "ws_url": "ws://127.0.0.1:9000/ocpp",
    "ocpp_version": "ocpp1.6",
    "charge_point_name": "Bay 3",
    "location_id": "loc-456",
}


class ChargerCreateRequest(GatewayRequest):
    model_config = ConfigDict(json_schema_extra={"examples": [_CREATE_EXAMPLE]})

    identity: Identity
    brand_slug: CatalogSlug
    model_slug: CatalogSlug
    connector_type: ConnectorType
    ws_url: WsUrl
    ocpp_version: StationOcppVersion
    charge_point_name: Name | None = None
    location_id: RowId | None = None
    password: Password | None = None
    start: bool = Field(
        default=True,
        description="Run it once provisioned (the hosted product's deployments run); false "
        "creates it stopped, for POST .../start-charger later.",
    )
    data_transfer: VendorReplies | None = Field(
        default=None,
        description="How its station answers DataTransfer from the CSMS, replacing its "
        "model's replies (`[]`: UnknownVendorId to every vendor); omitted or null: its "
        "model's (`GET /ocpp/catalog/...`)",
        examples=[[{"vendor_id": "MyVendor", "message_id": None, "answer": "echo"}]],
    )
    drivers: DriverKind = Field(default="none", description=_DRIVERS)


# Fields a PUT may set to null: the others always have a value.
_CLEARABLE = frozenset({"charge_point_name", "location_id", "password", "data_transfer"})


class ChargerUpdateRequest(GatewayRequest):
    """Only the fields present change; ``null`` clears charge_point_name, location_id or
    password, and gives data_transfer back to the model's replies. A change of what the
    station is built from (brand, model, ws_url, version, password, identity) applies at once
    to a running station, which restarts with it (``runtime_action`` in the answer), else at
    its next start; a change of data_transfer or drivers alone applies at once without a
    restart."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"ws_url": "wss://csms.example.com/ocpp"}]}
    )

    identity: Identity | None = None
    brand_slug: CatalogSlug | None = None
    model_slug: CatalogSlug | None = None
    connector_type: ConnectorType | None = None
    ws_url: WsUrl | None = None
    ocpp_version: StationOcppVersion | None = None
    charge_point_name: Name | None = None
    location_id: RowId | None = None
    password: Password | None = None
    data_transfer: VendorReplies | None = Field(
        default=None,
        description="Its own DataTransfer replies, replacing the ones it had; null: its "
        "model's again",
    )
    drivers: DriverKind | None = Field(
        default=None, description="Who comes to its station from now on: none or app"
    )

    @model_validator(mode="after")
    def _no_null_for_required_fields(self) -> ChargerUpdateRequest:
        nulled = sorted(
            name for name in self.model_fields_set - _CLEARABLE if getattr(self, name) is None
        )
        if nulled:
            raise ValueError(f"may not be null: {', '.join(nulled)}")
        return self


class ChargerAcceptedResponse(BaseModel):
    """``202``: the charger is stored; its provisioning goes on in the background."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "charger_id": "dep-123",
                    "identity": "CP-CHARGER-789",
                    "status": "PROVISIONING",
                    "status_url": "/ocpp/chargers/dep-123/status",
                    "workflow_run_id": "run-5d41402abc4b",
                }
            ]
        }
    )

    charger_id: str
    identity: str
    status: str
    status_url: str
    workflow_run_id: str


class ProvisioningError(BaseModel):
    code: str = Field(examples=["runtime_failed"])
    message: str
    retryable: bool


class ChargerStatusResponse(BaseModel):
    """PENDING (stored, its provisioning not begun), PROVISIONING (being set up), READY
    (its station builds, and was started if the charger was created to run) or FAILED
    (``error`` says why; ``retryable``: a start-charger may succeed later)."""

    charger_id: str
    status: str = Field(examples=["READY"])
    workflow_run_id: str | None
    error: ProvisioningError | None
    provisioned_at: Timestamp | None


class ConnectorState(BaseModel):
    evse_id: int
    connector_id: int
    status: str = Field(
        examples=["Available"],
        description="In the words of the station's OCPP version: 1.6 ChargePointStatus "
        "(Available, Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing, Reserved, "
        "Unavailable, Faulted); 2.0.1 ConnectorStatusEnumType (Available, Occupied, Reserved, "
        "Unavailable, Faulted)",
    )


class RuntimeTransaction(BaseModel):
    transaction_id: str = Field(
        description="As the station sends it: OCPP 2.0.1 its own id; 1.6 the id the CSMS gave"
        " (the station's own until StartTransaction is answered)"
    )
    connector_id: int
    started_at: Timestamp
    meter_start_wh: float = Field(description="The energy register when it started, Wh")


class EvseMeterState(BaseModel):
    """An EVSE's meter as the station reads it now: the dashboard follows a session with it
    between the meter values the station sends (every MeterValueSampleInterval or
    SampledDataCtrlr.TxUpdatedInterval seconds)."""

    evse_id: int
    energy_wh: float = Field(description="The energy register (Energy.Active.Import.Register)")
    power_w: float = Field(description="The active power flowing now")
    transaction: RuntimeTransaction | None = Field(description="The one running on this EVSE")


class RuntimeState(BaseModel):
    """The station as it runs in this process now."""

    running: bool
    connection: str = Field(description="stopped, dialing, open, closing, backoff or off")
    registration: str = Field(description="Disconnected, Booting, Pending, Rejected, Accepted")
    connectors: list[ConnectorState]
    last_error: str | None
    evses: list[EvseMeterState] = Field(
        default_factory=list, description="Every EVSE's meter, read at ``read_at``"
    )
    read_at: MillisecondTimestamp | None = Field(
        default=None,
        description="When the meters were read (the station's clock), to the millisecond: a"
        " fast charger delivers Wh in a second",
    )
    faults: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The faults applied to the station now (`POST /ocpp/chaos`), each"
        " with `remaining_s` (null: until cleared)",
    )
    chaos_seed: int | None = Field(
        default=None, description="The random seed the active faults draw from (null: none)"
    )
    bad_days: dict[str, Any] | None = Field(
        default=None,
        description="What is wrong with the station itself now: `clock` (its fault, what it"
        " reads, its skew) and the firmware `misbehaviours` switched on (null: nothing)",
    )


class ChargerResponse(BaseModel):
    id: str = Field(examples=["dep-123"])
    identity: str
    location_id: str | None
    brand_slug: str | None
    model_slug: str | None
    connector_type: str | None
    charge_point_name: str | None
    ws_url: str | None
    ocpp_version: OcppVersion
    has_password: bool
    desired_state: str = Field(description="running or stopped: what start/stop asked for")
    runtime_status: str = Field(
        description="What the runtime last reached: created, running, stopped or failed"
    )
    runtime: RuntimeState | None = Field(
        description="The live station, or null when this process hosts none for it"
    )
    data_transfer: list[VendorReplyBody] = Field(
        description="How its station answers DataTransfer from the CSMS (1.6 section 5.6, "
        "2.0.1 P01): a vendorId no reply names answers UnknownVendorId"
    )
    data_transfer_source: Literal["template", "charger"] = Field(
        description="template: its catalog model's replies; charger: its own, set by create or PUT"
    )
    drivers: DriverKind = Field(description=_DRIVERS)
    created_at: Timestamp
    updated_at: Timestamp


class ChargerUpdateResponse(ChargerResponse):
    """The charger after a PUT, and what became of its running station."""

    runtime_action: Literal["restarted", "applied", "unchanged", "next_start", "failed"] | None = (
        Field(
            description="restarted: it was running and restarted with the change (its "
            "transactions ended, reason Reboot; it boots again, speaking the new version); "
            "applied: it runs on with the change, which needs no restart (data_transfer, "
            "drivers); "
            "unchanged: nothing it is built from or answers with changed; next_start: it does "
            "not run here, the "
            "change applies when it starts; failed: it cannot run as changed (runtime_status "
            "failed, its logs say why); null: this process runs no simulator gateway",
            examples=["restarted"],
        )
    )


class ChargerListResponse(GatewayPage[ChargerResponse]):
    """A page of the organization's chargers, by id."""


class ChargerRuntimeResponse(BaseModel):
    """The answer of start-charger, stop-charger and restart-charger (the gateway API
    reference's "Stop charger runtime"): ``provider`` ``local`` and ``runtime_kind``
    ``asyncio_task`` here; ``desired_count`` 1 or 0; ``status`` ACTIVE while this process hosts
    the station."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "dep-123",
                    "event_type": "stop_charger",
                    "ocpp_version": "OCPP1.6",
                    "payload": {
                        "provider": "local",
                        "runtime_kind": "asyncio_task",
                        "service_name": "dep-123",
                        "desired_count": 0,
                        "status": "ACTIVE",
                    },
                }
            ]
        }
    )

    id: str
    event_type: str
    ocpp_version: OcppRuntimeVersion
    payload: dict[str, Any] = Field(description="Command payload sent to the simulator queue.")


class ChargerLogEntry(BaseModel):
    id: int = Field(description="The frame's id: read it whole at `.../logs/{id}`")
    direction: str = Field(description="cp_to_csms or csms_to_cp")
    action: str | None = Field(description="The OCPP action; a reply carries its CALL's")
    message: str = Field(
        description="The raw OCPP-J frame; in a list, only its beginning when `truncated`"
    )
    truncated: bool = Field(
        description="`message` is the beginning of a longer frame: read it whole at"
        " `/ocpp/chargers/{charger_id}/logs/{id}`"
    )
    message_length: int = Field(description="The whole frame's length, in characters")
    timestamp: Timestamp
    fault: str | None = Field(
        default=None,
        description="What a network fault (`POST /ocpp/chaos`) did to this frame on the wire:"
        " frame_dropped, frame_duplicated, frame_delayed, frame_reordered, answer_delayed,"
        " answer_withheld (the row is the network's, after the station's own row of the"
        " frame); null for every other frame",
    )


class ChargerLogListResponse(BaseModel):
    data: list[ChargerLogEntry]
    total: int = Field(description="Frames matching the filter in all")
    limit: int
    offset: int
