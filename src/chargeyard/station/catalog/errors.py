"""The catalog's domain errors: a lookup that finds nothing, a data file that is wrong.

The REST API maps :class:`UnknownBrand`, :class:`UnknownModel` and :class:`UnknownTemplate` to
404; :class:`InvalidTemplate` is a bug in the shipped data (or a user's own file) and names the
file and the field so that it can be fixed without reading the loader.
"""

from __future__ import annotations

from collections.abc import Iterable


class CatalogError(Exception):
    """Base of every catalog error."""


def _known(names: Iterable[str]) -> str:
    return ", ".join(names) or "none"


class UnknownBrand(CatalogError, LookupError):
    """No brand has this slug."""

    def __init__(self, brand_slug: str, known: Iterable[str] = ()) -> None:
        self.brand_slug = brand_slug
        super().__init__(f"unknown brand {brand_slug!r} (brands: {_known(known)})")


class UnknownModel(CatalogError, LookupError):
    """The brand exists but has no model with this slug."""

    def __init__(self, brand_slug: str, model_slug: str, known: Iterable[str] = ()) -> None:
        self.brand_slug = brand_slug
        self.model_slug = model_slug
        super().__init__(
            f"brand {brand_slug!r} has no model {model_slug!r} (models: {_known(known)})"
        )


class UnknownTemplate(CatalogError, LookupError):
    """No station template has this id."""

    def __init__(self, template_id: str) -> None:
        self.template_id = template_id
        super().__init__(f"unknown station template {template_id!r}")


class InvalidTemplate(CatalogError, ValueError):
    """A catalog data file breaks a rule; the message names the file and the field.

    Attributes:
        source: the file's name, e.g. ``abb.toml``.
        field: where in it, e.g. ``models[terra-54].evses[1].connectors[2].type``.
        reason: what is wrong.
    """

    def __init__(self, source: str, field: str, reason: str) -> None:
        self.source = source
        self.field = field
        self.reason = reason
        super().__init__(f"{source}: {field}: {reason}" if field else f"{source}: {reason}")
