"""Crowd faults spread over the stations they target: who is struck when.

A crowd fault (``faults.py``: a reconnection storm, a rolling restart, a power cut) is
applied to each targeted station as a fault of its own whose ``after_s`` is that station's
moment. :func:`spread` computes them: a storm and a power cut strike every station at the
fault's ``after_s``; a rolling restart gives the stations one by one, in an order shuffled
from the random seed (the same seed and crowd: the same order), a slot of ``60 / per_minute``
seconds each. A storm's reconnection jitter is the station's own draw (``engine.py``), from the
seed and its identity.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Sequence

from chargeyard.fleet.chaos.faults import Fault, RollingRestart


def spread(faults: Sequence[Fault], identities: Iterable[str], seed: int) -> dict[str, list[Fault]]:
    """Each station's faults: ``faults`` with each rolling restart given the station's slot.

    Args:
        faults: the faults applied to the crowd.
        identities: the stations of the crowd.
        seed: the random seed the order is drawn from.
    """
    crowd = sorted(set(identities))
    order = list(crowd)
    if any(isinstance(fault, RollingRestart) for fault in faults):
        random.Random(f"crowd/{seed}").shuffle(order)  # (a str seed: stable across processes)
    slot = {identity: index for index, identity in enumerate(order)}
    return {identity: [_for_slot(fault, slot[identity]) for fault in faults] for identity in crowd}


def _for_slot(fault: Fault, slot: int) -> Fault:
    if not isinstance(fault, RollingRestart):
        return fault
    return dataclasses.replace(fault, after_s=fault.after_s + slot * 60 / fault.per_minute)


def crowd_source(seed: int, identity: str) -> random.Random:
    """The random source of one station's part in a crowd fault (its storm jitter): apart
    from its network faults' source, so that it does not depend on the station's traffic."""
    return random.Random(f"crowd/{seed}/{identity}")


__all__ = ["crowd_source", "spread"]
