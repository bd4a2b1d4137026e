"""From catalog TOML files to station templates, every rule checked on the way.

A brand file (``data/<brand>.toml``; its shape is ``_files.py``'s :class:`BrandFile`)::

    format_version    the layout of the file (``_files.FORMAT_VERSION``)
    [brand]           slug (the file's name), name, vendor; optional [brand.configuration],
                      [[brand.data_transfer]]
    [[models]]        slug, name, model, firmware_version, current_type ("AC" | "DC"),
                      max_power_w, supported_kw, [[models.evses]]; optional vendor, phases,
                      nominal_voltage, shared_power, ocpp_versions, image_url,
                      [models.configuration], [[models.data_transfer]]
    [[models.evses]]  max_power_w, connectors = [{type, max_current_a, max_power_w?, label?}]
    [[...data_transfer]]  vendor_id, answer ("echo" | "accept" | "reject" |
                      "unknown_message_id"); optional message_id, data
    [models.battery_swap]  (2.1) capacity_wh, charged_soc, step_s, returned_soc,
                      [[models.battery_swap.batteries]] (slot, serial_number, soc, soh);
                      optional batteries_per_swap
    [models.payment_terminal]  (2.1) price_per_kwh, receipt_url

``_defaults.toml`` (``_files.py``'s :class:`DefaultsFile`, with its ``format_version``) holds
what models share: ocpp_versions, the configuration, the DataTransfer replies
([[data_transfer]]), per current type ([AC], [DC]) the nominal voltage, phases and
configuration, and the connector types allowed. Configuration precedence: defaults < defaults
by current type < brand < model; DataTransfer replies the same (defaults < brand < model), a
later one replacing an earlier one for the same vendorId and messageId.

Every broken rule raises :class:`InvalidTemplate` naming the file and the field. The shape of
each file and the rules of one value are ``_files.py``'s: slugs are lowercase words joined by
hyphens; vendor, model and firmware fit BootNotification in 1.6 and 2.0.1; powers are positive,
phases 1 or 3. The rules between values are checked here: a brand file is named after its slug;
connector types are OCPP 2.0.1 ConnectorEnumType values that carry the station's current; a
connector never exceeds its EVSE (nor, for AC, phases x voltage x current) and an EVSE never
exceeds the station; without ``shared_power`` the EVSEs add up to the station's power, with it
they add up to more (else nothing is shared); the largest EVSE's power is one of the product
line's ``supported_kw`` (within 2 %); configuration values are strings of the type OCPP 1.6
section 9 gives their key; DataTransfer replies follow ``station/model/vendor_replies.py`` (ids
as long as the DataTransfer schemas allow, one reply per vendorId and messageId); a battery
swap station and a payment terminal are for models that speak 2.1, each swap slot is one of the
model's EVSEs and holds one battery, serial numbers are unique, and a swap exchanges no more
batteries than the slots hold (``equipment.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import NoReturn

from chargeyard.protocol import V21
from chargeyard.station.catalog import _ocpp
from chargeyard.station.catalog._files import (
    BatterySwapEntry,
    BrandFile,
    DataTransferEntry,
    DefaultsFile,
    EvseEntry,
    ModelEntry,
    read_file,
)
from chargeyard.station.catalog.equipment import (
    BatterySwapTemplate,
    PaymentTerminalTemplate,
    SlotBattery,
)
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


@dataclass(frozen=True)
class _Where:
    """A place in one file, for the rules checked here: the file and a path in it."""

    source: str
    path: str = ""

    def at(self, key: str) -> _Where:
        return _Where(self.source, f"{self.path}.{key}" if self.path else key)

    def fail(self, reason: str) -> NoReturn:
        raise InvalidTemplate(self.source, self.path, reason)


def parse_defaults(file: Traversable) -> Defaults:
    """Read ``_defaults.toml``."""
    shape = read_file(file, DefaultsFile)
    root = _Where(file.name)
    configuration = _configuration(root, shape.configuration)
    data_transfer = _data_transfer(root, shape.data_transfer)
    by_current: dict[CurrentType, CurrentDefaults] = {}
    for current, section in ((CurrentType.AC, shape.AC), (CurrentType.DC, shape.DC)):
        by_current[current] = CurrentDefaults(
            nominal_voltage=section.nominal_voltage,
            phases=section.phases,
            configuration=MappingProxyType(
                _configuration(root.at(current.value), section.configuration)
            ),
        )
    connectors: dict[str, ConnectorKind] = {}
    for type_, kind in shape.connectors.items():
        if type_ not in _ocpp.connector_types():
            root.at("connectors").at(type_).fail("is not an OCPP 2.0.1 ConnectorEnumType value")
        connectors[type_] = ConnectorKind(kind.label, frozenset(kind.current))
    return Defaults(
        tuple(dict.fromkeys(shape.ocpp_versions)),
        MappingProxyType(configuration),
        data_transfer,
        MappingProxyType(by_current),
        MappingProxyType(connectors),
    )


def parse_brand_file(file: Traversable, defaults: Defaults) -> tuple[Brand, list[StationTemplate]]:
    """Read one brand file: the brand and its models, in file order."""
    shape = read_file(file, BrandFile)
    head = _Where(file.name, "brand")
    if file.name != f"{shape.brand.slug}.toml":
        head.at("slug").fail(f"must match the file's name {file.name!r}")
    brand = _Brand(
        shape.brand.slug,
        shape.brand.name,
        shape.brand.vendor,
        _configuration(head, shape.brand.configuration),
        merged(defaults.data_transfer, _data_transfer(head, shape.brand.data_transfer)),
    )
    templates: list[StationTemplate] = []
    for entry in shape.models:
        where = _Where(file.name, f"models[{entry.slug}]")
        if any(other.slug == entry.slug for other in templates):
            where.at("slug").fail(f"{entry.slug!r} is used by an earlier model")
        templates.append(_template(where, entry, brand, defaults))
    return Brand(brand.slug, brand.name, len(templates)), templates


@dataclass(frozen=True)
class _Brand:
    """What a brand's head gives each of its models."""

    slug: str
    name: str
    vendor: str
    configuration: Mapping[str, str]
    data_transfer: tuple[VendorReply, ...]


def _template(
    where: _Where, entry: ModelEntry, brand: _Brand, defaults: Defaults
) -> StationTemplate:
    current = entry.current_type
    base = defaults.by_current[current]
    phases = entry.phases if entry.phases is not None else base.phases
    if phases is None:
        where.at("phases").fail(f"is required: _defaults.toml gives {current} stations none")
    voltage = base.nominal_voltage if entry.nominal_voltage is None else entry.nominal_voltage
    evses = tuple(
        _evse(where.at(f"evses[{evse_id}]"), evse, evse_id, current, phases, voltage, defaults)
        for evse_id, evse in enumerate(entry.evses, start=1)
    )
    _check_power(where, entry.max_power_w, evses, entry.shared_power)
    # A product is sold by what one EV gets: the largest EVSE's power.
    rating_w = max(evse.max_power_w for evse in evses)
    if all(abs(kw * 1000 - rating_w) > _RATING_TOLERANCE * rating_w for kw in entry.supported_kw):
        where.at("supported_kw").fail(f"its EVSE's {rating_w / 1000:g} kW is not among them")
    versions = entry.ocpp_versions
    ocpp_versions = defaults.ocpp_versions if versions is None else tuple(dict.fromkeys(versions))
    payment_terminal = None
    if entry.payment_terminal is not None:
        if V21.name not in ocpp_versions:
            where.at("payment_terminal").fail("is OCPP 2.1's: the model does not speak 2.1")
        terminal = entry.payment_terminal
        payment_terminal = PaymentTerminalTemplate(terminal.price_per_kwh, terminal.receipt_url)
    return StationTemplate(
        id=f"{brand.slug}-{entry.slug}",
        slug=entry.slug,
        name=entry.name,
        brand_slug=brand.slug,
        brand_name=brand.name,
        vendor=brand.vendor if entry.vendor is None else entry.vendor,
        model=entry.model,
        firmware_version=entry.firmware_version,
        current_type=current,
        max_power_w=entry.max_power_w,
        phases=phases,
        nominal_voltage=voltage,
        shared_power=entry.shared_power,
        evses=evses,
        supported_kw=tuple(entry.supported_kw),
        ocpp_versions=ocpp_versions,
        image_url=entry.image_url,
        default_configuration=_merged(
            defaults.configuration,
            base.configuration,
            brand.configuration,
            _configuration(where, entry.configuration),
        ),
        data_transfer=merged(brand.data_transfer, _data_transfer(where, entry.data_transfer)),
        battery_swap=(
            None
            if entry.battery_swap is None
            else _battery_swap(where.at("battery_swap"), entry.battery_swap, evses, ocpp_versions)
        ),
        payment_terminal=payment_terminal,
    )


def _battery_swap(
    where: _Where,
    entry: BatterySwapEntry,
    evses: tuple[EvseTemplate, ...],
    ocpp_versions: tuple[str, ...],
) -> BatterySwapTemplate:
    if V21.name not in ocpp_versions:
        where.fail("is OCPP 2.1's: the model does not speak 2.1")
    slots: set[int] = set()
    serials: set[str] = set()
    for index, battery in enumerate(entry.batteries, start=1):
        at = where.at(f"batteries[{index}]")
        if not 1 <= battery.slot <= len(evses):
            at.at("slot").fail(f"slot {battery.slot} is none of the model's EVSEs 1-{len(evses)}")
        if battery.slot in slots:
            at.at("slot").fail(f"slot {battery.slot} holds an earlier battery")
        if battery.serial_number in serials:
            at.at("serial_number").fail(f"{battery.serial_number!r} is an earlier battery's")
        slots.add(battery.slot)
        serials.add(battery.serial_number)
    if entry.batteries_per_swap > len(entry.batteries):
        where.at("batteries_per_swap").fail(
            f"a swap of {entry.batteries_per_swap} needs as many batteries in the slots"
        )
    return BatterySwapTemplate(
        capacity_wh=entry.capacity_wh,
        charged_soc=entry.charged_soc,
        batteries_per_swap=entry.batteries_per_swap,
        step_s=entry.step_s,
        returned_soc=entry.returned_soc,
        batteries=tuple(
            SlotBattery(b.slot, b.serial_number, b.soc, b.soh)
            for b in sorted(entry.batteries, key=lambda b: b.slot)
        ),
    )


def _evse(
    where: _Where,
    entry: EvseEntry,
    evse_id: int,
    current: CurrentType,
    phases: int,
    voltage: int,
    defaults: Defaults,
) -> EvseTemplate:
    max_power_w = entry.max_power_w
    connectors: list[ConnectorTemplate] = []
    for connector_id, connector in enumerate(entry.connectors, start=1):
        at = where.at(f"connectors[{connector_id}]")
        kind = defaults.connectors.get(connector.type)
        if kind is None:
            known = ", ".join(sorted(defaults.connectors))
            at.at("type").fail(
                f"{connector.type!r} is not a connector type of the catalog ({known})"
            )
        if current not in kind.currents:
            at.at("type").fail(f"a {kind.label} ({connector.type}) does not carry {current}")
        current_a = connector.max_current_a
        power = max_power_w if connector.max_power_w is None else connector.max_power_w
        if power > max_power_w:
            at.at("max_power_w").fail(f"{power} W exceeds its EVSE's {max_power_w} W")
        ac_limit = phases * voltage * current_a
        if current is CurrentType.AC and power > ac_limit:
            at.at("max_power_w").fail(
                f"{power} W exceeds {phases} x {voltage} V x {current_a} A = {ac_limit} W"
            )
        label = kind.label if connector.label is None else connector.label
        connectors.append(ConnectorTemplate(connector_id, connector.type, label, current_a, power))
    return EvseTemplate(evse_id, max_power_w, tuple(connectors))


def _check_power(
    where: _Where, max_power_w: int, evses: tuple[EvseTemplate, ...], shared: bool
) -> None:
    for evse in evses:
        if evse.max_power_w > max_power_w:
            where.at(f"evses[{evse.id}].max_power_w").fail(
                f"{evse.max_power_w} W exceeds the station's {max_power_w} W"
            )
    total = sum(evse.max_power_w for evse in evses)
    if shared and total <= max_power_w:
        where.at("shared_power").fail(
            f"the EVSEs together ({total} W) never exceed the station's {max_power_w} W, "
            "so nothing is shared",
        )
    if not shared and total != max_power_w:
        where.at("max_power_w").fail(
            f"{max_power_w} W is not the sum of the EVSEs' ({total} W); "
            "set shared_power = true if they share one supply",
        )


def _merged(*layers: Mapping[str, str]) -> Mapping[str, str]:
    """Later layers win; keys sorted, as a station lists them in GetConfiguration."""
    merged = {key: value for layer in layers for key, value in layer.items()}
    return MappingProxyType(dict(sorted(merged.items())))


def _configuration(where: _Where, configuration: Mapping[str, str]) -> dict[str, str]:
    section = where.at("configuration")
    for key, value in configuration.items():
        problem = _ocpp.configuration_problem(key, value)
        if problem is not None:
            section.at(key).fail(problem)
    return dict(configuration)


def _data_transfer(where: _Where, entries: Sequence[DataTransferEntry]) -> tuple[VendorReply, ...]:
    """The DataTransfer replies of a table (``[[data_transfer]]``); none when absent."""
    try:
        return vendor_replies([entry.model_dump(exclude_none=True) for entry in entries])
    except InvalidVendorReply as error:
        _Where(where.source, f"{where.at('data_transfer').path}{error.where}").fail(error.reason)
