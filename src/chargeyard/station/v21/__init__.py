"""A simulated OCPP 2.1 charging station: the 2.0.1 station (``v201/``) with 2.1's words.

OCPP 2.1 keeps 2.0.1's functional blocks and use cases and adds to them, so :class:`StationV21`
owns the same blocks, hears the same lifecycle events in the same order and keeps the same
rules. What differs is said once:

* the version (:data:`~chargeyard.protocol.V21`): its session speaks ``ocpp2.1``, checks every
  message both ways against 2.1's schemas, and has 2.1's RPC framework, CALLRESULTERROR
  (part 4 section 4.2.4) and SEND;
* ``v201/dialect.py``: where 2.1 changed a rule of a shared block (B09's optional ocppVersion,
  N02's monitor kind in a report);
* the blocks answer 2.1's new words that they do not implement the way 2.1 asks (a Reset
  ImmediateAndResume Rejected, 2.1's charging profile purposes and operation modes Rejected,
  its new monitor types UnsupportedMonitorType, its new triggers NotImplemented);
* ``terms.py``: the gateway's words, checked against 2.1's schemas.

``docs/ocpp-coverage.md`` lists what of 2.1 the station does and does not do.
"""

from __future__ import annotations

from typing import ClassVar

from chargeyard.protocol import V21
from chargeyard.station.terms import StationTerms
from chargeyard.station.v21.terms import TERMS_V21
from chargeyard.station.v201 import StationV201


class StationV21(StationV201):
    """A 2.1 charging station built from a catalog template (see the module docstring)."""

    version = V21
    TERMS: ClassVar[StationTerms] = TERMS_V21


__all__ = ["StationV21"]
