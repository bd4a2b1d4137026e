"""``chargeyard probe``: negative tests against a CSMS. Playing a station over the wire only,
the probe sends malformed and hostile input (text that is no JSON, broken frames, unknown
message types and actions, payloads that break their schema one rule at a time, duplicate and
stray message ids, oversized, binary and non-UTF-8 frames, bad handshakes) and judges each
answer against what OCPP-J requires (``cases.py``, ``expected.py``); its reports are the
conformance suite's, with what each case sent, received and expected (``report.py``)."""

from chargeyard.probe.case import Group, ProbeCase
from chargeyard.probe.rules import PROBED
from chargeyard.probe.runner import ProbeRun, ProbeTarget, Progress, cases_of, run_probe

__all__ = [
    "PROBED",
    "Group",
    "ProbeCase",
    "ProbeRun",
    "ProbeTarget",
    "Progress",
    "cases_of",
    "run_probe",
]
