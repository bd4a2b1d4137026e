"""Stations written with the third-party ``ocpp`` library (mobilityhouse/ocpp), 1.6 and 2.0.1,
and a 2.1 one that sends the messages 2.1 adds and takes charging profiles
(:class:`LibraryStation21`).

Why: chargeyard's own stations and its CSMS share chargeyard's protocol core, so a mistake in
that core (a field name, a schema, an answer shape) would pass every test between them. These
stations come from an independent implementation that validates every frame both ways against
the official schemas: what they accept, other stations in the field accept too.

Each station answers every command the command API sends (``csms/commands/``: the commands,
reservations, the local list, smart charging, CA certificates, which it keeps) the way a
plain, healthy station would, and keeps a small configuration (1.6 keys, 2.0.1
``Component.Variable`` names) that GetConfiguration / ChangeConfiguration and GetVariables /
SetVariables read and write. Tests script anything else through ``answers``:

* a ``call_result`` dataclass: the station answers it instead (Rejected, UnlockFailed, ...);
* an exception: the library answers a CALLERROR (an :class:`ocpp.exceptions.OCPPError` with
  its code, anything else InternalError);
* :data:`SILENT`: the station never answers (and, as the library handles one CALL at a time,
  reads nothing more).

A request whose answer is followed by report parts (GetBaseReport and GetReport: NotifyReport;
GetMonitoringReport, CustomerInformation with ``report``, GetDisplayMessages,
GetChargingProfiles) gets its parts after the station's own answer, not after a scripted one;
``withhold_parts`` makes the station answer and never send them.

``script(action, **fields)`` sets the first case in one line; ``received`` holds every CALL
as it came over the wire: ``(action, camelCase payload)``. ``connected()`` runs a station
against a URL and tears it down (reader task cancelled and awaited, socket closed);
``booted()`` registers it with a ``csms_lab`` first and boots it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201 import datatypes as types201
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from chargeyard.protocol.certificates import CertificateError, read_certificate, same_certificate
from tests.polling import until
from tests.stack_lab import StackLab

VENDOR = "MobilityHouse"
MODEL = {"1.6": "ocpp-lib-16", "2.0.1": "ocpp-lib-201"}
FIRMWARE = "ocpp-2.1.0"
SERIAL = "LIB-0001"

SILENT = object()
"""An entry of ``answers``: never answer that CALL."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Setting:
    """A configuration key (1.6) or variable (2.0.1) and whether the CSMS may change it."""

    value: str
    readonly: bool = False


class _Scripted:
    """What both versions share: the CALL log, the script, the configuration."""

    version: ClassVar[str]
    initial_configuration: ClassVar[dict[str, Setting]]

    def __init__(self, identity: str, connection: ClientConnection) -> None:
        # The library's own ChargePoint.__init__ comes next in the MRO.
        super().__init__(identity, connection, response_timeout=5)  # type: ignore[call-arg]
        self.websocket = connection
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.answers: dict[str, Any] = {}
        self.configuration = {
            key: Setting(s.value, s.readonly) for key, s in self.initial_configuration.items()
        }
        # The CA certificates installed: (the use as the version names it, their id).
        self.certificates: list[tuple[str, dict[str, Any]]] = []
        # Its own certificate (1.6 security extension, 2.0.1 A02): the key of the CSR it sent
        # last, the chain it took, and what SignCertificate was answered.
        self.signing_key: ec.EllipticCurvePrivateKey | None = None
        self.own_certificate: str | None = None
        self.sign_answers: list[str] = []

    def _csr(self) -> str:
        """A new key and the CSR of it: CN the identity, an O."""
        self.signing_key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, self.id),  # type: ignore[attr-defined]
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, VENDOR),
            ]
        )
        request = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(subject)
            .sign(self.signing_key, hashes.SHA256())
        )
        return request.public_bytes(serialization.Encoding.PEM).decode()

    def _take_chain(self, chain: str) -> str:
        """CertificateSigned: Accepted when its first certificate is for the CSR's key."""
        key = self.signing_key
        first = x509.load_pem_x509_certificates(chain.encode())[0]
        if key is None or first.public_key() != key.public_key():
            return "Rejected"
        self.own_certificate = chain
        return "Accepted"

    def _install(self, use: str, pem: str) -> str:
        try:
            self.certificates.append((use, read_certificate(pem).hash_data("SHA256")))
        except CertificateError:
            return "Rejected"
        return "Accepted"

    def _delete(self, named: dict[str, Any]) -> str:
        """Delete the certificate ``named`` (the library's snake_case keys): Accepted or
        NotFound."""
        wanted = {
            "hashAlgorithm": named["hash_algorithm"],
            "issuerNameHash": named["issuer_name_hash"],
            "issuerKeyHash": named["issuer_key_hash"],
            "serialNumber": named["serial_number"],
        }
        kept = [(u, data) for u, data in self.certificates if not same_certificate(data, wanted)]
        found = len(kept) < len(self.certificates)
        self.certificates = kept
        return "Accepted" if found else "NotFound"

    async def route_message(self, raw_msg: str) -> None:
        message = json.loads(raw_msg)
        if message[0] == 2:  # a CALL (OCPP-J section 4.2.1)
            self.received.append((message[2], message[3]))
        await super().route_message(raw_msg)  # type: ignore[misc]

    async def _answer(self, action: str, default: Callable[[], Any]) -> Any:
        answer = self.answers.get(action, default)
        if answer is SILENT:
            await asyncio.Event().wait()  # cancelled with the station's task
        if isinstance(answer, BaseException):
            raise answer
        return answer() if answer is default else answer

    def script(self, action: str, **fields: Any) -> None:
        """Answer ``action`` with these ``call_result`` fields from now on, e.g.
        ``script("Reset", status="Rejected")``."""
        self.answers[action] = getattr(self._call_result, action)(**fields)  # type: ignore[attr-defined]

    def last_call(self) -> tuple[str, dict[str, Any]]:
        return self.received[-1]

    async def send(self, payload: Any) -> Any:
        """One CALL, its answer validated by the library; a CALLERROR raises."""
        return await self.call(payload, suppress=False)  # type: ignore[attr-defined]


class LibraryStation16(_Scripted, ChargePoint16):
    """An OCPP 1.6 charge point: one connector, the configuration keys the API tests read."""

    version = "1.6"
    initial_configuration: ClassVar[dict[str, Setting]] = {
        "HeartbeatInterval": Setting("300"),
        "MeterValueSampleInterval": Setting("60"),
        "NumberOfConnectors": Setting("1", readonly=True),
    }

    async def boot(self) -> Any:
        return await self.send(
            call16.BootNotification(
                charge_point_vendor=VENDOR,
                charge_point_model=MODEL["1.6"],
                charge_point_serial_number=SERIAL,
                firmware_version=FIRMWARE,
            )
        )

    @on("Reset")
    async def on_reset(self, **_: Any) -> Any:
        return await self._answer("Reset", lambda: result16.Reset(status="Accepted"))

    @on("UnlockConnector")
    async def on_unlock_connector(self, **_: Any) -> Any:
        return await self._answer(
            "UnlockConnector", lambda: result16.UnlockConnector(status="Unlocked")
        )

    @on("ClearCache")
    async def on_clear_cache(self, **_: Any) -> Any:
        return await self._answer("ClearCache", lambda: result16.ClearCache(status="Accepted"))

    @on("TriggerMessage")
    async def on_trigger_message(self, **_: Any) -> Any:
        return await self._answer(
            "TriggerMessage", lambda: result16.TriggerMessage(status="Accepted")
        )

    @on("ExtendedTriggerMessage")
    async def on_extended_trigger_message(self, **_: Any) -> Any:
        return await self._answer(
            "ExtendedTriggerMessage", lambda: result16.ExtendedTriggerMessage(status="Accepted")
        )

    @after("ExtendedTriggerMessage")
    async def after_extended_trigger_message(self, requested_message: str, **_: Any) -> None:
        if requested_message == "SignChargePointCertificate":
            answer = await self.send(call16.SignCertificate(csr=self._csr()))
            self.sign_answers.append(answer.status)

    @on("CertificateSigned")
    async def on_certificate_signed(self, certificate_chain: str, **_: Any) -> Any:
        return await self._answer(
            "CertificateSigned",
            lambda: result16.CertificateSigned(status=self._take_chain(certificate_chain)),
        )

    @on("ChangeAvailability")
    async def on_change_availability(self, **_: Any) -> Any:
        return await self._answer(
            "ChangeAvailability", lambda: result16.ChangeAvailability(status="Accepted")
        )

    @on("GetConfiguration")
    async def on_get_configuration(self, key: list[str] | None = None, **_: Any) -> Any:
        def read() -> Any:
            wanted = key or list(self.configuration)
            known = [k for k in wanted if k in self.configuration]
            return result16.GetConfiguration(
                configuration_key=[
                    {
                        "key": k,
                        "readonly": self.configuration[k].readonly,
                        "value": self.configuration[k].value,
                    }
                    for k in known
                ],
                unknown_key=[k for k in wanted if k not in self.configuration] or None,
            )

        return await self._answer("GetConfiguration", read)

    @on("ChangeConfiguration")
    async def on_change_configuration(self, key: str, value: str, **_: Any) -> Any:
        def change() -> Any:
            setting = self.configuration.get(key)
            if setting is None:
                return result16.ChangeConfiguration(status="NotSupported")
            if setting.readonly:
                return result16.ChangeConfiguration(status="Rejected")
            setting.value = value
            return result16.ChangeConfiguration(status="Accepted")

        return await self._answer("ChangeConfiguration", change)

    @on("UpdateFirmware")
    async def on_update_firmware(self, **_: Any) -> Any:
        return await self._answer("UpdateFirmware", result16.UpdateFirmware)

    @on("GetDiagnostics")
    async def on_get_diagnostics(self, **_: Any) -> Any:
        return await self._answer(
            "GetDiagnostics", lambda: result16.GetDiagnostics(file_name=f"{self.id}-diag.log")
        )

    @on("DataTransfer")
    async def on_data_transfer(self, **_: Any) -> Any:
        return await self._answer(
            "DataTransfer", lambda: result16.DataTransfer(status="UnknownVendorId")
        )

    @on("RemoteStartTransaction")
    async def on_remote_start_transaction(self, **_: Any) -> Any:
        return await self._answer(
            "RemoteStartTransaction", lambda: result16.RemoteStartTransaction(status="Accepted")
        )

    @on("RemoteStopTransaction")
    async def on_remote_stop_transaction(self, **_: Any) -> Any:
        return await self._answer(
            "RemoteStopTransaction", lambda: result16.RemoteStopTransaction(status="Accepted")
        )

    @on("ReserveNow")
    async def on_reserve_now(self, **_: Any) -> Any:
        return await self._answer("ReserveNow", lambda: result16.ReserveNow(status="Accepted"))

    @on("CancelReservation")
    async def on_cancel_reservation(self, **_: Any) -> Any:
        return await self._answer(
            "CancelReservation", lambda: result16.CancelReservation(status="Accepted")
        )

    @on("SendLocalList")
    async def on_send_local_list(self, **_: Any) -> Any:
        return await self._answer(
            "SendLocalList", lambda: result16.SendLocalList(status="Accepted")
        )

    @on("InstallCertificate")
    async def on_install_certificate(self, certificate_type: str, certificate: str) -> Any:
        status = self._install(certificate_type, certificate)
        return await self._answer(
            "InstallCertificate", lambda: result16.InstallCertificate(status=status)
        )

    @on("GetInstalledCertificateIds")
    async def on_get_installed_certificate_ids(self, certificate_type: str) -> Any:
        found = [data for use, data in self.certificates if use == certificate_type]
        return await self._answer(
            "GetInstalledCertificateIds",
            lambda: result16.GetInstalledCertificateIds(
                status="Accepted" if found else "NotFound", certificate_hash_data=found or None
            ),
        )

    @on("DeleteCertificate")
    async def on_delete_certificate(self, certificate_hash_data: dict[str, Any]) -> Any:
        status = self._delete(certificate_hash_data)
        return await self._answer(
            "DeleteCertificate", lambda: result16.DeleteCertificate(status=status)
        )

    @on("GetLocalListVersion")
    async def on_get_local_list_version(self, **_: Any) -> Any:
        return await self._answer(
            "GetLocalListVersion", lambda: result16.GetLocalListVersion(list_version=5)
        )

    @on("SetChargingProfile")
    async def on_set_charging_profile(self, **_: Any) -> Any:
        return await self._answer(
            "SetChargingProfile", lambda: result16.SetChargingProfile(status="Accepted")
        )

    @on("ClearChargingProfile")
    async def on_clear_charging_profile(self, **_: Any) -> Any:
        return await self._answer(
            "ClearChargingProfile", lambda: result16.ClearChargingProfile(status="Unknown")
        )

    @on("GetCompositeSchedule")
    async def on_get_composite_schedule(self, connector_id: int, duration: int, **_: Any) -> Any:
        return await self._answer(
            "GetCompositeSchedule",
            lambda: result16.GetCompositeSchedule(
                status="Accepted",
                connector_id=connector_id,
                schedule_start=now(),
                charging_schedule={
                    "duration": duration,
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32.0}],
                },
            ),
        )


class LibraryStation201(_Scripted, ChargePoint201):
    """An OCPP 2.0.1 charging station: one EVSE with one connector; its device model holds
    the variables the API tests read (B06) and write (B05)."""

    version = "2.0.1"
    initial_configuration: ClassVar[dict[str, Setting]] = {
        "OCPPCommCtrlr.HeartbeatInterval": Setting("300"),
        "SampledDataCtrlr.TxUpdatedInterval": Setting("60"),
        "EVSE.Power": Setting("22000", readonly=True),
        "EVSE.Available": Setting("true", readonly=True),
    }

    def __init__(self, identity: str, connection: ClientConnection) -> None:
        super().__init__(identity, connection)
        self.withhold_parts = False

    def _parts_follow(self, action: str) -> bool:
        """Whether the report parts of ``action`` go: after the station's own answer only."""
        return not self.withhold_parts and action not in self.answers

    async def boot(self) -> Any:
        return await self.send(
            call201.BootNotification(
                charging_station=types201.ChargingStationType(
                    vendor_name=VENDOR,
                    model=MODEL["2.0.1"],
                    serial_number=SERIAL,
                    firmware_version=FIRMWARE,
                ),
                reason="PowerUp",
            )
        )

    @on("Reset")
    async def on_reset(self, **_: Any) -> Any:
        return await self._answer("Reset", lambda: result201.Reset(status="Accepted"))

    @on("UnlockConnector")
    async def on_unlock_connector(self, **_: Any) -> Any:
        return await self._answer(
            "UnlockConnector", lambda: result201.UnlockConnector(status="Unlocked")
        )

    @on("ClearCache")
    async def on_clear_cache(self, **_: Any) -> Any:
        return await self._answer("ClearCache", lambda: result201.ClearCache(status="Accepted"))

    @on("TriggerMessage")
    async def on_trigger_message(self, **_: Any) -> Any:
        return await self._answer(
            "TriggerMessage", lambda: result201.TriggerMessage(status="Accepted")
        )

    @after("TriggerMessage")
    async def after_trigger_message(self, requested_message: str, **_: Any) -> None:
        if requested_message == "SignChargingStationCertificate":  # A02
            request = call201.SignCertificate(
                csr=self._csr(), certificate_type="ChargingStationCertificate"
            )
            answer = await self.send(request)
            self.sign_answers.append(answer.status)

    @on("CertificateSigned")
    async def on_certificate_signed(self, certificate_chain: str, **_: Any) -> Any:
        return await self._answer(
            "CertificateSigned",
            lambda: result201.CertificateSigned(status=self._take_chain(certificate_chain)),
        )

    @on("ChangeAvailability")
    async def on_change_availability(self, **_: Any) -> Any:
        return await self._answer(
            "ChangeAvailability", lambda: result201.ChangeAvailability(status="Accepted")
        )

    @on("GetVariables")
    async def on_get_variables(self, get_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        def read() -> Any:
            results = []
            for item in get_variable_data:
                setting = self.configuration.get(_key(item))
                result = {"component": item["component"], "variable": item["variable"]}
                if setting is None:
                    result["attribute_status"] = self._unknown(item)
                else:
                    result.update(attribute_status="Accepted", attribute_value=setting.value)
                results.append(result)
            return result201.GetVariables(get_variable_result=results)

        return await self._answer("GetVariables", read)

    @on("SetVariables")
    async def on_set_variables(self, set_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        def change() -> Any:
            results = []
            for item in set_variable_data:
                setting = self.configuration.get(_key(item))
                if setting is None:
                    status = self._unknown(item)
                elif setting.readonly:
                    status = "Rejected"
                else:
                    setting.value, status = item["attribute_value"], "Accepted"
                results.append(
                    {
                        "attribute_status": status,
                        "component": item["component"],
                        "variable": item["variable"],
                    }
                )
            return result201.SetVariables(set_variable_result=results)

        return await self._answer("SetVariables", change)

    @on("GetBaseReport")
    async def on_get_base_report(self, **_: Any) -> Any:
        return await self._answer("GetBaseReport", lambda: result201.GetBaseReport("Accepted"))

    @after("GetBaseReport")
    async def after_get_base_report(self, request_id: int, **_: Any) -> None:
        # B07: every variable (the report base does not narrow a configuration this small).
        if self._parts_follow("GetBaseReport"):
            await self._notify_report(request_id, list(self.configuration))

    @on("GetReport")
    async def on_get_report(
        self,
        component_variable: list[dict[str, Any]] | None = None,
        component_criteria: list[str] | None = None,
        **_: Any,
    ) -> Any:
        found = self._selected(component_variable, component_criteria)
        status = "Accepted" if found else "EmptyResultSet"  # B08
        return await self._answer("GetReport", lambda: result201.GetReport(status))

    @after("GetReport")
    async def after_get_report(
        self,
        request_id: int,
        component_variable: list[dict[str, Any]] | None = None,
        component_criteria: list[str] | None = None,
        **_: Any,
    ) -> None:
        found = self._selected(component_variable, component_criteria)
        if found and self._parts_follow("GetReport"):
            await self._notify_report(request_id, found)

    def _selected(
        self, wanted: list[dict[str, Any]] | None, criteria: list[str] | None
    ) -> list[str]:
        """The keys a GetReport names (B08): of the components and variables named, of the
        components whose variable of each criterion's name is true."""

        def named(key: str) -> bool:
            component, _, variable = key.partition(".")
            return any(
                item["component"]["name"] == component
                and ("variable" not in item or item["variable"]["name"] == variable)
                for item in wanted or ()
            )

        def meets(key: str) -> bool:
            component = key.partition(".")[0]
            return all(
                (setting := self.configuration.get(f"{component}.{criterion}")) is not None
                and setting.value == "true"
                for criterion in criteria or ()
            )

        return [key for key in self.configuration if (not wanted or named(key)) and meets(key)]

    async def _notify_report(self, request_id: int, keys: list[str]) -> None:
        """NotifyReport of ``keys``, two variables a part (seqNo from 0, B07.FR.10; tbc)."""
        data = []
        for key in keys:
            component, _, variable = key.partition(".")
            setting = self.configuration[key]
            data.append(
                {
                    "component": {"name": component},
                    "variable": {"name": variable},
                    "variableAttribute": [
                        {
                            "type": "Actual",
                            "value": setting.value,
                            "mutability": "ReadOnly" if setting.readonly else "ReadWrite",
                        }
                    ],
                    "variableCharacteristics": {"dataType": "string", "supportsMonitoring": False},
                }
            )
        chunks = [data[i : i + 2] for i in range(0, len(data), 2)]
        for seq_no, chunk in enumerate(chunks):
            await self.send(
                call201.NotifyReport(
                    request_id=request_id,
                    generated_at=now(),
                    seq_no=seq_no,
                    report_data=chunk,
                    tbc=seq_no < len(chunks) - 1,
                )
            )

    @on("UpdateFirmware")
    async def on_update_firmware(self, **_: Any) -> Any:
        return await self._answer(
            "UpdateFirmware", lambda: result201.UpdateFirmware(status="Accepted")
        )

    @on("GetLog")
    async def on_get_log(self, **_: Any) -> Any:
        return await self._answer(
            "GetLog", lambda: result201.GetLog(status="Accepted", filename=f"{self.id}-log.txt")
        )

    @on("DataTransfer")
    async def on_data_transfer(self, **_: Any) -> Any:
        return await self._answer(
            "DataTransfer", lambda: result201.DataTransfer(status="UnknownVendorId")
        )

    @on("RequestStartTransaction")
    async def on_request_start_transaction(self, **_: Any) -> Any:
        return await self._answer(
            "RequestStartTransaction",
            lambda: result201.RequestStartTransaction(status="Accepted"),
        )

    @on("RequestStopTransaction")
    async def on_request_stop_transaction(self, **_: Any) -> Any:
        return await self._answer(
            "RequestStopTransaction", lambda: result201.RequestStopTransaction(status="Accepted")
        )

    @on("ReserveNow")
    async def on_reserve_now(self, **_: Any) -> Any:
        return await self._answer("ReserveNow", lambda: result201.ReserveNow(status="Accepted"))

    @on("CancelReservation")
    async def on_cancel_reservation(self, **_: Any) -> Any:
        return await self._answer(
            "CancelReservation", lambda: result201.CancelReservation(status="Accepted")
        )

    @on("SendLocalList")
    async def on_send_local_list(self, **_: Any) -> Any:
        return await self._answer(
            "SendLocalList", lambda: result201.SendLocalList(status="Accepted")
        )

    @on("InstallCertificate")
    async def on_install_certificate(self, certificate_type: str, certificate: str) -> Any:
        status = self._install(certificate_type, certificate)
        return await self._answer(
            "InstallCertificate", lambda: result201.InstallCertificate(status=status)
        )

    @on("GetInstalledCertificateIds")
    async def on_get_installed_certificate_ids(
        self, certificate_type: list[str] | None = None, **_: Any
    ) -> Any:
        chains = [
            {"certificateType": use, "certificateHashData": data}
            for use, data in self.certificates
            if not certificate_type or use in certificate_type
        ]
        return await self._answer(
            "GetInstalledCertificateIds",
            lambda: result201.GetInstalledCertificateIds(
                status="Accepted" if chains else "NotFound",
                certificate_hash_data_chain=chains or None,
            ),
        )

    @on("DeleteCertificate")
    async def on_delete_certificate(self, certificate_hash_data: dict[str, Any], **_: Any) -> Any:
        status = self._delete(certificate_hash_data)
        return await self._answer(
            "DeleteCertificate", lambda: result201.DeleteCertificate(status=status)
        )

    @on("GetLocalListVersion")
    async def on_get_local_list_version(self, **_: Any) -> Any:
        return await self._answer(
            "GetLocalListVersion", lambda: result201.GetLocalListVersion(version_number=5)
        )

    @on("SetChargingProfile")
    async def on_set_charging_profile(self, **_: Any) -> Any:
        return await self._answer(
            "SetChargingProfile", lambda: result201.SetChargingProfile(status="Accepted")
        )

    @on("ClearChargingProfile")
    async def on_clear_charging_profile(self, **_: Any) -> Any:
        return await self._answer(
            "ClearChargingProfile", lambda: result201.ClearChargingProfile(status="Unknown")
        )

    @on("GetCompositeSchedule")
    async def on_get_composite_schedule(self, evse_id: int, duration: int, **_: Any) -> Any:
        return await self._answer(
            "GetCompositeSchedule",
            lambda: result201.GetCompositeSchedule(
                status="Accepted",
                schedule={
                    "evseId": evse_id,
                    "duration": duration,
                    "scheduleStart": now(),
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32.0}],
                },
            ),
        )

    # -- the 2.0.1 operations without a 1.6 counterpart (csms/commands/device_model.py) ----

    @on("SetVariableMonitoring")
    async def on_set_variable_monitoring(self, set_monitoring_data: list[Any], **_: Any) -> Any:
        def accept() -> Any:
            results = [
                {
                    "id": n + 1,
                    "status": "Accepted",
                    "type": item["type"],
                    "severity": item["severity"],
                    "component": item["component"],
                    "variable": item["variable"],
                }
                for n, item in enumerate(set_monitoring_data)
            ]
            return result201.SetVariableMonitoring(set_monitoring_result=results)

        return await self._answer("SetVariableMonitoring", accept)

    @on("SetMonitoringBase")
    async def on_set_monitoring_base(self, **_: Any) -> Any:
        return await self._answer(
            "SetMonitoringBase", lambda: result201.SetMonitoringBase("Accepted")
        )

    @on("SetMonitoringLevel")
    async def on_set_monitoring_level(self, **_: Any) -> Any:
        return await self._answer(
            "SetMonitoringLevel", lambda: result201.SetMonitoringLevel("Accepted")
        )

    @on("ClearVariableMonitoring")
    async def on_clear_variable_monitoring(self, id: list[int], **_: Any) -> Any:
        results = [{"id": each, "status": "Accepted"} for each in id]
        return await self._answer(
            "ClearVariableMonitoring",
            lambda: result201.ClearVariableMonitoring(clear_monitoring_result=results),
        )

    @on("GetMonitoringReport")
    async def on_get_monitoring_report(self, **_: Any) -> Any:
        return await self._answer(
            "GetMonitoringReport", lambda: result201.GetMonitoringReport("Accepted")
        )

    @after("GetMonitoringReport")
    async def after_get_monitoring_report(self, request_id: int, **_: Any) -> None:
        # N02: the report in two parts.
        if not self._parts_follow("GetMonitoringReport"):
            return
        monitor = {
            "component": {"name": "EVSE", "evse": {"id": 1}},
            "variable": {"name": "Power"},
            "variableMonitoring": [
                {"id": 1, "transaction": False, "value": 1000, "type": "Delta", "severity": 8}
            ],
        }
        for seq_no in (0, 1):
            await self.send(
                call201.NotifyMonitoringReport(
                    request_id=request_id,
                    seq_no=seq_no,
                    generated_at=now(),
                    monitor=[monitor],
                    tbc=seq_no == 0,
                )
            )

    @on("SetNetworkProfile")
    async def on_set_network_profile(self, **_: Any) -> Any:
        return await self._answer(
            "SetNetworkProfile", lambda: result201.SetNetworkProfile("Accepted")
        )

    @on("CustomerInformation")
    async def on_customer_information(self, **_: Any) -> Any:
        return await self._answer(
            "CustomerInformation", lambda: result201.CustomerInformation("Accepted")
        )

    @after("CustomerInformation")
    async def after_customer_information(self, request_id: int, report: bool, **_: Any) -> None:
        if not report or not self._parts_follow("CustomerInformation"):
            return
        for seq_no, data in enumerate(("sessions: 2", "last: 2026-01-01")):
            await self.send(
                call201.NotifyCustomerInformation(
                    data=data,
                    seq_no=seq_no,
                    generated_at=now(),
                    request_id=request_id,
                    tbc=seq_no == 0,
                )
            )

    @on("SetDisplayMessage")
    async def on_set_display_message(self, **_: Any) -> Any:
        return await self._answer(
            "SetDisplayMessage", lambda: result201.SetDisplayMessage("Accepted")
        )

    @on("GetDisplayMessages")
    async def on_get_display_messages(self, **_: Any) -> Any:
        return await self._answer(
            "GetDisplayMessages", lambda: result201.GetDisplayMessages("Accepted")
        )

    @after("GetDisplayMessages")
    async def after_get_display_messages(self, request_id: int, **_: Any) -> None:
        if not self._parts_follow("GetDisplayMessages"):
            return
        message = {
            "id": 1,
            "priority": "NormalCycle",
            "message": {"format": "UTF8", "content": "Welcome to the lab"},
        }
        await self.send(
            call201.NotifyDisplayMessages(request_id=request_id, message_info=[message])
        )

    @on("ClearDisplayMessage")
    async def on_clear_display_message(self, **_: Any) -> Any:
        return await self._answer(
            "ClearDisplayMessage", lambda: result201.ClearDisplayMessage("Accepted")
        )

    @on("CostUpdated")
    async def on_cost_updated(self, **_: Any) -> Any:
        return await self._answer("CostUpdated", lambda: result201.CostUpdated())

    @on("PublishFirmware")
    async def on_publish_firmware(self, **_: Any) -> Any:
        return await self._answer(
            "PublishFirmware", lambda: result201.PublishFirmware(status="Accepted")
        )

    @on("UnpublishFirmware")
    async def on_unpublish_firmware(self, **_: Any) -> Any:
        return await self._answer(
            "UnpublishFirmware", lambda: result201.UnpublishFirmware(status="Unpublished")
        )

    @on("GetTransactionStatus")
    async def on_get_transaction_status(self, **_: Any) -> Any:
        return await self._answer(
            "GetTransactionStatus",
            lambda: result201.GetTransactionStatus(messages_in_queue=False, ongoing_indicator=True),
        )

    @on("GetChargingProfiles")
    async def on_get_charging_profiles(self, **_: Any) -> Any:
        return await self._answer(
            "GetChargingProfiles", lambda: result201.GetChargingProfiles("Accepted")
        )

    @after("GetChargingProfiles")
    async def after_get_charging_profiles(self, request_id: int, **_: Any) -> None:
        # K09: one part per EVSE, in no numbered order.
        if not self._parts_follow("GetChargingProfiles"):
            return
        for evse_id in (1, 2):
            profile = {
                "id": evse_id,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Relative",
                "chargingSchedule": [
                    {
                        "id": evse_id,
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
                    }
                ],
            }
            await self.send(
                call201.ReportChargingProfiles(
                    request_id=request_id,
                    charging_limit_source="CSO",
                    charging_profile=[profile],
                    evse_id=evse_id,
                    tbc=evse_id == 1,
                )
            )

    def _unknown(self, item: dict[str, Any]) -> str:
        """UnknownVariable when the component exists, else UnknownComponent (B06.FR.16/17)."""
        component = item["component"]["name"]
        known = any(key.partition(".")[0] == component for key in self.configuration)
        return "UnknownVariable" if known else "UnknownComponent"


def _key(item: dict[str, Any]) -> str:
    """A GetVariableData / SetVariableData target as ``Component.Variable``."""
    return f"{item['component']['name']}.{item['variable']['name']}"


class LibraryStation21(ChargePoint21):  # type: ignore[misc]
    """An OCPP 2.1 charging station of the library: it sends what a test asks, accepts the
    charging profiles and dynamic schedule updates it is sent (``received`` holds each), and
    answers NotImplemented to the rest (the library's default)."""

    version = "2.1"

    def __init__(self, identity: str, connection: ClientConnection) -> None:
        super().__init__(identity, connection, response_timeout=5)
        self.received: list[tuple[str, dict[str, Any]]] = []

    async def route_message(self, raw_msg: str) -> None:
        message = json.loads(raw_msg)
        if message[0] == 2:
            self.received.append((message[2], message[3]))
        await super().route_message(raw_msg)

    async def send(self, payload: Any) -> Any:
        """One CALL, its answer validated by the library; a CALLERROR raises."""
        return await self.call(payload, suppress=False)

    async def boot(self) -> Any:
        return await self.send(
            call21.BootNotification(
                charging_station={"vendorName": VENDOR, "model": "ocpp-lib-21"},
                reason="PowerUp",
            )
        )

    @on("SetChargingProfile")
    async def on_set_charging_profile(self, **_: Any) -> Any:
        return result21.SetChargingProfile(status="Accepted")

    @on("UpdateDynamicSchedule")
    async def on_update_dynamic_schedule(self, **_: Any) -> Any:
        return result21.UpdateDynamicSchedule(status="Accepted")


@asynccontextmanager
async def booted21(url: str, identity: str) -> AsyncIterator[LibraryStation21]:
    """A 2.1 library station connected to ``url`` (its identity registered there) and
    booted (Accepted); on exit its reader is cancelled and awaited and the socket closed."""
    async with connect(url, subprotocols=[Subprotocol("ocpp2.1")]) as websocket:
        station = LibraryStation21(identity, websocket)
        reader = asyncio.create_task(station.start(), name=f"ocpp-library {identity}")
        try:
            answer = await station.boot()
            assert answer.status == "Accepted"
            yield station
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)


LibraryStation = LibraryStation16 | LibraryStation201
STATIONS: dict[str, type[LibraryStation16] | type[LibraryStation201]] = {
    "1.6": LibraryStation16,
    "2.0.1": LibraryStation201,
}


@asynccontextmanager
async def connected(version: str, identity: str, url: str) -> AsyncIterator[LibraryStation]:
    """A library station of ``version`` connected to ``url`` (not booted), its reader
    running; on exit the reader is cancelled and awaited and the socket closed."""
    kind = STATIONS[version]
    async with connect(url, subprotocols=[Subprotocol(f"ocpp{version}")]) as websocket:
        station = kind(identity, websocket)
        reader = asyncio.create_task(station.start(), name=f"ocpp-library {identity}")
        try:
            yield station
        finally:
            reader.cancel()
            # The reader ends with ConnectionClosed when a test closed the socket itself.
            await asyncio.gather(reader, return_exceptions=True)


@asynccontextmanager
async def booted(lab: StackLab, version: str, identity: str) -> AsyncIterator[LibraryStation]:
    """A library station registered with ``lab``'s CSMS, connected and booted (Accepted)."""
    await lab.store.stations.register(identity)
    async with connected(version, identity, lab.url(identity)) as station:
        await until(lambda: lab.registry.is_connected(identity))
        answer = await station.boot()
        assert answer.status == "Accepted"
        yield station
