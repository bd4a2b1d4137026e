"""Which OCPP versions a simulated station speaks, and each one's words, from the version
alone (no station running): both read
:data:`~chargeyard.station.station_classes.STATION_CLASSES`, the one table where a version
picks the station's behaviour."""

from __future__ import annotations

import contextlib

from chargeyard.protocol import UnknownVersion, VersionSpec, parse_version
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.station_classes import STATION_CLASSES
from chargeyard.station.terms import StationTerms


def version_of(text: str) -> VersionSpec:
    """The OCPP version ``text`` names, from a person (``chargeyard sim --ocpp``,
    ``chargeyard conformance --ocpp``), the catalog or a command's payload carried as JSON, in
    any spelling :func:`~chargeyard.protocol.parse_version` reads ("1.6", "ocpp1.6",
    "OCPP 2.0.1", "v201"). The API reads its own (``api/ocpp_version.py``); this is the one
    other place text becomes a version.

    Raises:
        UnknownVersion: no such version (a ValueError).
    """
    return parse_version(text)


def named_version(text: str) -> VersionSpec:
    """:func:`version_of`, held to the versions a simulated station speaks.

    Raises:
        UnknownVersion: not a version, or one no simulated station speaks (a ValueError).
    """
    with contextlib.suppress(UnknownVersion):
        return fleet_version(version_of(text))
    raise UnknownVersion(f"unsupported OCPP version {text!r} ({_spoken()})")


def fleet_version(version: VersionSpec) -> VersionSpec:
    """``version``, if a simulated station speaks it.

    Raises:
        UnknownVersion: no simulated station speaks it (a ValueError).
    """
    if version in STATION_CLASSES:
        return version
    raise UnknownVersion(f"unsupported OCPP version {version.name!r} ({_spoken()})")


def speaks(template: StationTemplate, version: VersionSpec) -> bool:
    """Whether the catalog model ``template`` speaks ``version`` (the catalog lists the
    versions' names, checked against the table of versions as it loads)."""
    return any(version_of(name) is version for name in template.ocpp_versions)


def _spoken() -> str:
    return " or ".join(reversed(STATION_CLASSES.names))


def station_terms(version: VersionSpec) -> StationTerms:
    """The words of ``version``'s station class (its ``TERMS``).

    Raises:
        UnknownVersion: no simulated station speaks it.
        TypeError: a station class without its version's terms.
    """
    station_class = STATION_CLASSES[version]
    terms = getattr(station_class, "TERMS", None)
    if not isinstance(terms, StationTerms) or terms.version is not version:
        raise TypeError(f"{station_class!r} has no terms of OCPP {version.name}")
    return terms
