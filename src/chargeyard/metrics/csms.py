"""The central system's gauges, read when Prometheus scrapes, never counted per message.

Connections come from a :class:`~chargeyard.csms.station_link.ConnectedStations` (the
listener's registry: this process's open WebSockets); a process without a listener (an API node
of a cluster) exports no connection count, since a 0 there would be false. What only the store
knows (the stations online at any node, registration status, transactions, energy) is read by
:meth:`CsmsCollector.refresh` in three aggregate queries just before the scrape is rendered,
since a Prometheus collector cannot await.

Energy is in Wh, as the store keeps it. Completed transactions feed a counter (their
``energy_wh``, meter stop minus meter start); a running transaction's energy so far (its
latest ``Energy.Active.Import.Register`` reading without phase, minus its meter start) is a
gauge, since it leaves that sum when the transaction ends. Deleting stations or transactions
lowers the counter, which Prometheus reads as a counter reset.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from chargeyard.csms.energy import served
from chargeyard.csms.station_link import ConnectedStations
from chargeyard.protocol import VERSIONS
from chargeyard.store import Store
from chargeyard.store.models import MeterSample, Station, Transaction, TransactionStatus

logger = logging.getLogger(__name__)

ENERGY_REGISTER = "Energy.Active.Import.Register"
ACCEPTED = "Accepted"


@dataclass(frozen=True, slots=True)
class StoreSnapshot:
    """What the store said at the last refresh."""

    online: dict[str, int] = field(default_factory=dict)
    booted: dict[str, int] = field(default_factory=dict)
    transactions_active: int = 0
    transactions_completed: int = 0
    energy_completed_wh: float = 0.0
    energy_active_wh: float = 0.0


async def read_snapshot(store: Store) -> StoreSnapshot:
    """Count online and booted stations by version, transactions by status, and their
    energy."""
    online_query = (
        select(Station.ocpp_version, Station.registration_status, func.count())
        .where(Station.is_online.is_(True))
        .group_by(Station.ocpp_version, Station.registration_status)
    )
    transactions_query = select(
        Transaction.status, func.count(), func.coalesce(func.sum(Transaction.energy_wh), 0.0)
    ).group_by(Transaction.status)
    active = select(Transaction.id).where(Transaction.status == TransactionStatus.ACTIVE)
    newest = (
        select(MeterSample.transaction_pk, func.max(MeterSample.id).label("sample"))
        .where(
            MeterSample.transaction_pk.in_(active),
            MeterSample.measurand == ENERGY_REGISTER,
            MeterSample.phase.is_(None),
        )
        .group_by(MeterSample.transaction_pk)
        .subquery()
    )
    energy_query = (
        select(Transaction.meter_start_wh, MeterSample.value, MeterSample.unit)
        .join(newest, newest.c.transaction_pk == Transaction.id)
        .join(MeterSample, MeterSample.id == newest.c.sample)
    )
    online: Counter[str] = Counter()
    booted: Counter[str] = Counter()
    async with store.engine.connect() as connection:
        for version, registration, count in (await connection.execute(online_query)).all():
            # Labelled by the version's name ("1.6"), as the connected stations' gauge is.
            label = "unknown" if version is None else version.name
            online[label] += count
            if registration == ACCEPTED:
                booted[label] += count
        by_status = {
            status: (count, energy)
            for status, count, energy in (await connection.execute(transactions_query)).all()
        }
        readings = (await connection.execute(energy_query)).all()
    active_count, _ = by_status.get(TransactionStatus.ACTIVE, (0, 0.0))
    completed_count, completed_wh = by_status.get(TransactionStatus.COMPLETED, (0, 0.0))
    # 1.6 keeps a reading in the unit the station named (Wh or kWh, section 7.31).
    active_wh = sum(
        max(0.0, (value * 1000 if unit == "kWh" else value) - start)
        for start, value, unit in readings
    )
    return StoreSnapshot(
        online=dict(online),
        booted=dict(booted),
        transactions_active=active_count,
        transactions_completed=completed_count,
        energy_completed_wh=served(float(completed_wh or 0.0)),
        energy_active_wh=served(active_wh),
    )


class CsmsCollector:
    """Stations connected (to this process), online and booted (at any node) by OCPP version,
    transactions and energy."""

    def __init__(self, stations: ConnectedStations | None, store: Store | None = None) -> None:
        self.stations = stations
        self.store = store
        self._snapshot: StoreSnapshot | None = None

    async def refresh(self) -> None:
        """Read the store's part; on a database error the scrape goes on without it."""
        if self.store is None:
            return
        try:
            self._snapshot = await read_snapshot(self.store)
        except (SQLAlchemyError, OSError) as error:
            logger.warning("metrics: cannot read the store: %s", error)
            self._snapshot = None

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        versions = [spec.name for spec in VERSIONS.values()]
        if self.stations is not None:
            connected = Counter(version.name for version in self.stations.versions())
            family = GaugeMetricFamily(
                "chargeyard_csms_stations_connected",
                "Stations with an open OCPP WebSocket to this CSMS, by negotiated OCPP version.",
                labels=["ocpp_version"],
            )
            for version in sorted({*versions, *connected}):
                family.add_metric([version], connected[version])
            yield family
        snapshot = self._snapshot
        if snapshot is None:
            return
        family = GaugeMetricFamily(
            "chargeyard_stations_online",
            "Stations the store has online, connected to any CSMS of the cluster, by OCPP version.",
            labels=["ocpp_version"],
        )
        for version in sorted({*versions, *snapshot.online}):
            family.add_metric([version], snapshot.online.get(version, 0))
        yield family
        family = GaugeMetricFamily(
            "chargeyard_csms_stations_booted",
            "Connected stations whose last BootNotification was answered Accepted, by OCPP"
            " version.",
            labels=["ocpp_version"],
        )
        for version in sorted({*versions, *snapshot.booted}):
            family.add_metric([version], snapshot.booted.get(version, 0))
        yield family
        yield GaugeMetricFamily(
            "chargeyard_transactions_active",
            "Transactions started and not yet stopped, as the CSMS recorded them.",
            value=snapshot.transactions_active,
        )
        yield CounterMetricFamily(
            "chargeyard_transactions_completed",
            "Transactions stopped, as the CSMS recorded them.",
            value=snapshot.transactions_completed,
        )
        yield CounterMetricFamily(
            "chargeyard_energy_delivered_wh",
            "Energy of completed transactions (meter stop minus meter start), in Wh.",
            value=snapshot.energy_completed_wh,
        )
        yield GaugeMetricFamily(
            "chargeyard_transactions_active_energy_wh",
            "Energy delivered so far by running transactions (latest energy register reading"
            " minus meter start), in Wh.",
            value=snapshot.energy_active_wh,
        )
