"""A running transaction's power as its latest meter values tell, for the transaction views:
the last whole-EVSE Power.Active.Import reading, or, from a station that samples no power
(OCPP 1.6 section 9.1.15: MeterValuesSampledData may list the energy register alone), the
energy between its last two register readings over the time between them.

One query per measurand for a whole page of transactions: each transaction's newest readings
ranked by time (a window function, in SQLite 3.25+ and PostgreSQL alike).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chargeyard.store.models import MeterSample

POWER = "Power.Active.Import"
ENERGY_REGISTER = "Energy.Active.Import.Register"

_Reading = tuple[datetime, float]
"""When a value was sampled, and the value in W or Wh."""


async def latest_power(session: AsyncSession, transaction_pks: Collection[int]) -> dict[int, float]:
    """The power of each transaction in ``transaction_pks`` now, in W (see the module
    docstring); transactions whose meter values tell none are left out."""
    powers = {
        pk: value
        for pk, [(_, value)] in (await _newest(session, transaction_pks, POWER, 1)).items()
    }
    rest = [pk for pk in transaction_pks if pk not in powers]
    if rest:
        for pk, readings in (await _newest(session, rest, ENERGY_REGISTER, 2)).items():
            derived = _between(readings)
            if derived is not None:
                powers[pk] = derived
    return powers


def _between(readings: list[_Reading]) -> float | None:
    """W from the newest two register readings (newest first), or None without two of them
    at different times."""
    if len(readings) < 2:
        return None
    (after_at, after_wh), (before_at, before_wh) = readings
    hours = (after_at - before_at).total_seconds() / 3600
    if hours <= 0:
        return None
    return max(0.0, (after_wh - before_wh) / hours)


async def _newest(
    session: AsyncSession, transaction_pks: Collection[int], measurand: str, count: int
) -> dict[int, list[_Reading]]:
    """The newest ``count`` whole-EVSE readings of ``measurand`` of each transaction, newest
    first, in W or Wh (1.6 keeps a value in the unit the station named, section 7.31)."""
    rank = (
        func.row_number()
        .over(
            partition_by=MeterSample.transaction_pk,
            order_by=(MeterSample.sampled_at.desc(), MeterSample.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(
            MeterSample.transaction_pk,
            MeterSample.sampled_at,
            MeterSample.value,
            MeterSample.unit,
            rank,
        )
        .where(
            MeterSample.transaction_pk.in_(list(transaction_pks)),
            MeterSample.measurand == measurand,
            MeterSample.phase.is_(None),
        )
        .subquery()
    )
    statement = (
        select(ranked.c.transaction_pk, ranked.c.sampled_at, ranked.c.value, ranked.c.unit)
        .where(ranked.c.rank <= count)
        .order_by(ranked.c.transaction_pk, ranked.c.rank)
    )
    found: dict[int, list[_Reading]] = {}
    for pk, sampled_at, value, unit in (await session.execute(statement)).all():
        if pk is None:
            continue
        scale = 1000 if unit in ("kW", "kWh") else 1
        found.setdefault(pk, []).append((sampled_at, value * scale))
    return found
