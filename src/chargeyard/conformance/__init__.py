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
"""

from chargeyard.conformance.csms_under_test.case import CsmsTarget, IdTags
from chargeyard.conformance.csms_under_test.chargeyard_trigger import ChargeyardTrigger
from chargeyard.conformance.csms_under_test.hook_trigger import HookTrigger
from chargeyard.conformance.csms_under_test.triggers import PromptTrigger
from chargeyard.conformance.reports import write
from chargeyard.conformance.runner import CaseResult, RunResult, run, run_csms, run_station
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
