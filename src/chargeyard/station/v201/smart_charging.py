"""OCPP 2.0.1 smart charging (functional block K): SetChargingProfile (K01), GetCompositeSchedule
(K08), GetChargingProfiles (K09), ClearChargingProfile (K10), and the limits over time.

Theory of operation
-------------------
The profiles live in the model's :class:`ChargingProfileStore`, under :data:`OCPP201_RULES`, by
EVSE (0: the whole station). A TxProfile's transactionId is the station's own (2.0.1 lets the
station name its transactions), so it is checked as given (K01.FR.03, K01.FR.09, K01.FR.33).
Before the store looks at a profile, SmartChargingCtrlr says what the station takes:

* Enabled false: Rejected, reasonCode NotEnabled (installed profiles stay and still apply);
* a chargingRateUnit outside RateUnit: Rejected, UnsupportedRateUnit (K01.FR.26);
* a stackLevel above ProfileStackLevel: InvalidStackLevel; more periods than
  PeriodsPerSchedule: InvalidSchedule;
* a profile that does not replace one (same id, K01.FR.05) when Entries (instance
  ChargingProfiles) is at its maxLimit: Rejected, NoCapacity.

The store's own refusals (K01.FR.06, 16, 22, 28, 31, 35, 39-41, 52-53) answer Rejected with its
:class:`RejectCode` as statusInfo.reasonCode and its reason as additionalInfo.

The meter obeys the store lazily (``StationModel.advance``), so a handler first brings the
meters up to now (the energy so far flowed under the old limit), then changes the store; right
after the answer every EVSE concerned re-derives Charging / SuspendedEVSE
(:meth:`SmartChargingV201.update_charging_status`): a TransactionEvent ChargingStateChanged when
that moves, else ChargingRateChanged when the limit offered to a running transaction moved by
more than SmartChargingCtrlr.LimitChangeSignificance percent since it was last reported
(TriggerReasonEnumType ChargingRateChanged; like ChargingStateChanged, without meter values).
The power available to the EVSE (``set_power_limit``) is such a limit too. A schedule also
changes by itself: per running transaction a timer, ``charging_limit:<evse>``, waits for the
store's next change (:meth:`ChargingProfileStore.next_change_after`) and does the same then.

A RequestStartTransaction's chargingProfile (F01.FR.08-11, K05) is checked here before the
Accepted answer, with every rule that does not need the transaction (its purpose and the
absent transactionId are ``control.py``'s): a refusal answers Rejected with its reasonCode. It is
installed, bound to the transaction, when the transaction starts (``transaction_binding.py``);
what could still refuse it then (a conflict arising meanwhile) is logged, as the Accepted answer
has gone.

GetChargingProfiles answers NoProfiles, or Accepted and then ReportChargingProfiles, one per
EVSE and chargingLimitSource, all but the last with tbc (K09). GetCompositeSchedule (K08) is
Rejected for an unknown EVSE (UnknownEvse) or a unit outside RateUnit; else Accepted with the
schedule, the EVSE's rating and available power as the local limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.model.smart_charging import (
    PURPOSES_201,
    ChargingProfile,
    ChargingProfilePurpose,
    ChargingRateUnit,
    CompositeSchedule,
    TransactionContext,
    composite_to_ocpp201,
    profile_from_ocpp201,
    purpose_from_ocpp201,
    reports_to_ocpp201,
)
from chargeyard.station.model.smart_charging.admission import check_profile
from chargeyard.station.model.smart_charging.composite import total_schedule
from chargeyard.station.model.station import Evse, Transaction
from chargeyard.station.v201.device_model import Variable
from chargeyard.station.v201.transaction_events import RUNNING

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_CTRLR = "SmartChargingCtrlr"
# The transactionId a remote start's profile is checked with before its transaction exists.
_PENDING = "\x00pending"


def _reason(code: str, info: str | None = None) -> v201.StatusInfoType:
    """Why a request is Rejected (additionalInfo cut to the schema's 512 characters)."""
    status_info: v201.StatusInfoType = {"reasonCode": code}
    if info:
        status_info["additionalInfo"] = info[:512]
    return status_info


class SmartChargingV201(Block["StationV201"]):
    """K01, K08, K09, K10 and limits over time; see the module docstring."""

    __slots__ = ("_reported_limit_w",)

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        self.station.device_model.add(
            _CTRLR,
            Variable(
                "LimitChangeSignificance",
                "decimal",
                "10",
                unit="Percent",
                min_limit=0,
                max_limit=100,
            ),
        )
        # Per EVSE with a running transaction, the limit last reported (W).
        self._reported_limit_w: dict[int, float] = {}

    # -- K01 ---------------------------------------------------------------------------------------

    @on("SetChargingProfile")
    def set_charging_profile(
        self, payload: v201.SetChargingProfileRequest
    ) -> v201.SetChargingProfileResponse:
        evse_id: int = payload["evseId"]
        wire = payload["chargingProfile"]
        refusal = self._configuration_refusal(wire)
        if refusal is not None:
            return {"status": "Rejected", "statusInfo": _reason(*refusal)}
        profile = profile_from_ocpp201(wire)
        if self._would_overflow(profile):
            return {
                "status": "Rejected",
                "statusInfo": _reason(
                    "NoCapacity", "SmartChargingCtrlr.Entries is at its maxLimit"
                ),
            }
        evse = self.station.model.evses.get(evse_id)
        transaction = None if evse is None else _running(evse)
        self.station.advance()  # energy until now flowed under the old limit
        result = self.station.model.profiles.install(
            evse_id,
            profile,
            now=self.station.clock.now(),
            transaction=None if transaction is None else transaction.context,
        )
        if not result.accepted:
            return {
                "status": "Rejected",
                "statusInfo": _reason(
                    result.code.value if result.code else "InvalidValue", result.reason
                ),
            }
        self._limits_changed(self._affected(evse_id))
        return {"status": "Accepted"}

    def _configuration_refusal(self, wire: v201.ChargingProfileType) -> tuple[str, str] | None:
        """(reasonCode, additionalInfo) when SmartChargingCtrlr refuses the profile."""
        dm = self.station.device_model
        if not dm.get_bool(_CTRLR, "Enabled", None, True):
            return "NotEnabled", "SmartChargingCtrlr.Enabled is false"
        max_level = dm.get_int(_CTRLR, "ProfileStackLevel", default=-1)
        if 0 <= max_level < wire["stackLevel"]:
            return "InvalidStackLevel", f"ProfileStackLevel is {max_level}"
        unsupported = _unsupported_word(wire)
        if unsupported is not None:
            return unsupported
        units = dm.get_list(_CTRLR, "RateUnit")
        max_periods = dm.get_int(_CTRLR, "PeriodsPerSchedule", default=-1)
        for schedule in wire["chargingSchedule"]:
            if units and schedule["chargingRateUnit"] not in units:
                return "UnsupportedRateUnit", f"RateUnit is {','.join(units)} (K01.FR.26)"
            if 0 <= max_periods < len(schedule["chargingSchedulePeriod"]):
                return "InvalidSchedule", f"PeriodsPerSchedule is {max_periods}"
        return None

    def _would_overflow(self, profile: ChargingProfile) -> bool:
        """Entries (ChargingProfiles) is at its maxLimit and ``profile`` replaces none by id."""
        entries = self.station.device_model.variable(_CTRLR, "Entries", "ChargingProfiles")
        if entries is None or entries.max_limit is None:
            return False
        installed = self.station.model.profiles.profiles()
        replaces = any(other.id == profile.id for _, other in installed)
        return not replaces and len(installed) >= entries.max_limit

    def remote_start_profile_refusal(
        self, evse: Evse, profile: v201.ChargingProfileType
    ) -> str | None:
        refusal = self._configuration_refusal(profile)
        if refusal is not None:
            return refusal[0]
        model = profile_from_ocpp201({**profile, "transactionId": _PENDING})
        if self._would_overflow(model):
            return "NoCapacity"
        now = self.station.clock.now()
        result = check_profile(
            evse.id,
            model,
            now=now,
            evse_count=self.station.model.profiles.evse_count,
            transaction=TransactionContext(transaction_id=_PENDING, started_at=now),
            local=False,
            rules=self.station.model.profiles.rules,
        )
        if result is None or result.accepted:
            return None
        return result.code.value if result.code else "InvalidValue"

    # -- K10 ---------------------------------------------------------------------------------------

    @on("ClearChargingProfile")
    def clear_charging_profile(
        self, payload: v201.ClearChargingProfileRequest
    ) -> v201.ClearChargingProfileResponse:
        criteria = payload.get("chargingProfileCriteria") or {}
        purpose = criteria.get("chargingProfilePurpose")
        if purpose is not None and purpose not in PURPOSES_201:
            # 2.1's LocalGeneration: the station installs none (K01).
            return {"status": "Unknown"}
        self.station.advance()
        # With chargingProfileId the criteria are ignored; ChargingStationExternalConstraints
        # are not the CSMS's to clear (the store keeps them).
        removed = self.station.model.profiles.clear(
            profile_id=payload.get("chargingProfileId"),
            evse_id=criteria.get("evseId"),
            purpose=None if purpose is None else purpose_from_ocpp201(purpose),
            stack_level=criteria.get("stackLevel"),
        )
        if removed == 0:
            return {"status": "Unknown"}
        self._limits_changed(self.station.model.evses.values())
        return {"status": "Accepted"}

    # -- K09 ---------------------------------------------------------------------------------------

    @on("GetChargingProfiles")
    def get_charging_profiles(
        self, payload: v201.GetChargingProfilesRequest
    ) -> v201.GetChargingProfilesResponse:
        criterion = payload["chargingProfile"]
        purpose = criterion.get("chargingProfilePurpose")
        if purpose is not None and purpose not in PURPOSES_201:
            return {"status": "NoProfiles"}  # 2.1's LocalGeneration: the station installs none
        found = self.station.model.profiles.profiles(
            evse_id=payload.get("evseId"),
            purpose=None if purpose is None else purpose_from_ocpp201(purpose),
            stack_level=criterion.get("stackLevel"),
            profile_ids=criterion.get("chargingProfileId"),
        )
        sources = criterion.get("chargingLimitSource")
        if sources is not None:
            found = [(evse_id, p) for evse_id, p in found if _limit_source(p) in sources]
        if not found:
            return {"status": "NoProfiles"}
        reports = reports_to_ocpp201(payload["requestId"], found)

        def report() -> None:
            for request in reports:
                self.station.call("ReportChargingProfiles", request, requested=True)

        self.station.after_answer(report)  # K09: the reports follow the answer
        return {"status": "Accepted"}

    # -- K08 ---------------------------------------------------------------------------------------

    @on("GetCompositeSchedule")
    def get_composite_schedule(
        self, payload: v201.GetCompositeScheduleRequest
    ) -> v201.GetCompositeScheduleResponse:
        evse_id: int = payload["evseId"]
        if evse_id != 0 and evse_id not in self.station.model.evses:
            return {
                "status": "Rejected",
                "statusInfo": _reason("UnknownEvse", f"there is no EVSE {evse_id}"),
            }
        units = self.station.device_model.get_list(_CTRLR, "RateUnit")
        unit: str | None = payload.get("chargingRateUnit")
        if unit is not None and units and unit not in units:
            return {
                "status": "Rejected",
                "statusInfo": _reason("UnsupportedRateUnit", f"RateUnit is {','.join(units)}"),
            }
        if unit is None and len(units) == 1:
            unit = units[0]
        now = self.station.clock.now()
        composite = self._composite(evse_id, now, payload["duration"], unit)
        if evse_id == 0:
            # K08.FR.03: the station's total from the grid, its EVSEs' limits added up.
            unit = composite.charging_rate_unit.value
            each = [
                self._composite(evse, now, payload["duration"], unit)
                for evse in sorted(self.station.model.evses)
            ]
            composite = total_schedule(composite, each)
        return {"status": "Accepted", "schedule": composite_to_ocpp201(composite)}

    def _composite(
        self, evse_id: int, now: datetime, duration: int, unit: str | None
    ) -> CompositeSchedule:
        """The composite schedule of ``evse_id`` alone (0: the station's own limits)."""
        transaction: Transaction | None = None
        if evse_id == 0:
            # The station's own limit: its rating at its supply.
            template = self.station.template
            voltage, phases = float(template.nominal_voltage), template.phases
            max_power_w = float(template.max_power_w)
        else:
            evse = self.station.model.evses[evse_id]
            voltage, phases = evse.electrical.nominal_voltage, evse.electrical.phases
            max_power_w = evse.max_power_w
            if evse.power_update_w is not None:
                max_power_w = min(max_power_w, evse.power_update_w)
            transaction = _running(evse)
        return self.station.model.profiles.composite_schedule(
            evse_id,
            now,
            duration,
            unit=None if unit is None else ChargingRateUnit(unit),
            transaction=None if transaction is None else transaction.context,
            voltage=voltage,
            phases=phases,
            max_power_w=max_power_w,
        )

    # -- limits over time --------------------------------------------------------------------------

    def update_charging_status(self, evse: Evse) -> None:
        """What ``evse`` may deliver changed: the transactions block re-derives its charging
        state; then ChargingRateChanged when the limit moved enough, and the next change is
        awaited."""
        before = self.station.transaction_events.charging_state(evse)
        self.station.transactions.update_charging_status(evse)
        self._report_limit(
            evse, state_changed=self.station.transaction_events.charging_state(evse) != before
        )
        self._follow_limit(evse)

    def on_transaction_started(self, evse: Evse) -> None:
        self._reported_limit_w[evse.id] = self.station.model.limit_w(evse, self.station.clock.now())
        self._follow_limit(evse)

    def on_evse_idle(self, evse: Evse) -> None:
        self._reported_limit_w.pop(evse.id, None)
        self.station.timers.cancel(f"charging_limit:{evse.id}")

    def profile_changed(self, evse_id: int) -> None:
        """A block of a later version changed a profile on ``evse_id`` in the store (the
        meters brought up to then): every EVSE it bears on obeys its new limit now."""
        for evse in self._affected(evse_id):
            self.station.update_charging_status(evse)
        self.station.wake()

    def _limits_changed(self, evses: Iterable[Evse]) -> None:
        """The store changed: right after the answer, each EVSE obeys its new limit (the
        TransactionEvent and StatusNotification follow the response), and the station hears
        that its profiles changed."""
        targets = list(evses)

        def follow() -> None:
            for evse in targets:
                self.station.update_charging_status(evse)
            self.station.on_profiles_changed()
            self.station.wake()

        self.station.after_answer(follow)

    def _report_limit(self, evse: Evse, *, state_changed: bool) -> None:
        """ChargingRateChanged when the limit moved past LimitChangeSignificance."""
        transaction = evse.transaction
        if transaction is None or transaction.phase not in RUNNING:
            return
        limit = self.station.model.limit_w(evse, self.station.clock.now())
        last = self._reported_limit_w.get(evse.id)
        if state_changed or last is None:
            self._reported_limit_w[evse.id] = limit  # ChargingStateChanged told it already
            return
        if abs(limit - last) <= last * self._significance() / 100:
            return  # small steps add up until they matter
        self._reported_limit_w[evse.id] = limit
        # Like ChargingStateChanged: without meter values.
        self.station.transaction_events.updated(evse, "ChargingRateChanged")

    def _significance(self) -> float:
        try:
            return float(self.station.device_model.value(_CTRLR, "LimitChangeSignificance"))
        except (KeyError, ValueError):
            return 0.0

    def _follow_limit(self, evse: Evse) -> None:
        """Arm ``charging_limit:<evse>`` at the next instant the EVSE's limit may change."""
        name = f"charging_limit:{evse.id}"
        transaction = _running(evse)
        now = self.station.clock.now()
        change = (
            None
            if transaction is None
            else self.station.model.profiles.next_change_after(
                evse.id, now, transaction=transaction.context
            )
        )
        self.station.set_timer_at(name, change, lambda: self._limit_due(evse))

    def _limit_due(self, evse: Evse) -> None:
        self.station.update_charging_status(evse)
        self.station.wake()

    def _affected(self, evse_id: int) -> list[Evse]:
        """The EVSEs a profile on ``evse_id`` bears on: one, or all for the station (0)."""
        if evse_id == 0:
            return list(self.station.model.evses.values())
        return [self.station.model.evses[evse_id]] if evse_id in self.station.model.evses else []


def _running(evse: Evse) -> Transaction | None:
    transaction = evse.transaction
    return transaction if transaction is not None and transaction.phase in RUNNING else None


def _limit_source(profile: ChargingProfile) -> str:
    """ChargingLimitSourceEnumType, as ``reports_to_ocpp201`` reports it."""
    external = profile.purpose is ChargingProfilePurpose.EXTERNAL_CONSTRAINTS
    return "EMS" if external else "CSO"


def _unsupported_word(wire: Mapping[str, Any]) -> tuple[str, str] | None:
    """(reasonCode, additionalInfo) for a word of 2.1's profiles the station does not
    implement: the purpose LocalGeneration and a period in an operationMode other than
    ChargingOnly (V2X, setpoints, frequency control), which is also the only mode whose period
    may not omit its limit (2.1 ChargingSchedulePeriodType.limit). 2.0.1's schema carries none
    of them. 2.1's PriorityCharging purpose and Dynamic kind the model has (a 2.1 station's
    ``v21/priority_charging.py`` and ``v21/dynamic_profiles.py`` act on them)."""
    purpose = wire["chargingProfilePurpose"]
    if purpose not in PURPOSES_201:
        return "UnsupportedRequest", f"chargingProfilePurpose {purpose} is not supported"
    for schedule in wire["chargingSchedule"]:
        for period in schedule["chargingSchedulePeriod"]:
            mode = period.get("operationMode", "ChargingOnly")
            if mode != "ChargingOnly":
                return "UnsupportedRequest", f"operationMode {mode} is not supported"
            if "limit" not in period:
                return "MissingParam", "a ChargingOnly period needs its limit"
    return None
