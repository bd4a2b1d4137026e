"""Which endpoint of chargeyard's ``/api/v1`` sends each order of a case, when the CSMS under
test is chargeyard (``chargeyard_trigger.py``): the action's dedicated command, as a user of
chargeyard sends it (``POST .../reset``, ``.../remote-start``, ``.../charging-profile``...),
so the suite exercises what users use.

The raw call (``POST /chargers/{chargeBoxId}/call``) is used only where

* no endpoint exists for the action (:data:`NO_ENDPOINT` says why), or
* the case's payload asks what the dedicated endpoint cannot say: each builder of
  :data:`DEDICATED` raises :class:`Inexpressible` with the reason (a Reset of one EVSE goes
  through ``/reset``, which takes ``evseId``; an UnlockConnector of a second connector of an
  EVSE cannot, since the endpoint's connector is an EVSE of one connector).

A dedicated endpoint that can say the payload and still makes the case fail is a defect of
the CSMS or its API, to be fixed there: this table never falls back for that.
``tests/conformance/test_chargeyard_routes.py`` lists, case by case, which endpoint each order
took.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args

from chargeyard.conformance.csms_under_test.hook_contract import segment
from chargeyard.csms.commands.base import TriggerableMessage
from chargeyard.csms.commands.device_model import OPERATIONS
from chargeyard.protocol import VersionSpec

Payload = dict[str, Any]
RAW_CALL = "POST /chargers/{chargeBoxId}/call"


class Inexpressible(Exception):
    """The payload asks what the action's dedicated endpoint cannot say (the message: what)."""


@dataclass(frozen=True, slots=True)
class Dedicated:
    """A dedicated endpoint's request: ``endpoint`` as docs/api.md names it (``POST
    /chargers/{chargeBoxId}/reset``), the values of its other path parameters, its body
    (None: none) and query."""

    endpoint: str
    body: Payload | None = None
    values: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Route:
    """How one order goes to chargeyard's API. ``raw_because``: why the raw call, or None."""

    endpoint: str
    path: str  # under /api/v1, the values filled in
    body: Payload | None
    params: dict[str, str]
    raw_because: str | None = None


Builder = Callable[[VersionSpec, Payload], Dedicated]


def route(version: VersionSpec, station_id: str, action: str, payload: Payload) -> Route:
    """The request that has chargeyard's CSMS send ``action`` with ``payload`` to
    ``station_id``."""
    builder = DEDICATED.get(action)
    why = NO_ENDPOINT.get(action, f"chargeyard's /api/v1 has no endpoint for {action}")
    if builder is not None:
        try:
            chosen = builder(version, payload)
        except Inexpressible as inexpressible:
            why = str(inexpressible)
        else:
            values = {"chargeBoxId": station_id, **chosen.values}
            path = chosen.endpoint.split(" ", 1)[1]
            for name, value in values.items():
                path = path.replace("{" + name + "}", segment(value))
            params = {
                name: values.get(value.strip("{}"), value) for name, value in chosen.params.items()
            }
            return Route(chosen.endpoint, path, chosen.body, params)
    path = f"/chargers/{segment(station_id)}/call"
    return Route(RAW_CALL, path, {"action": action, "payload": payload}, {}, why)


def _post(path: str, body: Payload | None = None, **values: str) -> Dedicated:
    return Dedicated(f"POST /chargers/{{chargeBoxId}}/{path}", body, values)


def _present(**fields: Any) -> Payload:
    """The fields that have a value (an endpoint's optional field is left out, not null)."""
    return {name: value for name, value in fields.items() if value is not None}


def _only(payload: Payload, allowed: set[str], endpoint: str) -> None:
    """Raises Inexpressible for a field of ``payload`` the endpoint has no word for."""
    extra = sorted(set(payload) - allowed)
    if extra:
        raise Inexpressible(f"{endpoint} has no field for {', '.join(extra)}")


# -- the builders, one per action (both versions: the payload's own fields tell them apart) ----


def _reset(version: VersionSpec, payload: Payload) -> Dedicated:
    # 1.6 Hard/Soft; 2.0.1 Immediate/OnIdle (B11, B12), which the endpoint's Hard/Soft mean.
    kind = {"Hard": "Hard", "Soft": "Soft", "Immediate": "Hard", "OnIdle": "Soft"}
    return _post("reset", _present(type=kind[payload["type"]], evseId=payload.get("evseId")))


def _unlock(version: VersionSpec, payload: Payload) -> Dedicated:
    if "evseId" not in payload:  # 1.6
        return _post("unlock", {"connectorId": payload["connectorId"]})
    # The endpoint's connector N is 2.0.1 EVSE N, connector 1 (F05).
    if payload["connectorId"] != 1:
        raise Inexpressible(
            "/unlock's connectorId is an EVSE with its connector 1; the case unlocks connector"
            f" {payload['connectorId']} of EVSE {payload['evseId']}"
        )
    return _post("unlock", {"connectorId": payload["evseId"]})


_TRIGGERABLE = frozenset(get_args(TriggerableMessage))


def _trigger(version: VersionSpec, payload: Payload) -> Dedicated:
    requested = payload["requestedMessage"]
    if requested not in _TRIGGERABLE:
        raise Inexpressible(f"/trigger's requestedMessage has no {requested}")
    if "evse" not in payload:  # 1.6 (connectorId), or 2.0.1 of the whole station
        connector = payload.get("connectorId")
        return _post("trigger", _present(requestedMessage=requested, connectorId=connector))
    evse = payload["evse"]
    # 2.0.1 F06: the endpoint names EVSE N, and connector 1 of it for a StatusNotification.
    with_connector = requested == "StatusNotification"
    if evse.get("connectorId") != (1 if with_connector else None):
        raise Inexpressible(
            f"/trigger's connectorId names EVSE {evse['id']}"
            + (" with its connector 1" if with_connector else " without a connector")
            + f" for {requested}; the case names {evse}"
        )
    return _post("trigger", {"requestedMessage": requested, "connectorId": evse["id"]})


def _extended_trigger(version: VersionSpec, payload: Payload) -> Dedicated:
    # 1.6 security extension: /trigger sends ExtendedTriggerMessage for the renewal only.
    if payload.get("requestedMessage") != "SignChargePointCertificate":
        raise Inexpressible(
            "/trigger sends ExtendedTriggerMessage only for SignChargePointCertificate"
        )
    return _post("trigger", {"requestedMessage": "SignChargePointCertificate"})


def _availability(version: VersionSpec, payload: Payload) -> Dedicated:
    if "operationalStatus" not in payload:  # 1.6
        return _post(
            "availability", {"connectorId": payload["connectorId"], "type": payload["type"]}
        )
    evse = payload.get("evse")
    if evse is not None and "connectorId" in evse:
        raise Inexpressible(
            "/availability's connectorId is a whole EVSE (0: the station); the case changes"
            f" connector {evse['connectorId']} of EVSE {evse['id']} alone (G04)"
        )
    connector = 0 if evse is None else evse["id"]
    return _post("availability", {"connectorId": connector, "type": payload["operationalStatus"]})


def _get_configuration(version: VersionSpec, payload: Payload) -> Dedicated:
    return _post("configuration/get", {"key": list(payload.get("key", []))})


def _change_configuration(version: VersionSpec, payload: Payload) -> Dedicated:
    return _post("configuration/change", {"key": payload["key"], "value": payload["value"]})


def _firmware(firmware: Payload, payload: Payload) -> Dedicated:
    """2.0.1 UpdateFirmware and 1.6 SignedUpdateFirmware (the same ``firmware`` shape); the
    requestId is the CSMS's own (L01: the station reports with the one it was sent)."""
    allowed = {"location", "retrieveDateTime", "installDateTime", "signingCertificate"}
    _only(firmware, allowed | {"signature"}, "/firmware/update")
    body = _present(
        location=firmware["location"],
        retrieveDate=firmware["retrieveDateTime"],
        installDate=firmware.get("installDateTime"),
        signingCertificate=firmware.get("signingCertificate"),
        signature=firmware.get("signature"),
        retries=payload.get("retries"),
        retryInterval=payload.get("retryInterval"),
    )
    return _post("firmware/update", body)


def _update_firmware(version: VersionSpec, payload: Payload) -> Dedicated:
    if "firmware" in payload:  # 2.0.1
        return _firmware(payload["firmware"], payload)
    _only(payload, {"location", "retrieveDate", "retries", "retryInterval"}, "/firmware/update")
    return _post("firmware/update", dict(payload))


def _signed_update_firmware(version: VersionSpec, payload: Payload) -> Dedicated:
    return _firmware(payload["firmware"], payload)


def _get_diagnostics(version: VersionSpec, payload: Payload) -> Dedicated:
    allowed = {"location", "startTime", "stopTime", "retries", "retryInterval"}
    _only(payload, allowed, "/diagnostics")
    return _post("diagnostics", dict(payload))


def _get_log(version: VersionSpec, payload: Payload) -> Dedicated:
    # 2.0.1 N01, and the 1.6 security extension's GetLog: /diagnostics with its logType (the
    # requestId is the CSMS's own; the station reports with the one it was sent).
    log = payload["log"]
    body = _present(
        logType=payload["logType"],
        location=log["remoteLocation"],
        startTime=log.get("oldestTimestamp"),
        stopTime=log.get("latestTimestamp"),
        retries=payload.get("retries"),
        retryInterval=payload.get("retryInterval"),
    )
    return _post("diagnostics", body)


def _data_transfer(version: VersionSpec, payload: Payload) -> Dedicated:
    data = payload.get("data")
    if data is not None and not isinstance(data, str):
        raise Inexpressible(
            "/data-transfer's data is a string; the case sends JSON of another type"
        )
    return _post(
        "data-transfer",
        _present(vendorId=payload["vendorId"], messageId=payload.get("messageId"), data=data),
    )


def _remote_start(version: VersionSpec, payload: Payload) -> Dedicated:
    if "idToken" in payload:  # 2.0.1 RequestStartTransaction (F01, F02)
        _only(payload, {"idToken", "remoteStartId", "evseId", "chargingProfile"}, "/remote-start")
        connector, tag = payload.get("evseId"), payload["idToken"]["idToken"]
    else:
        _only(payload, {"connectorId", "idTag", "chargingProfile"}, "/remote-start")
        connector, tag = payload.get("connectorId"), payload["idTag"]
    if connector is None:
        raise Inexpressible("/remote-start names a connector; the case lets the station choose")
    # remoteStartId is the CSMS's own (F01.FR.01): the station's events carry the one sent.
    body: Payload = {"connectorId": connector, "idTag": tag}
    if "chargingProfile" in payload:
        body["chargingProfile"] = _profile_body(payload["chargingProfile"])
    return Dedicated("POST /chargers/{chargeBoxId}/remote-start", body)


def _remote_stop(version: VersionSpec, payload: Payload) -> Dedicated:
    # ``chargeBoxId`` in the query: a 2.0.1 transaction id is the station's own (F03).
    return Dedicated(
        "POST /transactions/{transactionId}/stop",
        None,
        {"transactionId": str(payload["transactionId"])},
        {"chargeBoxId": "{chargeBoxId}"},
    )


def _reserve(version: VersionSpec, payload: Payload) -> Dedicated:
    if "idToken" not in payload:  # 1.6
        return _post("reservation", dict(payload))
    _only(
        payload,
        {"id", "expiryDateTime", "idToken", "evseId", "connectorType", "groupIdToken"},
        "/reservation",
    )
    group = payload.get("groupIdToken")
    body = _present(
        connectorId=payload.get("evseId", 0),  # 0: any EVSE (H01 without evseId)
        idTag=payload["idToken"]["idToken"],
        expiryDate=payload["expiryDateTime"],
        reservationId=payload["id"],
        parentIdTag=None if group is None else group["idToken"],
        connectorType=payload.get("connectorType"),
    )
    return _post("reservation", body)


def _cancel_reservation(version: VersionSpec, payload: Payload) -> Dedicated:
    return _post("reservation/cancel", {"reservationId": payload["reservationId"]})


def _local_list(version: VersionSpec, payload: Payload) -> Dedicated:
    entries = []
    for item in payload.get("localAuthorizationList", []):
        if "idToken" in item:  # 2.0.1 (D01)
            info = item.get("idTokenInfo")
            if info is not None:
                _only(
                    info, {"status", "cacheExpiryDateTime", "groupIdToken"}, "/local-list's entries"
                )
            group = (info or {}).get("groupIdToken")
            entry = _present(
                idTag=item["idToken"]["idToken"],
                status=None if info is None else info["status"],
                expiryDate=None if info is None else info.get("cacheExpiryDateTime"),
                parentIdTag=None if group is None else group["idToken"],
            )
        else:  # 1.6 (section 5.15)
            info = item.get("idTagInfo")
            entry = {"idTag": item["idTag"], **(info or {})}
        entries.append(entry)
    version_number = payload.get("listVersion", payload.get("versionNumber"))
    body = {"listVersion": version_number, "updateType": payload["updateType"], "entries": entries}
    return _post("local-list", body)


def _local_list_version(version: VersionSpec, payload: Payload) -> Dedicated:
    return _post("local-list/version")


def _profile_body(profile: Payload) -> Payload:
    """A ChargingProfile as OCPP writes it (1.6 with chargingProfileId and one schedule,
    2.0.1 with id and a list of them) in the API's words (``charging-profile``'s body)."""
    if "chargingProfileId" in profile:  # 1.6 (section 5.16)
        schedule, identifier = profile["chargingSchedule"], profile["chargingProfileId"]
    else:  # 2.0.1 (K01)
        schedules = profile["chargingSchedule"]
        if len(schedules) != 1 or schedules[0].get("id") != profile["id"]:
            raise Inexpressible("/charging-profile sends one schedule, of the profile's id")
        schedule, identifier = schedules[0], profile["id"]
        allowed = {"id", "chargingRateUnit", "chargingSchedulePeriod", "duration"}
        allowed |= {"startSchedule", "minChargingRate"}
        _only(schedule, allowed, "/charging-profile's schedule")
    transaction = profile.get("transactionId")
    return _present(
        id=identifier,
        stackLevel=profile["stackLevel"],
        purpose=profile["chargingProfilePurpose"],
        kind=profile["chargingProfileKind"],
        recurrency=profile.get("recurrencyKind"),
        validFrom=profile.get("validFrom"),
        validTo=profile.get("validTo"),
        transactionId=None if transaction is None else str(transaction),
        schedule=_present(
            chargingRateUnit=schedule["chargingRateUnit"],
            periods=schedule["chargingSchedulePeriod"],
            duration=schedule.get("duration"),
            startSchedule=schedule.get("startSchedule"),
            minChargingRate=schedule.get("minChargingRate"),
        ),
    )


def _charging_profile(version: VersionSpec, payload: Payload) -> Dedicated:
    if "csChargingProfiles" in payload:  # 1.6
        profile, connector = payload["csChargingProfiles"], payload["connectorId"]
    else:  # 2.0.1
        profile, connector = payload["chargingProfile"], payload["evseId"]
    if profile["chargingProfilePurpose"] == "TxProfile" and "transactionId" not in profile:
        raise Inexpressible(
            "/charging-profile sends a TxProfile with its transaction only (2.0.1 K01.FR.03,"
            " 1.6 section 5.16); the case needs a CSMS that sends one without (TC_K_02's"
            " prerequisite)"
        )
    body = {"connectorId": connector, "chargingProfile": _profile_body(profile)}
    return _post("charging-profile", body)


def _clear_profile(version: VersionSpec, payload: Payload) -> Dedicated:
    criteria = payload.get("chargingProfileCriteria", payload)  # 2.0.1 (K10), or 1.6 flat
    body = _present(
        id=payload.get("chargingProfileId", payload.get("id")),
        connectorId=criteria.get("evseId", criteria.get("connectorId")),
        purpose=criteria.get("chargingProfilePurpose"),
        stackLevel=criteria.get("stackLevel"),
    )
    return _post("charging-profile/clear", body)


def _composite(version: VersionSpec, payload: Payload) -> Dedicated:
    body = _present(
        connectorId=payload.get("evseId", payload.get("connectorId")),
        duration=payload["duration"],
        chargingRateUnit=payload.get("chargingRateUnit"),
    )
    return _post("composite-schedule", body)


# chargeyard's certificate commands speak 2.0.1's names of the certificate uses in either version.
_API_USE = {"CentralSystemRootCertificate": "CSMSRootCertificate"}


def _install_certificate(version: VersionSpec, payload: Payload) -> Dedicated:
    use = str(payload["certificateType"])
    return _post(
        "certificates/install",
        {"certificateType": _API_USE.get(use, use), "certificate": payload["certificate"]},
    )


def _installed_certificates(version: VersionSpec, payload: Payload) -> Dedicated:
    uses = payload.get("certificateType")  # 1.6: one use; 2.0.1: a list, or none for every one
    named = [uses] if isinstance(uses, str) else list(uses or [])
    return _post(
        "certificates/installed",
        {"certificateTypes": [_API_USE.get(str(use), str(use)) for use in named]},
    )


def _delete_certificate(version: VersionSpec, payload: Payload) -> Dedicated:
    return _post("certificates/delete", {"certificateHashData": payload["certificateHashData"]})


def _operation(path: str) -> Builder:
    """A 2.0.1 operation of ``device_model.OPERATIONS``: its body is the payload as OCPP
    writes it."""

    def build(version: VersionSpec, payload: Payload) -> Dedicated:
        return _post(path, dict(payload))

    return build


DEDICATED: dict[str, Builder] = {
    "Reset": _reset,
    "UnlockConnector": _unlock,
    "ClearCache": lambda version, payload: _post("cache/clear"),
    "TriggerMessage": _trigger,
    "ExtendedTriggerMessage": _extended_trigger,
    "ChangeAvailability": _availability,
    "GetConfiguration": _get_configuration,
    "ChangeConfiguration": _change_configuration,
    "UpdateFirmware": _update_firmware,
    "SignedUpdateFirmware": _signed_update_firmware,
    "GetDiagnostics": _get_diagnostics,
    "GetLog": _get_log,
    "DataTransfer": _data_transfer,
    "RemoteStartTransaction": _remote_start,
    "RequestStartTransaction": _remote_start,
    "RemoteStopTransaction": _remote_stop,
    "RequestStopTransaction": _remote_stop,
    "ReserveNow": _reserve,
    "CancelReservation": _cancel_reservation,
    "SendLocalList": _local_list,
    "GetLocalListVersion": _local_list_version,
    "SetChargingProfile": _charging_profile,
    "ClearChargingProfile": _clear_profile,
    "GetCompositeSchedule": _composite,
    "InstallCertificate": _install_certificate,
    "GetInstalledCertificateIds": _installed_certificates,
    "DeleteCertificate": _delete_certificate,
    **{operation.action: _operation(operation.path) for operation in OPERATIONS},
}
"""The action's dedicated endpoint, by action."""

NO_ENDPOINT: dict[str, str] = {
    "CertificateSigned": "chargeyard's CSMS sends CertificateSigned itself, as it signs the"
    " station's SignCertificate (A02); no endpoint sends one on demand",
}
"""Why an action goes through the raw call: no endpoint sends it."""
