"""A station's transaction messages wait in the order they happened (OCPP 1.6 section 4.10,
2.0.1 E13), whether or not the queue emptied in between (``station/transaction_messages.py``)."""

from __future__ import annotations

import pytest

from chargeyard.station.transaction_messages import QueuedMessage, TransactionQueue


def _message(action: str, transaction_id: str | None = None) -> QueuedMessage:
    return QueuedMessage(action, dict, lambda answer: None, transaction_id=transaction_id)


def test_messages_leave_in_order_and_the_queue_fills_again_after_emptying() -> None:
    queue = TransactionQueue()
    assert len(queue) == 0
    assert queue.head() is None
    assert not queue.holds("7")
    queue.push(_message("StartTransaction", "7"))
    queue.push(_message("MeterValues", "7"))
    assert queue.holds("7")
    assert not queue.holds("8")
    assert [queue.pop().action, queue.pop().action] == ["StartTransaction", "MeterValues"]
    assert len(queue) == 0
    assert queue.head() is None
    assert not queue.holds("7")
    queue.push(_message("StopTransaction", "7"))
    assert len(queue) == 1
    assert queue.head() is not None
    assert queue.holds("7")


def test_popping_an_empty_queue_is_an_error() -> None:
    queue = TransactionQueue()
    with pytest.raises(IndexError):
        queue.pop()
    queue.push(_message("StartTransaction"))
    queue.pop()
    with pytest.raises(IndexError):
        queue.pop()
