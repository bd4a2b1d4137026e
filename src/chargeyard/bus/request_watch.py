"""What becomes of a runtime request whose node goes away before it answers: the asker's side of
:meth:`RedisBus.request <chargeyard.bus.redis_bus.RedisBus.request>`.

A request waits on the queue of the node that held its first charger when it was pushed. That
node may die (``kill -9``, a host lost) with the request still queued, or after taking it. Its
chargers are adopted by another node within seconds (a worker's lease), while its ``alive`` key
lives on for up to ``ALIVE_TTL_S``; and until some message is routed to it, nothing makes it
leave and hand its queue on. Waiting for the asker's deadline would answer a timeout that blames
the charger, long after another node could have answered.

So one task of the asking bus runs the ``WATCH`` script (``bus/redis_scripts.py``) every
:data:`WATCH_S` for each request that has waited longer than that (one answered sooner costs
nothing more):

=====================================  ==========================================================
where the request is                   what the script does
=====================================  ==========================================================
queued, its node gone or its charger   takes it back (``LREM``: only a queue that still holds it
held by another live node              gives it back) and pushes it to where it goes now
queued, its node there                 nothing: the node takes it
taken, its node there                  nothing: the node answers, or the deadline does
taken, its node gone                   answers ``node_gone``: the request may have reached the
                                       charger, and no node will answer it
=====================================  ==========================================================

A request handed on by a node's leaving (its queue emptied into others) is found through the
``{p}moved:{id}`` key that leaving writes. Delivery stays at most once: a request is pushed again
only when it was taken back from a queue, never while a node may be serving it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest

logger = logging.getLogger(__name__)

WATCH_S = 1.0
"""How often a waiting request is looked after: a request whose node went away waits this long
at most past the moment it could be moved or answered."""


@dataclass(slots=True, eq=False)
class SentRequest:
    """One request on its way: the envelope pushed (its bytes are what ``LREM`` matches), the
    future its answer resolves, when it was pushed (the loop's clock) and the node whose queue
    it went to ('' the backlog, while no node is there)."""

    request: RuntimeRequest
    envelope: bytes
    answer: asyncio.Future[RuntimeAnswer]
    sent_at: float
    node: str = ""

    def look(self, what: str, node: str) -> None:
        """What the ``WATCH`` script found: the node the request is with now (``moved``
        there), and ``gone`` when that node took it and went away."""
        if what == "moved":
            logger.info(
                "%s request %s moved from the queue of bus node %s, gone or no longer holding"
                " its charger, to %s",
                self.request.verb,
                self.request.request_id,
                self.node or "(backlog)",
                node or "(backlog)",
            )
        self.node = node
        if what == "gone" and not self.answer.done():
            logger.warning(
                "%s request %s was taken by bus node %s, which went away before answering",
                self.request.verb,
                self.request.request_id,
                node,
            )
            self.answer.set_result(node_gone(self.request, node))


def node_gone(request: RuntimeRequest, node: str) -> RuntimeAnswer:
    """The answer to a request taken by ``node``, which went away before answering."""
    about = f"charger {request.charger_ids[0]}" if request.charger_ids else "the request"
    return RuntimeAnswer(
        request.request_id,
        False,
        error=(
            f"the node holding {about} ({node}) went away before it answered; retry (the"
            " request may have reached the charger)"
        ),
        error_kind="node_gone",
    )
