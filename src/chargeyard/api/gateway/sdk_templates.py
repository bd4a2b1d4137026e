"""Site templates in OCPPLab's shape (its SDK's ``OcppLocationTemplateResponse``): each a
``body`` ready to ``POST /ocpp/location`` (or ``/evcharger/location``) as it is, with the
connector type and OCPP version asked for.

OCPPLab's templates also carry OCPI roaming metadata (a CPO, its party id, the OCPI version);
chargeyard has no OCPI part, so ``cpo_name``, ``cpo_slug``, ``party_id`` and ``ocpi_version``
are empty strings, and an ``ocpi_version`` asked for is only echoed in ``filters``.

A template's chargers dial the built-in central system (``ws_url``: the URL the API gives
stations) with identities made of the template's slug (``SMALL-OFFICE-AC-001``); the address
is an example to change before posting a second time (identities are unique per
organization).
"""

from __future__ import annotations

from typing import Any

from chargeyard.api.gateway.site_templates import SiteTemplate
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.versions import version_of

EXAMPLE_ADDRESS: dict[str, Any] = {
    "address": "14 Rue de la Paix",
    "city": "Paris",
    "country": "FR",
    "coordinates": {"lat": 48.8566, "lng": 2.3522},
    "timezone": "Europe/Paris",
}


def connector_of(template: StationTemplate, wanted: str | None) -> str | None:
    """The model's connector type matching ``wanted`` (``Type2`` finds ``cType2``), its
    first when ``wanted`` is None, None when it has no such connector."""
    if wanted is None:
        return template.connector_types[0]
    for kind in template.connector_types:
        if wanted.lower() in (kind.lower(), kind[1:].lower()):
            return kind
    return None


def offers(site: SiteTemplate, connector_type: str | None) -> bool:
    """Every model of the site has ``connector_type`` (None: any)."""
    return all(connector_of(c.template, connector_type) is not None for c in site.chargers)


def sdk_template(
    site: SiteTemplate, ocpp_version: str | None, connector_type: str | None, ws_url: str
) -> dict[str, Any]:
    """``site`` as one of OCPPLab's templates (``offers(site, connector_type)`` holds)."""
    version = version_of(ocpp_version or site.default_ocpp_version).subprotocol
    prefix = site.layout.id.upper()
    chargers: list[dict[str, Any]] = []
    for charger in site.chargers:
        for _ in range(charger.count):
            chargers.append(
                {
                    "identity": f"{prefix}-{len(chargers) + 1:03d}",
                    "brand_slug": charger.template.brand_slug,
                    "model_slug": charger.template.slug,
                    "model": charger.template.slug,
                    "connector_type": connector_of(charger.template, connector_type),
                    "ws_url": ws_url,
                    "ocpp_version": version,
                }
            )
    kinds = sorted({str(c["connector_type"]) for c in chargers})
    return {
        "name": site.layout.name,
        "slug": site.layout.id,
        "description": site.layout.description,
        "cpo_name": "",
        "cpo_slug": "",
        "party_id": "",
        "ocpp_version": version,
        "ocpi_version": "",
        "connector_type": connector_type or ",".join(kinds),
        "body": {"name": site.layout.name, **EXAMPLE_ADDRESS, "chargers": chargers},
    }
