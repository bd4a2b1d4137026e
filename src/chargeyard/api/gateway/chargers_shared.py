"""What the ``/ocpp/chargers`` routes share: the charger id path parameter, the provisioner
dependency, the catalog check of a charger's template, and a charger's answer with its live
runtime.

A charger's ``template`` column holds ``<brand_slug>/<model_slug>``; its ``config`` holds the
password (``password``), the connector type and name the API was given
(``connector_type``, ``charge_point_name``), its own DataTransfer replies when it has some
(``data_transfer``: ``gateway/vendor_replies.py``), its drivers when it has some (``drivers``:
``gateway/drivers.py``) and the job that created it (``job_id``).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.exceptions import RequestValidationError

from chargeyard.api.deps import settings_of, store_of
from chargeyard.api.error_answers import error_answer
from chargeyard.api.gateway.deps import host_of
from chargeyard.api.gateway.schemas.chargers import (
    ChargerResponse,
    ConnectorState,
    EvseMeterState,
    RuntimeState,
    RuntimeTransaction,
)
from chargeyard.api.gateway.schemas.common import HttpErrorResponse
from chargeyard.api.gateway.schemas.vendor_replies import VendorReplyBody
from chargeyard.api.settings import ApiSettings
from chargeyard.bus import BusUnreachable
from chargeyard.csms.energy import served
from chargeyard.fleet.station_status import EvseMeter, StationStatus
from chargeyard.gateway.built_in_csms import BuiltInCsms
from chargeyard.gateway.drivers import NO_DRIVERS, DriverKind, charger_drivers
from chargeyard.gateway.provisioning import Provisioner
from chargeyard.gateway.runtimes import ChargerRuntimes, HostGone, NoAnswer
from chargeyard.gateway.vendor_replies import ReplySource, charger_replies
from chargeyard.protocol import VersionSpec
from chargeyard.station.catalog import Catalog, CatalogError, StationTemplate, load_catalog
from chargeyard.station.model.vendor_replies import InvalidVendorReply
from chargeyard.station.versions import speaks
from chargeyard.store.models import SimulatedCharger

logger = logging.getLogger(__name__)

ChargerIdPath = Annotated[
    str,
    Path(
        description="Internal charger deployment identifier returned by charger CRUD "
        "endpoints (dep-...). Use charger identity for simulator and control endpoints.",
        max_length=64,
        pattern=r"^[\x21-\x7e]+$",
    ),
]


def built_in_csms(settings: ApiSettings) -> BuiltInCsms:
    """The built-in central system: the one whose URL the API gives stations
    (``connectionUrl``), and this process's own listener where that URL is a proxy's, where a
    simulated charger's station is registered in its organization when the charger is made or
    pointed there (``gateway/built_in_csms.py``)."""
    return _built_in_csms(settings.ocpp_url, settings.listener_url)


async def get_built_in_csms(request: Request) -> BuiltInCsms:
    return built_in_csms(settings_of(request))


@functools.cache
def _built_in_csms(ocpp_url: str, listener_url: str | None) -> BuiltInCsms:
    return BuiltInCsms.of(ocpp_url, *([listener_url] if listener_url else []))


BuiltInCsmsDep = Annotated[BuiltInCsms, Depends(get_built_in_csms)]


async def get_provisioner(request: Request) -> Provisioner:
    """The app's provisioner, made on first use for the app's fleet host (the app has no
    lifespan of its own: whoever closes the host may ``close()`` it first)."""
    host = host_of(request)
    provisioner: Provisioner | None = getattr(request.app.state, "provisioner", None)
    if provisioner is None or provisioner.host is not host:
        built_in = built_in_csms(settings_of(request))
        provisioner = Provisioner(store_of(request), host, built_in=built_in)
        request.app.state.provisioner = provisioner
    return provisioner


async def get_optional_host(request: Request) -> ChargerRuntimes | None:
    """The fleet hosts, or None in a process without the gateway (reads still work)."""
    if getattr(request.app.state, "bus", None) is None:
        return None
    return host_of(request)


@contextlib.contextmanager
def host_answers() -> Iterator[None]:
    """A charger's host that did not answer in time is a 504 with the reason; one that went away
    before it answered, a 503 to retry."""
    try:
        yield
    except HostGone as error:
        retry = {"Retry-After": str(HostGone.RETRY_AFTER_S)}
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error), retry) from None
    except NoAnswer as error:
        raise HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, str(error)) from None


async def live_statuses(
    host: ChargerRuntimes | None, organization_id: str, chargers: Sequence[SimulatedCharger]
) -> dict[str, StationStatus]:
    """The live status of the chargers' hosted stations, asked in one request. A read: when
    the hosts do not answer in time, the chargers are shown without it (``runtime`` null)
    rather than not at all. Redis away is logged by the bus, once per outage; not again
    here for every read while it lasts."""
    if host is None or not chargers:
        return {}
    try:
        return await host.station_statuses(organization_id, [c.id for c in chargers])
    except BusUnreachable as error:
        logger.debug("live status of %d chargers not shown: %s", len(chargers), error)
        return {}
    except NoAnswer as error:
        logger.warning("live status of %d chargers not shown: %s", len(chargers), error)
        return {}


_GATEWAY_DOWN = (
    "The simulator gateway is not running in this process, or cannot reach its fleet hosts (Redis)"
)

HOST_GONE: dict[str, Any] = error_answer(
    HttpErrorResponse,
    _GATEWAY_DOWN
    + ", or the charger's host went away before it answered (retry after Retry-After)",
)
"""The OpenAPI 503 of a route that asks a charger's host (:func:`host_answers`)."""

NO_ANSWER: dict[int | str, dict[str, Any]] = {
    503: HOST_GONE,
    504: error_answer(HttpErrorResponse, "The charger's host did not answer in time"),
}
"""OpenAPI ``responses`` of a route that asks a charger's host (:func:`host_answers`)."""

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: error_answer(HttpErrorResponse, _GATEWAY_DOWN),
}
"""OpenAPI ``responses`` of the routes that need the fleet host (``api/gateway/deps.py``)."""

ProvisionerDep = Annotated[Provisioner, Depends(get_provisioner)]
OptionalHostDep = Annotated[ChargerRuntimes | None, Depends(get_optional_host)]


def invalid(loc: tuple[str | int, ...], message: str) -> RequestValidationError:
    """A 422 in the shape of FastAPI's own (``loc``, ``msg``, ``type``)."""
    return RequestValidationError([{"loc": loc, "msg": message, "type": "value_error"}])


def resolve_template(
    catalog: Catalog,
    brand_slug: str,
    model_slug: str,
    connector_type: str | None,
    ocpp_version: VersionSpec,
    loc: tuple[str | int, ...] = ("body",),
) -> tuple[StationTemplate, str | None]:
    """The catalog model and the connector type as the catalog spells it (``Type2`` finds
    ``cType2``).

    Raises:
        RequestValidationError: an unknown brand or model, a connector type the model lacks,
            or a version it does not speak (each names the field).
    """
    try:
        catalog.brand(brand_slug)
    except CatalogError:
        raise invalid((*loc, "brand_slug"), f"unknown brand {brand_slug!r}") from None
    try:
        template = catalog.model(brand_slug, model_slug)
    except CatalogError:
        raise invalid(
            (*loc, "model_slug"), f"unknown model {model_slug!r} of brand {brand_slug!r}"
        ) from None
    if not speaks(template, ocpp_version):
        raise invalid(
            (*loc, "ocpp_version"),
            f"{template.name} speaks OCPP {', '.join(template.ocpp_versions)} only",
        )
    if connector_type is None:
        return template, None
    known = template.connector_types
    wanted = connector_type.lower()
    for kind in known:
        if wanted in (kind.lower(), kind[1:].lower()):
            return template, kind
    raise invalid(
        (*loc, "connector_type"),
        f"{template.name} has no {connector_type!r} connector (it has {', '.join(known)})",
    )


def template_slugs(charger: SimulatedCharger) -> tuple[str | None, str | None]:
    brand, slash, model = (charger.template or "").partition("/")
    return (brand, model) if slash else (None, None)


def _replies(
    config: dict[str, Any], brand: str | None, model: str | None
) -> tuple[list[VendorReplyBody], ReplySource]:
    """The replies the charger's station answers DataTransfer with, and whose they are."""
    template = None
    # An unknown model or broken replies come from a row written by hand only: its station
    # cannot be built either (its status says why).
    if brand is not None and model is not None:
        with contextlib.suppress(CatalogError):
            template = load_catalog().model(brand, model)
    try:
        replies, source = charger_replies(config, template)
    except InvalidVendorReply:
        return [], "charger"
    return [VendorReplyBody.of(reply) for reply in replies], source


def _drivers(config: dict[str, Any]) -> DriverKind:
    # A kind there is not comes from a row written by hand only: its station cannot be built
    # either (its status says why).
    try:
        return charger_drivers(config)
    except ValueError:
        return NO_DRIVERS


def _meter_state(meter: EvseMeter) -> EvseMeterState:
    transaction = None
    if (
        meter.transaction_id is not None
        and meter.connector_id is not None
        and meter.started_at is not None
        and meter.meter_start_wh is not None
    ):
        transaction = RuntimeTransaction(
            transaction_id=meter.transaction_id,
            connector_id=meter.connector_id,
            started_at=meter.started_at,
            meter_start_wh=served(meter.meter_start_wh),
        )
    # The station's meter as its meter values would report it (csms/energy.py).
    return EvseMeterState(
        evse_id=meter.evse_id,
        energy_wh=served(meter.energy_wh),
        power_w=served(meter.power_w),
        transaction=transaction,
    )


def charger_response(charger: SimulatedCharger, live: StationStatus | None) -> ChargerResponse:
    """``charger`` with its station's ``live`` status (None: not hosted, or not known)."""
    config: dict[str, Any] = charger.config or {}
    brand, model = template_slugs(charger)
    runtime = None
    if live is not None:
        runtime = RuntimeState(
            running=live.running,
            connection=live.connection,
            registration=live.registration,
            connectors=[
                ConnectorState(evse_id=evse, connector_id=connector, status=status)
                for evse, connector, status in live.connectors
            ],
            last_error=live.last_error,
            evses=[_meter_state(meter) for meter in live.meters],
            read_at=live.read_at,
            faults=list(live.faults),
            chaos_seed=live.chaos_seed,
            bad_days=live.bad_days,
        )
    replies, source = _replies(config, brand, model)
    return ChargerResponse(
        id=charger.id,
        identity=charger.identity,
        location_id=charger.location_id,
        brand_slug=brand,
        model_slug=model,
        connector_type=config.get("connector_type"),
        charge_point_name=config.get("charge_point_name"),
        ws_url=charger.csms_url,
        ocpp_version=charger.ocpp_version,
        has_password=config.get("password") is not None,
        desired_state=charger.desired_state,
        runtime_status=charger.status,
        runtime=runtime,
        data_transfer=replies,
        data_transfer_source=source,
        drivers=_drivers(config),
        created_at=charger.created_at,
        updated_at=charger.updated_at,
    )
