"""Recognising a 1.6 MeterValues a charge point sends again, so that its samples are kept once.

A charge point re-sends a transaction-related message it got no answer for (OCPP 1.6 section
4.10, TransactionMessageAttempts): on the same connection after its call timed out, or on the
next connection after the one that carried it dropped. Either way the central system may
already have stored it (the answer, not the message, was lost). 1.6 MeterValues carries no id
of its own, so a copy is known by what it says:

* on one connection, a message identical to one stored moments before (the connection's last
  few MeterValues with a transactionId are remembered) is a copy: answered, not stored;
* the first MeterValues of a transaction on a connection is checked against the store: a
  reading the transaction already has (same time, measurand, phase, location and context) is
  not kept again. Copies re-sent after a reconnect (or a restart of the central system) are
  the first message of their connection, so this costs one read per transaction and
  connection, not one per message; and none for a transaction its own connection opened
  (its StartTransaction answered there with a new id): nothing of it can have been stored
  before, and a burst of charge points starting to charge then costs no read at all.

MeterValues outside a transaction are not transaction messages (not re-sent) and are stored as
they come. 2.0.1 TransactionEvent copies are known by their seqNo (``v201.py``).
"""

from __future__ import annotations

from collections import deque

from chargeyard.protocol.messages import v16

_RECENT = 8
_CHECKED = 16


class ResentMeterValues:
    """One connection's memory of the MeterValues it stored."""

    def __init__(self) -> None:
        self._recent: deque[str] = deque(maxlen=_RECENT)
        self._checked: set[str] = set()

    def is_copy(self, payload: v16.MeterValuesRequest) -> bool:
        """Whether this connection stored the same transaction's message moments before."""
        return "transactionId" in payload and _fingerprint(payload) in self._recent

    def stored(self, payload: v16.MeterValuesRequest) -> None:
        """Remember a message of a transaction once its samples are stored."""
        if "transactionId" in payload:
            self._recent.append(_fingerprint(payload))

    def opened(self, transaction_id: int) -> None:
        """The connection's StartTransaction opened ``transaction_id`` (a new one, not a
        copy's): its MeterValues are never checked against the store."""
        self._remember(str(transaction_id))

    def first_of(self, transaction_id: int | None) -> bool:
        """Whether this is the connection's first MeterValues of ``transaction_id`` (to be
        checked against the store); True once per transaction and connection."""
        if transaction_id is None:
            return False
        key = str(transaction_id)
        if key in self._checked:
            return False
        self._remember(key)
        return True

    def _remember(self, key: str) -> None:
        if len(self._checked) >= _CHECKED:
            self._checked.clear()  # a long-lived connection's old transactions
        self._checked.add(key)


def _fingerprint(payload: v16.MeterValuesRequest) -> str:
    # A copy is the same JSON object again, which a charge point serialises the same way:
    # repr() of the parsed payload tells it (and costs a few microseconds, not a JSON dump).
    return repr(payload)
