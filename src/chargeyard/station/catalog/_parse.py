"""From catalog TOML files to station templates, every rule checked on the way.

A brand file (``data/<brand>.toml``)::

    [brand]           slug (the file's name), name, vendor; optional [brand.configuration],
                      [[brand.data_transfer]]
    [[models]]        slug, name, model, firmware_version, current_type ("AC" | "DC"),
                      max_power_w, supported_kw, [[models.evses]]; optional vendor, phases,
                      nominal_voltage, shared_power, ocpp_versions, image_url,
                      [models.configuration], [[models.data_transfer]]
    [[models.evses]]  max_power_w, connectors = [{type, max_current_a, max_power_w?, label?}]
    [[...data_transfer]]  vendor_id, answer ("echo" | "accept" | "reject" |
                      "unknown_message_id"); optional message_id, data

``_defaults.toml`` holds what models share: ocpp_versions, the configuration, the DataTransfer
replies ([[data_transfer]]), per current type ([AC], [DC]) the nominal voltage, phases and
configuration, and the connector types allowed. Configuration precedence: defaults < defaults
by current type < brand < model; DataTransfer replies the same (defaults < brand < model), a
later one replacing an earlier one for the same vendorId and messageId.

Every broken rule raises :class:`InvalidTemplate` naming the file and the field: slugs are
lowercase words joined by hyphens and a brand file is named after its slug; vendor, model and
firmware fit BootNotification in 1.6 and 2.0.1; connector types are OCPP 2.0.1 ConnectorEnumType
values that carry the station's current; a connector never exceeds its EVSE (nor, for AC,
phases x voltage x current) and an EVSE never exceeds the station; without ``shared_power`` the
EVSEs add up to the station's power, with it they add up to more (else nothing is shared); the
largest EVSE's power is one of the product line's ``supported_kw`` (within 2 %); configuration
values are strings of the type OCPP 1.6 section 9 gives their key; DataTransfer replies follow
``station/model/vendor_replies.py`` (ids as long as the DataTransfer schemas allow, one reply
per vendorId and messageId).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from types import MappingProxyType

from chargeyard.station.catalog import _ocpp
from chargeyard.station.catalog._toml import Table
from chargeyard.station.catalog.errors import InvalidTemplate
from chargeyard.station.catalog.templates import (
    Brand,
    ConnectorTemplate,
    CurrentType,
    EvseTemplate,
    StationTemplate,
)
from chargeyard.station.model.vendor_replies import (
    InvalidVendorReply,
    VendorReply,
    merged,
    vendor_replies,
)

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_IMAGE_PREFIX = "/static/catalog/"
_RATING_TOLERANCE = 0.02


@dataclass(frozen=True)
class ConnectorKind:
    """A connector type the catalog allows: its default label and the currents it carries."""

    label: str
    currents: frozenset[CurrentType]


@dataclass(frozen=True)
class CurrentDefaults:
    nominal_voltage: int
    phases: int | None
    configuration: Mapping[str, str]


@dataclass(frozen=True)
class Defaults:
    """What ``_defaults.toml`` gives every template."""

    ocpp_versions: tuple[str, ...]
    configuration: Mapping[str, str]
    data_transfer: tuple[VendorReply, ...]
    by_current: Mapping[CurrentType, CurrentDefaults]
    connectors: Mapping[str, ConnectorKind]


def read_toml(file: Traversable) -> Table:
    """The file's root table; InvalidTemplate if the file is not valid TOML."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InvalidTemplate(file.name, "", f"not valid TOML: {error}") from None
    return Table(data, file.name)


def parse_defaults(file: Traversable) -> Defaults:
    """Read ``_defaults.toml``."""
    root = read_toml(file)
    versions = _versions(root, None)
    configuration = _configuration(root)
    data_transfer = _data_transfer(root)
    by_current: dict[CurrentType, CurrentDefaults] = {}
    for current in CurrentType:
        section = root.table(current.value)
        by_current[current] = CurrentDefaults(
            nominal_voltage=_positive(section, "nominal_voltage"),
            phases=_phases(section, None) if "phases" in section.data else None,
            configuration=MappingProxyType(_configuration(section)),
        )
        section.done()
    kinds = root.table("connectors")
    connectors: dict[str, ConnectorKind] = {}
    for type_ in kinds.data:
        entry = kinds.table(type_)
        if type_ not in _ocpp.connector_types():
            kinds.fail(type_, "is not an OCPP 2.0.1 ConnectorEnumType value")
        currents = entry.texts("current")
        if not set(currents) <= set(CurrentType):
            entry.fail("current", f"lists AC and/or DC, not {currents!r}")
        connectors[type_] = ConnectorKind(
            entry.text("label"), frozenset(CurrentType(c) for c in currents)
        )
        entry.done()
    root.done()
    return Defaults(
        versions, MappingProxyType(configuration), data_transfer, by_current, connectors
    )


def parse_brand_file(file: Traversable, defaults: Defaults) -> tuple[Brand, list[StationTemplate]]:
    """Read one brand file: the brand and its models, in file order."""
    root = read_toml(file)
    head = root.table("brand")
    brand_slug = _slug(head)
    if file.name != f"{brand_slug}.toml":
        head.fail("slug", f"must match the file's name {file.name!r}")
    brand_name = _bounded(head, "name", 100)
    vendor = _bounded(head, "vendor", _ocpp.VENDOR_MAX)
    brand = _Brand(
        brand_slug,
        brand_name,
        vendor,
        _configuration(head),
        merged(defaults.data_transfer, _data_transfer(head)),
    )
    head.done()
    templates: list[StationTemplate] = []
    for table in root.tables("models"):
        template = _template(table, brand, defaults)
        if any(other.slug == template.slug for other in templates):
            table.fail("slug", f"{template.slug!r} is used by an earlier model")
        templates.append(template)
    root.done()
    return Brand(brand_slug, brand_name, len(templates)), templates


@dataclass(frozen=True)
class _Brand:
    """What a brand's head gives each of its models."""

    slug: str
    name: str
    vendor: str
    configuration: Mapping[str, str]
    data_transfer: tuple[VendorReply, ...]


def _template(table: Table, brand: _Brand, defaults: Defaults) -> StationTemplate:
    slug = _slug(table)
    table.path = f"models[{slug}]"
    current_text = table.text("current_type")
    if current_text not in set(CurrentType):
        table.fail("current_type", f'must be "AC" or "DC", not {current_text!r}')
    current = CurrentType(current_text)
    base = defaults.by_current[current]
    phases = _phases(table, base.phases)
    voltage = _positive(table, "nominal_voltage", base.nominal_voltage)
    max_power_w = _positive(table, "max_power_w")
    evses = tuple(
        _evse(evse, evse_id, current, phases, voltage, defaults)
        for evse_id, evse in enumerate(table.tables("evses"), start=1)
    )
    shared = table.boolean("shared_power", False)
    _check_power(table, max_power_w, evses, shared)
    supported_kw = table.numbers("supported_kw")
    if min(supported_kw) <= 0:
        table.fail("supported_kw", "ratings are positive")
    # A product is sold by what one EV gets: the largest EVSE's power.
    rating_w = max(evse.max_power_w for evse in evses)
    if all(abs(kw * 1000 - rating_w) > _RATING_TOLERANCE * rating_w for kw in supported_kw):
        table.fail("supported_kw", f"its EVSE's {rating_w / 1000:g} kW is not among them")
    image_url = table.opt_text("image_url")
    if image_url is not None and not image_url.startswith(_IMAGE_PREFIX):
        table.fail("image_url", f"must be a path under {_IMAGE_PREFIX} served by our API")
    template = StationTemplate(
        id=f"{brand.slug}-{slug}",
        slug=slug,
        name=_bounded(table, "name", 100),
        brand_slug=brand.slug,
        brand_name=brand.name,
        vendor=_bounded(table, "vendor", _ocpp.VENDOR_MAX, brand.vendor),
        model=_bounded(table, "model", _ocpp.MODEL_MAX),
        firmware_version=_bounded(table, "firmware_version", _ocpp.FIRMWARE_MAX),
        current_type=current,
        max_power_w=max_power_w,
        phases=phases,
        nominal_voltage=voltage,
        shared_power=shared,
        evses=evses,
        supported_kw=tuple(supported_kw),
        ocpp_versions=_versions(table, defaults.ocpp_versions),
        image_url=image_url,
        default_configuration=_merged(
            defaults.configuration, base.configuration, brand.configuration, _configuration(table)
        ),
        data_transfer=merged(brand.data_transfer, _data_transfer(table)),
    )
    table.done()
    return template


def _evse(
    table: Table,
    evse_id: int,
    current: CurrentType,
    phases: int,
    voltage: int,
    defaults: Defaults,
) -> EvseTemplate:
    max_power_w = _positive(table, "max_power_w")
    connectors: list[ConnectorTemplate] = []
    for connector_id, entry in enumerate(table.tables("connectors"), start=1):
        type_ = entry.text("type")
        kind = defaults.connectors.get(type_)
        if kind is None:
            known = ", ".join(sorted(defaults.connectors))
            entry.fail("type", f"{type_!r} is not a connector type of the catalog ({known})")
        if current not in kind.currents:
            entry.fail("type", f"a {kind.label} ({type_}) does not carry {current}")
        current_a = _positive(entry, "max_current_a")
        power = _positive(entry, "max_power_w", max_power_w)
        if power > max_power_w:
            entry.fail("max_power_w", f"{power} W exceeds its EVSE's {max_power_w} W")
        ac_limit = phases * voltage * current_a
        if current is CurrentType.AC and power > ac_limit:
            entry.fail(
                "max_power_w",
                f"{power} W exceeds {phases} x {voltage} V x {current_a} A = {ac_limit} W",
            )
        label = _bounded(entry, "label", 100, kind.label)
        connectors.append(ConnectorTemplate(connector_id, type_, label, current_a, power))
        entry.done()
    table.done()
    return EvseTemplate(evse_id, max_power_w, tuple(connectors))


def _check_power(
    table: Table, max_power_w: int, evses: tuple[EvseTemplate, ...], shared: bool
) -> None:
    for evse in evses:
        if evse.max_power_w > max_power_w:
            table.fail(
                f"evses[{evse.id}].max_power_w",
                f"{evse.max_power_w} W exceeds the station's {max_power_w} W",
            )
    total = sum(evse.max_power_w for evse in evses)
    if shared and total <= max_power_w:
        table.fail(
            "shared_power",
            f"the EVSEs together ({total} W) never exceed the station's {max_power_w} W, "
            "so nothing is shared",
        )
    if not shared and total != max_power_w:
        table.fail(
            "max_power_w",
            f"{max_power_w} W is not the sum of the EVSEs' ({total} W); "
            "set shared_power = true if they share one supply",
        )


def _merged(*layers: Mapping[str, str]) -> Mapping[str, str]:
    """Later layers win; keys sorted, as a station lists them in GetConfiguration."""
    merged = {key: value for layer in layers for key, value in layer.items()}
    return MappingProxyType(dict(sorted(merged.items())))


def _slug(table: Table) -> str:
    slug = table.text("slug")
    if not _SLUG.fullmatch(slug):
        table.fail("slug", f"{slug!r} is not lowercase letters and digits joined by hyphens")
    return slug


def _bounded(table: Table, key: str, limit: int, default: str | None = None) -> str:
    value = table.text(key, default)
    if not 0 < len(value) <= limit:
        table.fail(key, f"{value!r} is not 1 to {limit} characters")
    return value


def _positive(table: Table, key: str, default: int | None = None) -> int:
    value = table.integer(key, default)
    if value <= 0:
        table.fail(key, f"must be positive, not {value}")
    return value


def _phases(table: Table, default: int | None) -> int:
    phases = table.integer("phases", default)
    if phases not in (1, 3):
        table.fail("phases", f"must be 1 or 3, not {phases}")
    return phases


def _versions(table: Table, default: tuple[str, ...] | None) -> tuple[str, ...]:
    versions = table.texts("ocpp_versions", list(default) if default is not None else None)
    known = _ocpp.ocpp_version_names()
    for version in versions:
        if version not in known:
            table.fail("ocpp_versions", f"{version!r} is not one of {', '.join(sorted(known))}")
    return tuple(dict.fromkeys(versions))


def _configuration(table: Table) -> dict[str, str]:
    configuration = table.strings("configuration")
    for key, value in configuration.items():
        problem = _ocpp.configuration_problem(key, value)
        if problem is not None:
            table.fail(f"configuration.{key}", problem)
    return configuration


def _data_transfer(table: Table) -> tuple[VendorReply, ...]:
    """The table's DataTransfer replies (``[[data_transfer]]``); none when absent."""
    entries = table.value("data_transfer")
    if entries is None:
        return ()
    try:
        return vendor_replies(entries)
    except InvalidVendorReply as error:
        table.fail(f"data_transfer{error.where}", error.reason)
