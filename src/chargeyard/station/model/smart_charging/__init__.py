"""Smart charging: charging profiles, stacked and combined into the limit the meter obeys.

Theory of operation
-------------------
The CSMS installs charging profiles (SetChargingProfile: OCPP 1.6 section 5.16, 2.0.1 K01) on
the station (EVSE 0) or on an EVSE. A profile has a purpose (station maximum, default for
transactions, one transaction's own, external constraints), a stack level, and a schedule:
limits in W or A from given offsets, laid on the time line absolutely, relative to the
transaction's start, or recurring daily or weekly.

* ``profiles.py`` holds the values: frozen dataclasses independent of the OCPP version, with
  the few rules that differ between 1.6 and 2.0.1 as data (:class:`ProfileRules`).
* ``admission.py`` decides whether a profile may be installed, and what it replaces.
* ``timeline.py`` places one profile's schedule in time: the period in force at an instant, and
  the next instant where that may change.
* ``stacking.py`` combines them: the highest stack level in force wins within a purpose, a
  TxProfile overrides the TxDefaultProfiles, and station maximum and external constraints cap
  the result (1.6 sections 3.13.2-3.13.3, 2.0.1 K).
* ``composite.py`` turns that into a composite schedule (GetCompositeSchedule).
* ``store.py`` is :class:`ChargingProfileStore`, which holds a station's profiles and answers
  all of the above.
* ``ocpp16.py`` and ``ocpp201.py`` convert payloads, already checked against the official
  schemas, to and from the model; ``wire.py`` holds what they share.

Nothing here reads a clock or does I/O: every answer is a function of the profiles installed and
of the instant passed in. The meter integrates power piecewise between the instants
:meth:`ChargingProfileStore.next_change_after` names, with :meth:`ChargingProfileStore.limit_at`
constant in between.
"""

from chargeyard.station.model.smart_charging.ocpp16 import (
    composite_to_ocpp16,
    profile_from_ocpp16,
    profile_to_ocpp16,
    purpose_from_ocpp16,
    purpose_to_ocpp16,
)
from chargeyard.station.model.smart_charging.ocpp201 import (
    PURPOSES_201,
    composite_to_ocpp201,
    profile_from_ocpp201,
    profile_to_ocpp201,
    purpose_from_ocpp201,
    purpose_to_ocpp201,
    reports_to_ocpp201,
)
from chargeyard.station.model.smart_charging.profiles import (
    OCPP16_RULES,
    OCPP201_RULES,
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    ChargingSchedulePeriod,
    CompositeSchedule,
    InstallResult,
    ProfileRules,
    RecurrencyKind,
    RejectCode,
    TransactionContext,
)
from chargeyard.station.model.smart_charging.store import ChargingProfileStore

__all__ = [
    "OCPP16_RULES",
    "OCPP201_RULES",
    "PURPOSES_201",
    "ChargingProfile",
    "ChargingProfileKind",
    "ChargingProfilePurpose",
    "ChargingProfileStore",
    "ChargingRateUnit",
    "ChargingSchedule",
    "ChargingSchedulePeriod",
    "CompositeSchedule",
    "InstallResult",
    "ProfileRules",
    "RecurrencyKind",
    "RejectCode",
    "TransactionContext",
    "composite_to_ocpp16",
    "composite_to_ocpp201",
    "profile_from_ocpp16",
    "profile_from_ocpp201",
    "profile_to_ocpp16",
    "profile_to_ocpp201",
    "purpose_from_ocpp16",
    "purpose_from_ocpp201",
    "purpose_to_ocpp16",
    "purpose_to_ocpp201",
    "reports_to_ocpp201",
]
