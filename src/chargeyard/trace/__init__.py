"""Traces: one charger's OCPP-J frames recorded (``format.py``, the format of docs/traces.md),
read from plain logs (``importers.py``) and ocpp-cp-simulator's trace files
(``cp_simulator.py``), played again as the station against any central system (``replay.py``,
rewriting what must change: ``rewrite.py``; a simulated station answers what the trace cannot
predict: ``station_answers.py``) and the central system's answers compared with the recorded
ones (``diff.py``, reported by ``report.py``).

The format and the importers need nothing but the protocol's table of versions; the API's
export endpoints use them and ``stored.py``. The replay needs a socket and a simulated station,
and is imported by ``chargeyard replay`` only.
"""

from chargeyard.trace.format import (
    FORMAT_VERSION,
    MEDIA_TYPE,
    Direction,
    Trace,
    TraceError,
    TraceHeader,
    TraceRecord,
    dumps,
    lines,
    loads,
)

__all__ = [
    "FORMAT_VERSION",
    "MEDIA_TYPE",
    "Direction",
    "Trace",
    "TraceError",
    "TraceHeader",
    "TraceRecord",
    "dumps",
    "lines",
    "loads",
]
