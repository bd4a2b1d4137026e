"""Every case of a probe, in the order they run: the RPC framework's (``cases_rpc.py``), the
payloads' (``cases_payloads.py``), then the WebSocket's and the handshake's
(``cases_transport.py``). One seed picks the same payloads, places and actions each time, and
the message ids follow in order, so one seed sends the same frames byte for byte."""

from __future__ import annotations

import random

from chargeyard.probe.case import Group, Ids, ProbeCase
from chargeyard.probe.cases_payloads import payload_cases
from chargeyard.probe.cases_rpc import rpc_cases
from chargeyard.probe.cases_transport import transport_cases
from chargeyard.probe.rules import PROBED
from chargeyard.protocol import VersionSpec


def all_cases(version: VersionSpec, seed: int, password: str | None) -> list[ProbeCase]:
    """Every case of a probe of ``version``; ``password``: the station's, if given.

    Raises:
        UnknownVersion: no cases are written for ``version``.
    """
    PROBED[version]  # raises for a version the cases are not written for
    rng = random.Random(seed)
    ids = Ids()
    cases = [
        *rpc_cases(version, ids, rng),
        *transport_cases(version, ids, password),
        *payload_cases(version, ids, rng),
    ]
    order = list(Group)
    return sorted(cases, key=lambda case: order.index(case.group))
