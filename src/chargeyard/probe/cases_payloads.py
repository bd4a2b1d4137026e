"""The payload cases: one per action a station sends and per schema rule its payload can break
(``payloads.py``), each answered as OCPP-J's table of CALLERROR codes says (``rules.py``)."""

from __future__ import annotations

import random

from chargeyard.probe.case import Group, Ids, Out, ProbeCase, call
from chargeyard.probe.expected import CallErrorWith, Expected, codes
from chargeyard.probe.payloads import mutations
from chargeyard.probe.rules import rule_codes
from chargeyard.protocol import ErrorKind, VersionSpec
from chargeyard.protocol.initiators import STATION_INITIATED


def payload_cases(version: VersionSpec, ids: Ids, rng: random.Random) -> list[ProbeCase]:
    """One case per action a station sends and per rule its payload can break, the place of
    each break picked by ``rng``."""
    cases = []
    unserved = codes(version, ErrorKind.NOT_SUPPORTED, ErrorKind.NOT_IMPLEMENTED)
    for action in sorted(STATION_INITIATED[version]):
        for mutation in mutations(version, action, rng):
            unique_id = ids()
            accepted = rule_codes(version, mutation.rule)
            cases.append(
                ProbeCase(
                    f"payload-{action}-{mutation.rule.slug}",
                    Group.PAYLOADS,
                    f"{action}: {mutation.rule} at {mutation.path}",
                    Expected(
                        (CallErrorWith(accepted, unique_id),),
                        f"schema keyword {mutation.keyword!r} (1.6 section 4.2.3 table 7;"
                        " 2.0.1 part 4 section 4.3)",
                        unserved=CallErrorWith(unserved, unique_id),
                    ),
                    (Out(call(unique_id, action, mutation.payload), awaits=(unique_id,)),),
                    rule=mutation.rule,
                    action=action,
                )
            )
    return cases
