"""The physical station: EVSEs, connectors, the EV in each, meters and transactions.

Theory of operation
-------------------
This is the hardware half of a simulated station, with no protocol in it. Numbering follows
OCPP 2.0.1 (EVSE ids from 1, connector ids from 1 within an EVSE); OCPP 1.6's station-wide
connector numbers (1..N in EVSE order, 0 for the whole station) map onto it through
:meth:`StationModel.connector_16`.

Energy is integrated lazily: :meth:`StationModel.advance` brings every EVSE's meter and EV up to
the clock, cutting time at each instant where the smart-charging limit changes, so the power
that flows is always min(EV demand, EVSE maximum, charging profile limit, power update)
(OCPP 1.6 section 3.13, 2.0.1 K; the power update is the gateway's ``power-update``). Callers
advance before they sample or change anything, so integration never spans a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chargeyard.protocol.messages import v16
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.model.authorization import (
    AuthorizationCache,
    AuthorizationPolicy,
    IdToken,
    IdTokenInfo,
    LocalAuthorizationList,
    may_stop,
)
from chargeyard.station.model.certificates import CertificateStore
from chargeyard.station.model.ev import Ev, charge, delivered_power_w
from chargeyard.station.model.meter import (
    ElectricalSpec,
    Meter,
    ReadingContext,
    SampledValue,
    sample,
)
from chargeyard.station.model.own_certificate import OwnCertificate
from chargeyard.station.model.reservations import ReservationBook
from chargeyard.station.model.smart_charging import ChargingProfileStore, TransactionContext
from chargeyard.station.model.states import (
    OCCUPIED,
    ConnectorStatus,
    TransactionPhase,
    check_move,
    check_transaction_move,
)

_INOPERATIVE = frozenset({ConnectorStatus.FAULTED, ConnectorStatus.UNAVAILABLE})

# Longest stretch integrated at once; the EV's taper is followed in steps inside it.
_MAX_SEGMENT = timedelta(minutes=15)


@dataclass(slots=True)
class Connector:
    evse_id: int
    connector_id: int
    number_16: int
    type: str
    status: ConnectorStatus = ConnectorStatus.AVAILABLE
    error_code: v16.ErrorCode = "NoError"
    error_info: str | None = None
    vendor_error_code: str | None = None
    cable_plugged: bool = False
    locked: bool = False
    operative: bool = True  # ChangeAvailability Operative / Inoperative

    def move(self, target: ConnectorStatus) -> bool:
        """Change status by the table of ``states.py``; returns whether it changed."""
        check_move(self.status, target)
        changed = self.status is not target
        self.status = target
        return changed

    @property
    def faulted(self) -> bool:
        return self.status is ConnectorStatus.FAULTED


@dataclass(slots=True)
class Transaction:
    """One charging session, as the station knows it."""

    local_id: str  # the station's id; OCPP 2.0.1's transactionId
    evse_id: int
    connector_id: int
    id_token: IdToken | None
    started_at: datetime
    meter_start_wh: float
    phase: TransactionPhase = TransactionPhase.STARTING
    csms_id: int | None = None  # OCPP 1.6: the id StartTransaction.conf gave
    id_token_info: IdTokenInfo | None = None
    reservation_id: int | None = None
    remote_start_id: int | None = None
    stop_reason: str | None = None
    stopped_at: datetime | None = None
    meter_stop_wh: float | None = None
    seq_no: int = 0  # OCPP 2.0.1 TransactionEvent.seqNo
    offline: bool = False  # started while the station was offline
    total_cost: float | None = None  # OCPP 2.0.1 I02/I03: the running cost the CSMS sent

    def move(self, target: TransactionPhase) -> None:
        check_transaction_move(self.phase, target)
        self.phase = target

    def next_seq_no(self) -> int:
        seq = self.seq_no
        self.seq_no += 1
        return seq

    @property
    def context(self) -> TransactionContext:
        return TransactionContext(transaction_id=self.local_id, started_at=self.started_at)


@dataclass(slots=True)
class Evse:
    id: int
    max_power_w: float
    electrical: ElectricalSpec
    connectors: dict[int, Connector]
    meter: Meter
    ev: Ev | None = None
    transaction: Transaction | None = None
    power_update_w: float | None = None  # the EVSE's available power (power-update)
    suspended_by_evse: bool = False
    next_ev: Ev | None = None  # the EV the next cable plugged brings (ev_controls.py)

    def plugged_connector(self) -> Connector | None:
        for connector in self.connectors.values():
            if connector.cable_plugged:
                return connector
        return None

    def status_for_reservations(self) -> ConnectorStatus:
        """The EVSE's status as the :class:`ReservationBook` reads it, from its connectors':
        busy if any is (or holds a cable), Faulted or Unavailable if all are, Reserved if one
        is, else Available."""
        statuses = [connector.status for connector in self.connectors.values()]
        for connector in self.connectors.values():
            if connector.status in OCCUPIED:
                return connector.status
            if connector.cable_plugged:
                return ConnectorStatus.PREPARING
        if all(status in _INOPERATIVE for status in statuses):
            if all(status is ConnectorStatus.FAULTED for status in statuses):
                return ConnectorStatus.FAULTED
            return ConnectorStatus.UNAVAILABLE
        if ConnectorStatus.RESERVED in statuses:
            return ConnectorStatus.RESERVED
        return ConnectorStatus.AVAILABLE


@dataclass(slots=True)
class StationModel:
    """The hardware of one station, built from its template."""

    identity: str
    template: StationTemplate
    evses: dict[int, Evse]
    profiles: ChargingProfileStore = field(default_factory=ChargingProfileStore)
    reservations: ReservationBook = field(default_factory=ReservationBook)
    local_list: LocalAuthorizationList = field(
        default_factory=lambda: LocalAuthorizationList(max_length=1000)
    )
    cache: AuthorizationCache = field(default_factory=lambda: AuthorizationCache(capacity=1000))
    # The trusted CA certificates (1.6 security extension, 2.0.1 M03-M05); a reboot keeps them.
    certificates: CertificateStore = field(default_factory=CertificateStore)
    # Its own key and certificate (1.6 security extension, 2.0.1 A02/A03; own_certificate.py):
    # nothing until the central system asks for one; a reboot keeps it.
    own_certificate: OwnCertificate = field(default_factory=OwnCertificate)
    policy: AuthorizationPolicy = field(default_factory=AuthorizationPolicy)
    firmware_version: str = ""
    last_advanced: datetime | None = None
    powered: bool = True  # no energy flows while the station is off (a reboot, a power cut)

    @classmethod
    def build(
        cls, identity: str, template: StationTemplate, *, energy_wh: float = 0.0
    ) -> StationModel:
        evses: dict[int, Evse] = {}
        number_16 = 0
        for evse_id, evse_template in enumerate(template.evses, start=1):
            connectors = {}
            for connector_id, connector_template in enumerate(evse_template.connectors, start=1):
                number_16 += 1
                connectors[connector_id] = Connector(
                    evse_id, connector_id, number_16, connector_template.type
                )
            evses[evse_id] = Evse(
                id=evse_id,
                max_power_w=evse_template.max_power_w,
                electrical=ElectricalSpec(
                    current_type=template.current_type,
                    phases=template.phases,
                    nominal_voltage=template.nominal_voltage,
                ),
                connectors=connectors,
                meter=Meter(energy_register_wh=energy_wh),
            )
        return cls(identity, template, evses, firmware_version=template.firmware_version)

    # -- finding things -------------------------------------------------------------------------

    def connectors(self) -> Iterator[Connector]:
        for evse in self.evses.values():
            yield from evse.connectors.values()

    def connector(self, evse_id: int, connector_id: int = 1) -> Connector:
        try:
            return self.evses[evse_id].connectors[connector_id]
        except KeyError:
            raise KeyError(
                f"{self.identity} has no EVSE {evse_id} connector {connector_id}"
            ) from None

    def connector_16(self, number: int) -> Connector:
        """The connector OCPP 1.6 numbers ``number`` (1..N across EVSEs)."""
        for connector in self.connectors():
            if connector.number_16 == number:
                return connector
        raise KeyError(f"{self.identity} has no connector {number}")

    @property
    def connector_count(self) -> int:
        return sum(len(evse.connectors) for evse in self.evses.values())

    def transactions(self) -> Iterator[Transaction]:
        for evse in self.evses.values():
            if evse.transaction is not None:
                yield evse.transaction

    def transaction_by_csms_id(self, csms_id: int) -> Transaction | None:
        for transaction in self.transactions():
            if transaction.csms_id == csms_id:
                return transaction
        return None

    def transaction_by_local_id(self, local_id: str) -> Transaction | None:
        for transaction in self.transactions():
            if transaction.local_id == local_id:
                return transaction
        return None

    def known_group(self, token: IdToken, info: IdTokenInfo | None, now: datetime) -> str | None:
        """The token's group (1.6 parentIdTag, 2.0.1 groupIdToken): as an authorization said
        (``info``), else as the local list or the cache know it, each where the policy has it
        enabled (1.6 section 5.13; 2.0.1 H03)."""
        if info is not None:
            return info.group_id
        policy = self.policy
        known = self.local_list.get(token) if policy.local_auth_list_enabled else None
        if known is None and policy.authorization_cache_enabled:
            known = self.cache.get(token, now)
        return None if known is None else known.group_id

    def transaction_to_stop_by(
        self, token: IdToken, evse_id: int | None, now: datetime
    ) -> Transaction | None:
        """The running transaction ``token`` may stop (on ``evse_id``, or anywhere): the one it
        started, or one of its group, as the local list or the cache knows it (1.6 sections
        3.4, 3.10; 2.0.1 E07, C09). No Authorize request is needed for either."""
        for transaction in self.transactions():
            if evse_id is not None and transaction.evse_id != evse_id:
                continue
            if transaction.phase not in _RUNNING or transaction.id_token is None:
                continue
            started_parent = (
                transaction.id_token_info.group_id if transaction.id_token_info else None
            )
            info = self.local_list.get(token) or self.cache.get(token, now)
            if may_stop(transaction.id_token, started_parent, token, info):
                return transaction
        return None

    # -- energy ----------------------------------------------------------------------------------

    def energy_status(self, evse: Evse, at: datetime) -> ConnectorStatus:
        """Where a connector whose power path is closed stands: Charging, SuspendedEV (the EV
        takes nothing) or SuspendedEVSE (the station offers nothing: a charging profile at 0,
        a power update of 0, or a suspension by the station; 1.6 section 4.9, 2.0.1
        ChargingStateEnumType)."""
        if self.limit_w(evse, at) <= 0:
            return ConnectorStatus.SUSPENDED_EVSE
        if evse.ev is None or evse.ev.demand_w(evse.electrical.current_type) <= 0:
            return ConnectorStatus.SUSPENDED_EV
        return ConnectorStatus.CHARGING

    def sample(
        self, evse: Evse, measurands: list[str], context: ReadingContext, at: datetime
    ) -> list[SampledValue]:
        """Read ``evse``'s meter for ``measurands``: per phase where the supply has three, the
        EV's SoC when it is known, and the power offered now (``meter.sample``)."""
        phases = evse.electrical.phases
        if evse.ev is not None and evse.electrical.current_type == "AC":
            phases = min(phases, evse.ev.profile.ac_phases)
        spec = ElectricalSpec(
            current_type=evse.electrical.current_type,
            phases=phases,
            nominal_voltage=evse.electrical.nominal_voltage,
        )
        return sample(
            evse.meter,
            measurands=measurands,
            spec=spec,
            soc=evse.ev.soc if evse.ev is not None else None,
            context=context,
            phases_wanted=True,
            offered_w=self.limit_w(evse, at),
        )

    def limit_w(self, evse: Evse, at: datetime) -> float:
        """What the EVSE may deliver at ``at`` (before the EV's own demand)."""
        transaction = evse.transaction.context if evse.transaction is not None else None
        profile_limit = self.profiles.limit_at(
            evse.id,
            at,
            transaction=transaction,
            voltage=evse.electrical.nominal_voltage,
            phases=evse.electrical.phases,
        )
        limit = delivered_power_w(
            float("inf"), evse.max_power_w, profile_limit, evse.power_update_w
        )
        return 0.0 if evse.suspended_by_evse else limit

    def is_drawing(self, evse: Evse) -> bool:
        """Energy may flow: a transaction the EVSE is charging in, with an EV attached, on a
        station that has power."""
        transaction = evse.transaction
        return (
            self.powered
            and evse.ev is not None
            and transaction is not None
            and transaction.phase in (TransactionPhase.STARTING, TransactionPhase.ACTIVE)
            and any(
                connector.status in (ConnectorStatus.CHARGING, ConnectorStatus.SUSPENDED_EV)
                for connector in evse.connectors.values()
                if connector.cable_plugged
            )
        )

    def advance(self, now: datetime) -> None:
        """Integrate every EVSE's energy up to ``now``."""
        start = self.last_advanced
        self.last_advanced = now
        if start is None or now <= start:
            return
        for evse in self.evses.values():
            if not self.is_drawing(evse):
                evse.meter.power_w = 0.0
                continue
            self._advance_evse(evse, start, now)

    def _advance_evse(self, evse: Evse, start: datetime, end: datetime) -> None:
        assert evse.ev is not None
        moment = start
        transaction = evse.transaction.context if evse.transaction is not None else None
        while moment < end:
            change = self.profiles.next_change_after(evse.id, moment, transaction=transaction)
            segment_end = min(end, moment + _MAX_SEGMENT, change or end)
            seconds = (segment_end - moment).total_seconds()
            step = charge(
                evse.ev,
                seconds=seconds,
                current_type=evse.electrical.current_type,
                limit_w=self.limit_w(evse, moment),
            )
            evse.meter.add(step.energy_wh, step.end_power_w)
            moment = segment_end


_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})
