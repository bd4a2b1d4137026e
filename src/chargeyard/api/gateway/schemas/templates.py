"""Bodies of ``/ocpp/templates/locations``: ready-made site layouts
(``api/gateway/site_templates.py``).

Each charger entry names a catalog model the way ``POST /ocpp/chargers`` takes it
(``brand_slug``, ``model_slug``, ``connector_type``, ``ocpp_version`` as the OCPP-J
subprotocol, e.g. ``ocpp1.6``) and how many of it the site has.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chargeyard.api.gateway.schemas.common import GatewayPage
from chargeyard.api.gateway.site_templates import SiteTemplate, SiteType
from chargeyard.api.ocpp_version import OcppVersion
from chargeyard.station.versions import version_of


class LocationTemplateCharger(BaseModel):
    brand_slug: str
    model_slug: str
    model_name: str
    connector_type: str = Field(description="OCPP 2.0.1 ConnectorEnumType, e.g. cCCS2")
    ocpp_version: OcppVersion
    count: int
    max_power_kw: float = Field(description="Per charger")


class LocationTemplateResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "urban-fast-charging-dc",
                    "name": "Urban fast charging (DC)",
                    "description": "A city-centre fast-charging site for taxis.",
                    "type": "DC",
                    "ocpp_versions": ["ocpp2.0.1", "ocpp1.6"],
                    "chargers": [
                        {
                            "brand_slug": "abb",
                            "model_slug": "terra-54",
                            "model_name": "Terra 54 CJ",
                            "connector_type": "cCCS2",
                            "ocpp_version": "ocpp2.0.1",
                            "count": 2,
                            "max_power_kw": 50.0,
                        }
                    ],
                    "charger_count": 2,
                    "total_power_kw": 100.0,
                }
            ]
        }
    )

    id: str
    name: str
    description: str
    type: SiteType
    ocpp_versions: list[OcppVersion] = Field(
        description="Versions every charger of the site speaks"
    )
    chargers: list[LocationTemplateCharger]
    charger_count: int
    total_power_kw: float

    @classmethod
    def of(cls, site: SiteTemplate, ocpp_version: str | None = None) -> LocationTemplateResponse:
        """``ocpp_version`` (a version name) for every charger; the newest the site's
        chargers all speak when None."""
        version = version_of(ocpp_version or site.default_ocpp_version)
        return cls(
            id=site.layout.id,
            name=site.layout.name,
            description=site.layout.description,
            type=site.type,
            ocpp_versions=[version_of(name) for name in site.ocpp_versions],
            chargers=[
                LocationTemplateCharger(
                    brand_slug=charger.template.brand_slug,
                    model_slug=charger.template.slug,
                    model_name=charger.template.name,
                    connector_type=charger.template.connector_types[0],
                    ocpp_version=version,
                    count=charger.count,
                    max_power_kw=charger.template.max_power_kw,
                )
                for charger in site.chargers
            ],
            charger_count=sum(charger.count for charger in site.chargers),
            total_power_kw=site.total_power_kw,
        )


class TemplateFilters(BaseModel):
    """The filters asked for, echoed (OCPPLab's template filters)."""

    ocpp_version: str | None
    ocpi_version: str | None
    connector_type: str | None
    include_all: bool | None


class SdkLocationTemplate(BaseModel):
    """A site as OCPPLab's template: ``body`` is ready to POST to ``/ocpp/location``. No OCPI
    part: ``cpo_name``, ``cpo_slug``, ``party_id`` and ``ocpi_version`` are empty."""

    name: str
    slug: str
    description: str
    cpo_name: str
    cpo_slug: str
    party_id: str
    ocpp_version: str
    ocpi_version: str
    connector_type: str
    body: dict[str, Any]


class LocationTemplateListResponse(GatewayPage[LocationTemplateResponse]):
    """A page of site templates (``data``), and the same page in OCPPLab's shape
    (``count``, ``filters``, ``templates``), so that either reader finds its own."""

    count: int = Field(description="Templates on this page (OCPPLab's)")
    filters: TemplateFilters
    templates: list[SdkLocationTemplate]
