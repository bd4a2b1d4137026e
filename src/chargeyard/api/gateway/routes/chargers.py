"""``/ocpp/chargers``: durable simulated chargers (CRUD) and their provisioning status.

A creation answers ``202`` at once; the charger is provisioned in the background
(``gateway/provisioning.py``) and, unless created with ``"start": false``, started: the hosted
product's deployments run once provisioned. Every query names the caller's organization:
another tenant's charger is "not found" (404). Viewers read; operators and admins write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from chargeyard.api.deps import StoreDep
from chargeyard.api.gateway.auth import ReaderDep, WriterDep
from chargeyard.api.gateway.chargers_shared import (
    NO_ANSWER,
    UNAVAILABLE,
    BuiltInCsmsDep,
    ChargerIdPath,
    OptionalHostDep,
    ProvisionerDep,
    charger_response,
    host_answers,
    invalid,
    live_statuses,
    resolve_template,
    template_slugs,
)
from chargeyard.api.gateway.client_certificates import AuthorityDep, issue
from chargeyard.api.gateway.removal import BuiltInCentralDep, delete_chargers
from chargeyard.api.gateway.routes.catalog import CatalogDep
from chargeyard.api.gateway.schemas.chargers import (
    ChargerAcceptedResponse,
    ChargerCreateRequest,
    ChargerListResponse,
    ChargerResponse,
    ChargerStatusResponse,
    ChargerUpdateRequest,
    ChargerUpdateResponse,
    ProvisioningError,
)
from chargeyard.api.gateway.schemas.common import (
    DEFAULT_LIMIT,
    PageLimit,
    PageNumber,
    error_responses,
)
from chargeyard.api.gateway.schemas.vendor_replies import stored
from chargeyard.gateway.drivers import DRIVERS_KEY, NO_DRIVERS
from chargeyard.gateway.provisioning import charger_provisioning
from chargeyard.gateway.security import CLIENT_CERTIFICATE_KEY
from chargeyard.gateway.vendor_replies import DATA_TRANSFER_KEY
from chargeyard.station.catalog import Catalog
from chargeyard.store import NotFoundError
from chargeyard.store.models import SimulatedCharger

router = APIRouter(prefix="/ocpp/chargers", tags=["Chargers"])

LocationFilter = Annotated[
    str | None,
    Query(
        description="Only the chargers of this location", max_length=64, pattern=r"^[\x21-\x7e]+$"
    ),
]


def status_url(charger_id: str) -> str:
    return f"/ocpp/chargers/{charger_id}/status"


@router.get("", summary="List chargers", responses=error_responses(401, 403, 404))
async def list_chargers(
    principal: ReaderDep,
    store: StoreDep,
    host: OptionalHostDep,
    location_id: LocationFilter = None,
    page: PageNumber = 1,
    limit: PageLimit = DEFAULT_LIMIT,
) -> ChargerListResponse:
    organization = principal.organization_id
    rows = await store.chargers.list(
        organization, location_id=location_id, limit=limit, offset=(page - 1) * limit
    )
    live = await live_statuses(host, organization, rows)
    return ChargerListResponse(
        data=[charger_response(row, live.get(row.id)) for row in rows],
        total=await store.chargers.count(organization, location_id=location_id),
        page=page,
        limit=limit,
    )


@router.post(
    "",
    summary="Create charger (durable)",
    description="Stores the charger and answers at once; provisioning (building its station "
    "from the catalog model and, unless `start` is false, starting it against `ws_url`) goes "
    "on in the background: follow `status_url`. `data_transfer` sets how its station answers "
    "DataTransfer (else as its model declares); `drivers` `app` sends a driver to plug in "
    "after each remote start its station accepts. 422 names an unknown brand, model, connector "
    "type or OCPP version, or a broken DataTransfer reply; 404 an unknown location; 409 an "
    "identity already used in the organization, or another organization's at the same central "
    "system (its simulated charger, or its charger at the built-in central system, where the "
    "new charger's station is registered in this organization).",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**error_responses(401, 403, 404, 409), **UNAVAILABLE},
)
async def create_charger(
    principal: WriterDep,
    catalog: CatalogDep,
    provisioner: ProvisionerDep,
    body: ChargerCreateRequest,
) -> ChargerAcceptedResponse:
    _, connector_type = resolve_template(
        catalog,
        body.brand_slug,
        body.model_slug,
        body.connector_type,
        body.ocpp_version,
    )
    config: dict[str, Any] = {"connector_type": connector_type}
    if body.charge_point_name is not None:
        config["charge_point_name"] = body.charge_point_name
    if body.password is not None:
        config["password"] = body.password
    if body.data_transfer is not None:
        config[DATA_TRANSFER_KEY] = stored(body.data_transfer)
    if body.drivers != NO_DRIVERS:
        config[DRIVERS_KEY] = body.drivers
    charger, job = await provisioner.create_charger(
        principal.organization_id,
        {
            "identity": body.identity,
            "ocpp_version": body.ocpp_version,
            "csms_url": body.ws_url,
            "location_id": body.location_id,
            "template": f"{body.brand_slug}/{body.model_slug}",
            "config": config,
        },
        start=body.start,
    )
    return ChargerAcceptedResponse(
        charger_id=charger.id,
        identity=charger.identity,
        status=job.status,
        status_url=status_url(charger.id),
        workflow_run_id=job.workflow_run_id,
    )


async def _charger(store: StoreDep, organization_id: str, charger_id: str) -> SimulatedCharger:
    charger = await store.chargers.get(organization_id, charger_id)
    if charger is None:
        raise NotFoundError("charger", charger_id)
    return charger


@router.get(
    "/{charger_id}/status",
    summary="Get charger provisioning status",
    responses=error_responses(401, 403, 404),
)
async def get_charger_status(
    principal: ReaderDep, store: StoreDep, charger_id: ChargerIdPath
) -> ChargerStatusResponse:
    charger = await _charger(store, principal.organization_id, charger_id)
    state = await charger_provisioning(store, charger)
    return ChargerStatusResponse(
        charger_id=charger.id,
        status=state.status,
        workflow_run_id=state.workflow_run_id,
        error=None if state.error is None else ProvisioningError(**state.error),
        provisioned_at=state.provisioned_at,
    )


@router.get(
    "/{charger_id}",
    summary="Get charger",
    description="The charger's definition, and its live station (registration, connectors) "
    "when it runs.",
    responses=error_responses(401, 403, 404),
)
async def get_charger(
    principal: ReaderDep, store: StoreDep, host: OptionalHostDep, charger_id: ChargerIdPath
) -> ChargerResponse:
    charger = await _charger(store, principal.organization_id, charger_id)
    live = await live_statuses(host, principal.organization_id, [charger])
    return charger_response(charger, live.get(charger.id))


def update_values(
    catalog: Catalog, charger: SimulatedCharger, body: ChargerUpdateRequest
) -> dict[str, Any]:
    """The store's changes for a partial update of ``charger`` (the template checked against
    the catalog as it will stand after the change)."""
    sent = body.model_fields_set
    values: dict[str, Any] = {}
    config = dict(charger.config or {})
    brand, model = template_slugs(charger)
    if sent & {"brand_slug", "model_slug", "ocpp_version", "connector_type"}:
        brand = body.brand_slug or brand
        model = body.model_slug or model
        if brand is None or model is None:
            brand, model = body.brand_slug or "", body.model_slug or ""
        version = body.ocpp_version or charger.ocpp_version
        _, kind = resolve_template(catalog, brand, model, body.connector_type, version)
        values["template"] = f"{brand}/{model}"
        if kind is not None:
            config["connector_type"] = kind
    if "ocpp_version" in sent:
        values["ocpp_version"] = body.ocpp_version
    if "identity" in sent:
        values["identity"] = body.identity
    if "ws_url" in sent:
        values["csms_url"] = body.ws_url
    if "location_id" in sent:
        values["location_id"] = body.location_id
    for key in ("charge_point_name", "password"):
        if key in sent:
            if getattr(body, key) is None:
                config.pop(key, None)
            else:
                config[key] = getattr(body, key)
    if "data_transfer" in sent:
        if body.data_transfer is None:
            config.pop(DATA_TRANSFER_KEY, None)  # the model's replies again
        else:
            config[DATA_TRANSFER_KEY] = stored(body.data_transfer)
    if "drivers" in sent:
        if body.drivers == NO_DRIVERS:
            config.pop(DRIVERS_KEY, None)
        else:
            config[DRIVERS_KEY] = body.drivers
    if config != (charger.config or {}):
        values["config"] = config
    return values


@router.put(
    "/{charger_id}",
    summary="Update charger",
    description="A partial update: only the fields present change. A change of what the "
    "station is built from (identity, brand, model, ws_url, OCPP version, password) "
    "applies at once to a running station, as a real one restarts into new "
    "firmware or settings: its transactions end (reason Reboot), it finishes its "
    "conversation, and the station built from the new definition boots (`runtime_action`: "
    "`restarted`). A change of `data_transfer` or `drivers` alone is set on the running "
    "station, which runs on (`applied`); `data_transfer` `null` gives it its model's replies "
    "again. A stopped station gets "
    "it at its next start (`next_start`).",
    responses={**error_responses(401, 403, 404, 409), **NO_ANSWER},
)
async def update_charger(
    principal: WriterDep,
    store: StoreDep,
    catalog: CatalogDep,
    host: OptionalHostDep,
    built_in: BuiltInCsmsDep,
    authority: AuthorityDep,
    charger_id: ChargerIdPath,
    body: ChargerUpdateRequest,
) -> ChargerUpdateResponse:
    charger = await _charger(store, principal.organization_id, charger_id)
    values = update_values(catalog, charger, body)
    renamed = values.get("identity", charger.identity) != charger.identity
    if renamed and CLIENT_CERTIFICATE_KEY in (charger.config or {}):
        # Its certificate names its identity (A00.FR.405): a renamed charger gets one naming
        # the new one.
        if authority is None:
            raise invalid(
                ("body", "identity"),
                "the charger's client certificate names its identity, and this API has no "
                "certificate authority to issue one for the new identity",
            )
        config = dict(values.get("config", charger.config or {}))
        config[CLIENT_CERTIFICATE_KEY] = issue(
            authority, values["identity"], principal.organization_id
        )
        values["config"] = config
    if values:
        charger = await store.chargers.update(
            principal.organization_id, charger_id, **values, built_in=built_in
        )
    action = None
    if host is not None:
        with host_answers():
            action = await host.apply_changes(charger)
    if action == "failed":
        refreshed = await store.chargers.get(principal.organization_id, charger_id)
        charger = refreshed or charger  # (its status now says failed)
    live = await live_statuses(host, principal.organization_id, [charger])
    answer = charger_response(charger, live.get(charger.id))
    return ChargerUpdateResponse(**dict(answer), runtime_action=action)


@router.delete(
    "/{charger_id}",
    summary="Delete charger",
    description="Switches its station off first, as a station goes down: a running "
    "transaction ends (stop reason Other) and is reported to its central system. Then "
    "removes it with its commands and logs. A transaction its station could not report "
    "ended (offline) is closed by the built-in central system, when the charger dialled it "
    "(csmsCloseReason SimulatedChargerDeleted).",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**error_responses(401, 403, 404), **NO_ANSWER},
)
async def delete_charger(
    principal: WriterDep,
    store: StoreDep,
    host: OptionalHostDep,
    central: BuiltInCentralDep,
    charger_id: ChargerIdPath,
) -> None:
    organization_id = principal.organization_id
    charger = await _charger(store, organization_id, charger_id)
    await delete_chargers(store, host, central, organization_id, [charger])
