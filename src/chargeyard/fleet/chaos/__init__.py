"""Network chaos for simulated stations: faults of the link (latency, bandwidth, cuts,
half-open connections, refused connections) and of the OCPP frames (dropped, duplicated,
delayed, reordered, answers held back), reproducible from a seed. ``faults.py`` holds the
kinds, ``engine.py`` one station's active faults and journal, ``pipe.py`` and ``frames.py``
what the link and the frames do with them. See docs/chaos.md.
"""

from chargeyard.fleet.chaos.engine import EFFECTS, Applied, Chaos, seeded_source
from chargeyard.fleet.chaos.faults import KINDS, Fault, fault_from_dict, fault_to_dict

__all__ = [
    "EFFECTS",
    "KINDS",
    "Applied",
    "Chaos",
    "Fault",
    "fault_from_dict",
    "fault_to_dict",
    "seeded_source",
]
