"""Bodies of ``/ocpp/locations``: the sites of an organization.

Rules on what comes in:

- ``slug``: lowercase letters and digits in words joined by "-", unique in the organization
  (409 otherwise). Without one, the API makes one from the name, and adds a short random
  suffix only when another location of the organization has that slug already.
- ``country``: an ISO 3166-1 alpha-2 code (``FR``); lowercase is accepted and upper-cased.
- ``coordinates``: WGS 84 degrees, latitude -90..90, longitude -180..180, both or neither.
- ``timezone``: an IANA time zone name (``Europe/Paris``), as the tz database knows it.
- PUT is a partial update: only the fields present change; ``null`` clears a field that may be
  empty (address, city, country, coordinates, owner_name) and is refused for the others.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chargeyard.api.gateway.schemas._iso3166 import COUNTRY_CODES
from chargeyard.api.gateway.schemas.common import (
    PRINTABLE,
    GatewayPage,
    GatewayRequest,
    Timestamp,
)
from chargeyard.store.models import Location, LocationStatus


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(name: str) -> str:
    if name not in _timezones():
        raise ValueError("must be an IANA time zone name, such as Europe/Paris or UTC")
    return name


def _country(code: str) -> str:
    upper = code.upper()
    if upper not in COUNTRY_CODES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, such as FR")
    return upper


Name = Annotated[str, Field(min_length=1, max_length=255), PRINTABLE]
Text = Annotated[str, Field(max_length=255), PRINTABLE]
Address = Annotated[str, Field(max_length=1000), PRINTABLE]
Slug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=128,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        examples=["la-defense-hub"],
    ),
]
Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
TimeZone = Annotated[str, Field(max_length=64), AfterValidator(_timezone)]


class Coordinates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False, examples=[48.8566])
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False, examples=[2.3522])


_CREATE_EXAMPLE: dict[str, Any] = {
    "name": "La Defense Charging Hub",
    "address": "14 Rue de la Paix",
    "city": "Paris",
    "country": "FR",
    "coordinates": {"latitude": 48.8566, "longitude": 2.3522},
    "timezone": "Europe/Paris",
    "owner_name": "VINCI Autoroutes",
    "public": True,
}


class LocationCreateRequest(GatewayRequest):
    model_config = ConfigDict(json_schema_extra={"examples": [_CREATE_EXAMPLE]})

    name: Name
    slug: Slug | None = Field(
        default=None,
        description="Made from the name when absent (`La Defense Charging Hub` ->"
        " `la-defense-charging-hub`), with a short random suffix only when another location"
        " of the organization has that slug already (`la-defense-charging-hub-3f9a`)",
    )
    address: Address | None = None
    city: Text | None = None
    country: Country | None = None
    coordinates: Coordinates | None = None
    timezone: TimeZone = "UTC"
    owner_name: Text | None = None
    public: bool = False
    status: LocationStatus = LocationStatus.ACTIVE


# Fields a PUT may set to null: the others always have a value.
_CLEARABLE = frozenset({"address", "city", "country", "coordinates", "owner_name"})


class LocationUpdateRequest(GatewayRequest):
    """Only the fields present change; ``null`` clears address, city, country, coordinates
    or owner_name."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "La Defense Hub", "public": False}]}
    )

    name: Name | None = None
    slug: Slug | None = None
    address: Address | None = None
    city: Text | None = None
    country: Country | None = None
    coordinates: Coordinates | None = None
    timezone: TimeZone | None = None
    owner_name: Text | None = None
    public: bool | None = None
    status: LocationStatus | None = None

    @model_validator(mode="after")
    def _no_null_for_required_fields(self) -> LocationUpdateRequest:
        nulled = sorted(
            name for name in self.model_fields_set - _CLEARABLE if getattr(self, name) is None
        )
        if nulled:
            raise ValueError(f"may not be null: {', '.join(nulled)}")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields sent, as the store's column names (coordinates in two columns)."""
        values = {name: getattr(self, name) for name in self.model_fields_set}
        if "coordinates" in values:
            coordinates: Coordinates | None = values.pop("coordinates")
            values["latitude"] = coordinates.latitude if coordinates else None
            values["longitude"] = coordinates.longitude if coordinates else None
        return values


class LocationResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "loc-4090477fa416",
                    "slug": "la-defense-charging-hub",
                    **_CREATE_EXAMPLE,
                    "status": "active",
                    "created_at": "2026-04-02T09:15:00Z",
                    "updated_at": "2026-04-02T09:15:00Z",
                }
            ]
        }
    )

    id: str
    slug: str
    name: str
    address: str | None
    city: str | None
    country: str | None
    coordinates: Coordinates | None
    timezone: str
    owner_name: str | None
    public: bool
    status: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, row: Location) -> LocationResponse:
        coordinates = (
            Coordinates(latitude=row.latitude, longitude=row.longitude)
            if row.latitude is not None and row.longitude is not None
            else None
        )
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            address=row.address,
            city=row.city,
            country=row.country,
            coordinates=coordinates,
            timezone=row.timezone,
            owner_name=row.owner_name,
            public=row.public,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class LocationListResponse(GatewayPage[LocationResponse]):
    """A page of the organization's locations, by name."""
