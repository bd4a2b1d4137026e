"""OCPP 2.1 dynamic charging profiles (K28): a profile of kind Dynamic whose one period's limit the
central system changes while it runs.

Theory of operation
-------------------
SetChargingProfile installs a Dynamic profile like any other (``v201/smart_charging.py``; the
store refuses one whose schedule has more than one period). Its limit then changes two ways,
each a 2.1 ChargingScheduleUpdateType whose ``limit`` replaces the period's:

* pushed: UpdateDynamicSchedule from the central system. Rejected for a profile id the station
  does not have (reasonCode NotFound) or one that is not Dynamic (InvalidProfile), and for an
  update without a limit (MissingParam: the station charges in ChargingOnly, the one
  operationMode it implements, which needs one); else Accepted, and the limit is applied after
  the answer;
* pulled: ``dynUpdateInterval`` seconds after the last update was received (or the profile
  installed), the station sends PullDynamicScheduleUpdate; an Accepted answer's scheduleUpdate
  is applied the same way. The next pull is due an interval after that update, or after the
  pull when no update came (a Rejected answer, none, or one without a limit).

Applying an update brings the meters up to now, gives the profile its new limit and
``dynUpdateTime`` in the store, and lets every EVSE it bears on follow at once, so the power the
meters report follows the update. The pull timers, ``dynamic-profile:<id>``, belong to this
block: a profile cleared or replaced (:meth:`DynamicProfilesV21.sync` after every change of the
profiles) drops its timer, and so does the connection going (:meth:`on_disconnected`); they are
armed again once the station is back online.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import Payload, on
from chargeyard.protocol.messages import v21
from chargeyard.station.blocks import Block
from chargeyard.station.model.smart_charging import ChargingProfile, ChargingProfileKind

if TYPE_CHECKING:
    from chargeyard.station.v21 import StationV21


def _timer(profile_id: int) -> str:
    return f"dynamic-profile:{profile_id}"


def _rejected(reason_code: str, info: str) -> v21.UpdateDynamicScheduleResponse:
    return {"status": "Rejected", "statusInfo": {"reasonCode": reason_code, "additionalInfo": info}}


class DynamicProfilesV21(Block["StationV21"]):
    """UpdateDynamicSchedule, PullDynamicScheduleUpdate and their timers; see the module
    docstring."""

    __slots__ = ("_armed",)

    def __init__(self, station: StationV21) -> None:
        super().__init__(station)
        # Profile id -> the profile (as installed or last updated) its pull timer was armed for.
        self._armed: dict[int, ChargingProfile] = {}

    @on("UpdateDynamicSchedule")
    def update_dynamic_schedule(
        self, payload: v21.UpdateDynamicScheduleRequest
    ) -> v21.UpdateDynamicScheduleResponse:
        profile_id = payload["chargingProfileId"]
        found = self.station.model.profiles.profiles(profile_ids=[profile_id])
        if not found:
            return _rejected("NotFound", f"there is no charging profile {profile_id}")
        [(_, profile)] = found
        if profile.kind is not ChargingProfileKind.DYNAMIC:
            return _rejected("InvalidProfile", f"profile {profile_id} is {profile.kind.value}")
        limit = payload["scheduleUpdate"].get("limit")
        if limit is None:
            return _rejected("MissingParam", "a ChargingOnly period needs its limit")
        self.station.after_answer(lambda: self._apply(profile_id, limit))
        return {"status": "Accepted"}

    def sync(self) -> None:
        """The profiles changed (or the station is back online): a pull timer for each Dynamic
        profile with a dynUpdateInterval that has none yet, or was replaced since; none for
        one that is gone."""
        dynamic = {
            profile.id: profile
            for _, profile in self.station.model.profiles.profiles()
            if profile.kind is ChargingProfileKind.DYNAMIC and profile.dyn_update_interval
        }
        for profile_id in [known for known in self._armed if known not in dynamic]:
            self._disarm(profile_id)
        for profile_id, profile in dynamic.items():
            if self._armed.get(profile_id) is not profile:
                self._arm(profile)

    def on_disconnected(self) -> None:
        """The connection is gone: no pulls until it is back (:meth:`sync`)."""
        for profile_id in list(self._armed):
            self._disarm(profile_id)

    def _arm(self, profile: ChargingProfile) -> None:
        interval = profile.dyn_update_interval or 0
        self._armed[profile.id] = profile
        at = self.station.clock.monotonic() + interval
        self.station.timers.set(_timer(profile.id), at, lambda: self._pull(profile.id))

    def _disarm(self, profile_id: int) -> None:
        self._armed.pop(profile_id, None)
        self.station.timers.cancel(_timer(profile_id))

    def _pull(self, profile_id: int) -> None:
        profile = self._armed.get(profile_id)
        if profile is None:
            return
        self._arm(profile)  # the next pull, unless an update comes first

        def answered(answer: Payload) -> None:
            update = answer.get("scheduleUpdate") or {}
            limit = update.get("limit")
            if answer["status"] == "Accepted" and limit is not None:
                self._apply(profile_id, float(limit))

        request: v21.PullDynamicScheduleUpdateRequest = {"chargingProfileId": profile_id}
        self.station.call("PullDynamicScheduleUpdate", request, on_result=answered)

    def _apply(self, profile_id: int, limit: float) -> None:
        """The profile's limit is now ``limit``; its EVSEs follow and its next pull is due an
        interval from now."""
        store = self.station.model.profiles
        self.station.advance()  # energy until now flowed under the old limit
        evse_id = store.update_dynamic(profile_id, limit, now=self.station.clock.now())
        if evse_id is None:
            return  # cleared while the answer was on its way
        self.station.smart_charging.profile_changed(evse_id)
        self.sync()


__all__ = ["DynamicProfilesV21"]
