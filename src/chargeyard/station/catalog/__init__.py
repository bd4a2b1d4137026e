"""The catalog of charge-station templates: brands and models kept as data.

A station is built from a brand/model template (vendor, model, EVSEs and connectors, AC/DC,
power, phases, firmware, OCPP 1.6 configuration) read from ``data/<brand>.toml``, with shared
values in ``data/_defaults.toml``. Each file is read strictly into pydantic models
(``_files.py``) and states the ``format_version`` of its layout; a file that breaks a rule is an
:class:`InvalidTemplate` naming the file and the field's path. The REST API serves the same
templates as its read-only catalog::

    catalog = load_catalog()
    catalog.brands()                          # [Brand(slug="abb", name="ABB", model_count=5), ...]
    catalog.model("abb", "terra-54").to_summary()
    catalog.template("abb-terra-54").connector_numbering_16()   # {1: (1, 1), 2: (1, 2)}
"""

from chargeyard.station.catalog.errors import (
    CatalogError,
    InvalidTemplate,
    UnknownBrand,
    UnknownModel,
    UnknownTemplate,
)
from chargeyard.station.catalog.loader import Catalog, load_catalog, read_catalog
from chargeyard.station.catalog.templates import (
    Brand,
    BrandSummary,
    ConnectorTemplate,
    CurrentType,
    EvseTemplate,
    StationTemplate,
    TemplateSummary,
)

__all__ = [
    "Brand",
    "BrandSummary",
    "Catalog",
    "CatalogError",
    "ConnectorTemplate",
    "CurrentType",
    "EvseTemplate",
    "InvalidTemplate",
    "StationTemplate",
    "TemplateSummary",
    "UnknownBrand",
    "UnknownModel",
    "UnknownTemplate",
    "load_catalog",
    "read_catalog",
]
