"""The catalog: the station templates shipped in ``data/``, indexed by brand, model and id.

:func:`load_catalog` reads the package's own data through :mod:`importlib.resources`, so it
works from a wheel, a zip or a checkout, whatever the working directory; it reads once per
process. :func:`read_catalog` reads any directory laid out the same way (a user's own models).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from chargeyard.station.catalog._parse import parse_brand_file, parse_defaults
from chargeyard.station.catalog.errors import (
    InvalidTemplate,
    UnknownBrand,
    UnknownModel,
    UnknownTemplate,
)
from chargeyard.station.catalog.templates import Brand, StationTemplate

DEFAULTS_FILE = "_defaults.toml"


class Catalog:
    """Brands and their station templates; read-only.

    Brands are listed by slug; a brand's models in the order of its file. Lists returned are
    fresh copies.

    Args:
        brands: each brand with its templates.

    Raises:
        InvalidTemplate: two brands share a slug or two templates an id.
    """

    def __init__(self, brands: Iterable[tuple[Brand, Sequence[StationTemplate]]]) -> None:
        self._brands: dict[str, Brand] = {}
        self._models: dict[str, dict[str, StationTemplate]] = {}
        self._templates: dict[str, StationTemplate] = {}
        for brand, templates in sorted(brands, key=lambda entry: entry[0].slug):
            source = f"{brand.slug}.toml"
            if brand.slug in self._brands:
                raise InvalidTemplate(source, "brand.slug", f"{brand.slug!r} is used twice")
            self._brands[brand.slug] = brand
            self._models[brand.slug] = {}
            for template in templates:
                if template.id in self._templates:
                    raise InvalidTemplate(
                        source, f"models[{template.slug}]", f"id {template.id!r} is used twice"
                    )
                self._templates[template.id] = template
                self._models[brand.slug][template.slug] = template

    def __len__(self) -> int:
        """The number of templates."""
        return len(self._templates)

    def brands(self) -> list[Brand]:
        return list(self._brands.values())

    def brand(self, brand_slug: str) -> Brand:
        """Raises: UnknownBrand."""
        try:
            return self._brands[brand_slug]
        except KeyError:
            raise UnknownBrand(brand_slug, self._brands) from None

    def models(self, brand_slug: str) -> list[StationTemplate]:
        """The brand's templates. Raises: UnknownBrand."""
        return list(self._brand_models(brand_slug).values())

    def model(self, brand_slug: str, model_slug: str) -> StationTemplate:
        """Raises: UnknownBrand, UnknownModel."""
        models = self._brand_models(brand_slug)
        try:
            return models[model_slug]
        except KeyError:
            raise UnknownModel(brand_slug, model_slug, models) from None

    def template(self, template_id: str) -> StationTemplate:
        """The template with this id (``<brand_slug>-<model_slug>``). Raises: UnknownTemplate."""
        try:
            return self._templates[template_id]
        except KeyError:
            raise UnknownTemplate(template_id) from None

    def templates(self) -> list[StationTemplate]:
        """Every template, brand by brand."""
        return list(self._templates.values())

    def _brand_models(self, brand_slug: str) -> dict[str, StationTemplate]:
        try:
            return self._models[brand_slug]
        except KeyError:
            raise UnknownBrand(brand_slug, self._brands) from None


def read_catalog(directory: Traversable) -> Catalog:
    """Read ``_defaults.toml`` and every ``<brand>.toml`` of a directory.

    Files whose name starts with "_" and files that are not ``.toml`` are not brands.

    Raises:
        InvalidTemplate: a file breaks a rule (see ``_parse.py``); the message names it.
    """
    defaults = parse_defaults(directory / DEFAULTS_FILE)
    files = sorted(
        (f for f in directory.iterdir() if f.name.endswith(".toml") and f.name[0] != "_"),
        key=lambda f: f.name,
    )
    return Catalog(parse_brand_file(file, defaults) for file in files)


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with chargeyard (read once per process)."""
    return read_catalog(resources.files("chargeyard.station.catalog") / "data")
