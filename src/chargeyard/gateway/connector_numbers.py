"""A command's connector as the charger's OCPP version numbers it, when the caller gave a
``connector_id`` without its ``evse_id``.

The gateway's payloads number connectors as OCPP 2.0.1 does (an EVSE, then a connector within
it). A caller who speaks 1.6, as OCPPLab's SDK does, names a connector by its 1.6 connectorId
alone: the station's connectors numbered 1..n across its EVSEs (1.6 section 3.5), so that
connector 2 of a station with two single-connector EVSEs is EVSE 2's. Each charger's version
says what a number alone names (``StationTerms.connector_numbered``), read from its catalog
model: so a location's command names the right connector on each of its chargers, and the
queued command says which EVSE and connector it went to.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chargeyard.gateway.commands import AuthorizePayload, ConnectorPayload
from chargeyard.gateway.definitions import template_of
from chargeyard.gateway.runtimes import ChargerRuntimeError
from chargeyard.station.versions import fleet_version, station_terms
from chargeyard.store.models import SimulatedCharger


class NoSuchConnector(ValueError):
    """The charger's station has no connector of the number given."""


def addressed(payload: BaseModel, charger: SimulatedCharger) -> dict[str, Any]:
    """``payload`` as queued for ``charger``: its JSON, with a ``connector_id`` given alone
    replaced by the ``evse_id`` and ``connector_id`` it names on the charger's station (for
    ``authorize``, the EVSE of the reader). A charger whose version or model is unknown gets
    the payload as it is (it cannot run: the precheck says so).

    Raises:
        NoSuchConnector: the station has no connector of that number.
    """
    data = payload.model_dump(mode="json")
    if isinstance(payload, ConnectorPayload) and not payload.evse_given:
        named = numbered(charger, payload.connector_id)
        if named is not None:
            data["evse_id"], data["connector_id"] = named
    elif isinstance(payload, AuthorizePayload) and payload.connector_id is not None:
        named = None if payload.evse_id is not None else numbered(charger, payload.connector_id)
        if named is not None:
            data["evse_id"] = named[0]
    return data


def numbered(charger: SimulatedCharger, connector_id: int) -> tuple[int, int] | None:
    """What ``connector_id`` alone names on the charger's station; None when its version or
    model is unknown.

    Raises:
        NoSuchConnector: the station has no connector of that number.
    """
    try:
        terms = station_terms(fleet_version(charger.ocpp_version))
        template = template_of(charger)
    except (ValueError, ChargerRuntimeError):
        return None
    named = terms.connector_numbered(template, connector_id)
    if named is None:
        raise NoSuchConnector(
            f"no connector {connector_id} (the station has {template.connector_count})"
        )
    return named
