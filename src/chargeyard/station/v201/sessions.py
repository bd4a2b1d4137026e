"""An EVSE's session at an OCPP 2.0.1 station (functional block E): what the driver and the
central system have done on it, and the bookkeeping of its transaction's TransactionEvents.

``transaction_events.py`` keeps one per EVSE in use and decides from it what starts, stops and
is reported; its events carry what the session says goes in once (the EVSE and connector, the
idToken after an authorization, the remoteStartId, the reservationId) and the time spent
charging (timeSpentCharging), which the session follows as the connector moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from chargeyard.protocol.messages import v201
from chargeyard.station.model.authorization import IdToken, IdTokenInfo
from chargeyard.station.model.meter import SampledValue
from chargeyard.station.model.token_reports import AuthorizationSource


@dataclass(slots=True)
class Session:
    """One EVSE's use by a driver, and the reporting of its transaction."""

    token: IdToken | None = None
    info: IdTokenInfo | None = None
    authorized: bool = False
    authorizing: bool = False  # an Authorize request is out
    fresh_plug: bool = False  # the cable went in during this session (EVConnected)
    deauthorized: v201.ReasonEnumType | None = None  # the stoppedReason of an ended authorization
    stop_token: IdToken | None = None  # the token that ended it (E07)
    force_end: tuple[v201.TriggerReasonEnumType, v201.ReasonEnumType] | None = (
        None  # (triggerReason, stoppedReason)
    )
    remote_start_id: int | None = None
    source: AuthorizationSource | None = None  # who authorized it
    charging_profile: v201.ChargingProfileType | None = None
    reached: set[str] = field(default_factory=set)  # start/stop conditions met in the tx
    token_pending: bool = False  # the idToken goes in the next event
    connector_sent: bool = False
    remote_pending: bool = False
    reservation_sent: bool = False
    reservation_id: int | None = None  # the reservation its authorization used (H03.FR.09)
    charging_s: float = 0.0
    charging_since: float | None = None
    ended_samples: list[tuple[datetime, list[SampledValue]]] = field(default_factory=list)

    def follow_charging(self, charging: bool, now: float) -> None:
        """The connector is Charging, or not, from ``now`` (the monotonic clock): the time
        spent charging counts while it is."""
        if charging and self.charging_since is None:
            self.charging_since = now
        elif not charging and self.charging_since is not None:
            self.charging_s += now - self.charging_since
            self.charging_since = None

    def time_charging(self, now: float) -> float:
        """Seconds spent charging in the transaction until ``now`` (the monotonic clock)."""
        since = self.charging_since
        return self.charging_s + (0.0 if since is None else now - since)
