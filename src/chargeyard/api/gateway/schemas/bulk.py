"""Bodies of ``/ocpp/locations/{location_id}/chargers``: many chargers of one location created,
changed or deleted at once.

A creation is a list of items, each a ``template`` and how many chargers to make of it:

- ``charger_ids``: the OCPP identities to give them (``chargers_number`` is then their count,
  or must equal it); without it, ``chargers_number`` identities
  ``<identity_prefix>-0001``, ``-0002``... (a random prefix ``CP-<hex>`` when none is given;
  a prefix that ends in ``-``, ``_``, ``.`` or ``:`` gets no ``-`` added).
- ``start`` (default true): run them once created.

At most :data:`MAX_BULK_CHARGERS` chargers per request.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chargeyard.api.gateway.schemas.chargers import (
    CatalogSlug,
    ConnectorType,
    Identity,
    Name,
    Password,
    ProvisioningError,
    WsUrl,
)
from chargeyard.api.gateway.schemas.common import GatewayRequest, Timestamp
from chargeyard.api.ocpp_version import StationOcppVersion
from chargeyard.protocol.identity import IDENTITY_CHARACTERS

MAX_BULK_CHARGERS = 5000

IdentityPrefix = Annotated[
    str, Field(min_length=1, max_length=40, pattern=f"^[{IDENTITY_CHARACTERS}]+$")
]


class BulkChargerTemplate(GatewayRequest):
    brand_slug: CatalogSlug
    model_slug: CatalogSlug
    connector_type: ConnectorType
    ws_url: WsUrl
    ocpp_version: StationOcppVersion
    identity_prefix: IdentityPrefix | None = Field(
        default=None,
        description="Numbered identities read <prefix>-0001, <prefix>-0002...; a prefix ending"
        " in -, _, . or : gets no '-' added (NC-HUB- gives NC-HUB-0001). Default: CP-<random"
        " hex>",
    )
    template_name: Name | None = Field(
        default=None, description="A label kept as each charger's charge_point_name"
    )
    password: Password | None = None


class BulkChargerItem(GatewayRequest):
    template: BulkChargerTemplate
    charger_ids: list[Identity] | None = Field(
        default=None,
        max_length=MAX_BULK_CHARGERS,
        description="Identities for the new chargers; without them they are numbered "
        "after identity_prefix",
    )
    chargers_number: int | None = Field(default=None, ge=1, le=MAX_BULK_CHARGERS)
    start: bool = Field(default=True, description="Run them once created")

    @model_validator(mode="after")
    def _count(self) -> BulkChargerItem:
        if self.charger_ids is None and self.chargers_number is None:
            raise ValueError("give chargers_number or charger_ids")
        if self.charger_ids is not None:
            if len(set(self.charger_ids)) != len(self.charger_ids):
                raise ValueError("charger_ids repeats an identity")
            if self.chargers_number not in (None, len(self.charger_ids)):
                raise ValueError("chargers_number must equal the number of charger_ids")
        return self

    @property
    def count(self) -> int:
        return len(self.charger_ids) if self.charger_ids is not None else self.chargers_number or 0


_BULK_EXAMPLE: list[dict[str, Any]] = [
    {
        "template": {
            "brand_slug": "abb",
            "model_slug": "terra-ac-w22",
            "connector_type": "cType2",
            "ws_url": "ws://127.0.0.1:9000/ocpp",
            "ocpp_version": "ocpp1.6",
            "identity_prefix": "CP-PARIS",
            "template_name": "AC bay",
        },
        "chargers_number": 10,
    }
]
BULK_CREATE_EXAMPLES = {"ten": {"summary": "Ten AC chargers", "value": _BULK_EXAMPLE}}


class BulkJobAccepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "job-1f2e3d4c5b6a",
                    "status": "PENDING",
                    "status_url": "/ocpp/locations/loc-456/chargers/jobs/job-1f2e3d4c5b6a",
                    "workflow_run_id": "run-5d41402abc4b",
                }
            ]
        }
    )

    job_id: str
    status: str
    status_url: str
    workflow_run_id: str


class BulkFailure(BaseModel):
    charger_id: str | None = Field(description="Null when the charger was not stored")
    identity: str
    code: str = Field(
        examples=["identity_taken"],
        description="identity_taken, identity_used_by_another_organization (its identity"
        " dials the same central system for another organization), invalid_definition or"
        " runtime_failed",
    )
    error: str


class BulkJobResults(BaseModel):
    created: int = Field(description="Chargers stored (and started, if asked)")
    failed: int = Field(description="Chargers not stored, or stored but not runnable")
    charger_ids: list[str] = Field(default_factory=list)
    failures: list[BulkFailure] = Field(default_factory=list)


class BulkJobResponse(BaseModel):
    """PENDING (stored), PROVISIONING (under way), READY (every charger created, and started
    if asked) or FAILED (``error`` and ``results.failures`` say what)."""

    job_id: str
    job_type: str = Field(examples=["bulk_create_chargers"])
    status: str
    error: ProvisioningError | None
    results: BulkJobResults
    provisioned_at: Timestamp | None


class BulkUpdateRequest(GatewayRequest):
    """The same change for many chargers of the location (``charger_ids``; null: all of
    them). Like PUT /ocpp/chargers/{id}, it takes effect at each charger's next start or
    restart."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"charger_ids": ["dep-1", "dep-2"], "ws_url": "wss://csms/ocpp"}]
        }
    )

    charger_ids: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None, max_length=MAX_BULK_CHARGERS
    )
    brand_slug: CatalogSlug | None = None
    model_slug: CatalogSlug | None = None
    connector_type: ConnectorType | None = None
    ws_url: WsUrl | None = None
    ocpp_version: StationOcppVersion | None = None
    password: Password | None = None

    @model_validator(mode="after")
    def _something(self) -> BulkUpdateRequest:
        if not self.model_fields_set - {"charger_ids"}:
            raise ValueError("nothing to change: give at least one field besides charger_ids")
        nulled = sorted(
            name
            for name in self.model_fields_set - {"charger_ids", "password"}
            if getattr(self, name) is None
        )
        if nulled:
            raise ValueError(f"may not be null: {', '.join(nulled)}")
        return self


class BulkUpdateResponse(BaseModel):
    updated_count: int
    charger_ids: list[str]
