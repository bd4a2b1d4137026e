"""Site templates: ready-made layouts of a location's chargers, built from catalog models, for
``GET /ocpp/templates/locations``.

A layout is data (which models, how many); what it offers is derived from the catalog: its
type (``AC``, ``DC``, or ``AC-DC`` when it mixes both), the OCPP versions every one of its
models speaks, each entry's connector type (the model's first) and the site's total power.
A layout whose models are not all in the catalog is a bug in this file, caught by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chargeyard.protocol import VERSIONS
from chargeyard.station.catalog import Catalog, CurrentType, StationTemplate


class SiteType(StrEnum):
    AC = "AC"
    DC = "DC"
    AC_DC = "AC-DC"


@dataclass(frozen=True)
class Layout:
    """A site: ``entries`` are (catalog template id, how many chargers of it)."""

    id: str
    name: str
    description: str
    entries: tuple[tuple[str, int], ...]


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "small-office-ac",
        "Small office (AC)",
        "An office car park: single-socket wallboxes for staff and visitors.",
        (("alfen-eve-single-pro-line", 4), ("wallbox-pulsar-plus", 2)),
    ),
    Layout(
        "retail-car-park-ac",
        "Retail car park (AC)",
        "Twin-socket pedestals along the parking rows of a shopping centre.",
        (("schneider-electric-evlink-pro-ac-pedestal", 4), ("alfen-eve-double-pro-line", 2)),
    ),
    Layout(
        "residential-garage-ac",
        "Residential garage (AC)",
        "An apartment block's underground garage, one 11 kW wallbox per bay.",
        (("keba-kecontact-p30-x", 8),),
    ),
    Layout(
        "highway-dc-hub",
        "Highway DC hub",
        "A motorway service area: high-power chargers with shared power cabinets.",
        (("alpitronic-hyc300", 4), ("abb-terra-360", 2)),
    ),
    Layout(
        "urban-fast-charging-dc",
        "Urban fast charging (DC)",
        "A city-centre fast-charging site for taxis and ride-hailing.",
        (("abb-terra-54", 2), ("tritium-pkm150", 2)),
    ),
    Layout(
        "mixed-depot",
        "Mixed fleet depot (AC-DC)",
        "A delivery fleet's depot: overnight AC charging and DC top-ups between rounds.",
        (("abb-terra-ac-w22", 10), ("abb-terra-184", 2)),
    ),
    Layout(
        "supermarket-ac-dc",
        "Supermarket (AC-DC)",
        "A supermarket car park: AC for shoppers, one DC charger near the entrance.",
        (("alfen-eve-double-pro-line", 3), ("tritium-rtm75", 1)),
    ),
)

# Newest first: a layout that does not name a version offers the newest all its models speak.
_VERSIONS_NEWEST_FIRST = tuple(spec.name for spec in VERSIONS.values())


@dataclass(frozen=True)
class SiteCharger:
    template: StationTemplate
    count: int


@dataclass(frozen=True)
class SiteTemplate:
    """A layout resolved against the catalog."""

    layout: Layout
    chargers: tuple[SiteCharger, ...]
    type: SiteType
    ocpp_versions: tuple[str, ...]

    @property
    def total_power_kw(self) -> float:
        return sum(c.template.max_power_kw * c.count for c in self.chargers)

    @property
    def default_ocpp_version(self) -> str:
        return self.ocpp_versions[0]


def resolve(layout: Layout, catalog: Catalog) -> SiteTemplate:
    """Raises: UnknownTemplate (a layout names a model the catalog lacks)."""
    chargers = tuple(SiteCharger(catalog.template(tid), count) for tid, count in layout.entries)
    currents = {charger.template.current_type for charger in chargers}
    site_type = (
        SiteType.AC_DC
        if len(currents) > 1
        else SiteType.AC
        if currents == {CurrentType.AC}
        else SiteType.DC
    )
    versions = tuple(
        version
        for version in _VERSIONS_NEWEST_FIRST
        if all(version in charger.template.ocpp_versions for charger in chargers)
    )
    return SiteTemplate(layout, chargers, site_type, versions)


def site_templates(
    catalog: Catalog, *, site_type: SiteType | None = None, ocpp_version: str | None = None
) -> list[SiteTemplate]:
    """The layouts of ``site_type`` whose models all speak ``ocpp_version`` (a version name),
    in the order of :data:`LAYOUTS`."""
    sites = [resolve(layout, catalog) for layout in LAYOUTS]
    return [
        site
        for site in sites
        if site.ocpp_versions
        and (site_type is None or site.type is site_type)
        and (ocpp_version is None or ocpp_version in site.ocpp_versions)
    ]
