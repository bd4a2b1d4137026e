"""What a durable charger's station is built from (its ``simulated_chargers`` row read once),
and what is set on the station before it first connects.

A change of the definition rebuilds the station (``gateway/host.py``), but for its DataTransfer
replies (``gateway/vendor_replies.py``) and its drivers (``gateway/drivers.py``), which a
running station takes as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from chargeyard.gateway.drivers import NO_DRIVERS, DriverKind, charger_drivers
from chargeyard.gateway.frames import FrameRecorder, TeeFrameLog
from chargeyard.gateway.power import restore
from chargeyard.gateway.runtimes import ChargerRuntimeError
from chargeyard.gateway.security import client_certificate
from chargeyard.gateway.vendor_replies import charger_replies
from chargeyard.protocol import VersionSpec
from chargeyard.station.catalog import CatalogError, StationTemplate, load_catalog
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model.own_certificate import HeldCertificate
from chargeyard.station.model.vendor_replies import InvalidVendorReply, VendorReply
from chargeyard.station.terms import Setting
from chargeyard.station.verbs import verbs_of
from chargeyard.station.versions import fleet_version
from chargeyard.store.models import SimulatedCharger

logger = logging.getLogger(__name__)


POWER_KEY = "power_kw"
"""The key of a charger's ``config`` holding the power (kW) its model is set up at, when below
the model's own rating (``StationTemplate.rated_at``)."""


@dataclass(frozen=True, slots=True)
class StationDefinition:
    """What a station is built from; a change of any of it rebuilds the station, but for
    ``replies`` and ``drivers`` (a running station takes them as they are: not compared)."""

    template: StationTemplate
    version: VersionSpec
    csms_url: str
    password: str | None
    configuration: tuple[tuple[str, str], ...]
    replies: tuple[VendorReply, ...] = field(default=(), compare=False)
    client_certificate: HeldCertificate | None = None
    """Security profile 3: the certificate the lab's authority issued it (``security.py``)."""
    drivers: DriverKind = field(default=NO_DRIVERS, compare=False)


def definition_of(charger: SimulatedCharger) -> StationDefinition:
    """What to build for ``charger``.

    ``template`` is a catalog id (``alfen-eve-single-pro-line``) or ``brand/model`` slugs;
    ``config`` may hold ``power_kw`` (the model set up below its own rating), ``password``
    (HTTP Basic, security profiles 1 and 2), ``client_certificate`` (profile 3:
    ``security.py``), ``configuration``
    (1.6 keys or 2.0.1 ``Component.Variable`` names -> values, applied before it connects)
    ``data_transfer`` (its own DataTransfer replies: ``gateway/vendor_replies.py``) and
    ``drivers`` (who comes to it: ``gateway/drivers.py``).

    Raises:
        ChargerRuntimeError: what is missing or unknown.
    """
    if not charger.csms_url:
        raise ChargerRuntimeError(f"charger {charger.id} has no ws_url to connect to")
    try:
        version = fleet_version(charger.ocpp_version)
    except ValueError as error:
        raise ChargerRuntimeError(str(error)) from None
    template = template_of(charger)
    config = charger.config or {}
    power_kw = config.get(POWER_KEY)
    if power_kw is not None:
        try:
            template = template.rated_at(round(float(power_kw) * 1000))
        except (TypeError, ValueError) as error:
            raise ChargerRuntimeError(f"config.{POWER_KEY}: {error}") from None
    password = config.get("password")
    configuration = config.get("configuration") or {}
    if not isinstance(configuration, dict):
        raise ChargerRuntimeError("config.configuration must map keys to values")
    try:
        replies, _ = charger_replies(config, template)
    except InvalidVendorReply as error:
        raise ChargerRuntimeError(f"config.data_transfer{error}") from None
    try:
        certificate = client_certificate(config)
        drivers = charger_drivers(config)
    except ValueError as error:
        raise ChargerRuntimeError(str(error)) from None
    return StationDefinition(
        template=template,
        version=version,
        csms_url=charger.csms_url,
        password=str(password) if password is not None else None,
        configuration=tuple((str(k), str(v)) for k, v in configuration.items()),
        replies=replies,
        client_certificate=certificate,
        drivers=drivers,
    )


def template_of(charger: SimulatedCharger) -> StationTemplate:
    """The catalog model of ``charger``'s station: its ``template``, a catalog id
    (``alfen-eve-single-pro-line``) or ``brand/model`` slugs.

    Raises:
        ChargerRuntimeError: no template, or one the catalog does not have.
    """
    if not charger.template:
        raise ChargerRuntimeError(f"charger {charger.id} has no template")
    try:
        catalog = load_catalog()
        brand, slash, model = charger.template.partition("/")
        return catalog.model(brand, model) if slash else catalog.template(charger.template)
    except (ValueError, CatalogError) as error:
        raise ChargerRuntimeError(str(error)) from None


def station_setup(
    charger: SimulatedCharger, definition: StationDefinition, recorder: FrameRecorder | None
) -> Callable[[SimulatedStation], None]:
    """What is done to the charger's station once built, before it connects: its frames
    recorded under the charger's id, its configuration set through the station's own verbs
    (as a central system would set it), its DataTransfer replies, and what its last power
    loss left (``gateway/power.py``)."""

    def setup(station: SimulatedStation) -> None:
        if recorder is not None:
            station.frame_log = TeeFrameLog(station.frame_log.size, recorder)
        if definition.configuration:
            settings = [Setting(key, value) for key, value in definition.configuration]
            results = verbs_of(station).set_configuration(settings)
            refused = {k: v for k, v in results.items() if v not in ("Accepted",)}
            if refused:
                logger.warning("%s: configuration not applied: %s", charger.id, refused)
        station.set_vendor_replies(definition.replies)
        restore(charger, station)

    return setup
