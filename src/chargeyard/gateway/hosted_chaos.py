"""Faults applied where a station runs: those ``/ocpp/chaos`` and ``chargeyard sim --chaos``
read at the edge (``chaos_profile.py``) added to a hosted charger's running station, or
cleared (``FleetHost.chaos``), each change written in the charger's log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chargeyard.fleet.chaos.faults import fault_from_dict, fault_to_dict
from chargeyard.gateway.command_runner import NOT_RUNNING
from chargeyard.gateway.hosted import Hosted
from chargeyard.gateway.outcomes import OutcomeWriter
from chargeyard.gateway.runtimes import ChaosAnswer


def apply_chaos(
    hosted: Hosted | None,
    writer: OutcomeWriter,
    organization_id: str,
    charger_id: str,
    faults: Sequence[dict[str, Any]] | None,
    seed: int | None = None,
) -> ChaosAnswer:
    """``FleetHost.chaos`` on ``hosted``, the charger's entry in the host's table (None when
    it has none): the faults its station has now and their seed, or why nothing was done."""
    if hosted is None or hosted.organization_id != organization_id:
        return {"error": NOT_RUNNING}
    runtime = hosted.fleet.runtime(hosted.identity)
    if faults is None:
        runtime.clear_chaos()
        writer.log(organization_id, charger_id, "faults cleared")
        return {"faults": [], "seed": None}
    if not hosted.running:
        return {"error": NOT_RUNNING}
    try:
        parsed = [fault_from_dict(dict(fault)) for fault in faults]
    except (TypeError, ValueError) as error:
        return {"error": f"not a fault: {error}"}
    recorder = hosted.recorder
    chaos = runtime.apply_chaos(parsed, seed, mark=None if recorder is None else recorder.mark)
    described = chaos.describe()
    kinds = ", ".join(fault.kind for fault in parsed)
    writer.log(
        organization_id,
        charger_id,
        f"faults applied: {kinds} (seed {chaos.seed})",
        data={"faults": [fault_to_dict(fault) for fault in parsed], "seed": chaos.seed},
    )
    return {"faults": described, "seed": chaos.seed}
