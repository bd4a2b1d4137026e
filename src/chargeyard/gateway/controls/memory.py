"""Read back from the station's own memory: its configuration keys (1.6 GetConfiguration) or
device model variables (2.0.1), its authorization cache (1.6 section 3.5.1, 2.0.1 C10), its
local authorization list with its version (1.6 section 3.5.2, 2.0.1 D01/D02), and its
installed certificates (the CA certificates, 1.6 security extension, 2.0.1 M03-M05; and its
own, A02). Nothing is sent: what the station holds is what the outcome's ``result`` shows.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from pydantic import Field

from chargeyard.gateway.commands import CommandSpec, EmptyPayload
from chargeyard.gateway.controls.base import Control, ControlPayload, Result
from chargeyard.protocol.certificates import Certificate
from chargeyard.station.clock import iso
from chargeyard.station.model.authorization import IdToken, IdTokenInfo
from chargeyard.station.verbs import StationVerbs


class ConfigurationKeysPayload(ControlPayload):
    """The keys to read (1.6 configuration keys; 2.0.1 ``Component.Variable[:instance]``);
    none: all of them."""

    keys: list[str] = Field(default_factory=list, max_length=500)


def token_entry(token: IdToken, info: IdTokenInfo) -> Result:
    """One authorization the station keeps, as the gateway shows it."""
    return {
        "id_tag": token.value,
        "type": token.type,
        "status": info.status.value,
        "expiry_date": None if info.expires_at is None else iso(info.expires_at),
        "parent_id_tag": info.group_id,
    }


def _nothing_to_check(station: StationVerbs, p: object) -> str | None:
    return None


def _configuration(station: StationVerbs, p: ConfigurationKeysPayload) -> Result:
    items, unknown = station.configuration_report(p.keys)
    return {
        "configuration": [
            {
                "key": item.key,
                "value": item.value,
                "readonly": item.readonly,
                **({} if item.evse_id is None else {"evse_id": item.evse_id}),
                **({} if item.connector_id is None else {"connector_id": item.connector_id}),
            }
            for item in items
        ],
        "unknown_keys": unknown,
    }


def _cache(station: StationVerbs, p: EmptyPayload) -> Result:
    entries = station.model.cache.entries()
    return {
        "enabled": station.model.policy.authorization_cache_enabled,
        "entries": [token_entry(token, info) for token, info in entries],
    }


def _local_list(station: StationVerbs, p: EmptyPayload) -> Result:
    local = station.model.local_list
    return {
        "enabled": station.model.policy.local_auth_list_enabled,
        "list_version": local.version,
        "entries": [token_entry(token, info) for token, info in local.entries().items()],
    }


def _described(certificate: Certificate) -> Result:
    parsed = certificate.parsed
    return {
        "subject": parsed.subject.rfc4514_string(),
        "issuer": parsed.issuer.rfc4514_string(),
        "serial_number": format(parsed.serial_number, "x"),
        "not_before": iso(parsed.not_valid_before_utc.astimezone(UTC)),
        "not_after": iso(parsed.not_valid_after_utc.astimezone(UTC)),
        "hash_data": certificate.hash_data(),
    }


def _certificates(station: StationVerbs, p: EmptyPayload) -> Result:
    installed = [
        {"certificate_type": item.kind, **_described(item.certificate)}
        for item in station.model.certificates.of()
    ]
    own = station.model.own_certificate.client_certificate()
    return {
        "installed": installed,
        "own_certificate": None if own is None else _described(own.certificate),
    }


CONTROLS: tuple[Control[Any], ...] = (
    Control(
        CommandSpec(
            "get-configuration",
            "get_configuration",
            ConfigurationKeysPayload,
            "Read the configuration back",
        ),
        _nothing_to_check,
        _configuration,
        "Get configuration",
        "Read the station's configuration from its memory: 1.6 configuration keys as "
        "GetConfiguration reads them (section 6.25), 2.0.1 device model variables as "
        "`Component.Variable[:instance]` with their Actual value and the EVSE or connector "
        "they belong to; a write-only one has no value. `keys` empty: all of them; the keys "
        "it lacks are in `unknown_keys`.",
        {"keys": ["HeartbeatInterval"]},
    ),
    Control(
        CommandSpec(
            "get-authorization-cache",
            "get_authorization_cache",
            EmptyPayload,
            "Read the authorization cache back",
        ),
        _nothing_to_check,
        _cache,
        "Get authorization cache",
        "Read the station's authorization cache (1.6 section 3.5.1, 2.0.1 C10): each id tag "
        "with its status, expiry and parent id tag, least recently used first, and whether "
        "the cache is enabled.",
        {},
    ),
    Control(
        CommandSpec("get-local-list", "get_local_list", EmptyPayload, "Read the local list"),
        _nothing_to_check,
        _local_list,
        "Get local list",
        "Read the station's local authorization list (1.6 section 3.5.2, 2.0.1 D01): its "
        "version (0: none installed) and each id tag with its status, expiry and parent id "
        "tag, and whether the list is enabled.",
        {},
    ),
    Control(
        CommandSpec("get-certificates", "get_certificates", EmptyPayload, "Read the certificates"),
        _nothing_to_check,
        _certificates,
        "Get certificates",
        "Read the certificates the station holds: the CA certificates installed (1.6 "
        "InstallCertificate, 2.0.1 M05), each with its type, subject, issuer, validity and "
        "hashes (CertificateHashDataType), and its own certificate signed by its central "
        "system (1.6 security extension, 2.0.1 A02), if it has one.",
        {},
    ),
)
"""The read-backs, in the catalogue's order."""
