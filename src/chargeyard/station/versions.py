"""Which OCPP versions a simulated station speaks, and each one's words, from the version
alone (no station running): both read
:data:`~chargeyard.station.station_classes.STATION_CLASSES`, the one table where a version
picks the station's behaviour."""

from __future__ import annotations

import contextlib

from chargeyard.protocol import UnknownVersion, VersionSpec, parse_version
from chargeyard.station.station_classes import STATION_CLASSES
from chargeyard.station.terms import StationTerms


def fleet_version(version: str) -> VersionSpec:
    """The OCPP version a simulated station can speak, from any spelling the API meets
    (:func:`~chargeyard.protocol.parse_version`: "1.6", "ocpp1.6", "OCPP 2.0.1", "v201"...).

    Raises:
        UnknownVersion: not a version, or one no simulated station speaks (a ValueError).
    """
    with contextlib.suppress(UnknownVersion):
        spec = parse_version(version)
        if spec in STATION_CLASSES:
            return spec
    spoken = " or ".join(reversed(STATION_CLASSES.names))
    raise UnknownVersion(f"unsupported OCPP version {version!r} ({spoken})")


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
