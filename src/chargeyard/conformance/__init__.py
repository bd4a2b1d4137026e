"""chargeyard's open conformance suite: the OCPP test cases, run against anyone's CSMS (with
chargeyard playing the charging station) and anyone's charging station (with chargeyard
playing the central system).

From Python::

    from chargeyard.conformance import CsmsTarget, StationTarget, run
    result = await run(CsmsTarget("ws://127.0.0.1:9000/ocpp", "CP-1", V16, trigger=...))
    result = await run(StationTarget("0.0.0.0", 9000, V16, trigger=...), progress=print)

From the command line: ``chargeyard conformance csms --url ... --identity ...`` and
``chargeyard conformance station --listen HOST:PORT`` (``cli_conformance/station.py``);
docs/conformance.md says how to run it and lists the cases.

The names below are imported when first used: a tool that reads or writes results through the
core (``results.py``, ``reports.py``; ``chargeyard probe``) loads neither wing, and neither the
central system's command words that one of them names its endpoints with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.lazy_names import lazy_names

if TYPE_CHECKING:
    from chargeyard.conformance.csms_under_test.case import CsmsTarget, IdTags
    from chargeyard.conformance.csms_under_test.chargeyard_trigger import ChargeyardTrigger
    from chargeyard.conformance.csms_under_test.hook_trigger import HookTrigger
    from chargeyard.conformance.csms_under_test.triggers import PromptTrigger
    from chargeyard.conformance.reports import write
    from chargeyard.conformance.results import CaseResult, RunResult
    from chargeyard.conformance.runner import run, run_csms, run_station
    from chargeyard.conformance.station_under_test.case import StationTags, StationTarget
    from chargeyard.conformance.station_under_test.triggers import (
        ChargeyardStationTrigger,
        HookStationTrigger,
        InProcessStationTrigger,
        PromptStationTrigger,
        StationAct,
        StationTrigger,
        Verb,
    )
    from chargeyard.conformance.verdicts import Verdict

_HOMES = {
    "CaseResult": "results",
    "ChargeyardStationTrigger": "station_under_test.triggers",
    "ChargeyardTrigger": "csms_under_test.chargeyard_trigger",
    "CsmsTarget": "csms_under_test.case",
    "HookStationTrigger": "station_under_test.triggers",
    "HookTrigger": "csms_under_test.hook_trigger",
    "IdTags": "csms_under_test.case",
    "InProcessStationTrigger": "station_under_test.triggers",
    "PromptStationTrigger": "station_under_test.triggers",
    "PromptTrigger": "csms_under_test.triggers",
    "RunResult": "results",
    "StationAct": "station_under_test.triggers",
    "StationTags": "station_under_test.case",
    "StationTarget": "station_under_test.case",
    "StationTrigger": "station_under_test.triggers",
    "Verb": "station_under_test.triggers",
    "Verdict": "verdicts",
    "run": "runner",
    "run_csms": "runner",
    "run_station": "runner",
    "write": "reports",
}

__all__ = [
    "CaseResult",
    "ChargeyardStationTrigger",
    "ChargeyardTrigger",
    "CsmsTarget",
    "HookStationTrigger",
    "HookTrigger",
    "IdTags",
    "InProcessStationTrigger",
    "PromptStationTrigger",
    "PromptTrigger",
    "RunResult",
    "StationAct",
    "StationTags",
    "StationTarget",
    "StationTrigger",
    "Verb",
    "Verdict",
    "run",
    "run_csms",
    "run_station",
    "write",
]


__getattr__ = lazy_names(__name__, _HOMES)
