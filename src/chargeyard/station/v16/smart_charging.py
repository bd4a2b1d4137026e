"""Smart Charging profile (OCPP 1.6 sections 3.13, 5.5, 5.7, 5.16): charging profiles and
composite schedules.

Theory of operation
-------------------
The profiles live in the model's :class:`ChargingProfileStore`, keyed by EVSE: a 1.6
connectorId N maps to its EVSE (``connector_of(N).evse_id``), connector 0 stays 0, the whole
station. A TxProfile's transactionId is the central system's integer; the store keeps the
station's own transaction id, so the profile is checked against the transaction running on its
connector and installed under that transaction's ``local_id``.

The meter obeys the store lazily (``StationModel.advance`` integrates piecewise between the
instants the store names), so a handler that changes the store first brings the meters up to
now with :meth:`advance` (the energy so far was delivered under the old limit), then changes the
store, then re-evaluates Charging / SuspendedEVSE of the EVSEs concerned: a limit of 0 W
suspends the transaction (SuspendedEVSE, section 7.7: "not offering energy to the EV, e.g. due
to a smart charging restriction"), a limit above 0 resumes it.

A schedule also changes by itself over time. For every EVSE with a running transaction one
timer, ``charging_limit:<evse>``, waits for the store's next possible change
(:meth:`ChargingProfileStore.next_change_after`) and re-evaluates the status then, so a period
that drops to 0 A suspends at that instant and the next period resumes at its own. The timer is
re-armed after every change of the store and every status change of the EVSE's connectors
(:meth:`SmartChargingV16.status_set`: a transaction's start and end always move its connector,
section 4.9), and cancelled when no transaction runs.

Answers when the station lacks the Smart Charging profile (SupportedFeatureProfiles, section
9.1): SetChargingProfile says NotSupported, its own word (section 7.11); ClearChargingProfile and
GetCompositeSchedule have no such status, so they answer a CALLERROR NotSupported ("requested
Action is recognized but not supported", OCPP-J section 4.2.3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError, on
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.model.smart_charging import (
    ChargingProfile,
    ChargingProfilePurpose,
    ChargingRateUnit,
    composite_to_ocpp16,
    profile_from_ocpp16,
    purpose_from_ocpp16,
)
from chargeyard.station.model.states import TransactionPhase
from chargeyard.station.model.station import Connector, Evse, Transaction

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

if TYPE_CHECKING:
    pass

# ChargingScheduleAllowedChargingRateUnit (section 9.4) names the units in words.
_UNIT_WORDS = {ChargingRateUnit.A: "Current", ChargingRateUnit.W: "Power"}
_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})


class SmartChargingV16(Block["StationV16"]):
    """SetChargingProfile, ClearChargingProfile, GetCompositeSchedule; see the module
    docstring."""

    __slots__ = ()

    station: StationV16

    @property
    def smart_charging_supported(self) -> bool:
        return "SmartCharging" in self.station.config.get_list("SupportedFeatureProfiles")

    # -- SetChargingProfile (sections 5.16, 6.43) -----------------------------------------------

    @on("SetChargingProfile")
    def set_charging_profile(
        self, payload: v16.SetChargingProfileRequest
    ) -> v16.SetChargingProfileResponse:
        if not self.smart_charging_supported:
            return {"status": "NotSupported"}
        number: int = payload["connectorId"]
        wire = payload["csChargingProfiles"]
        evse_id = self._evse_id_16(number)
        if evse_id is None or self._refused_by_configuration(wire):
            return {"status": "Rejected"}
        profile = profile_from_ocpp16(wire)
        transaction = None
        if number > 0:
            transaction = self._running_transaction(self.station.connector_of(number))
        if profile.purpose is ChargingProfilePurpose.TX:
            # Section 5.16.3: a TxProfile without a transaction on its connector is discarded;
            # its transactionId, when given, must be that transaction's.
            if transaction is None or not _names(profile, transaction):
                return {"status": "Rejected"}
            profile = replace(profile, transaction_id=transaction.local_id)
        if self._would_exceed_max_installed(evse_id, profile):
            return {"status": "Rejected"}
        self.station.advance()  # energy until now flowed under the old limit
        result = self.station.model.profiles.install(
            evse_id,
            profile,
            now=self.station.clock.now(),
            transaction=None if transaction is None else transaction.context,
        )
        if not result.accepted:
            return {"status": "Rejected"}
        self._limits_changed(self._affected(evse_id))
        return {"status": "Accepted"}

    def _refused_by_configuration(self, wire: v16.CsChargingProfiles) -> bool:
        """The limits of section 9.4 the station advertises."""
        config = self.station.config
        schedule = wire["chargingSchedule"]
        max_level = config.get_int("ChargeProfileMaxStackLevel", -1)
        if max_level >= 0 and wire["stackLevel"] > max_level:
            return True
        units = config.get_list("ChargingScheduleAllowedChargingRateUnit")
        if units and _UNIT_WORDS[ChargingRateUnit(schedule["chargingRateUnit"])] not in units:
            return True
        max_periods = config.get_int("ChargingScheduleMaxPeriods", -1)
        return 0 <= max_periods < len(schedule["chargingSchedulePeriod"])

    def _would_exceed_max_installed(self, evse_id: int, profile: ChargingProfile) -> bool:
        """MaxChargingProfilesInstalled (section 9.4); a profile that replaces one (same id, or
        same connector, purpose and stack level: section 3.13.2) does not add to the count."""
        limit = self.station.config.get_int("MaxChargingProfilesInstalled", -1)
        if limit < 0:
            return False
        installed = self.station.model.profiles.profiles()
        replaces = any(
            other.id == profile.id
            or (
                where == evse_id
                and other.purpose is profile.purpose
                and other.stack_level == profile.stack_level
            )
            for where, other in installed
        )
        return not replaces and len(installed) >= limit

    # -- ClearChargingProfile (sections 5.5, 6.13) ----------------------------------------------

    @on("ClearChargingProfile")
    def clear_charging_profile(
        self, payload: v16.ClearChargingProfileRequest
    ) -> v16.ClearChargingProfileResponse:
        self._require_smart_charging()
        number = payload.get("connectorId")
        evse_id = None if number is None else self._evse_id_16(number)
        if number is not None and evse_id is None:
            return {"status": "Unknown"}
        purpose = payload.get("chargingProfilePurpose")
        self.station.advance()
        removed = self.station.model.profiles.clear(
            profile_id=payload.get("id"),
            evse_id=evse_id,
            purpose=None if purpose is None else purpose_from_ocpp16(purpose),
            stack_level=payload.get("stackLevel"),
        )
        if removed == 0:
            return {"status": "Unknown"}
        self._limits_changed(self.station.model.evses.values())
        return {"status": "Accepted"}

    # -- GetCompositeSchedule (sections 5.7, 6.21-6.22) -----------------------------------------

    @on("GetCompositeSchedule")
    def get_composite_schedule(
        self, payload: v16.GetCompositeScheduleRequest
    ) -> v16.GetCompositeScheduleResponse:
        self._require_smart_charging()
        number: int = payload["connectorId"]
        evse_id = self._evse_id_16(number)
        if evse_id is None:
            return {"status": "Rejected"}
        unit = payload.get("chargingRateUnit")
        now = self.station.clock.now()
        if evse_id == 0:
            # "the total expected consumption for the grid connection" (section 5.7).
            template = self.station.template
            voltage, phases = float(template.nominal_voltage), template.phases
            max_power_w, transaction = float(template.max_power_w), None
        else:
            evse = self.station.model.evses[evse_id]
            voltage, phases = evse.electrical.nominal_voltage, evse.electrical.phases
            # The local limits besides the profiles (section 2.2): the EVSE's rating and the
            # power available to it.
            max_power_w = evse.max_power_w
            if evse.power_update_w is not None:
                max_power_w = min(max_power_w, evse.power_update_w)
            # The EVSE's power, whichever of its connectors the transaction uses.
            transaction = evse.transaction
            if transaction is not None and transaction.phase not in _RUNNING:
                transaction = None
        composite = self.station.model.profiles.composite_schedule(
            evse_id,
            now,
            payload["duration"],
            unit=None if unit is None else ChargingRateUnit(unit),
            transaction=None if transaction is None else transaction.context,
            voltage=voltage,
            phases=phases,
            max_power_w=max_power_w,
        )
        return {
            "status": "Accepted",
            "connectorId": number,
            "scheduleStart": iso(composite.start),
            "chargingSchedule": composite_to_ocpp16(composite),
        }

    # -- limits over time -----------------------------------------------------------------------

    def status_set(self, connector: Connector) -> None:
        """A transaction starts or ends with a status change of its connector (section 4.9):
        its EVSE's limit is followed from now, or no longer."""
        self._follow_limit(self.station.model.evses[connector.evse_id])

    def _limits_changed(self, evses: Iterable[Evse]) -> None:
        """The store changed: every EVSE concerned obeys its new limit from now on.

        Energy already does (the meter reads the store); the status moves right after the
        answer, at the same instant, so the StatusNotification follows the .conf.
        """
        targets = list(evses)

        def follow() -> None:
            self.station.advance()
            for evse in targets:
                self.station.update_charging_status(evse)
                self._follow_limit(evse)
            self.station.wake()

        self.station.after_answer(follow)

    def _follow_limit(self, evse: Evse) -> None:
        """Arm ``charging_limit:<evse>`` at the next instant the EVSE's limit may change."""
        name = f"charging_limit:{evse.id}"
        transaction = evse.transaction
        if transaction is None or transaction.phase not in _RUNNING:
            self.station.timers.cancel(name)
            return
        now = self.station.clock.now()
        change = self.station.model.profiles.next_change_after(
            evse.id, now, transaction=transaction.context
        )
        self.station.set_timer_at(name, change, lambda: self._limit_due(evse))

    def _limit_due(self, evse: Evse) -> None:
        self.station.advance()
        self.station.update_charging_status(evse)
        self._follow_limit(evse)
        self.station.wake()

    # -- helpers --------------------------------------------------------------------------------

    def _require_smart_charging(self) -> None:
        if not self.smart_charging_supported:
            raise OcppError(ErrorKind.NOT_SUPPORTED, "the Smart Charging profile is not supported")

    def _evse_id_16(self, number: int) -> int | None:
        """The store's EVSE for a 1.6 connectorId: 0 stays 0; None for an unknown connector."""
        if number == 0:
            return 0
        try:
            return self.station.connector_of(number).evse_id
        except KeyError:
            return None

    def _affected(self, evse_id: int) -> Iterable[Evse]:
        """The EVSEs a profile on ``evse_id`` bears on: one, or all for the station (0)."""
        if evse_id == 0:
            return list(self.station.model.evses.values())
        return [self.station.model.evses[evse_id]]

    def _running_transaction(self, connector: Connector) -> Transaction | None:
        """The transaction running on this very connector, if any."""
        transaction = self.station.evse_of(connector).transaction
        if (
            transaction is None
            or transaction.phase not in _RUNNING
            or transaction.connector_id != connector.connector_id
        ):
            return None
        return transaction


def _names(profile: ChargingProfile, transaction: Transaction) -> bool:
    """The profile names no transaction, or this one (by the central system's integer id)."""
    if profile.transaction_id is None:
        return True
    return transaction.csms_id is not None and profile.transaction_id == str(transaction.csms_id)
