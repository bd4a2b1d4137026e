"""chargeyard inside other projects' tests: the pytest plugin (docs/pytest.md).

Installed with chargeyard and registered through the ``pytest11`` entry point, so that a
project that installs chargeyard gets three fixtures (``fixtures.py``, the one module here that
imports pytest):

* ``ocpp_station``: simulated stations, one at a time, each a :class:`SimStation` with
  awaitable helpers for a test (``station.py``);
* ``ocpp_fleet``: many stations at once, booted together (:class:`SimFleet`, ``fleet.py``);
* ``ocpp_csms``: a central system that a charger under test connects to (:class:`LabCsms`,
  ``csms.py``), the conformance suite's scripted central system.

What they share: every frame recorded with its direction, and waits that wake on each frame
and fail with what was awaited and what was seen (``frames.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chargeyard.pytest_plugin.csms import CsmsCallError, CsmsFactory, LabCsms
    from chargeyard.pytest_plugin.fleet import FleetFactory, SimFleet
    from chargeyard.pytest_plugin.frames import Frame, WaitTimedOut
    from chargeyard.pytest_plugin.station import SimStation, StationFactory

# Each name's module, imported when the name is first read: pytest imports this package (for
# ``fixtures.py``) in every run of a project that installed chargeyard, and a run that uses no
# fixture of ours should not pay for importing the fleet and the conformance suite.
_HOMES = {
    "CsmsCallError": "csms",
    "CsmsFactory": "csms",
    "LabCsms": "csms",
    "FleetFactory": "fleet",
    "SimFleet": "fleet",
    "Frame": "frames",
    "WaitTimedOut": "frames",
    "SimStation": "station",
    "StationFactory": "station",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "CsmsCallError",
    "CsmsFactory",
    "FleetFactory",
    "Frame",
    "LabCsms",
    "SimFleet",
    "SimStation",
    "StationFactory",
    "WaitTimedOut",
]
