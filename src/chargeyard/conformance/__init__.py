"""chargeyard's open conformance suite: the OCPP test cases, run against anyone's CSMS (with
chargeyard playing the charging station) and, next, anyone's charging station.

From Python::

    from chargeyard.conformance import CsmsTarget, run_csms
    result = await run_csms(CsmsTarget("ws://127.0.0.1:9000/ocpp", "CP-1", V16, trigger=...))

From the command line: ``chargeyard conformance csms --url ... --identity ...``
(``cli_conformance.py``); docs/conformance.md says how to run it and lists the cases.
"""

from chargeyard.conformance.csms_case import CsmsTarget, IdTags
from chargeyard.conformance.reports import write
from chargeyard.conformance.runner import CaseResult, RunResult, run_csms
from chargeyard.conformance.triggers import ChargeyardTrigger, HookTrigger, PromptTrigger
from chargeyard.conformance.verdicts import Verdict

__all__ = [
    "CaseResult",
    "ChargeyardTrigger",
    "CsmsTarget",
    "HookTrigger",
    "IdTags",
    "PromptTrigger",
    "RunResult",
    "Verdict",
    "run_csms",
    "write",
]
