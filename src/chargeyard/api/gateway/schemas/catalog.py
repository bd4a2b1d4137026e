"""Bodies of ``/ocpp/catalog``: the station templates of the fleet (``station/catalog``) as the
API serves them. Read-only; the fields are the template's, each named for what it holds
(``brand_slug``, ``connector_count``, ``current_type``, ``supported_kw`` and ``max_power_kw``
in kilowatts, ...).

Connector types are OCPP 2.0.1 ConnectorEnumType values (part 2, 3.20: ``cCCS2``, ``cType2``,
``sType2``, ``cG105`` for CHAdeMO, ...).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chargeyard.api.gateway.schemas.common import GatewayPage
from chargeyard.api.gateway.schemas.vendor_replies import VendorReplyBody
from chargeyard.station.catalog import Brand, StationTemplate


class BrandResponse(BaseModel):
    """A brand; ``id`` and ``image_url`` are OCPPLab's fields (its SDK's BrandResponse): the
    id is the slug, and the catalog keeps no image."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": "abb", "slug": "abb", "name": "ABB", "model_count": 5, "image_url": None}
            ]
        }
    )

    id: str = Field(description="The same as slug")
    slug: str
    name: str
    model_count: int
    image_url: str | None = None

    @classmethod
    def of(cls, brand: Brand) -> BrandResponse:
        summary = brand.to_summary()
        return cls.model_validate({"id": summary["slug"], **summary})


_MODEL_EXAMPLE: dict[str, Any] = {
    "id": "abb-terra-54",
    "slug": "terra-54",
    "name": "Terra 54 CJ",
    "brand_slug": "abb",
    "brand_id": "abb",
    "image_url": None,
    "connector_count": 2,
    "current_type": "DC",
    "supported_kw": [50.0],
    "supported_kwh": [50.0],
    "connector_types": ["cCCS2", "cG105"],
    "max_power_kw": 50.0,
    "evse_count": 1,
    "ocpp_versions": ["1.6", "2.0.1"],
    "vendor": "ABB",
    "model": "Terra 54 CJ",
    "firmware_version": "1.8.36",
    "data_transfer": [
        {"vendor_id": "chargeyard", "message_id": None, "answer": "echo", "data": None}
    ],
}


class CatalogModelResponse(BaseModel):
    """A brand's model of charge station, as listed."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MODEL_EXAMPLE]})

    id: str = Field(description="Unique in the catalog: <brand_slug>-<slug>")
    slug: str = Field(description="Unique within the brand")
    name: str
    brand_slug: str
    brand_id: str = Field(description="The brand's id (its slug)")
    image_url: str | None
    connector_count: int
    current_type: str = Field(description="AC or DC at the connectors")
    supported_kw: list[float] = Field(
        description="Power ratings the product line is sold in, in kW (its largest EVSE's"
        " power is one of them)"
    )
    supported_kwh: list[float] = Field(
        description="The same as supported_kw, by OCPPLab's name (kW, despite the name)"
    )
    connector_types: list[str] = Field(description="OCPP 2.0.1 ConnectorEnumType values")
    max_power_kw: float
    evse_count: int
    ocpp_versions: list[str] = Field(description='OCPP versions it speaks: "1.6", "2.0.1"')
    vendor: str = Field(description="What it reports as chargePointVendor / vendorName")
    model: str = Field(description="What it reports as chargePointModel / model")
    firmware_version: str
    data_transfer: list[VendorReplyBody] = Field(
        description="How its stations answer DataTransfer from the CSMS unless a charger "
        "sets its own (1.6 section 5.6, 2.0.1 P01): a vendorId no reply names answers "
        "UnknownVendorId"
    )

    @classmethod
    def of(cls, template: StationTemplate) -> CatalogModelResponse:
        return cls.model_validate(_with_sdk_names(template))


def _with_sdk_names(template: StationTemplate) -> dict[str, Any]:
    """The template's summary with OCPPLab's names of its fields beside ours."""
    summary = template.to_summary()
    return {
        **summary,
        "brand_id": summary["brand_slug"],
        "supported_kwh": summary["supported_kw"],
    }


class BrandListResponse(GatewayPage[BrandResponse]):
    """A page of brands, by slug."""


class CatalogModelListResponse(GatewayPage[CatalogModelResponse]):
    """A page of a brand's models, in catalog order."""


class ConnectorResponse(BaseModel):
    id: int = Field(description="1-based within its EVSE (the 2.0.1 connectorId)")
    type: str
    label: str
    max_current_a: int
    max_power_w: int


class EvseResponse(BaseModel):
    id: int = Field(description="1-based within the station (the 2.0.1 evseId)")
    max_power_w: int
    connectors: list[ConnectorResponse]


class CatalogModelDetailResponse(CatalogModelResponse):
    """One model with everything the template knows about its hardware."""

    brand_name: str
    phases: int = Field(description="AC phases used; for DC the grid connection")
    nominal_voltage: int
    shared_power: bool = Field(
        description="The EVSEs share one supply: each may reach its maximum alone, together "
        "they never exceed the station's"
    )
    evses: list[EvseResponse]

    @classmethod
    def of(cls, template: StationTemplate) -> CatalogModelDetailResponse:
        return cls.model_validate(
            {
                **_with_sdk_names(template),
                "brand_name": template.brand_name,
                "phases": template.phases,
                "nominal_voltage": template.nominal_voltage,
                "shared_power": template.shared_power,
                "evses": [
                    {
                        "id": evse.id,
                        "max_power_w": evse.max_power_w,
                        "connectors": [asdict(connector) for connector in evse.connectors],
                    }
                    for evse in template.evses
                ],
            }
        )
