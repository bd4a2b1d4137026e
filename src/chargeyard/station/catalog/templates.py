"""Station templates: what one brand/model of charge station is, as the catalog ships it.

A template is immutable data read from ``data/<brand>.toml`` (see ``_parse.py``). The simulator
builds stations from it; the REST API serves :meth:`StationTemplate.to_summary`.

Numbering follows the three-tier model of OCPP 2.0.1 (part 1: Charging Station, EVSE,
Connector): EVSEs are numbered 1..n, connectors 1..m within their EVSE, and only one connector
of an EVSE can be in use at a time. OCPP 1.6 has no EVSE level: connector 0 is the whole
station and its connectors are numbered 1..N, which
:meth:`StationTemplate.connector_numbering_16` maps to the 2.0.1 pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypedDict

from chargeyard.station.catalog.equipment import BatterySwapTemplate, PaymentTerminalTemplate
from chargeyard.station.model.vendor_replies import VendorReply, replies_json


class CurrentType(StrEnum):
    """The current at the connectors (the REST API's ``current_type``)."""

    AC = "AC"
    DC = "DC"


@dataclass(frozen=True)
class ConnectorTemplate:
    """One connector (a socket or a tethered cable) of an EVSE.

    Attributes:
        id: 1-based within its EVSE (the 2.0.1 connectorId).
        type: an OCPP 2.0.1 ConnectorEnumType value, e.g. "cCCS2", "sType2", "cG105".
        label: for people, e.g. "CCS2", "Type 2 socket", "CHAdeMO".
        max_current_a: the rated current, per phase for AC.
        max_power_w: the most this connector delivers (never more than its EVSE).
    """

    id: int
    type: str
    label: str
    max_current_a: int
    max_power_w: int


@dataclass(frozen=True)
class EvseTemplate:
    """One EVSE: the part of the station that charges one EV at a time.

    Attributes:
        id: 1-based within the station (the 2.0.1 evseId).
        max_power_w: the most this EVSE delivers when it has the station to itself.
        connectors: in connector-id order.
    """

    id: int
    max_power_w: int
    connectors: tuple[ConnectorTemplate, ...]


class TemplateSummary(TypedDict):
    """The catalog API's shape of a model (plain JSON types)."""

    id: str
    slug: str
    name: str
    brand_slug: str
    image_url: str | None
    connector_count: int
    current_type: str
    supported_kw: list[float]
    connector_types: list[str]
    max_power_kw: float
    evse_count: int
    ocpp_versions: list[str]
    vendor: str
    model: str
    firmware_version: str
    data_transfer: list[dict[str, Any]]


@dataclass(frozen=True)
class StationTemplate:
    """A brand/model of charge station.

    Attributes:
        id: stable and unique in the catalog: ``<brand_slug>-<slug>``.
        slug: unique within the brand, used in URLs.
        name: the product name for people.
        vendor: what the station reports as 1.6 chargePointVendor / 2.0.1 vendorName.
        model: what it reports as 1.6 chargePointModel / 2.0.1 model.
        firmware_version: what it reports as firmwareVersion.
        current_type: AC or DC at the connectors.
        max_power_w: the station's total power.
        phases: AC phases used (1 or 3); for DC stations the grid connection (informational).
        nominal_voltage: AC phase-to-neutral voltage; for DC stations the grid connection.
        shared_power: the EVSEs draw from one supply (a DC power cabinet, an AC load balancer):
            each may reach its own ``max_power_w`` alone, together they never exceed the
            station's. Without sharing, the EVSEs' powers add up to the station's.
        evses: in EVSE-id order.
        supported_kw: the power ratings (kW) the product line is sold in.
        ocpp_versions: the OCPP versions this model speaks ("1.6", "2.0.1", "2.1").
        image_url: a path served by our own API, or None.
        default_configuration: the OCPP 1.6 configuration keys and values it ships with,
            strings as GetConfiguration reports them (without the derived keys; see
            :meth:`configuration_16`).
        data_transfer: how it answers DataTransfer from its central system, vendor by vendor
            (OCPP 1.6 section 5.6, 2.0.1 P01; ``station/model/vendor_replies.py``).
        battery_swap: its swap slots when it is a battery swap station (``equipment.py``).
        payment_terminal: its card payment terminal, if it has one (``equipment.py``).
    """

    id: str
    slug: str
    name: str
    brand_slug: str
    brand_name: str
    vendor: str
    model: str
    firmware_version: str
    current_type: CurrentType
    max_power_w: int
    phases: int
    nominal_voltage: int
    shared_power: bool
    evses: tuple[EvseTemplate, ...]
    supported_kw: tuple[float, ...]
    ocpp_versions: tuple[str, ...]
    image_url: str | None
    # A read-only mapping: compared, but left out of the hash (mappings are not hashable).
    default_configuration: Mapping[str, str] = field(hash=False, repr=False)
    data_transfer: tuple[VendorReply, ...] = ()
    battery_swap: BatterySwapTemplate | None = None
    payment_terminal: PaymentTerminalTemplate | None = None

    @property
    def evse_count(self) -> int:
        return len(self.evses)

    @property
    def connectors(self) -> tuple[ConnectorTemplate, ...]:
        """Every connector, EVSE by EVSE: the order of OCPP 1.6 connector ids."""
        return tuple(connector for evse in self.evses for connector in evse.connectors)

    @property
    def connector_count(self) -> int:
        return sum(len(evse.connectors) for evse in self.evses)

    @property
    def connector_types(self) -> tuple[str, ...]:
        """The distinct connector types, in order of first appearance."""
        return tuple(dict.fromkeys(connector.type for connector in self.connectors))

    @property
    def max_power_kw(self) -> float:
        return self.max_power_w / 1000

    def connector_numbering_16(self) -> dict[int, tuple[int, int]]:
        """Map each OCPP 1.6 connectorId (1..N) to its 2.0.1 (evseId, connectorId).

        Connector 0 (the whole station in 1.6) is not in the map.
        """
        numbering: dict[int, tuple[int, int]] = {}
        for evse in self.evses:
            for connector in evse.connectors:
                numbering[len(numbering) + 1] = (evse.id, connector.id)
        return numbering

    def configuration_16(self) -> dict[str, str]:
        """The full OCPP 1.6 configuration: the defaults plus the keys derived from the EVSEs.

        NumberOfConnectors counts the 1.6 connectors; ConnectorPhaseRotation lists connector 0
        (the grid connection) and each connector, "RST" for three-phase AC and
        "NotApplicable" for single-phase or DC (OCPP 1.6 section 9.1.7).
        """
        rotation = (
            "RST" if self.current_type is CurrentType.AC and self.phases == 3 else "NotApplicable"
        )
        connector_ids = range(self.connector_count + 1)
        return {
            **self.default_configuration,
            "NumberOfConnectors": str(self.connector_count),
            "ConnectorPhaseRotation": ",".join(f"{i}.{rotation}" for i in connector_ids),
        }

    def rated_at(self, power_w: int) -> StationTemplate:
        """The same model installed at ``power_w`` (at most its own rating; a wallbox sold in
        several power ratings, or set up below its own): the station, each EVSE and each
        connector deliver no more, and an AC connector's current per phase follows. EVSEs
        whose ratings add up beyond it share it (``shared_power``).

        Raises:
            ValueError: ``power_w`` is not positive, or above the model's own rating.
        """
        if not 0 < power_w <= self.max_power_w:
            raise ValueError(
                f"{self.name} is rated {self.max_power_kw:g} kW: it cannot be set up at "
                f"{power_w / 1000:g} kW"
            )
        if power_w == self.max_power_w:
            return self
        conductors = self.phases if self.current_type is CurrentType.AC else 0

        def connector(template: ConnectorTemplate, evse_w: int) -> ConnectorTemplate:
            power = min(template.max_power_w, evse_w)
            current = template.max_current_a
            if conductors:  # I = P / (V x phases), per phase (11 kW on 3 x 230 V: 16 A)
                current = min(current, round(power / (self.nominal_voltage * conductors)))
            return replace(template, max_power_w=power, max_current_a=current)

        evses = []
        for evse in self.evses:
            evse_w = min(evse.max_power_w, power_w)
            connectors = tuple(connector(c, evse_w) for c in evse.connectors)
            evses.append(replace(evse, max_power_w=evse_w, connectors=connectors))
        shared = self.shared_power or sum(evse.max_power_w for evse in evses) > power_w
        return replace(self, max_power_w=power_w, evses=tuple(evses), shared_power=shared)

    def to_summary(self) -> TemplateSummary:
        """The catalog API's view of this template."""
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "brand_slug": self.brand_slug,
            "image_url": self.image_url,
            "connector_count": self.connector_count,
            "current_type": self.current_type.value,
            "supported_kw": list(self.supported_kw),
            "connector_types": list(self.connector_types),
            "max_power_kw": self.max_power_kw,
            "evse_count": self.evse_count,
            "ocpp_versions": list(self.ocpp_versions),
            "vendor": self.vendor,
            "model": self.model,
            "firmware_version": self.firmware_version,
            "data_transfer": replies_json(self.data_transfer),
        }


class BrandSummary(TypedDict):
    """The catalog API's shape of a brand."""

    slug: str
    name: str
    model_count: int


@dataclass(frozen=True)
class Brand:
    """A manufacturer in the catalog."""

    slug: str
    name: str
    model_count: int

    def to_summary(self) -> BrandSummary:
        """The catalog API's view of this brand."""
        return {"slug": self.slug, "name": self.name, "model_count": self.model_count}
