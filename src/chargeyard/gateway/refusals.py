"""Validate before acting: why a command's parameters cannot reach the wire of the station's
OCPP version, checked before the station changes anything.

Each parameter that ends up in an OCPP message is checked against the field of the version's
official schema that carries it, and a proxied payload against its whole request schema, by
the station's ``TERMS`` (``station/terms.py``); this module only says which parameter is
which, per command, never per version. A stop reason the schema refuses would otherwise end
the transaction inside the station and then fail as the StopTransaction.req, leaving it open
at the central system for ever. The executor asks before queuing and again on arrival.
"""

from __future__ import annotations

from pydantic import BaseModel

from chargeyard.gateway.commands import (
    AuthorizePayload,
    FaultPayload,
    LocalAuthListPayload,
    ProxyMessagePayload,
    SetConfigurationPayload,
    StartSessionPayload,
    StartTransactionPayload,
    StopTransactionPayload,
)
from chargeyard.protocol import OcppError
from chargeyard.station.terms import StationTerms
from chargeyard.station.versions import named_version


def refusal(terms: StationTerms, command: BaseModel) -> str | None:
    """Why the version of ``terms`` cannot carry the command's parameters (naming what it
    allows), or None. Reads nothing of the station."""
    name = terms.version.name
    if isinstance(command, ProxyMessagePayload) and command.ocpp_version is not None:
        wanted = named_version(command.ocpp_version)
        if wanted is not terms.version:
            return f"the station speaks OCPP {name}, not {wanted.name}"
    try:
        _check(terms, command)
    except OcppError as error:  # SchemaValueError for one field, else a whole request's
        return f"OCPP {name}: {error.description or error.kind.value}"
    return None


def _check(terms: StationTerms, command: BaseModel) -> None:
    if isinstance(command, StartSessionPayload | AuthorizePayload | StartTransactionPayload):
        terms.check_id_token(command.id_tag, "id_tag")
    elif isinstance(command, StopTransactionPayload):
        terms.check_stop_reason(command.reason, "reason")
    elif isinstance(command, FaultPayload):
        terms.check_fault_word(command.error_code, "error_code")
    elif isinstance(command, SetConfigurationPayload):
        for setting in command.settings():
            terms.check_setting(setting)
    elif isinstance(command, LocalAuthListPayload):
        terms.check_local_list(
            command.list_version, command.list_entries(), differential=command.differential
        )
    elif isinstance(command, ProxyMessagePayload):
        # Checked here, not only when the session sends it: before it is queued.
        terms.version.schemas.check_request(command.action, command.payload)
