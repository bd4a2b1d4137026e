"""``/ocpp/deployment`` and ``/ocpp/location`` (singular): OCPPLab's way to make and remove
chargers, one (a deployment) or a location with its chargers, as its Python SDK calls them.

A deployment is a durable charger (``/ocpp/chargers``): ``POST /ocpp/deployment`` stores it
and provisions it in the background (202), ``DELETE /ocpp/deployment`` removes it by id or
identity as ``DELETE /ocpp/chargers/{charger_id}`` does (its station goes down as one).
``POST /ocpp/location`` makes the location at once and its chargers in the background (one
bulk job: ``/ocpp/locations/{id}/chargers/jobs/{job_id}``), answering 202 with the location's
id; ``DELETE /ocpp/location`` removes a location (by ``location_id`` or ``slug``) with every
charger in it, where ``DELETE /ocpp/locations/{id}`` keeps them. Rules on what comes in:
``schemas/deployments.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from chargeyard.api.deps import StoreDep
from chargeyard.api.gateway.auth import WriterDep
from chargeyard.api.gateway.chargers_shared import (
    NO_ANSWER,
    UNAVAILABLE,
    OptionalHostDep,
    ProvisionerDep,
    invalid,
    resolve_template,
)
from chargeyard.api.gateway.client_certificates import AuthorityDep, issue
from chargeyard.api.gateway.removal import BuiltInCentralDep, delete_chargers
from chargeyard.api.gateway.routes.bulk import status_url as job_status_url
from chargeyard.api.gateway.routes.catalog import CatalogDep
from chargeyard.api.gateway.routes.chargers import status_url
from chargeyard.api.gateway.schemas.common import error_responses
from chargeyard.api.gateway.schemas.deployments import (
    ChargerModel,
    DeploymentCreateRequest,
    DeploymentLocationRequest,
    DeploymentResponse,
    LocationAcceptedResponse,
)
from chargeyard.api.gateway.targets import all_of_location
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.gateway.definitions import POWER_KEY
from chargeyard.gateway.provisioning import BulkBatch
from chargeyard.gateway.security import (
    CERTIFIED,
    CLIENT_CERTIFICATE_KEY,
    SECURITY_PROFILE_KEY,
)
from chargeyard.station.catalog import Catalog, CatalogError
from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import Location, SimulatedCharger
from chargeyard.store.repositories.organizations import slug_from

router = APIRouter(prefix="/ocpp", tags=["Deployments"])

_Lookup = Annotated[str | None, Query(max_length=255, pattern=r"^[\x21-\x7e]+$")]


def model_slugs(
    catalog: Catalog, item: ChargerModel, loc: tuple[str | int, ...] = ("body",)
) -> tuple[str, str]:
    """The brand and model slugs ``item`` names: its ``brand_slug`` and ``model_slug``, or
    its ``model`` (a catalog id, else a model slug one brand has).

    Raises:
        RequestValidationError: no model of the catalog is named so (or several are).
    """
    if item.brand_slug is not None and (item.model_slug or item.model):
        return item.brand_slug, str(item.model_slug or item.model)
    if item.model is None:
        raise invalid((*loc, "model"), "name the model: model, or brand_slug and model_slug")
    try:
        template = catalog.template(item.model)
        return template.brand_slug, template.slug
    except CatalogError:
        pass
    owners = [t for t in catalog.templates() if t.slug == item.model]
    if len(owners) == 1:
        return owners[0].brand_slug, owners[0].slug
    problem = "unknown model" if not owners else "a model slug of several brands: give brand_slug"
    raise invalid((*loc, "model"), f"{problem}: {item.model!r}")


def charger_values(
    catalog: Catalog,
    item: ChargerModel,
    identity: str,
    name: str | None,
    location_id: str | None,
    loc: tuple[str | int, ...] = ("body",),
    *,
    issuer: Issuer,
) -> dict[str, Any]:
    """The ``simulated_chargers`` values of one charger of either request; at security
    profile 3, with the client certificate ``issuer`` makes for it.

    Raises:
        RequestValidationError: an unknown model, or profile 3 with no authority to issue.
    """
    brand, model = model_slugs(catalog, item, loc)
    _, connector_type = resolve_template(
        catalog, brand, model, item.connector_type, item.ocpp_version, loc
    )
    config: dict[str, Any] = {"connector_type": connector_type}
    if name is not None:
        config["charge_point_name"] = name
    if item.authorization_key is not None:
        config["password"] = item.authorization_key
    if item.security_profile is not None:
        config[SECURITY_PROFILE_KEY] = item.security_profile
    if item.security_profile == CERTIFIED:
        config[CLIENT_CERTIFICATE_KEY] = issuer.issue(identity, loc)
    return {
        "identity": identity,
        "ocpp_version": item.ocpp_version,
        "csms_url": item.ws_url,
        "location_id": location_id,
        "template": f"{brand}/{model}",
        "config": config,
    }


@router.post(
    "/deployment",
    summary="Create deployment (one charger)",
    description="Stores one charger and answers at once; it is provisioned and started in the "
    "background, as `POST /ocpp/chargers` does (follow `status_url`). 422 names an unknown "
    "model, connector type or version, or a security profile the URL or key does not fit; "
    "404 an unknown location; 409 an identity already used.",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**error_responses(401, 403, 404, 409), **UNAVAILABLE},
)
async def create_deployment(
    principal: WriterDep,
    store: StoreDep,
    catalog: CatalogDep,
    provisioner: ProvisionerDep,
    authority: AuthorityDep,
    body: DeploymentCreateRequest,
) -> DeploymentResponse:
    organization = principal.organization_id
    power_kw = None if body.power_kwh is None else _power(catalog, body, body.power_kwh)
    location_id = body.location_id
    if location_id is None and body.location_name is not None:
        location_id = (await _location_named(store, organization, body.location_name)).id
    issuer = Issuer(authority, organization)
    values = charger_values(catalog, body, body.identity, body.name, location_id, issuer=issuer)
    if power_kw is not None:
        values["config"][POWER_KEY] = power_kw
    charger, job = await provisioner.create_charger(organization, values, start=True)
    return DeploymentResponse(
        id=charger.id,
        deployment_id=charger.id,
        charger_id=charger.id,
        identity=charger.identity,
        ocpp_version=values["ocpp_version"],
        provisioning_state=job.status,
        status=job.status,
        status_url=status_url(charger.id),
        workflow_run_id=job.workflow_run_id,
    )


def _power(catalog: Catalog, body: DeploymentCreateRequest, power_kwh: float) -> float | None:
    """The power (kW) to set the charger up at: ``power_kwh`` when below the model's rating
    (its station delivers no more: ``StationTemplate.rated_at``), None at the rating.

    Raises:
        RequestValidationError: above the model's rated power.
    """
    brand, model = model_slugs(catalog, body)
    template = catalog.model(brand, model)
    rated = template.max_power_kw
    if power_kwh > rated:
        raise invalid(
            ("body", "power_kwh"),
            f"{power_kwh:g} kW is above the {template.brand_name} {template.name}'s rated "
            f"power of {rated:g} kW "
            f"(the model simulated): give at most {rated:g}, or leave power_kwh out for "
            f"{rated:g} kW",
        )
    return power_kwh if round(power_kwh * 1000) < template.max_power_w else None


class Issuer:
    """Issues the client certificates of a request's chargers at security profile 3 with the
    lab's authority (``client_certificates.py``), or refuses them where there is none."""

    def __init__(self, authority: CertificateAuthority | None, organization_id: str) -> None:
        self.authority = authority
        self.organization_id = organization_id

    def issue(self, identity: str, loc: tuple[str | int, ...]) -> dict[str, str]:
        if self.authority is None:
            raise invalid(
                (*loc, "security_profile"),
                "security profile 3 presents a client certificate, and this API has no "
                "certificate authority to issue one (chargeyard up, csms and api use the data "
                "directory's, or --ca-cert and --ca-key)",
            )
        return issue(self.authority, identity, self.organization_id)


async def _location_named(store: Store, organization_id: str, name: str) -> Location:
    found = await store.locations.get_by_slug(organization_id, slug_from(name))
    if found is not None:
        return found
    return await store.locations.create(organization_id, name)


@router.delete(
    "/deployment",
    summary="Delete deployment (one charger)",
    description="Removes one charger, named by `deployment_id` or by `identity` (exactly one),"
    " as `DELETE /ocpp/chargers/{charger_id}` does: its station goes down (a running "
    "transaction ends), then the charger goes with its commands and logs.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**error_responses(401, 403, 404), **NO_ANSWER},
)
async def delete_deployment(
    principal: WriterDep,
    store: StoreDep,
    host: OptionalHostDep,
    central: BuiltInCentralDep,
    deployment_id: _Lookup = None,
    identity: _Lookup = None,
) -> None:
    organization = principal.organization_id
    charger = await charger_named(store, organization, deployment_id, identity)
    await delete_chargers(store, host, central, organization, [charger])


async def charger_named(
    store: Store, organization_id: str, deployment_id: str | None, identity: str | None
) -> SimulatedCharger:
    """The charger of ``deployment_id`` or of ``identity`` (exactly one given).

    Raises:
        RequestValidationError: neither or both given.
        NotFoundError: no such charger in the organization.
    """
    if (deployment_id is None) == (identity is None):
        raise invalid(("query",), "name the charger by deployment_id or by identity (one)")
    if deployment_id is not None:
        charger = await store.chargers.get(organization_id, deployment_id)
        if charger is None:
            raise NotFoundError("deployment", deployment_id)
        return charger
    assert identity is not None
    charger = await store.chargers.get_by_identity(organization_id, identity)
    if charger is None:
        raise NotFoundError("charger with identity", identity)
    return charger


@router.post(
    "/location",
    summary="Create location with its chargers",
    description="Makes the location at once and answers 202 with its `location_id`; its "
    "chargers are made and started in the background, a charger that fails not stopping the "
    "others (follow `status_url`, the bulk job, or `GET /ocpp/deployment-runtime-ops/status`)."
    " Every charger is checked first (422 names the one that cannot be made).",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**error_responses(401, 403, 404, 409), **UNAVAILABLE},
)
async def create_location(
    principal: WriterDep,
    store: StoreDep,
    catalog: CatalogDep,
    provisioner: ProvisionerDep,
    authority: AuthorityDep,
    body: DeploymentLocationRequest,
) -> LocationAcceptedResponse:
    organization = principal.organization_id
    issuer = Issuer(authority, organization)
    chargers = [
        (
            item,
            charger_values(
                catalog, item, item.identity, item.charge_point_name, None, loc, issuer=issuer
            ),
        )
        for index, item in enumerate(body.chargers)
        for loc in [("body", "chargers", index)]
    ]
    location = await store.locations.create(
        organization,
        body.name,
        address=body.address,
        city=body.city,
        country=body.country,
        latitude=body.coordinates.lat,
        longitude=body.coordinates.lng,
        timezone=body.timezone,
        owner_name=body.owner_name,
        public=body.public,
    )
    if not chargers:
        return LocationAcceptedResponse(
            status="accepted",
            detail=f"location {location.id} created, without chargers",
            location_id=location.id,
            job_id=None,
            status_url=None,
        )
    batches = [
        BulkBatch([{**values, "location_id": location.id}], start=True) for _, values in chargers
    ]
    job = await provisioner.create_chargers(
        organization, location.id, batches, {"items": len(batches), "chargers": len(batches)}
    )
    return LocationAcceptedResponse(
        status="accepted",
        detail=f"location {location.id} created; its {len(batches)} chargers are being "
        "provisioned in the background",
        location_id=location.id,
        job_id=job.id,
        status_url=job_status_url(location.id, job.id),
    )


@router.delete(
    "/location",
    summary="Delete location with its chargers",
    description="Removes a location, named by `location_id` or by `slug` (exactly one), with "
    "every charger in it (each as `DELETE /ocpp/deployment`), then the location itself. A "
    "charger whose host does not answer is kept, and so is the location (504): retrying is "
    "safe.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**error_responses(401, 403, 404), **NO_ANSWER},
)
async def delete_location(
    principal: WriterDep,
    store: StoreDep,
    host: OptionalHostDep,
    central: BuiltInCentralDep,
    location_id: _Lookup = None,
    slug: _Lookup = None,
) -> None:
    organization = principal.organization_id
    location = await _location(store, organization, location_id, slug)
    chargers = await all_of_location(store, organization, location.id)
    await delete_chargers(store, host, central, organization, chargers)
    await store.locations.delete(organization, location.id)


async def _location(
    store: Store, organization_id: str, location_id: str | None, slug: str | None
) -> Location:
    if (location_id is None) == (slug is None):
        raise invalid(("query",), "name the location by location_id or by slug (one)")
    if location_id is not None:
        found = await store.locations.get(organization_id, location_id)
    else:
        assert slug is not None
        found = await store.locations.get_by_slug(organization_id, slug)
    if found is None:
        raise NotFoundError("location", location_id or slug)
    return found
