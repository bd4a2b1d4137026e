"""Transactions that can no longer be running, closed by the central system.

A station that crashes forgets what it had open unless it keeps it (a real one keeps it in
non-volatile memory and reports it ended with reason PowerLoss once booted); a stop can be lost
on the way. Either leaves a transaction active in the central system for ever, billing nothing
and blocking its connector's history. The station's later messages show when one cannot be
running any more:

* **Superseded**: a new transaction starts on the same connector (1.6 StartTransaction) or
  EVSE (2.0.1 TransactionEvent opening a transaction id not seen before). A connector carries
  one transaction at a time (1.6 section 3.6; 2.0.1 E01: one transaction per EVSE).
* **Available after a boot**: the first StatusNotification of a connector after the
  station's BootNotification on this connection (the boot report, 1.6 section 4.9, 2.0.1
  B01.FR.05) says Available, the status of a connector without a transaction (1.6 section 7.7
  ChargePointStatus; 2.0.1 ConnectorStatusEnumType, G01). Only that first report: a boot is
  when a station forgets, while later, a station may report Available before the
  StopTransaction it has queued (the order of the two is not specified). Even the boot report
  may come before the stops the station kept: the close waits until the station's grace
  after its boot is over (``boot_grace.py``, ``ORPHAN_GRACE_S``), and finds nothing to close
  when they came meanwhile.
* **Its simulated charger deleted**: a charger of the simulator gateway that dialled this
  central system is deleted, and could not report its transactions ended on its way down
  (offline, or its central system did not answer in time): it will never speak again, and
  its memory went with it (``close_deleted``).

Such a transaction is closed with what the central system knows (the last register reading;
``TransactionRepository.close_orphans``), flagged with why, and told to listeners as a
``transaction.stopped`` event whose ``closedByCsms`` is true. A stop the station reports later
(a 1.6 StopTransaction with reason PowerLoss, queued behind its boot report) replaces the
close whole, and is told in its own ``transaction.stopped`` event, ``closedByCsms`` false.
"""

from __future__ import annotations

import logging
from datetime import datetime

from chargeyard.csms import event_data
from chargeyard.csms.context import StationContext
from chargeyard.csms.events import EventSink
from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import CsmsCloseReason, Transaction

logger = logging.getLogger(__name__)


async def close_superseded(context: StationContext, new: Transaction) -> list[Transaction]:
    """Close the active transactions of ``new``'s connector (1.6, ``evse_id`` 0) or EVSE
    (2.0.1) that started before it."""
    closed = await context.store.transactions.close_orphans(
        context.identity,
        reason=CsmsCloseReason.SUPERSEDED,
        at=new.started_at,
        started_before=new.started_at,
        excluding=new.id,
        connector_id=None if new.evse_id else new.connector_id,
        evse_id=new.evse_id or None,
    )
    why = f"transaction {new.transaction_id} started on its connector"
    _tell(context.identity, context.events, closed, why)
    return closed


def opening(context: StationContext) -> bool:
    """A transaction is about to be opened on this connection: from now on a boot report
    looks for orphans again (``known.py``). Returns whether the station may have had one
    open before it: one the new one would supersede (:func:`close_superseded`). A station
    that had none when it connected and opened none since has none to close: a burst of
    starts then costs no query for orphans."""
    known = context.known
    if known is None:
        return True
    had = known.open_transactions
    known.open_transactions = True
    return had


async def close_after_boot(
    context: StationContext,
    at: datetime,
    *,
    connector_id: int | None,
    evse_id: int | None,
    grace_ends: float | None = None,
) -> None:
    """Close the active transactions of a connector (1.6: ``connector_id``) or EVSE (2.0.1:
    ``evse_id``) its station has just reported Available in its first report after a boot,
    once the station's grace after that boot, ending at ``grace_ends`` on the clock of
    ``context.boot_grace``, is over (None, or a context without a grace: now).

    A station that had none open when it connected, and has opened none since, has none to
    close: a boot storm's reports then cost no query and no wait (``known.py``)."""
    if context.known is not None and not context.known.open_transactions:
        return

    async def close() -> None:
        await _close_available(context, at, connector_id=connector_id, evse_id=evse_id)

    grace = context.boot_grace
    if grace is None or grace_ends is None:
        await close()
    else:
        await grace.at_end(grace_ends, close)


async def _close_available(
    context: StationContext, at: datetime, *, connector_id: int | None, evse_id: int | None
) -> list[Transaction]:
    closed = await context.store.transactions.close_orphans(
        context.identity,
        reason=CsmsCloseReason.AVAILABLE_AFTER_BOOT,
        at=at,
        started_before=at,
        connector_id=connector_id,
        evse_id=evse_id,
    )
    why = "its connector was reported Available after a boot"
    _tell(context.identity, context.events, closed, why)
    return closed


async def close_deleted(
    store: Store, events: EventSink, identity: str, *, organization_id: str, at: datetime
) -> list[Transaction]:
    """Close every transaction still active of the station ``identity`` of
    ``organization_id`` whose simulated charger was just deleted (see the module docstring):
    those it started up to ``at``. A station that is another organization's, or not
    registered, is left alone."""
    if await store.stations.organization_of(identity) != organization_id:
        return []
    try:
        closed = await store.transactions.close_orphans(
            identity, reason=CsmsCloseReason.CHARGER_DELETED, at=at, started_before=at
        )
    except NotFoundError:  # unregistered meanwhile, with its transactions
        return []
    _tell(identity, events, closed, "its simulated charger was deleted")
    return closed


def _tell(identity: str, events: EventSink, closed: list[Transaction], why: str) -> None:
    for transaction in closed:
        events.publish(event_data.transaction_stopped(identity, transaction))
        logger.warning(
            "%s: transaction %s closed by the central system (%s), at %s Wh",
            identity,
            transaction.transaction_id,
            why,
            transaction.meter_stop_wh,
        )
