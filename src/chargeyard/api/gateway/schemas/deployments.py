"""Bodies of ``/ocpp/deployment`` and ``/ocpp/location`` (singular): one charger, or a location
with its chargers, made in one request, as OCPPLab's Python SDK makes them.

The SDK's two lines name a charger's model differently, and both are taken: ``brand_slug`` and
``model_slug`` (0.2), or ``model`` alone (0.3: a catalog model's id, ``abb-terra-54``, or a
model slug that one brand has). ``charge_point_name`` (0.2) and ``charger_name`` (0.3) are one
field. ``security_profile`` (0-3) says how the station connects (OCPP 2.0.1 part 2 A00; the 1.6
security whitepaper, section 2):

===  ==================================================  ====================================
0    ``ws://``, no credentials                           no ``authorization_key``
1    ``ws://``, HTTP Basic with ``authorization_key``    the key required
2    ``wss://``, HTTP Basic with ``authorization_key``   the key required
3    ``wss://``, the station's TLS client certificate    no key: the lab's certificate
                                                         authority issues the certificate
                                                         (``client_certificates.py``)
===  ==================================================  ====================================

Left out, it follows from ``ws_url`` and whether a key is given. A profile the URL cannot
carry (1 over ``wss://``, 2 or 3 over ``ws://``) or a key the profile does not send is a 422
that says so, as is an unknown model.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chargeyard.api.gateway.schemas.chargers import (
    CatalogSlug,
    ConnectorType,
    Identity,
    Name,
    Password,
    RowId,
    WsUrl,
)
from chargeyard.api.gateway.schemas.common import GatewayRequest
from chargeyard.api.gateway.schemas.locations import Country, Text, TimeZone
from chargeyard.api.gateway.schemas.locations import Name as LocationName
from chargeyard.api.ocpp_version import OcppVersion, StationOcppVersion

SecurityProfile = Annotated[int, Field(ge=0, le=3, examples=[1])]
ModelRef = Annotated[str, Field(min_length=1, max_length=160, examples=["abb-terra-ac-w22"])]


class ChargerSecurity(GatewayRequest):
    """What every way of making one charger shares: where it dials and how it proves itself."""

    ws_url: WsUrl
    security_profile: SecurityProfile | None = None
    authorization_key: Password | None = Field(
        None, description="The HTTP Basic password (profiles 1 and 2); never shown again"
    )

    @model_validator(mode="after")
    def _profile_fits(self) -> ChargerSecurity:
        problem = security_problem(self.ws_url, self.security_profile, self.authorization_key)
        if problem is not None:
            raise ValueError(problem)
        return self


def security_problem(url: str, profile: int | None, key: str | None) -> str | None:
    """Why ``profile`` cannot connect to ``url`` with ``key``, or None."""
    if profile is None:
        return None
    secure = url.startswith("wss://")
    if profile >= 2 and not secure:
        return f"security profile {profile} connects over TLS: ws_url must be wss://"
    if profile <= 1 and secure:
        return f"security profile {profile} connects without TLS: ws_url must be ws://"
    if profile in (1, 2) and key is None:
        return f"security profile {profile} sends a password: give authorization_key"
    if profile in (0, 3) and key is not None:
        return f"security profile {profile} sends no password: leave out authorization_key"
    return None


class ChargerModel(ChargerSecurity):
    """A charger's catalog model, in either of the SDK's spellings."""

    brand_slug: CatalogSlug | None = None
    model_slug: CatalogSlug | None = None
    model: ModelRef | None = Field(
        None, description="A catalog model's id (abb-terra-ac-w22), or a model slug"
    )
    connector_type: ConnectorType | None = None
    # The default written as the API writes it, so that the OpenAPI document shows it (a
    # VersionSpec is no JSON); read like any value sent.
    ocpp_version: StationOcppVersion = Field(default="ocpp1.6", validate_default=True)

    @model_validator(mode="after")
    def _one_model(self) -> ChargerModel:
        if self.model is None and (self.brand_slug is None or self.model_slug is None):
            raise ValueError("name the model: model, or brand_slug and model_slug")
        if self.model is not None and self.model_slug not in (None, self.model):
            raise ValueError("model and model_slug name two models: give one of them")
        return self


_DEPLOYMENT_EXAMPLE: dict[str, Any] = {
    "identity": "CP-CHARGER-789",
    "model": "abb-terra-ac-w22",
    "ws_url": "ws://127.0.0.1:9000/ocpp",
    "ocpp_version": "ocpp1.6",
    "charger_name": "Bay 3",
    "security_profile": 1,
    "authorization_key": "s3cret-basic-password",
}


class DeploymentCreateRequest(ChargerModel):
    """One charger, provisioned and started in the background (as ``POST /ocpp/chargers``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_DEPLOYMENT_EXAMPLE]})

    identity: Identity
    charger_name: Name | None = None
    charge_point_name: Name | None = None
    location_id: RowId | None = None
    location_name: LocationName | None = Field(
        None,
        description="Put it at the organization's location of this name, made when none has it"
        " (when location_id is not given)",
    )
    power_kwh: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="The power (kW, despite the name) the charger is set up at: at most the "
        "model's rated power (`max_power_kw` in the catalog; above it is a 422), which it is "
        "when left out. Below it, the station, its EVSEs and connectors deliver no more",
    )

    @property
    def name(self) -> str | None:
        return self.charger_name or self.charge_point_name


class DeploymentResponse(BaseModel):
    """OCPPLab's deployment (``id``, ``deployment_id``, ``identity``, ``ocpp_version``,
    ``provisioning_state``) with chargeyard's accepted charger (``charger_id``, ``status``,
    ``status_url``, ``workflow_run_id``): one body, read by either."""

    id: str = Field(examples=["dep-123"])
    deployment_id: str = Field(examples=["dep-123"], description="The same as id")
    charger_id: str = Field(examples=["dep-123"], description="The same as id")
    identity: str
    ocpp_version: OcppVersion
    provisioning_state: str = Field(examples=["PROVISIONING"])
    status: str = Field(examples=["PROVISIONING"], description="The same as provisioning_state")
    status_url: str
    workflow_run_id: str


class Coordinates(BaseModel):
    """The SDK's ``{lat, lng}``."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, examples=[48.8566])
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False, examples=[2.3522])


class LocationChargerItem(ChargerModel):
    """One charger of ``POST /ocpp/location`` (the SDK's VirtualLocationChargerItem)."""

    identity: Identity
    charge_point_name: Name | None = None


_LOCATION_EXAMPLE: dict[str, Any] = {
    "name": "La Defense Charging Hub",
    "address": "14 Rue de la Paix",
    "city": "Paris",
    "country": "FR",
    "coordinates": {"lat": 48.8566, "lng": 2.3522},
    "timezone": "Europe/Paris",
    "chargers": [
        {
            "identity": "CP-LDF-001",
            "brand_slug": "abb",
            "model_slug": "terra-ac-w22",
            "connector_type": "Type2",
            "ws_url": "ws://127.0.0.1:9000/ocpp",
            "ocpp_version": "ocpp1.6",
        }
    ],
}


class DeploymentLocationRequest(GatewayRequest):
    """A location and its chargers: the location is made at once, its chargers in the
    background."""

    model_config = ConfigDict(json_schema_extra={"examples": [_LOCATION_EXAMPLE]})

    name: LocationName
    address: Annotated[str, Field(max_length=1000)]
    city: Text
    country: Country
    coordinates: Coordinates
    timezone: TimeZone = "UTC"
    owner_name: Text | None = None
    public: bool = False
    chargers: list[LocationChargerItem] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _identities_once(self) -> DeploymentLocationRequest:
        seen: set[str] = set()
        for charger in self.chargers:
            if charger.identity in seen:
                raise ValueError(f"identity {charger.identity} is asked for more than once")
            seen.add(charger.identity)
        return self


class LocationAcceptedResponse(BaseModel):
    """``202``: the location exists; its chargers are made in the background (follow
    ``status_url``, or ``GET /ocpp/deployment-runtime-ops/status``)."""

    status: Literal["accepted"] = Field(description="Always accepted")
    detail: str
    location_id: str
    job_id: str | None = Field(description="The job making its chargers (none: no chargers)")
    status_url: str | None
