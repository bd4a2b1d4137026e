"""What the outside world can do to a simulated station, and read of it, whatever OCPP version
it speaks: the one typed surface through which the simulator gateway's commands
(``gateway/executor.py``, ``starts.py``, ``sessions.py``, ``attempts.py``, the fleet host's
configuration at build) and the automatic drivers (``autogen.py``) reach a station.

Every station class implements it (``StationV16``, ``StationV201``; ``fleet/fleet.py``
checks both against it for mypy). The verbs are physical (a cable, a card at the reader, an
EV that stops drawing, a fault) or the station's own decisions (start or stop a transaction,
cap its power), or what an operator sets on it (configuration, the local list). Where the
versions' words differ, the station takes neutral values (a :class:`~chargeyard.station.
faults.Fault`, :class:`~chargeyard.station.terms.Setting`, :class:`~chargeyard.station.terms.
ListEntry`) and says them in its version's words; its class's ``TERMS``
(``station/terms.py``) names and checks the words of its version, for the gateway to refuse a
command before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Protocol, cast, runtime_checkable

from chargeyard.protocol import CallFailure, OutgoingPayload, Payload, VersionSpec
from chargeyard.station.clock import Clock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.faults import Fault
from chargeyard.station.model.authorization import IdToken, IdTokenInfo
from chargeyard.station.model.ev import Ev, EvProfile
from chargeyard.station.model.ev_session import EvState
from chargeyard.station.model.states import ConnectorStatus, Registration
from chargeyard.station.model.station import Evse, StationModel
from chargeyard.station.model.token_reports import TokenDecision, TokenReports
from chargeyard.station.terms import ListEntry, Setting, StationTerms, StoredSetting
from chargeyard.station.timers import Timers


@runtime_checkable
class StationVerbs(Protocol):
    """A simulated station as the gateway drives it."""

    TERMS: ClassVar[StationTerms]
    """Its version's words for faults, settings, the local list (a class's constant)."""
    identity: str
    model: StationModel
    clock: Clock
    timers: Timers
    registration: Registration
    token_reports: TokenReports
    powered: bool
    """False from the power going (a reboot, a power cut) until it comes back."""
    wake: Callable[[], None]
    """Set by whatever runs the station: something changed, look at the timers again."""
    remote_start_accepted: Callable[[int], None] | None
    """Set by whatever drives the station: told the EVSE of each remote start accepted."""

    @property
    def version(self) -> VersionSpec:
        """The OCPP version it speaks (a class's constant)."""
        ...

    @property
    def connected(self) -> bool: ...

    @property
    def online(self) -> bool:
        """Connected and accepted by the central system."""
        ...

    @property
    def going_down(self) -> bool:
        """Finishing its conversation before a reboot or switch-off."""
        ...

    @property
    def in_service(self) -> bool:
        """Accepted by the central system since it last booted (through a lost connection
        too), and not going down."""
        ...

    # -- the driver and the EV ---------------------------------------------------------------

    def plug(
        self, evse_id: int = 1, connector_id: int = 1, *, ev: Ev | EvProfile | None = None
    ) -> None: ...

    def unplug(self, evse_id: int = 1, connector_id: int = 1, /) -> None: ...

    def unlock(self, evse_id: int = 1, connector_id: int = 1, /) -> None: ...

    def present_id_token(self, id_token: str, evse_id: int | None = None, /) -> None: ...

    def ev_suspend(self, evse_id: int = 1, /) -> None: ...

    def ev_resume(self, evse_id: int = 1, /) -> None: ...

    # -- the station's own decisions ---------------------------------------------------------

    def start_transaction(self, evse_id: int, id_token: str, /) -> None: ...

    def stop_transaction(self, evse_id: int, reason: str = "Local", /) -> None: ...

    def pending_start(self, evse_id: int, /) -> str | None: ...

    def waiting_authorization(self, evse_id: int, /) -> TokenDecision | None: ...

    def may_start_session(
        self, evse: Evse, token: IdToken, info: IdTokenInfo | None, *, tentative: bool = False
    ) -> bool: ...

    def set_power_limit(self, evse_id: int, watts: float | None, /) -> None: ...

    def inject_fault(self, evse_id: int = 1, connector_id: int = 1, fault: Fault = ..., /) -> None:
        """The connector fails (``TERMS.fault_named`` reads an API word); a transaction on
        its EVSE ends."""
        ...

    def clear_fault(self, evse_id: int = 1, connector_id: int = 1, /) -> None: ...

    # -- what an operator sets ---------------------------------------------------------------

    def set_configuration(self, settings: Sequence[Setting], /) -> dict[str, str]:
        """Each setting as the central system would set it (1.6 ChangeConfiguration, 2.0.1
        SetVariables); its status by key (Rejected: one the version cannot carry)."""
        ...

    def set_local_list(
        self, version: int, entries: Sequence[ListEntry], /, *, differential: bool = False
    ) -> str:
        """A Full update of the local list (1.6 section 5.15, 2.0.1 D01), or a
        ``differential`` one (an entry with status None removes its token); its status.

        Raises:
            OcppError: a list the version's SendLocalList cannot carry; nothing changes.
        """
        ...

    def clear_local_list(self, version: int, /) -> str:
        """An empty Full update under ``version``; its status."""
        ...

    def advance(self) -> None:
        """Bring every meter and EV up to now."""
        ...

    # -- what a tester does (station/ev_controls.py, v16/bench.py, v201/bench.py) -------------

    def choose_ev(self, evse_id: int, ev: Ev | None, /) -> None:
        """The car the EVSE's next plug brings."""
        ...

    def update_soc(self, evse_id: int, soc: float, /) -> None: ...

    def ev_state(self, evse_id: int, /) -> EvState: ...

    def evse_suspend(self, evse_id: int, /) -> None:
        """The station stops offering energy (SuspendedEVSE); the transaction goes on."""
        ...

    def evse_resume(self, evse_id: int, /) -> None: ...

    def set_energy_register(self, evse_id: int, energy_wh: float, /) -> None: ...

    def meter_values_refusal(self, evse_id: int, /) -> str | None:
        """Why it cannot send the EVSE's meter now (nothing configured to report, offline
        outside a transaction), or None."""
        ...

    def send_meter_values_now(self, evse_id: int, /) -> str:
        """The EVSE's meter sent now; the message's action (MeterValues, TransactionEvent)."""
        ...

    def lock_jammed(self, evse_id: int, connector_id: int, /) -> bool: ...

    def set_unlock_fails(self, evse_id: int, connector_id: int, fails: bool, /) -> None:
        """Jam (or free) the connector's lock: UnlockConnector answers UnlockFailed."""
        ...

    def power_cut(self, off_s: float | None = None, /, *, stop_first: bool = False) -> None:
        """The power fails now (each transaction ends PowerLoss, reported after the boot, or
        before the power goes with ``stop_first``)."""
        ...

    def reset_here(self, kind: str, evse_id: int | None = None, /) -> str:
        """Restart as the version's Reset of ``kind`` does; its status."""
        ...

    def trigger_here(
        self, message: str, evse_id: int | None = None, connector_id: int = 1, /
    ) -> str:
        """Send one of its own messages now, as a TriggerMessage makes it; its status."""
        ...

    def configuration_report(
        self, keys: Sequence[str] = (), /
    ) -> tuple[list[StoredSetting], list[str]]:
        """Its configuration keys (1.6) or variables (2.0.1), and the keys it lacks."""
        ...

    # -- what it says -----------------------------------------------------------------------

    def reported_status(self, status: ConnectorStatus) -> str:
        """A connector status in the version's words (2.0.1 ConnectorStatusEnumType)."""
        ...

    def call(
        self,
        action: str,
        payload: OutgoingPayload,
        on_result: Callable[[Payload], None] = ...,
        on_error: Callable[[CallFailure], None] | None = None,
        *,
        requested: bool = False,
    ) -> bool:
        """Send a CALL if the station may; False when it may not (offline, not registered)."""
        ...


@runtime_checkable
class PriorityChargingVerbs(Protocol):
    """What a station whose version has priority charging (OCPP 2.1 K) lets its driver do."""

    def request_priority_charging(self, evse_id: int, activate: bool = True, /) -> bool:
        """The driver asks for priority charging of the transaction on ``evse_id`` (or to stop
        it); True if that changed anything.

        Raises:
            ValueError: no such EVSE, no transaction on it, or no PriorityCharging profile
                serves it.
        """
        ...


# Whether a station class has the verbs, checked once per class: a runtime protocol check
# reads every member (tens of microseconds), too slow for each of a thousand stations a
# location command reaches, and instances of one class have the same members.
_CLASS_HAS_VERBS: dict[type[object], bool] = {}


def has_verbs(station: object) -> bool:
    """Whether ``station`` can be driven through :class:`StationVerbs`."""
    kind = type(station)
    known = _CLASS_HAS_VERBS.get(kind)
    if known is None:
        known = _CLASS_HAS_VERBS[kind] = isinstance(station, StationVerbs)
    return known


def verbs_of(station: SimulatedStation) -> StationVerbs:
    """``station`` as the gateway drives it.

    Raises:
        TypeError: a station class without the verbs (each version's class has them; mypy
            checks ``STATION_CLASSES`` against :class:`StationVerbs`).
    """
    if not has_verbs(station):
        raise TypeError(f"{type(station).__name__} does not have the station verbs")
    return cast(StationVerbs, station)
